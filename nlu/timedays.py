"""Which day a day token of nlu.timewords names: 明天, 下周三, 11月20日, 下个月3号,
2027-03-18, 元旦, 农历/festival days (through nlu.lunar), resolved against "now"."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from nlu.lunar import lunar_day
from nlu.numbers import parse_int
from nlu.timewords import DAY_WORDS, SOLAR_FESTIVALS, WEEKDAYS


def token_day(m: re.Match[str], now: datetime) -> datetime | None:
    """The day a day token names (None: no such day)."""
    kind = m.lastgroup
    if kind == "day":
        return now + timedelta(days=DAY_WORDS.get(m.group("day"), 0))
    if kind == "wk":
        return weekday(m.group("wk"), now)
    if kind == "md":
        if m.group("nmon"):
            return _next_month_day(m.group("mday"), now)
        return _month_day(m.group("mon"), m.group("mday"), now)
    if kind == "iso":
        return _full_date(m.group("iyear"), m.group("imon"), m.group("iday"), now)
    if kind == "solar":
        month, mday = SOLAR_FESTIVALS[m.group("solar")]
        return _month_day(str(month), str(mday), now)
    if kind == "dotted":
        return _month_day(m.group("mon2"), m.group("mday2"), now)
    if kind == "dom":
        return _month_day(None, m.group("dnum"), now)
    return lunar_day(
        m.group("lmon") or m.group("lmon2") or m.group("lmon3"),
        m.group("lday") or m.group("lday2") or m.group("lday3") or m.group("lday4"),
        m.group("lfest"),
        now,
    )


def weekday(word: str, now: datetime) -> datetime:
    target = WEEKDAYS[word[-1]]
    today = now.weekday()
    if word.startswith("下下"):
        delta = 14 - today + target
    elif word.startswith("下"):
        delta = 7 - today + target
    elif word[0] in "这本":
        # 这周二 said on a Sunday is the coming Tuesday: nobody registers a visit for a day gone.
        delta = target - today
        if delta < 0:
            delta += 7
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


def _next_month_day(day_raw: str, now: datetime) -> datetime | None:
    """下个月3号: that day of the month after `now`'s."""
    mday = parse_int(day_raw)
    year, month = (now.year + 1, 1) if now.month == 12 else (now.year, now.month + 1)
    if mday is None:
        return None
    try:
        return now.replace(year=year, month=month, day=mday)
    except ValueError:
        return None


def _full_date(year_raw: str, mon_raw: str, day_raw: str, now: datetime) -> datetime | None:
    try:
        return now.replace(year=int(year_raw), month=int(mon_raw), day=int(day_raw))
    except ValueError:
        return None
