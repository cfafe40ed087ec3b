"""Licence plates: 湘k·3b7q1 / 湘K 3B7Q1 / 湘K三B七Q幺 -> 湘K3B7Q1; radio digits (湘K幺拐两B勾
-> 湘K172B9); new-energy 8-char plates."""

from __future__ import annotations

import re

from nlu.numbers import DIGITS

# Simplified forms only: the text is already converted from traditional (滬 -> 沪).
PROVINCES = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"
# Digits as dictated over a radio or phone, where 一 and 七, 九 and 酒 blur: 幺 1, 两 2,
# 拐 7, 勾 9, 洞 0 (幺, 两 and 洞 are already in DIGITS). 拐 ("turn") and 勾 ("tick") are
# ordinary words elsewhere (前面拐弯), so they are digits only inside a plate, never in
# DIGITS. 么 is how many keyboards and voice inputs write 幺.
_RADIO: dict[str, int] = {"拐": 7, "勾": 9, "钩": 9, "么": 1}
# 俩 and 仨 mean "two/three people", never a plate character.
_PLATE_DIGITS: dict[str, int] = {k: v for k, v in DIGITS.items() if k not in "俩仨"} | _RADIO
_SPOKEN = "".join(_PLATE_DIGITS)
_SEP = r"[\s·.\-_]?"
_PLATE = re.compile(
    rf"(?P<prov>[{PROVINCES}])\s?(?P<letter>[a-z]){_SEP}"
    rf"(?P<tail>(?:[a-z0-9{_SPOKEN}]{_SEP}){{4}}[a-z0-9{_SPOKEN}](?:{_SEP}[a-z0-9{_SPOKEN}])?)"
    r"(?![a-z0-9])"
)
# Plates never use I or O; someone who types them means 1 and 0.
_LOOKALIKE = {"o": "0", "i": "1"}


def _canon_char(ch: str) -> str:
    if ch in _PLATE_DIGITS:
        return str(_PLATE_DIGITS[ch])
    return _LOOKALIKE.get(ch, ch).upper()


def _is_new_energy(tail: str) -> bool:
    small = tail[0] in "DF" and tail[2:].isdigit()
    large = tail[:5].isdigit() and tail[5] in "DF"
    return small or large


def extract_plate(text: str) -> str | None:
    """Return the first plate in normalised (lower-case, simplified) text, canonical form."""
    for match in _PLATE.finditer(text):
        raw = match.group("tail")
        chars = [_canon_char(c) for c in raw if not _is_sep(c)]
        if len(chars) == 6 and not _is_new_energy("".join(chars)):
            following = text[match.end() : match.end() + 1]
            chars = chars if _typed_sixth(raw, following) else chars[:5]
        tail = "".join(chars)
        # Spoken Chinese after a 5-char plate may have been swallowed as a 6th char only if
        # it was a digit word; a plate with no digit at all is a word, not a plate.
        if not any(c.isdigit() for c in tail):
            continue
        return match.group("prov") + match.group("letter").upper() + tail
    return None


def _typed_sixth(tail: str, following: str) -> bool:
    """Whether a sixth character that makes no valid plate was still typed as part of it:
    glued to the fifth and either a letter or digit (湘a12b589) or a digit word ending the
    phrase (湘a幺二b五八九). A digit word followed by more words is the next word's start
    (湘k3b7q1两个人, 京a12345一起来), and one after a separator is a count (苏a12345 两个人)."""
    if _is_sep(tail[-2]):
        return False
    last = tail[-1]
    if last.isascii():
        return True
    return not following or _is_sep(following) or following in ",.!?;:~)]\"'"


def _is_sep(ch: str) -> bool:
    return ch in " ·.-_" or ch.isspace()
