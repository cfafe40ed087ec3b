"""Visit times: 今天/明天/后天, 周X/下周X, X月X日/X号, 上午/下午/今晚, X点/X点半/X:XX, 过一个钟.

A clock time later in the message may complete an earlier day or part of the day ("今晚 …
十点左右" is 22:00), and an arrival time beats a departure ("坐七点的火车 … 九点到").

The words and token patterns live in nlu.timewords; this module groups the tokens into
appointments and resolves them against "now"."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from nlu.numbers import DIGITS, parse_int
from nlu.timedays import token_day, weekday
from nlu.timeenglish import english_times
from nlu.timewords import (
    AFTERNOON,
    ARRIVE_AFTER,
    ARRIVE_BEFORE,
    CLOCK_KINDS,
    CORRECTION,
    DAY_KINDS,
    DEFAULT_HOUR,
    DEPART,
    EVENING,
    GAP,
    GLUED_PARTS,
    NIGHT,
    PART_HOURS,
    PART_SPANS,
    SAME_DAY,
    TOKEN,
    WEEKDAYS,
)

# The public names: the parser, its result, and the default hours of a bare day or part of
# the day (defined with the other vocabulary in nlu.timewords, importable from here too).
__all__ = ["DEFAULT_HOUR", "PART_HOURS", "VisitTime", "parse_visit_time"]


@dataclass(frozen=True, slots=True)
class VisitTime:
    text: str
    start: int
    end: int
    at: datetime


# How far apart a day and a clock time may be and still make one appointment
# ("今天借给朋友了 下午朋友会开进来").
_MERGE_DISTANCE = 16
# A part of the day said first and a clock time later that fits inside it are one
# appointment even further apart ("今晚 蒙A·K73N2 一辆车 两个人 十点左右"): the fit is the
# evidence, so the distance can be longer than for a bare day.
_REFINE_DISTANCE = 40
# How far a bare day reaches for the time the visitors arrive at (no other day between).
_ARRIVAL_DISTANCE = 120
# A clock time that says when the visitors leave.
_LEAVING = re.compile(r"\s?(?:左右|多|前后)?\s?(?:就|再)?(?:走|离开|回去|散)")
# How far from a clock time the travel and arrival words are looked for.
_TRAVEL_WINDOW = 6
_ARRIVE_WINDOW = 8


def _clusters(text: str) -> list[list[re.Match[str]]]:
    clusters: list[list[re.Match[str]]] = []
    for match in TOKEN.finditer(text):
        kind = match.lastgroup
        if kind == "rel" and not (match.group("relpre") or match.group("relpost")):
            continue  # "等了两个小时" is a duration, not an appointment
        current = clusters[-1] if clusters else None
        # A relative time joins only a bare day ("今天 半小时后"): after a clock time it is
        # something else ("明天下午3点 20分钟后再说" is not 20 minutes from now).
        joins = (
            current is not None
            and (kind != "rel" or _kinds(current) <= DAY_KINDS)
            and current[-1].lastgroup != "rel"
            and bool(GAP.match(text[current[-1].end() : match.start()]))
        )
        # "一点" is a clock time only as part of a longer expression (明天下午一点); after
        # anything else it means "a bit" (明天来 快一点).
        if kind == "clock" and not _plausible_clock(match, joins):
            continue
        if kind == "hhmm" and not joins:
            continue  # 1430 alone may be a flat or a code: only 后天1430 is a time
        if current is not None and joins:
            current.append(match)
        else:
            clusters.append([match])
    return clusters


def parse_visit_time(text: str, now: datetime) -> VisitTime | None:
    """The first time expression in normalised text that resolves, against `now`; a
    clock time later in the text may refine its part of the day or give the arrival.
    English times ("tmr 3pm") are read as their Chinese words; the result's `text` and
    positions then refer to that reading."""
    text = english_times(text)
    clusters = _clusters(text)
    routine: VisitTime | None = None  # 每周三上午来: a routine, used when no other day is named
    past: VisitTime | None = None  # 昨天登记的人改成今天: a day gone is what changed
    found: VisitTime | None = None
    found_at = 0
    bare = False
    for index in range(len(clusters)):
        when = _appointment(text, clusters, index, now)
        if when is None or text.endswith("不是", 0, when.start):
            continue  # 不是这周六 是下周六: the day taken back
        kinds = _kinds(clusters[index])
        if "every" in kinds:
            routine = routine or when
        elif when.at.date() < now.date():
            past = past or when
        elif found is None:
            found, found_at = when, index
            bare = kinds <= DAY_KINDS and when.end == clusters[index][-1].end()
            # Only a correction after it ("下午 … 哦不对 是明天下午") can replace it.
            if not CORRECTION.search(text, when.end):
                break
        elif CORRECTION.search(text, found.end, when.start):
            if not kinds & DAY_KINDS:
                # 明天下午三点 哦不 改四点了: the new hour on the day said first.
                kept = [
                    m for m in clusters[found_at] if m.lastgroup in DAY_KINDS or m.group("part")
                ]
                at = _resolve(kept + clusters[index], now)
                when = when if at is None else VisitTime(when.text, when.start, when.end, at)
            found, bare = when, False
    if found is None:
        return routine or past
    if routine is not None and routine.start < found.start and bare and _has_hour(routine):
        # A bare day after a routine takes its hour: "以后每天下午五点来 今天第一天".
        at = found.at.replace(hour=routine.at.hour, minute=routine.at.minute)
        return VisitTime(found.text, found.start, found.end, at)
    return found


def _has_hour(when: VisitTime) -> bool:
    return any(m.lastgroup in CLOCK_KINDS or m.group("part") for m in TOKEN.finditer(when.text))


def _kinds(cluster: list[re.Match[str]]) -> set[str]:
    # A set comprehension: several times cheaper than a frozenset of a generator.
    return {m.lastgroup or "" for m in cluster}


def _appointment(
    text: str, clusters: list[list[re.Match[str]]], index: int, now: datetime
) -> VisitTime | None:
    pieces = [clusters[index]]
    rest = clusters[index + 1 :]
    kinds = _kinds(pieces[0])
    # A day may be completed by a part of the day, and that by a clock time: "今天主要是登记
    # 访客: 下午我婆婆来 … 大概四点到".
    while "rel" not in kinds and not kinds & CLOCK_KINDS:
        later = _refinement(text, pieces[-1], rest)
        if later is None:
            break
        pieces.append(later)
        rest = rest[rest.index(later) + 1 :]
        kinds = _kinds(later)
    # "二十号 … 当天下午": the later 当天 is the date said before, not today.
    merged = [m for piece in pieces for m in piece if piece is pieces[0] or not _same_day(m)]
    at = _resolve(merged, now)
    if at is None:
        return None
    if "rel" not in kinds:
        arrival = _arrival(text, merged, rest, at, now)
        if arrival is not None:
            pieces.append(arrival[0])
            at = arrival[1]
    words = " ".join([text[p[0].start() : p[-1].end()].strip() for p in pieces])
    return VisitTime(words, pieces[0][0].start(), pieces[-1][-1].end(), at)


def _same_day(m: re.Match[str]) -> bool:
    return m.lastgroup == "day" and m.group("day") in SAME_DAY


def _refinement(
    text: str, cluster: list[re.Match[str]], rest: list[list[re.Match[str]]]
) -> list[re.Match[str]] | None:
    """The later cluster that completes a day or part of the day said without a clock time:
    "明天 … 早上八点进场", "今晚有个饭局 … 六点半到"."""
    parts = [said for m in cluster if (said := m.group("part"))]
    part = parts[-1] if parts else None
    end = cluster[-1].end()
    for nxt in rest:
        gap = nxt[0].start() - end
        kinds = _kinds(nxt)
        if (kinds & DAY_KINDS and not _same_day(nxt[0])) or "rel" in kinds:
            return None  # another day: another appointment
        said_hour = bool(kinds & CLOCK_KINDS) or "part" in kinds
        if (
            part is None
            and said_hour
            and gap <= _ARRIVAL_DISTANCE
            and ARRIVE_AFTER.match(text, nxt[-1].end())
        ):
            # A bare day takes, even much later, the time they arrive at: "明天来的客人开的是
            # 甘A·3Q5Z7, 大约上午十点到", "下个礼拜一 … 他大概下午四点多到", "… 下午到".
            return nxt
        if part is None and gap <= _REFINE_DISTANCE and kinds & CLOCK_KINDS and "part" in kinds:
            return nxt  # "明天来一车人 有七八个 车牌冀F·9H3Y6 上午十点多": a full time of day
        if gap > _REFINE_DISTANCE:
            return None
        if _LEAVING.match(text, nxt[-1].end()):
            continue  # "玩到十点左右走": when they leave, not when they come
        if part is None:
            # A bare day takes whatever time of day follows soon after it.
            return nxt if gap <= _MERGE_DISTANCE else None
        if kinds & CLOCK_KINDS:
            return nxt if _fits(part, nxt) else None
    return None


def _fits(part: str, cluster: list[re.Match[str]]) -> bool:
    """Whether the clock time of `cluster` (read with its own part of the day, else with
    `part`) falls inside `part`."""
    own = [said for m in cluster if (said := m.group("part"))]
    for m in cluster:
        clock = _clock(m)
        if clock is not None:
            hour = _with_part(clock[0], own[-1] if own else part)
            return hour % 24 in PART_SPANS.get(part, frozenset())
    return False


def _arrival(
    text: str,
    merged: list[re.Match[str]],
    rest: list[list[re.Match[str]]],
    departure: datetime,
    now: datetime,
) -> tuple[list[re.Match[str]], datetime] | None:
    """A later clock time of arrival when the first one is a departure: "坐晚上七点的火车
    到小区估计九点了" means 21:00 at the gate. The latest such arrival wins."""
    if CLOCK_KINDS.isdisjoint([m.lastgroup for m in merged]):
        return None
    start, end = merged[0].start(), merged[-1].end()
    limit = rest[0][0].start() if rest else len(text)
    around = text[max(0, start - _TRAVEL_WINDOW) : min(end + _TRAVEL_WINDOW, limit)]
    if not DEPART.search(around):
        return None
    context = [m for m in merged if m.lastgroup not in CLOCK_KINDS]
    best: tuple[list[re.Match[str]], datetime] | None = None
    previous = end
    for nxt in rest:
        kinds = _kinds(nxt)
        if kinds & DAY_KINDS or "rel" in kinds:
            break
        before = text[max(previous, nxt[0].start() - _ARRIVE_WINDOW) : nxt[0].start()]
        after = text[nxt[-1].end() : nxt[-1].end() + _TRAVEL_WINDOW]
        previous = nxt[-1].end()
        if not kinds & CLOCK_KINDS:
            continue
        if not (ARRIVE_BEFORE.search(before) or ARRIVE_AFTER.match(after)):
            continue
        at = _resolve(context + nxt, now)
        if at is not None and at < departure and "part" not in kinds and at.hour < 12:
            at += timedelta(hours=12)  # "七点出发 … 九点到": the same half of the day
        if at is not None and at >= departure:
            best = (nxt, at)
    return best


