"""The vocabulary of visit times, for nlu.timeparse: parts of the day with their default
hours and the clock hours each covers, day words and weekdays, the regex that finds every
time token, and the travel words that tell a departure from an arrival.

Only tables and patterns live here; how tokens combine into one appointment and resolve
against "now" is nlu.timeparse's business."""

from __future__ import annotations

import re

from nlu.numbers import NUM_CLASS
from nlu.regexgate import guarded

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
    "上半天": 9,
    "中午": 12,
    "晌午": 12,  # northern 中午
    "午饭": 12,
    "午后": 14,
    "下午": 14,
    # Dialect afternoons: northern 后晌/下晌/后半晌, Hokkien 下晡; Shanghainese 中浪向 is noon
    # and 夜到/夜里向 the evening, northern 上晌 the morning.
    "后晌": 14,
    "下晌": 14,
    "后半晌": 14,
    "下晡": 14,
    "上晌": 9,
    "中浪向": 12,
    "中浪": 12,
    "夜到": 19,
    "夜里向": 19,
    "下半天": 14,
    "傍晚": 18,
    "傍黑": 18,
    "晚饭": 19,
    "晚上": 19,
    "夜里": 19,
    "夜间": 19,
    "半夜": 0,
}
EVENING = frozenset(
    {"午后", "下午", "下半天", "傍晚", "傍黑", "晚饭", "晚上", "晚", "夜里", "夜间"}
    | {"后晌", "下晌", "后半晌", "下晡", "夜到", "夜里向", "黑"}
)
# 早 and 晚 (and northern 黑: 今黑) count as parts of the day only right after a day word
# (明早, 今晚): alone they mean "early" and "late" (早就说了, 太晚了).
GLUED_PARTS = {"早": 9, "晚": 19, "黑": 19}
# 下午十二点 is noon, not midnight, although 下午 is otherwise read like the evening.
AFTERNOON = frozenset({"午后", "下午", "下半天", "后晌", "下晌", "后半晌", "下晡"})
DEFAULT_HOUR = 9


def _span(first: int, last: int) -> frozenset[int]:
    """Hours (0-23) from `first` to `last` inclusive, wrapping past midnight (24 is 0)."""
    return frozenset(h % 24 for h in range(first, last + 1 if last >= first else last + 25))


# The hours a later clock time may have and still be the part of the day said earlier:
# "今晚 ... 十点" is 22:00, but "今晚 ... 3点" is some other time, not 15:00 tonight.
PART_SPANS: dict[str, frozenset[int]] = {
    "凌晨": _span(0, 6),
    "清晨": _span(5, 8),
    "早晨": _span(5, 10),
    "早上": _span(5, 10),
    "一早": _span(5, 10),
    "早": _span(5, 10),
    "上午": _span(6, 12),
    "上半天": _span(6, 12),
    "白天": _span(6, 18),
    "中午": _span(11, 14),
    "晌午": _span(11, 14),
    "午饭": _span(11, 14),
    "午后": _span(12, 18),
    "下午": _span(12, 19),
    "下半天": _span(12, 19),
    "后晌": _span(12, 19),
    "下晌": _span(12, 19),
    "后半晌": _span(12, 19),
    "下晡": _span(12, 19),
    "上晌": _span(6, 12),
    "中浪向": _span(11, 14),
    "中浪": _span(11, 14),
    "夜到": _span(17, 24),
    "夜里向": _span(17, 24),
    "黑": _span(17, 24),
    "傍晚": _span(16, 20),
    "傍黑": _span(16, 20),
    "晚饭": _span(17, 21),
    "晚上": _span(17, 24),
    "晚": _span(17, 24),
    "夜里": _span(18, 24),
    "夜间": _span(18, 24),
    "半夜": _span(23, 3),
}

