"""Visit days given by the Chinese calendar: 腊月二十八, 正月初二, 农历三月初三, 大年初二,
除夕, 元宵, 小年, Cantonese 年廿八. Around the Spring Festival residents register visitors by
these dates, not by the Gregorian calendar.

The conversion is lunardate's (a maintained, pure-Python table of 1900-2099); this module
only reads the words and picks the next such day on or after today.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from lunardate import LunarDate

from nlu.numbers import parse_int

_MONTHS = {"正": 1, "冬": 11, "腊": 12}
# Festivals as (lunar month, day); 0 is the last day of the twelfth month (除夕 falls on
# the 29th in some years, the 30th in others).
FESTIVALS = {
    "除夕": (12, 0),
    "大年三十": (12, 0),
    "年三十": (12, 0),
    "大年夜": (12, 0),
    "元宵节": (1, 15),
    "元宵": (1, 15),
    "小年": (12, 23),
    "春节": (1, 1),
    "端午": (5, 5),
    "端午节": (5, 5),
    "七夕": (7, 7),
    "七夕节": (7, 7),
    "中秋": (8, 15),
    "中秋节": (8, 15),
    "重阳": (9, 9),
    "重阳节": (9, 9),
    "腊八": (12, 8),
    "腊八节": (12, 8),
}


def _day_number(raw: str) -> int | None:
    """初二 -> 2, 十五 -> 15, 廿八 -> 28, 二十 -> 20, 30 -> 30."""
    if raw.startswith("初"):
        raw = raw[1:]
    elif raw.startswith("廿"):
        rest = parse_int(raw[1:]) if len(raw) > 1 else 0
        return None if rest is None else 20 + rest
    return parse_int(raw)


def lunar_day(
    month_raw: str | None, day_raw: str | None, festival: str | None, now: datetime
) -> datetime | None:
    """The next day (today included) with that Chinese-calendar date, at `now`'s time of day
    and zone; None for a date that does not exist."""
    month: int | None
    day: int | None
    if festival is not None:
        if festival.startswith(("大年初", "年初")):
            month, day = 1, _day_number(festival[-1])
        elif festival.startswith("年廿"):
            month, day = 12, _day_number(festival[1:])
        else:
            month, day = FESTIVALS[festival]
    elif month_raw is None:
        # A day with no month (初二): the next one, this month or the next.
        return None if day_raw is None else _next_day_of_month(_day_number(day_raw), now)
    else:
        if day_raw is None:
            return None
        month = _MONTHS.get(month_raw) or parse_int(month_raw)
        day = _day_number(day_raw)
    if month is None or day is None or not (1 <= month <= 12 and 0 <= day <= 30):
        return None
    today = now.date()
    this_year = LunarDate.from_solar_date(today.year, today.month, today.day).year
    for year in (this_year, this_year + 1):
        solar = _to_solar(year, month, day)
        if solar is not None and solar >= today:
            return now.replace(year=solar.year, month=solar.month, day=solar.day)
    return None


def _next_day_of_month(day: int | None, now: datetime) -> datetime | None:
    if day is None or not 1 <= day <= 30:
        return None
    today = now.date()
    lunar = LunarDate.from_solar_date(today.year, today.month, today.day)
    year, month = lunar.year, lunar.month
    for _ in range(3):  # a 30th may be missing from the next month: try one more
        solar = _to_solar(year, month, day)
        if solar is not None and solar >= today:
            return now.replace(year=solar.year, month=solar.month, day=solar.day)
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return None


def _to_solar(year: int, month: int, day: int) -> date | None:
    try:
        if day == 0:  # the last day of the month: the day before the next month's first
            first = LunarDate(year + 1, 1, 1) if month == 12 else LunarDate(year, month + 1, 1)
            solar: date = first.to_solar_date() - timedelta(days=1)
            return solar
        found: date = LunarDate(year, month, day).to_solar_date()
        return found
    except ValueError:  # the 30th of a 29-day month, or a year outside the table
        return None