def _plausible_clock(match: re.Match[str], after_other: bool) -> bool:
    hour = match.group("hour")
    if match.group("unit") == "时" and not hour.isdigit() and not after_other:
        return False  # 一时半会 / 同时: not a clock time (but 下午三时 is)
    # 快一点 / 早一点 / 有一点: "a bit", not 1 o'clock
    bare_one = hour in ("一", "几") and not match.group(0).endswith(("钟", "半", "分"))
    return after_other or not bare_one


def _clock(m: re.Match[str]) -> tuple[int, int] | None:
    """(hour, minute) of a clock or hh:mm token as said, before any part of the day."""
    if m.lastgroup == "hm":
        return int(m.group("h2")), int(m.group("m2"))
    if m.lastgroup == "hhmm":
        return int(m.group("h4")), int(m.group("m4"))
    if m.lastgroup != "clock":
        return None
    raw = m.group("hour")
    # 八九点 / 两三点: a range, the earlier hour (not 89 or 23).
    if len(raw) == 2 and raw[0] in DIGITS and raw[1] in DIGITS and DIGITS[raw[0]] < DIGITS[raw[1]]:
        raw = raw[0]
    hour = parse_int(raw)
    if hour is None:
        return None
    less, less_quarter = m.group("less", "lessq")
    if less or less_quarter:
        before = 15 if less_quarter else parse_int(less) or 0
        return (hour - 1, 60 - before) if 0 < before < 60 and hour > 0 else None
    minute = 0
    half, q1, q3, zi, spoken = m.group("half", "q1", "q3", "zi", "min")  # one call, not five
    if half:
        minute = 30
    elif q1:
        minute = 15
    elif q3:
        minute = 45
    elif zi:
        minute = 5 * (parse_int(zi) or 0)
    elif spoken:
        minute = parse_int(spoken.rstrip("分").strip()) or 0
    return hour, minute


