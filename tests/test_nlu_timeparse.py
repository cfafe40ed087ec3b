"""Visit-time resolution against a fixed `now` (Wednesday 2026-11-18 09:30, Shanghai)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from nlu.timeparse import parse_visit_time

SH = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 18, 9, 30, tzinfo=SH)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("后天上午十点我表哥开车过来", "2026-11-20 10:00"),
        ("明天下午三点半", "2026-11-19 15:30"),
        ("今晚", "2026-11-18 19:00"),
        ("今晚八点", "2026-11-18 20:00"),
        ("明晚6点半", "2026-11-19 18:30"),
        ("明早", "2026-11-19 09:00"),
        ("下周二", "2026-11-24 09:00"),
        ("下周日中午", "2026-11-29 12:00"),
        ("周六", "2026-11-21 09:00"),
        ("周四下午", "2026-11-19 14:00"),
        ("星期五上午", "2026-11-20 09:00"),
        ("礼拜天晚上8点", "2026-11-22 20:00"),
        ("这周五", "2026-11-20 09:00"),
        ("11月20日", "2026-11-20 09:00"),
        ("11月25日下午两点半", "2026-11-25 14:30"),
        ("20号下午两点", "2026-11-20 14:00"),
        ("30号下午三点", "2026-11-30 15:00"),
        ("12月3号上午", "2026-12-03 09:00"),
        ("5号", "2026-12-05 09:00"),
        ("11.21 14:00", "2026-11-21 14:00"),
        ("大后天", "2026-11-21 09:00"),
        # Past days resolve to the past, so the visitor form can say so at any hour.
        ("昨天下午三点", "2026-11-17 15:00"),
        ("昨晚8点", "2026-11-17 20:00"),
        ("前天上午", "2026-11-16 09:00"),
        ("三点一刻", "2026-11-18 15:15"),
        ("下午三点一刻", "2026-11-18 15:15"),
        ("10:30", "2026-11-18 10:30"),
        ("下午 3:00", "2026-11-18 15:00"),
        ("今天下午2:15到", "2026-11-18 14:15"),
        ("8点过来", "2026-11-18 20:00"),
        ("中午", "2026-11-18 12:00"),
        ("晚上十二点", "2026-11-19 00:00"),
        ("下午3-5点", "2026-11-18 15:00"),
        ("十点钟", "2026-11-18 10:00"),
        ("过一个钟", "2026-11-18 10:30"),
        ("过半个钟头有个朋友过来", "2026-11-18 10:00"),
        ("半小时后", "2026-11-18 10:00"),
        ("20分钟后到", "2026-11-18 09:50"),
        ("今天借给朋友开了 下午朋友会开进来", "2026-11-18 14:00"),
    ],
)
def test_resolves(text: str, expected: str) -> None:
    result = parse_visit_time(text, NOW)
    assert result is not None
    assert result.at.strftime("%Y-%m-%d %H:%M") == expected
    assert result.at.tzinfo is not None


@pytest.mark.parametrize(
    "text",
    [
        "3号楼",
        "等了两个小时",
        "快一点来",
        "有一点漏水",
        "早就说了",
        "太晚了",
        "一时半会",
        "价格11.21元",
    ],
)
def test_not_a_time(text: str) -> None:
    assert parse_visit_time(text, NOW) is None


def test_words_as_written() -> None:
    result = parse_visit_time("后天上午十点我表哥开车过来", NOW)
    assert result is not None
    assert result.text == "后天上午十点"


def test_day_and_later_time_merge_words() -> None:
    result = parse_visit_time("今天借给朋友开了 下午朋友会开进来", NOW)
    assert result is not None
    assert result.text == "今天 下午"
