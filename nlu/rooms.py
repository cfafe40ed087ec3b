"""Addresses inside the estate: 3栋2单元1201 / 三号楼二单元1201室 / 3-2-1201 / 3幢2门1201."""

from __future__ import annotations

import re

from nlu.numbers import NUM_CLASS, digit_string, parse_int

_N = f"[{NUM_CLASS}]"
# "3楼" alone is a floor; 楼 names a building only before a unit or flat (3楼2单元).
_BUILDING = (
    rf"(?P<b>{_N}{{1,4}}|[a-z])\s?"
    rf"(?:号楼|号栋|栋楼|栋|幢|座|号?楼(?=\s?{_N}{{1,2}}\s?(?:单元|门|号)))"
)
_UNIT = rf"(?P<u>{_N}{{1,3}})\s?(?:单元|号门|门)"
_ROOM_WORDED = re.compile(
    rf"{_BUILDING}\s?(?:{_UNIT})?\s?(?:(?P<r>[0-9]{{3,5}}|{_N}{{3,8}})(?:室|房|号)?)?"
)
_DASHED = re.compile(
    r"(?<![0-9:.\-])(?P<b>[0-9]{1,3})\s?[-－—_/]\s?(?:(?P<u>[0-9]{1,2})\s?[-－—_/]\s?)?"
    r"(?P<r>[0-9]{3,4})(?![0-9:.\-])"
)
_ROOM_ONLY = re.compile(
    rf"(?<![0-9])(?P<r>[0-9]{{3,4}})\s?(?:室|房)(?!间|子|东|屋)"
    rf"|(?:房号|房间号|门牌号?|户号)\D{{0,3}}?(?P<r2>[0-9]{{3,5}}|{_N}{{3,8}})"
)
_UNIT_ONLY = re.compile(rf"(?<![0-9])(?P<u>{_N}{{1,2}})\s?单元")
# A bare flat number ("1502快来人", "一楼101"): 3-4 digits shaped like floor + door (door
# 01-16), not a ticket ("单号1031", "1024进度"), amount, year or time.
_BARE_ROOM = re.compile(
    r"(?<![0-9a-z#:.\-])(?P<r>[1-9][0-9]?(?:0[1-9]|1[0-6]))(?![0-9a-z:.\-])"
    r"(?!\s?(?:号单|单|元|块|分|年|米|平|次|个|人|点|度|路|斤|万|号线|进度|楼|栋|层|f|w|ml|kg))"
)
_TICKET_CUE = re.compile(
    r"(?:单号|工单|单子|编号|订单|号码|电话|尾号|#|手机|价格|第)\s?[是为:]?\s?$"
)
# "12:30" and years / phone fragments look like rooms in the dashed form; these cues say
# the dashed numbers are not an address.
_NOT_ADDRESS = re.compile(r"\s?(?:点|号|月|年|分|岁|元|块|天|小时|个|人)")


def _num(raw: str) -> str | None:
    if raw.isascii() and raw.isalpha():
        return raw.upper()
    value = parse_int(raw)
    if value is None:
        return None
    return str(value)


def _room_num(raw: str) -> str | None:
    # Rooms are read digit by digit ("一二零一") or positionally ("一千二百零一").
    digits = digit_string(raw)
    if digits is not None:
        return digits
    value = parse_int(raw)
    return str(value) if value is not None else None


# A character each form needs, looked for before its regex, which tries every place of the
# text (its lookbehinds give the engine no prefix to scan for). Most texts with a digit hold
# a time or a count, not an address.
_BUILDING_WORDS = re.compile("[楼栋幢座]")
_DASHES = re.compile("[-－—_/]")
_ROOM_WORDS = re.compile("[室房门户]|单元")
_NONZERO = re.compile("[1-9]")


def extract_room(text: str) -> dict[str, str] | None:
    """The first address stated in normalised text, as {"building", "unit"?, "room"?}."""
    return (
        (_worded(text) if _BUILDING_WORDS.search(text) else None)
        or (_dashed(text) if _DASHES.search(text) else None)
        or (_room_or_unit(text) if _ROOM_WORDS.search(text) else None)
        or (_bare_room(text) if _NONZERO.search(text) else None)
    )


def _worded(text: str) -> dict[str, str] | None:
    for match in _ROOM_WORDED.finditer(text):
        building = _num(match.group("b"))
        if building is None or building == "0":
            continue
        out = {"building": building}
        unit_raw = match.group("u")
        if unit_raw:
            unit = _num(unit_raw)
            if unit is not None:
                out["unit"] = unit
        room_raw = match.group("r")
        if room_raw:
            room = _room_num(room_raw)
            if room is not None and len(room) >= 3:
                out["room"] = room
        return out
    return None


def _dashed(text: str) -> dict[str, str] | None:
    for match in _DASHED.finditer(text):
        if _NOT_ADDRESS.match(text, match.end()):
            continue
        out = {"building": match.group("b")}
        if match.group("u"):
            out["unit"] = match.group("u")
        out["room"] = match.group("r")
        return out
    return None


def _room_or_unit(text: str) -> dict[str, str] | None:
    only = _ROOM_ONLY.search(text)
    if only:
        room = _room_num(only.group("r") or only.group("r2"))
        if room:
            return {"room": room}
    unit_only = _UNIT_ONLY.search(text)
    if unit_only:
        unit = _num(unit_only.group("u"))
        if unit is not None:
            return {"unit": unit}
    return None


def _bare_room(text: str) -> dict[str, str] | None:
    for match in _BARE_ROOM.finditer(text):
        if not _TICKET_CUE.search(text[max(0, match.start() - 6) : match.start()]):
            return {"room": match.group("r")}
    return None