def _resolve(cluster: list[re.Match[str]], now: datetime) -> datetime | None:
    day: datetime | None = None
    part: str | None = None
    hour: int | None = None
    minute = 0
    for m in cluster:
        # The token's kind is the group of its alternative, which closes last (no
        # alternative matches the empty string).
        kind = m.lastgroup
        if kind in DAY_KINDS:
            if kind == "wk" and day is not None:
                continue  # 九月十三号 礼拜五: the weekday only confirms the date
            day = token_day(m, now)
            if day is None and kind == "lunar":
                return None
        elif kind == "every":
            weekdays = m.group("ewd")
            if weekdays and day is None:
                day = min(
                    (weekday(f"周{w}", now) for w in weekdays if w in WEEKDAYS),
                    default=None,
                )
            elif m.group(0)[-1] in GLUED_PARTS:
                part = m.group(0)[-1]  # 每晚, 每早
        elif kind == "part":
            part = m.group("part")
        elif kind in CLOCK_KINDS:
            clock = _clock(m)
            if clock is None:
                return None
            hour, minute = clock
        elif kind == "rel":
            amount = 0.5 if m.group("rnum") == "半" else parse_int(m.group("rnum"))
            if amount is None:
                return None
            minutes = amount if m.group("runit") == "分钟" else amount * 60
            return (now + timedelta(minutes=minutes)).replace(second=0, microsecond=0)
    if day is None and part is None and hour is None:
        return None
    if hour is not None and not (0 <= hour <= 24 and 0 <= minute < 60):
        return None
    base = day if day is not None else now
    if hour is None:
        hour = DEFAULT_HOUR if part is None else PART_HOURS.get(part, GLUED_PARTS.get(part, 9))
        minute = 0
    else:
        hour = _adjust_hour(
            hour, part, base=base, minute=minute, now=now, explicit_day=day is not None
        )
    if hour >= 24:
        hour -= 24
        base = base + timedelta(days=1)
    return base.replace(hour=hour, minute=minute, second=0, microsecond=0)


def _with_part(hour: int, part: str) -> int:
    """The 24-hour clock of `hour` said within `part` (may be 24: midnight)."""
    if hour == 12 and (part in ("半夜", "凌晨") or (part in EVENING and part not in AFTERNOON)):
        return 24  # 晚上十二点 / 半夜十二点 is midnight
    if part in EVENING and part not in NIGHT and hour < 12:
        return hour + 12
    if part in NIGHT and 6 <= hour < 12:
        return hour + 12
    if part in ("中午", "晌午") and hour < 6:
        return hour + 12
    if part in NIGHT and hour < 6:
        return hour + 24  # 夜里两点: the small hours after that night
    return hour


def _adjust_hour(
    hour: int, part: str | None, *, base: datetime, minute: int, now: datetime, explicit_day: bool
) -> int:
    if part is not None:
        return _with_part(hour, part)
    if 1 <= hour <= 6:
        return hour + 12  # nobody books a visit for 3 a.m.; "3点" means the afternoon
    if not explicit_day and hour < 12:
        candidate = base.replace(hour=hour, minute=minute, second=0, microsecond=0)
        if candidate < now:
            return hour + 12
    return hour
