"""Visit times: 今天/明天/后天, 周X/下周X, X月X日/X号, 上午/下午/今晚, X点/X点半/X:XX, 过一个钟."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from nlu.numbers import NUM_CLASS, parse_int

_N = f"[{NUM_CLASS}]"

# Default hours when only a part of the day is stated; a bare day means 09:00.
PART_HOURS: dict[str, int] = {
    "凌晨": 5,
    "清晨": 7,
    "早晨": 8,
    "早上": 9,
    "一早": 9,
    "上午": 9,
    "白天": 9,
    "中午": 12,
    "午饭": 12,
    "午后": 14,
    "下午": 14,
    "傍晚": 18,
    "晚饭": 19,
    "晚上": 19,
    "夜里": 19,
    "夜间": 19,
    "半夜": 0,
}
_EVENING = frozenset({"午后", "下午", "傍晚", "晚饭", "晚上", "晚", "夜里", "夜间"})
# 早 and 晚 count as parts of the day only right after a day word (明早, 今晚): alone they
# mean "early" and "late" (早就说了, 太晚了).
_GLUED_PARTS = {"早": 9, "晚": 19}
DEFAULT_HOUR = 9

_DAY_WORDS: dict[str, int] = {
    "今天": 0,
    "今日": 0,
    "今儿": 0,
    "当天": 0,
    "今": 0,
    "明天": 1,
    "明日": 1,
    "明儿": 1,
    "明": 1,
    "第二天": 1,
    "次日": 1,
    "后天": 2,
    "后儿": 2,
    "大后天": 3,
    # Past days: a visit "昨天下午三点" is a mistake the handler asks about, not today.
    "昨天": -1,
    "昨日": -1,
    "昨儿": -1,
    "昨": -1,
    "前天": -2,
}
_WEEKDAYS = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6, "末": 5}
for _i in range(1, 8):
    _WEEKDAYS[str(_i)] = _i - 1

_PART = "|".join(sorted(PART_HOURS, key=len, reverse=True))
_TOKEN = re.compile(
    "|".join(
        (
            # 今晚 / 明早 / 明天下午: a day word optionally glued to a part of the day.
            r"(?P<day>大后天|(?<!大)前天|后天|明天|明日|明儿|后儿|今天|今日|今儿|当天|第二天|次日"
            r"|昨天|昨日|昨儿|[今明昨](?=早|晚|晨|夜|上午|下午|中午))",
            r"(?P<wk>(?:下下|下个?|这个?|本)?(?:周|星期|礼拜|週)(?:[一二三四五六日天末1-7]))",
            rf"(?P<md>(?P<mon>{_N}{{1,3}})\s?月\s?(?P<mday>{_N}{{1,3}})\s?[日号]?)",
            # 11.21 / 11/21 (month first, as written in China); not 11.21元 or 3.5
            r"(?P<dotted>(?<![0-9.])(?P<mon2>1[0-2]|0?[1-9])[./](?P<mday2>[12][0-9]|3[01]|0?[1-9])"
            r"(?![0-9]|\s?[元块%]))",
            rf"(?P<dom>(?<![0-9栋幢楼座单元门室])(?P<dnum>{_N}{{1,3}})\s?[日号](?![楼栋门线床位房院机车])"
            r"(?=\s?(?:上午|下午|中午|晚上|早上|傍晚|凌晨|[0-9一二三四五六七八九十两]|来|过来|到|,|$|\s)))",
            rf"(?P<part>{_PART}|(?<=[今明昨天日])[早晚])",
            # X点 / X点半 / X点一刻 / X点20(分) / X:XX / 3-5点 (range: the start counts).
            rf"(?P<clock>(?P<hour>{_N}{{1,3}})(?:\s?(?:-|~|到|至)\s?{_N}{{1,3}})?\s?(?P<unit>[点时])(?:\s?钟)?"
            rf"(?:\s?(?P<half>半)|\s?(?P<q1>一刻)|\s?(?P<q3>三刻)|\s?(?P<min>{_N}{{1,3}})\s?分?)?)",
            r"(?P<hm>(?<![0-9])(?P<h2>[0-2]?[0-9])[:](?P<m2>[0-5][0-9])(?![0-9]))",
            # 过一个钟 / 过半小时 / 两个小时后 / 20分钟后: relative to now.
            rf"(?P<rel>(?P<relpre>过)?\s?(?P<rnum>{_N}{{1,3}}|半)\s?个?\s?(?P<runit>钟头|钟|小时|分钟)"
            r"(?P<relpost>\s?(?:后|以后|之后|左右后))?)",
        )
    )
)
# Words allowed between two parts of one time expression: "明天 下午 3点", "周六的上午".
_GAP = re.compile(r"^[\s,的约大概左右前后那个那天这天这个]{0,3}$")


@dataclass(frozen=True, slots=True)
class VisitTime:
    text: str
    start: int
    end: int
    at: datetime


_DAY_KINDS = frozenset({"day", "wk", "md", "dotted", "dom"})
# How far apart a day and a clock time may be and still make one appointment
# ("今天借给朋友了 下午朋友会开进来").
_MERGE_DISTANCE = 16


def _clusters(text: str) -> list[list[re.Match[str]]]:
    clusters: list[list[re.Match[str]]] = []
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup
        if kind == "rel" and not (match.group("relpre") or match.group("relpost")):
            continue  # "等了两个小时" is a duration, not an appointment
        current = clusters[-1] if clusters else None
        if kind == "clock" and not _plausible_clock(match, bool(current)):
            continue
        if current and _GAP.match(text[current[-1].end() : match.start()]):
            current.append(match)
        else:
            clusters.append([match])
    return clusters


def parse_visit_time(text: str, now: datetime) -> VisitTime | None:
    """The first future time expression in normalised text, resolved against `now`."""
    clusters = _clusters(text)
    if not clusters:
        return None
    cluster = clusters[0]
    words = text[cluster[0].start() : cluster[-1].end()].strip()
    # A day alone, then a time of day without a day soon after: one appointment.
    if len(clusters) > 1 and all(m.lastgroup in _DAY_KINDS for m in cluster):
        nxt = clusters[1]
        near = nxt[0].start() - cluster[-1].end() <= _MERGE_DISTANCE
        if near and not any(m.lastgroup in _DAY_KINDS for m in nxt):
            words += " " + text[nxt[0].start() : nxt[-1].end()].strip()
            cluster = cluster + nxt
    at = _resolve(cluster, now)
    if at is None:
        return None
    return VisitTime(words, cluster[0].start(), cluster[-1].end(), at)


def _plausible_clock(match: re.Match[str], after_other: bool) -> bool:
    hour = match.group("hour")
    if match.group("unit") == "时" and not hour.isdigit():
        return False  # 一时半会 / 同时: not a clock time
    # 快一点 / 早一点 / 有一点: "a bit", not 1 o'clock
    bare_one = hour in ("一", "几") and not match.group(0).endswith(("钟", "半", "分"))
    return after_other or not bare_one


def _resolve(cluster: list[re.Match[str]], now: datetime) -> datetime | None:
    day: datetime | None = None
    part: str | None = None
    hour: int | None = None
    minute = 0
    for m in cluster:
        if m.group("day"):
            word = m.group("day")
            day = now + timedelta(days=_DAY_WORDS.get(word, 0))
        elif m.group("wk"):
            day = _weekday(m.group("wk"), now)
        elif m.group("md"):
            day = _month_day(m.group("mon"), m.group("mday"), now)
        elif m.group("dotted"):
            day = _month_day(m.group("mon2"), m.group("mday2"), now)
        elif m.group("dom"):
            day = _month_day(None, m.group("dnum"), now)
        elif m.group("part"):
            part = m.group("part")
        elif m.group("clock"):
            hour = parse_int(m.group("hour"))
            if m.group("half"):
                minute = 30
            elif m.group("q1"):
                minute = 15
            elif m.group("q3"):
                minute = 45
            elif m.group("min"):
                minute = parse_int(m.group("min")) or 0
        elif m.group("hm"):
            hour = int(m.group("h2"))
            minute = int(m.group("m2"))
        elif m.group("rel"):
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
        hour = DEFAULT_HOUR if part is None else PART_HOURS.get(part, _GLUED_PARTS.get(part, 9))
        minute = 0
    else:
        hour = _adjust_hour(
            hour, part, base=base, minute=minute, now=now, explicit_day=day is not None
        )
    if hour == 24:
        hour = 0
        base = base + timedelta(days=1)
    return base.replace(hour=hour, minute=minute, second=0, microsecond=0)


def _adjust_hour(
    hour: int, part: str | None, *, base: datetime, minute: int, now: datetime, explicit_day: bool
) -> int:
    if part is not None:
        if part in _EVENING and hour == 12 and part not in ("午后", "下午"):
            return 24  # 晚上十二点 is midnight
        if part in _EVENING and hour < 12:
            return hour + 12
        if part == "中午" and hour < 6:
            return hour + 12
        return hour
    if 1 <= hour <= 6:
        return hour + 12  # nobody books a visit for 3 a.m.; "3点" means the afternoon
    if not explicit_day and hour < 12:
        candidate = base.replace(hour=hour, minute=minute, second=0, microsecond=0)
        if candidate < now:
            return hour + 12
    return hour


def _weekday(word: str, now: datetime) -> datetime:
    target = _WEEKDAYS[word[-1]]
    today = now.weekday()
    if word.startswith("下下"):
        delta = 14 - today + target
    elif word.startswith("下"):
        delta = 7 - today + target
    elif word[0] in "这本":
        delta = target - today
    else:
        delta = (target - today) % 7
    return now + timedelta(days=delta)


def _month_day(mon_raw: str | None, day_raw: str, now: datetime) -> datetime | None:
    mday = parse_int(day_raw)
    month = parse_int(mon_raw) if mon_raw is not None else now.month
    if mday is None or month is None or not (1 <= month <= 12 and 1 <= mday <= 31):
        return None
    year = now.year
    try:
        candidate = now.replace(year=year, month=month, day=mday)
        if candidate.date() < now.date():
            if mon_raw is None:
                month += 1
                if month == 13:
                    month, year = 1, year + 1
            else:
                year += 1
            candidate = now.replace(year=year, month=month, day=mday)
    except ValueError:
        return None
    return candidate