DAY_WORDS: dict[str, int] = {
    "今天": 0,
    "今日": 0,
    "今儿": 0,
    "当天": 0,
    "今": 0,
    "明天": 1,
    "明日": 1,
    "明儿": 1,
    "明个": 1,  # northern
    "明仔载": 1,  # Hokkien
    "明仔再": 1,
    "明朝": 1,  # Wu (Shanghai): tomorrow
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
# "当天下午" after a date is that date's afternoon, not today's.
SAME_DAY = frozenset({"当天", "当日"})
# Days of the Gregorian calendar's festivals: (month, day).
SOLAR_FESTIVALS: dict[str, tuple[int, int]] = {
    "元旦": (1, 1),
    "情人节": (2, 14),
    "妇女节": (3, 8),
    "劳动节": (5, 1),
    "儿童节": (6, 1),
    "教师节": (9, 10),
    "国庆节": (10, 1),
    "万圣节": (10, 31),
    "平安夜": (12, 24),
    "圣诞": (12, 25),
    "圣诞节": (12, 25),
}
WEEKDAYS = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6, "末": 5}
for _i in range(1, 8):
    WEEKDAYS[str(_i)] = _i - 1


_PART = "|".join(sorted(PART_HOURS, key=len, reverse=True))
# An hour as said right after a bare 早/晚 ("晚7点半", "早八点"). 一 and 几 are left out:
# "晚一点" and "早几点" mean "a bit later/earlier", not a clock time.
_GLUED_HOUR = r"(?:[0-9]{1,2}|[二两三四五六七八九十][一二三四五六七八九十]?)\s?[点时:]"
# Minutes after X点: with 分, or two Arabic digits, or a Chinese number with 十 or 零. A lone
# digit is not a minute ("两点 一个人" is two o'clock and one person), nor is a number that
# counts something ("8点 20个人") or a duration ("3点 20分钟后").
_MINUTE = (
    rf"{_N}{{1,3}}\s?分(?!钟)"
    r"|(?:[0-5][0-9]|[二三四五]?十[一二三四五六七八九]?|零[一二三四五六七八九])"
    r"(?![0-9个位人名号辆台天几多来余分])"
)
_TOKEN_BRANCHES = (
    # 今晚 / 明早 / 明天下午: a day word optionally glued to a part of the day.
    # 今天主要是/今天先登记: the day of writing, not of the visit.
    r"(?P<day>大后天|(?<!大)前天|后天|明天|明日|明儿|明个|明仔[载再]|明朝|后儿"
    r"|今天(?!\s?(?:主要|先?登记|先说))|今日|今儿"
    r"|当天|当日|第二天|次日|昨天|昨日|昨儿|[今明昨](?=早|晚|黑|晨|夜|上午|下午|中午|晌午|后晌|下晌))",
    # 每周一三五 / 每天 / 每晚: a routine. Its next day counts only when the message names no
    # other (nlu.timeparse); the parts and clock times after it are read as usual.
    r"(?P<every>每个?(?:(?:周|星期|礼拜)(?P<ewd>[一二三四五六日天末1-7][一二三四五六日天末1-7、,和]*)"
    r"|天|日|晚|早))",
    # Not the 下 of 一下 (登记一下周五上午的).
    r"(?P<wk>(?:(?<!一)下下|(?<!一)下个?|这个?|本)?(?:周|星期|礼拜|週)(?:[一二三四五六日天末1-7]))",
    r"(?P<solar>元旦(?!期间|前|后|假|放假|快乐)|平安夜|圣诞节?(?!期间|前|后|假|快乐)|情人节|妇女节"
    r"|劳动节(?!期间|前|后|假|放假)|儿童节|教师节|国庆节(?!期间|前|后|假|放假)|万圣节)",
    rf"(?P<md>(?:(?P<mon>{_N}{{1,3}})\s?月|(?P<nmon>下个?月))\s?(?P<mday>{_N}{{1,3}})\s?[日号]?)",
    # 2027-03-18 / 2027年3月18日 / 2027.3.18: a full date, as a form or a calendar app writes it.
    r"(?P<iso>(?<![0-9])(?P<iyear>20[0-9]{2})\s?[-/.年]\s?(?P<imon>1[0-2]|0?[1-9])\s?[-/.月]\s?"
    r"(?P<iday>[12][0-9]|3[01]|0?[1-9])(?![0-9])\s?[日号]?)",
    # 11.21 / 11/21 (month first, as written in China); not 11.21元 or 3.5
    r"(?P<dotted>(?<![0-9.])(?P<mon2>1[0-2]|0?[1-9])[./](?P<mday2>[12][0-9]|3[01]|0?[1-9])"
    r"(?![0-9]|\s?[元块%]))",
    rf"(?P<dom>(?<![0-9栋幢楼座单元门室])(?P<dnum>{_N}{{1,3}})\s?[日号](?![楼栋门线床位房院机车])"
    r"(?=\s?(?:上午|下午|中午|晚上|早上|傍晚|凌晨|[早晚]|[0-9一二三四五六七八九十两]|来|过来|到|是|当天"
    r"|,|$|\s)))",
    # Bare 早/晚 are parts of the day only after a day (明早, 周五晚, 3号晚) or right
    # before a clock time (晚7点半); alone they mean "early"/"late" (太晚了, 住一晚).
    # 晚上好 / 早上好 are greetings, not times.
    rf"(?P<part>(?:{_PART})(?!好|来过)|(?<=[今明昨])黑|(?<=[今明昨天日号])[早晚]"
    r"|(?<=[周期拜][一二三四五六日天末1-7])[早晚]"
    rf"|[早晚](?=\s?{_GLUED_HOUR}))",
    # X点 / X点半 / X点一刻 / X点20(分) / X点三个字 (Cantonese: 5 minutes a 字) / X:XX /
    # 3-5点 (range: the start counts). Not the tail of a longer number ("98765 时"), and
    # not 时 in 时间/时候 ("车牌…66 时间明天").
    # 差十分五点 / 差一刻八点: minutes before the hour.
    rf"(?P<clock>(?:差\s?(?:(?P<less>{_N}{{1,2}})\s?分钟?|(?P<lessq>一刻))\s?)?(?<![0-9])(?P<hour>{_N}{{1,3}})(?:\s?(?:-|~|到|至)\s?{_N}{{1,3}})?\s?"
    r"(?P<unit>点|时(?![间候期段代常效髦光尚差长]))(?:\s?[来多]?钟)?"
    rf"(?:\s?(?P<half>半)|\s?(?P<q1>一刻)|\s?(?P<q3>三刻)|\s?(?P<zi>{_N}{{1,2}})\s?个字"
    rf"|\s?(?P<min>{_MINUTE}))?)",
    r"(?P<hm>(?<![0-9])(?P<h2>[0-2]?[0-9])[:](?P<m2>[0-5][0-9])(?![0-9]))",
    # 1430 / 1900: a 24-hour time without a colon, read only right after a day (后天1430).
    r"(?P<hhmm>(?<![0-9])(?P<h4>[01][0-9]|2[0-3])(?P<m4>[0-5][0-9])(?![0-9]|\s?[室号栋楼幢座单元户元块]))",
    # 过一个钟 / 过半小时 / 两个小时后 / 20分钟后: relative to now.
    rf"(?P<rel>(?P<relpre>过)?\s?(?P<rnum>{_N}{{1,3}}|半)\s?个?\s?(?P<runit>钟头|钟|小时|分钟)"
    # 二十分钟到 / 半个钟就到: arriving that long from now.
    r"(?P<relpost>\s?(?:后|以后|之后|左右后)|(?:\s?(?:左右|多|内))?\s?(?:就|能|可以)?到(?![了过家期底]))?)",
)
(
    _DAY,
    _EVERY,
    _WEEK,
    _SOLAR,
    _MONTH_DAY,
    _ISO,
    _DOTTED,
    _DAY_OF_MONTH,
    _PART_OF_DAY,
    _CLOCK,
    _HOUR_MINUTE,
    _HHMM,
    _RELATIVE,
) = _TOKEN_BRANCHES
# Chinese-calendar days (resolved by nlu.lunar): 农历/阴历 + any month and day, 正月/冬月/腊月
# + a day, a month + 初X/廿X (三月初三: the Gregorian calendar has no 初), and the festivals.
_LUNAR_DAY = r"初[一二三四五六七八九十]|廿[一二三四五六七八九]?|[二三]?十[一二三四五六七八九]?"
_LUNAR = (
    r"(?P<lunar>(?:农历|阴历)\s?(?P<lmon>[正冬腊]|十[一二]|[一二三四五六七八九十]|1[0-2]|[1-9])月\s?"
    rf"(?P<lday>{_LUNAR_DAY}|[一二三四五六七八九]|[0-9]{{1,2}})[日号]?"
    rf"|(?P<lmon2>[正冬腊])月\s?(?P<lday2>{_LUNAR_DAY}|[0-9]{{1,2}})[日号]?"
    r"|(?P<lmon3>十[一二]|[一二三四五六七八九十])月(?P<lday3>初[一二三四五六七八九十]|廿[一二三四五六七八九]?)"
    r"|(?P<lfest>除夕|大年三十|年三十|大年夜|元宵节?|小年(?!轻)|春节(?!期间|前|后|放假)|大年初[一二三四五六七八九十]"
    # Round 18: the other festivals of the Chinese calendar (端午那天, 中秋节晚上).
    r"|(?:端午|中秋|七夕|重阳|腊八)(?!节?(?:期间|前|后|放假|假期))节?"
    r"|(?<![今明去])年初[一二三四五六七八九十]|年廿[一二三四五六七八九])"
    # A bare 初二 is the next such day of the Chinese calendar (not 初二的学生, a school year).
    r"|(?<![年月])(?P<lday4>初[一二三四五六七八九十])(?![的学班]|年级)"
    r")"
)
# Lookaheads that change no match but make most places fail fast. Every branch starts with
# a named group, which the engine enters before it can tell the branch cannot match there:
# a lookahead of the branch's first characters rejects it with one class test. A number
# (一, 两, 18 are common) is tried as a date only when a month or day word follows it (3月,
# 5号, 11.21), and as a clock or relative time only when an hour word, a range or a
# duration does (3点, 3-5点, 8:30, 两个小时, 过半小时).
_DATE_AHEAD = rf"(?={_N}{{1,3}}\s?[月日号./]|下个?月|20[0-9]{{2}}\s?[-/.年])"
_CLOCK_AHEAD = (
    rf"(?={_N}{{1,3}}\s?[点时\-~到至:]|过|差|\s?(?:{_N}{{1,3}}|半)\s?个?\s?[钟小分]"
    r"|[0-2][0-9][0-5][0-9](?![0-9]))"
)


