"""Visit-time resolution against a fixed `now` (Wednesday 2026-11-18 09:30, Shanghai)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from nlu.engine import get_engine
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
        # Northern words
        ("明儿晌午", "2026-11-19 12:00"),
        ("明儿晌午一点", "2026-11-19 13:00"),
        ("后天傍晚", "2026-11-20 18:00"),
        # A bare 早/晚 after a weekday or before a clock time
        ("周四晚8点", "2026-11-19 20:00"),
        ("后天晚6点", "2026-11-20 18:00"),
        ("周日早", "2026-11-22 09:00"),
        ("3号晚", "2026-12-03 19:00"),
        ("明天晚上9点半", "2026-11-19 21:30"),
        ("礼拜六中午11点半", "2026-11-21 11:30"),
        ("半夜十二点", "2026-11-19 00:00"),
        # Minutes: not a count or a duration after the clock time
        ("周五下午三点 一个人", "2026-11-20 15:00"),
        ("下午3点 20个人", "2026-11-18 15:00"),
        ("明天下午3点 20分钟后再打给你", "2026-11-19 15:00"),
        ("下午三点二十", "2026-11-18 15:20"),
        ("下午3点05", "2026-11-18 15:05"),
        ("下午三点三个字", "2026-11-18 15:15"),
        # 时 of 时间 is not a clock unit, nor is a digit string's tail an hour
        ("登记一下 车牌川a7k2m9 时间后天16:45", "2026-11-20 16:45"),
        ("粤b12345 时间明天上午", "2026-11-19 09:00"),
        # A later clock time refines a part of the day said earlier ...
        ("今晚老同学来家里打麻将 七点左右", "2026-11-18 19:00"),
        ("明天下午装宽带的师傅要来 两点半上门", "2026-11-19 14:30"),
        ("今晚表姐一家来吃饭 九点前到", "2026-11-18 21:00"),
        ("今晚 川a·7k2m9 一台车 三个人 十一点左右", "2026-11-18 23:00"),
        ("明儿一早就出门 估计上午十点能到", "2026-11-19 10:00"),
        # ... only when it falls inside that part
        ("今晚过来 3点前给我打电话", "2026-11-18 19:00"),
        # A later arrival time wins over a departure
        ("大后天我姑姑坐下午两点的高铁 到这边估计五点", "2026-11-21 17:00"),
        ("明天早上七点出门 九点左右到", "2026-11-19 09:00"),
        ("后天晚上八点下班 到你们小区要十点", "2026-11-20 22:00"),
        # Without travel words a later time is something else
        ("明天下午三点到 五点走", "2026-11-19 15:00"),
        # A relative time joins a bare day only
        ("今天 半小时后到", "2026-11-18 10:00"),
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
        "住一晚",
        "晚一点来",
        "早一点过来",
        "同时到",
        "剩下的时间",
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


def test_refined_words_as_written() -> None:
    result = parse_visit_time("今晚老同学来家里打麻将 七点左右", NOW)
    assert result is not None
    assert result.text == "今晚 七点"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Cantonese, through the normaliser: 聽晚 is tomorrow evening, 下晝 the afternoon.
        ("聽晚九點半過嚟", "2026-11-19 21:30"),
        ("聽日下晝兩點", "2026-11-19 14:00"),
        ("今日朝早十點", "2026-11-18 10:00"),
        ("聽朝八點", "2026-11-19 08:00"),
        ("今晚黑八點", "2026-11-18 20:00"),
        ("後日上晝十點", "2026-11-20 10:00"),
        # Voice-input typos
        ("周日下五四点到", "2026-11-22 16:00"),
        ("明天上五9点", "2026-11-19 09:00"),
        ("今玩八点", "2026-11-18 20:00"),
    ],
)
def test_resolves_after_normalising(text: str, expected: str) -> None:
    result = parse_visit_time(get_engine().normalizer.normalize(text), NOW)
    assert result is not None
    assert result.at.strftime("%Y-%m-%d %H:%M") == expected


# Wednesday 2027-01-13 16:45, lunar 2026-12-06: three weeks before the Spring Festival.
WINTER = datetime(2027, 1, 13, 16, 45, tzinfo=SH)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("腊月二十八下午三点我哥过来", "2027-02-04 15:00"),
        ("大年初二上午十点 我姐一家三口", "2027-02-07 10:00"),
        ("除夕晚上我爸妈到", "2027-02-05 19:00"),  # 2026's twelfth month has 29 days
        ("农历十二月二十下午", "2027-01-27 14:00"),
        ("正月十五晚上七点", "2027-02-20 19:00"),
        ("元宵节那天中午", "2027-02-20 12:00"),
        ("小年那天上午", "2027-01-30 09:00"),
        ("年廿八下午两点", "2027-02-04 14:00"),  # Cantonese: the 28th of the twelfth month
        ("正月初一", "2027-02-06 09:00"),
        ("三月初三", "2027-04-09 09:00"),  # 初 marks a lunar day
        ("冬月初五", "2027-12-02 09:00"),  # this year's 冬月 is past: next year's
        ("腊月初六", "2027-01-13 09:00"),  # today
        # Round 16: a bare 初X is the next such day; 春节 is the first of the first month.
        ("初十 朋友来", "2027-01-17 09:00"),
        ("我表哥初二下午过来", "2027-02-07 14:00"),
        ("春节那天上午", "2027-02-06 09:00"),
        # Gregorian dates stay Gregorian.
        ("十二月二十号下午", "2027-12-20 14:00"),
        ("1月20号", "2027-01-20 09:00"),
    ],
)
def test_lunar_dates(text: str, expected: str) -> None:
    found = parse_visit_time(text, WINTER)
    assert found is not None, text
    assert found.at.strftime("%Y-%m-%d %H:%M") == expected


@pytest.mark.parametrize(
    "text", ["小年轻来玩", "我儿子今年初二", "腊月三十", "初二的学生", "初三年级"]
)
def test_not_a_lunar_date(text: str) -> None:
    # 腊月三十 exists in neither 2026's nor 2027's twelfth month (29 days each): no guess.
    assert parse_visit_time(text, WINTER) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Round 18: the other festivals of the Chinese calendar, and Shanghainese 下半日.
        ("姑姑一家四口端午节中午到", "2030-06-05 12:00"),
        ("端午那天我爸妈过来", "2030-06-05 09:00"),
        ("中秋节晚上我哥来", "2030-09-12 19:00"),
        ("七夕下午三点", "2030-08-05 15:00"),
        ("明朝下半日阿拉阿姐来", "2030-06-04 14:00"),
    ],
)
def test_round18_festivals(text: str, expected: str) -> None:
    now = datetime(2030, 6, 3, 19, 25, tzinfo=SH)
    norm = get_engine().normalizer.normalize(text)
    found = parse_visit_time(norm, now)
    assert found is not None and found.at.strftime("%Y-%m-%d %H:%M") == expected


def test_a_festival_season_is_not_a_day() -> None:
    now = datetime(2030, 6, 3, 19, 25, tzinfo=SH)
    assert parse_visit_time("端午节期间我妈来住几天", now) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Round 19: English times as residents mix them in.
        ("my friend comes tmr 3pm", "2026-11-19 15:00"),
        ("my cousin is coming tomorrow at 10am, pls let him in", "2026-11-19 10:00"),
        ("two friends arriving around 8 tonight", "2026-11-18 20:00"),
        ("my parents visit this Sat afternoon", "2026-11-21 14:00"),
        ("the movers come next Monday 9:30am", "2026-11-23 09:30"),
        ("cleaner coming at 4pm today", "2026-11-18 16:00"),
        ("朋友明天evening来", "2026-11-19 19:00"),
        ("courier will be here in 20 mins", "2026-11-18 09:50"),
        ("Thurs morning, 2 plumbers", "2026-11-19 09:00"),
        ("12pm tomorrow", "2026-11-19 12:00"),
        ("good morning, my friend comes tomorrow at 3pm", "2026-11-19 15:00"),
    ],
)
def test_round19_english(text: str, expected: str) -> None:
    norm = get_engine().normalizer.normalize(text)
    found = parse_visit_time(norm, NOW)
    assert found is not None and found.at.strftime("%Y-%m-%d %H:%M") == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Round 19: greetings are not times; a day completed by a part and then a clock.
        ("晚上好 今晚八点半两个同学过来", "2026-11-18 20:30"),
        ("早上好 下周一早上八点三个工人进场", "2026-11-23 08:00"),
        ("今天主要是登记访客: 下午我婆婆来 坐公交 大概四点到", "2026-11-18 16:00"),
        # A bare day reaches further for the time they arrive at, not the time they leave.
        ("明天来我家的客人开的是甘A·3Q5Z7, 大约上午十点到", "2026-11-19 10:00"),
        ("周五同学五个人过来 晚上玩到十点左右走", "2026-11-20 19:00"),
        ("二十号是婚礼 当天下午婚庆的人来布置", "2026-11-20 14:00"),
        # Routines count only when no other day is named.
        ("保洁阿姨以后每周三上午来", "2026-11-18 09:00"),
        ("家教老师每周六上午九点来 麻烦长期登记", "2026-11-21 09:00"),
        ("以后每周四下午送水 今天先登记明天下午这一次", "2026-11-19 14:00"),
        ("遛狗的阿姨以后每天下午五点来 今天第一天", "2026-11-18 17:00"),
        ("护工明天开始 每天早上七点到", "2026-11-19 07:00"),
        ("钟点工每周一三五来, 这周先登记一下周五上午的", "2026-11-20 09:00"),
        # A day gone, or a time taken back, gives way to the one after it.
        ("昨天登记的客人改成今天下午四点来", "2026-11-18 16:00"),
        ("合唱团下午来排练 哦不对是明天下午", "2026-11-19 14:00"),
        # 这周一 said on a Wednesday has passed: the coming one.
        ("这周一上午", "2026-11-23 09:00"),
        # Dialect parts of the day and days, the night's small hours.
        ("俺大舅明儿后晌过来", "2026-11-19 14:00"),
        ("明个下晌", "2026-11-19 14:00"),
        ("阿拉囡囡礼拜天中浪向到", "2026-11-22 12:00"),
        ("大姑姐今黑来", "2026-11-18 19:00"),
        ("夜里两点我弟从机场过来", "2026-11-19 02:00"),
        # Festivals of the Gregorian calendar, next month, full dates, minutes to arrival.
        ("平安夜晚上七点 同事四个来吃饭", "2026-12-24 19:00"),
        ("元旦上午我爸妈过来", "2027-01-01 09:00"),
        ("下个月3号我妈过来", "2026-12-03 09:00"),
        ("时间:2026-11-25 10:00 访客张先生", "2026-11-25 10:00"),
        ("表弟说二十分钟到", "2026-11-18 09:50"),
        ("川A 6G828 下午两点过到", "2026-11-18 14:00"),
        # r19a: 三时, minutes before the hour, ranges, 24-hour times without a colon.
        ("九月六日下午三时有客人二位来访", "2027-09-06 15:00"),
        ("明天下午差十分五点 两个同学过来", "2026-11-19 16:50"),
        ("后天早上差一刻八点 保姆来面试", "2026-11-20 07:45"),
        ("明晚八九点同事过来送文件", "2026-11-19 20:00"),
        ("明天下午两三点 有个搬家公司来", "2026-11-19 14:00"),
        ("后天1430燃气公司上门安检", "2026-11-20 14:30"),
        ("下周六 1900 聚餐 6人", "2026-11-28 19:00"),
        # A day taken back, a new hour on the same day, a weekday confirming a date.
        ("不是这周六 是下周六 钢琴老师上午十点来", "2026-11-28 10:00"),
        ("明天下午三点 哦不 改四点了 朋友两个", "2026-11-19 16:00"),
        ("十一月二十七号 礼拜五 晚上七点 战友一家三口", "2026-11-27 19:00"),
        # A bare day and a full time of day or an arrival later on.
        ("明天来一车人 有七八个 车牌冀F·9H3Y6 上午十点多", "2026-11-19 10:00"),
        ("后天我侄儿开车来 车牌赣B17082 下午到", "2026-11-20 14:00"),
        ("delivery guy tomorrow morning 10ish, 1 person", "2026-11-19 10:00"),
        ("my parents arrive wednesday next week in the afternoon", "2026-11-25 14:00"),
    ],
)
def test_round19_times(text: str, expected: str) -> None:
    norm = get_engine().normalizer.normalize(text)
    found = parse_visit_time(norm, NOW)
    assert found is not None and found.at.strftime("%Y-%m-%d %H:%M") == expected


@pytest.mark.parametrize(
    "text",
    [
        "晚上好",
        "元旦快乐",
        "国庆期间我妈来住几天",
        "等了二十分钟到了都没人",
        "登记一下 thanks",
        "我家是1201 麻烦登记",
        "一时半会来不了",
    ],
)
def test_round19_not_a_time(text: str) -> None:
    assert parse_visit_time(get_engine().normalizer.normalize(text), NOW) is None