def _either(*branches: str) -> str:
    return "(?:" + "|".join(guarded(branch) for branch in branches) + ")"


TOKEN = re.compile(
    guarded(
        "|".join(
            (
                guarded(_DAY),
                guarded(_EVERY),
                guarded(_WEEK),
                guarded(_SOLAR),
                guarded(_LUNAR),
                _DATE_AHEAD + _either(_ISO, _MONTH_DAY, _DOTTED, _DAY_OF_MONTH),
                guarded(_PART_OF_DAY),
                _CLOCK_AHEAD + _either(_CLOCK, _HOUR_MINUTE, _HHMM, _RELATIVE),
            )
        )
    )
)
# Words allowed between two parts of one time expression: "明天 下午 3点", "周六的上午".
GAP = re.compile(r"^[\s,的约大概左右前后那个那天这天这个]{0,3}$")
# The token kinds (named groups of TOKEN) that give a day, and those that give a clock time.
DAY_KINDS = frozenset({"day", "wk", "md", "iso", "dotted", "dom", "lunar", "solar"})
CLOCK_KINDS = frozenset({"clock", "hm", "hhmm"})
# Travel words: a clock time next to one is when someone sets off ("坐晚上七点的火车"); a
# later clock time of arrival ("到小区估计九点了") is when they reach the gate.
DEPART = re.compile(
    r"坐|乘|搭|出发|动身|启程|起飞|发车|上车|出门|下班|火车|高铁|动车|飞机|航班|大巴|班车"
)
ARRIVE_BEFORE = re.compile(r"到|抵达|进小区|进门")
ARRIVE_AFTER = re.compile(r"\s?(?:左右|多|过|前后|之前|以前|的样子)?\s?(?:就|能)?(?:到|抵达|进)")
# Words that take back a time said before ("下午 … 哦不对 是明天下午").
CORRECTION = re.compile(
    r"不对|说错|搞错|改成|改到|改为|改在|更正|应该是|哦不|改(?=[0-9一二三四五六七八九十两])"
)
# Night parts after which a small hour is the early morning of the next day (夜里两点).
NIGHT = frozenset({"夜里", "夜间", "半夜", "夜到", "夜里向"})
