"""Small slot extractors over normalised text: phone, ticket, rating, visitor name.

The visitor head count lives in nlu.counts; it is re-exported here for callers.
"""

from __future__ import annotations

import re

from nlu.counts import extract_count
from nlu.numbers import digit_string, parse_int
from nlu.people import SURNAMES as _SURNAMES
from nlu.people import alternation, chars, firsts
from nlu.regexgate import guarded

__all__ = [
    "extract_count",
    "extract_phone",
    "extract_rating",
    "extract_ticket",
    "extract_visitor",
]

_PHONE = re.compile(r"(?<![0-9])(1[3-9][0-9](?:[\s\-]?[0-9]){8})(?![0-9])")
# 拐 (7) only in a request number read out digit by digit (拐幺洞八), never alone.
_SPOKEN_DIGITS = "0-9零〇一二三四五六七八九幺洞两拐"
# Most places start no alternative, and the engine has no common prefix to scan for.
_TICKET = re.compile(
    guarded(
        r"(?:工单|单号|单子|订单|报修单|维修单|编号|流水号|受理号|工单号|单据)"
        # (Digits read out one by one may come spaced: 单号 5 0 0 3.)
        r"[^0-9a-z]{0,6}?(?:号|号码)?\s?(?:是|为|:|#|no\.?)?\s?#?\s?([a-z]{0,3}[0-9][0-9\-]{2,24}"
        r"|[0-9](?: [0-9]){2,11}(?![0-9])"
        rf"|[{_SPOKEN_DIGITS}]{{3,20}})"
        r"|#([0-9]{3,20})(?![0-9])"
        r"|(?<![0-9])([0-9]{3,12})\s?号?\s?(?:这|那)?\s?(?:个|张)?(?:单子|单|工单)(?![元价])"
        rf"|([{_SPOKEN_DIGITS}]{{3,12}})\s?号?\s?(?:这|那)\s?(?:个|张)?(?:单子|单|工单)"
        # "幺零六幺号单作废": spoken digits right before 号单 (not 三号单元).
        rf"|([{_SPOKEN_DIGITS}]{{3,12}})\s?号(?:单子|工单|单(?!元))"
        # "取消1104": a number right after a call-off is the request it calls off.
        rf"|(?:取消|撤销|撤回|作废)\s?#?([{_SPOKEN_DIGITS}]{{3,12}})(?![0-9])"
        r"|(?<![0-9a-z\-])([0-9]{3,12})\s?号?\s?(?:那个|那单|这单)?\s?(?:取消|撤销|撤回|作废|不要了|不用了)"
        # Round 19: "第3011号那个 有人跟进没", "三二零八那个不用了" (digits read out, 4 or more).
        r"|第\s?([0-9]{3,12})\s?号(?=\s?(?:那个|这个|那单|这单|的单|报的))"
        r"|(?<![零〇一二三四五六七八九十幺洞两拐])([零〇一二三四五六七八九幺洞两拐]{4,8})"
        r"(?=\s?(?:那个|这个)\s?(?:单子?|工单|报修|不用|不要|取消|怎么|咋|有人|好了))"
        r"|^\s?([0-9]{3,12})\s?(?:的)?(?:进度|怎么样|处理|到哪|好了吗|有人)"
        # "No.2587 进度", "维修单 No 3011"; "尾号2587的单子" (not a phone's 尾号 alone).
        r"|(?:(?<![a-z])no\.|单\s?no)\s?([0-9]{3,12})(?![0-9])"
        r"|尾号\s?([0-9]{3,6})\s?(?:的|那个|那张)?(?:单子|单|工单|报修)"
    )
)

_RATING_NUM = re.compile(
    # A bare score, alone or followed by 吧 or thanks: "4", "4吧", "5 谢谢".
    r"^\s?(?P<bare>[1-5])\s?(?:[!.~]|吧|啦|呀|哈|(?:谢谢|感谢|多谢|辛苦)[^0-9]*)?$"
    r"|(?<![0-9:.])(?P<n>[0-9]{1,3}|[一二三四五六七八九两十伍])\s?"
    # Cantonese counts stars in 粒 (五粒星); English replies say "4 stars".
    r"(?:分|星|颗星|个星|颗|粒星|粒|\s?stars?|\s?points?)(?!钟|之|半|期|别|开|享|配|析)"
    r"|(?:打|给|评分|评|满意度)个?\s?:?\s?(?P<n2>[1-5一二三四五两])(?![0-9])"
)
# In a reply to the poll only: a lone numeral ("二"), or a score leading or closing the
# words ("5 修漏水的师傅很专业", "中规中矩吧 3", "还行吧4").
_RATING_EDGE = re.compile(
    r"^\s?(?P<alone>[一二三四五])\s?$|^\s?(?P<lead>[1-5])(?=\s|,)|(?<![0-9])(?P<tail>[1-5])\s?[!.~]?$"
)
_STARS = re.compile("[⭐🌟★]")
# Words that carry a score on their own, strongest first.
_RATING_WORDS: tuple[tuple[re.Pattern[str], int], ...] = (
    # Negated praise first: 不是很满意 holds 很满意 (Cantonese 唔係幾滿意 arrives as 不是几满意).
    (re.compile(r"(?:不是|不系|不怎么|没那么)(?:很|几|太|特别|非常)?满意"), 2),
    (
        re.compile(
            r"满分|五星|非常满意|超满意|十分满意|特别满意|超级满意|很满意|太棒|好评|点赞|完美"
            r"|一流|非常好|特别好|太好了|无可挑剔|没得说|没得弹|杠杠的|巴适|嘎嘎好|贼拉?满意"
            r"|好满意|老好|老满意|贼好|贼棒|杠杠滴|perfect|five stars?"
        ),
        5,
    ),
    (
        re.compile(
            r"差评|非常不满意|很不满意|十分不满意|极差|太差|很差|好差|垃圾|零分|一星|太烂|很烂"
            r"|差到极|差到爆"
        ),
        1,
    ),
    (
        re.compile(r"不满意|不太满意|不怎么样|不咋地|不咋样|差劲|不好|差|两星|二星|撇|推板|不太行"),
        2,
    ),
    (
        re.compile(
            r"一般|还行|凑合|凑活|马马虎虎|还可以|还阔以|还中|中吧|将就|差强人意|基本满意|中评|及格"
            r"|三星|中规中矩|没什么特别|冇乜特别|ok啦|ok吧"
        ),
        3,
    ),
    (re.compile(r"四星|满意|不错|挺好|很好|蛮好|好|棒|赞|专业|辛苦|谢谢|感谢"), 4),
)

# Who is coming. Longer words win: 保洁阿姨 over 阿姨, 老同学 over 同学.
_RELATION_TEXT = (
    "表哥 表姐 表弟 表妹 堂哥 堂姐 堂弟 堂妹 哥哥 姐姐 弟弟 妹妹 爸爸 "
    "妈妈 爸妈 父母 老爸 老妈 公公 婆婆 岳父 岳母 丈母娘 老丈人 爷爷 "
    "奶奶 外公 外婆 姥姥 姥爷 叔叔 阿姨 舅舅 舅妈 姑姑 姑父 姨妈 小姨 "
    "大姨 二姨 婶婶 嫂子 姐夫 妹夫 儿子 女儿 孙子 孙女 外孙 老婆 老公 "
    "媳妇 对象 男朋友 女朋友 男友 女友 朋友 好友 同学 老同学 同事 老同事 "
    "亲戚 客人 家人 保姆 家政 钟点工 月嫂 护工 快递员 快递小哥 外卖员 "
    "外卖小哥 闺蜜 兄弟 老乡 领导 老板 房东 租客 中介 发小 大舅 小舅 "
    "二叔 三叔 大伯 伯伯 伯母 表叔 表舅 干妈 干爸 家教 家教老师 保洁 "
    "保洁阿姨 家政阿姨 孩子 小孩 哥 姐 弟 妹 爸 妈 阿妈 阿爸 阿婆 阿公 外甥 外甥女 "
    "侄子 侄女 室友 舍友 战友 邻居 "
)
_RELATION_WORDS = frozenset(_RELATION_TEXT.split())
# Shaped as a trie, which matches as the longest-first list would but lets the engine try
# one branch per next character instead of each of the 130 words in turn.
_REL = alternation(_RELATION_WORDS)
_TRADES = (
    "电信|联通|移动|广电|开锁|装修|维修|安装|空调|燃气|电工|水电|保洁|家政|送货|搬家|物流|快递"
    "|家电|网络|宽带|保险|园艺|管道|疏通"
)
_BUSINESS = "公司|店|工作室|中心"
_TITLES = "师傅|先生|女士|小姐|老师|阿姨|大爷|大妈|总|经理|医生|律师|老板|工"
_NOT_GIVEN = "的了在来是有和跟我你他她们这那个到去说要会就也都还过开把被给让叫"
_DOER_VERBS = "送装修拆搬运拉换开量安"
_REL_SCHOOLS = "大学|高中|初中|小学|以前的|老家的?"
_TIME_PREFIX = re.compile(
    r"^(?:今天|明天|后天|大后天|今晚|明晚|上午|下午|中午|晚上|早上|周[一二三四五六日天]|[0-9零一二三四五六七八九十两]+点(?:半|一刻|三刻)?)+"
)
_NAMED_CUES = "登记访客|访客登记|访客|叫|姓名|名字"
_SHOP = rf"(?P<shop>[\u4e00-\u9fa5]{{1,4}}(?:{_BUSINESS})(?:的(?:人|师傅|员工|小哥))?)"


def _starts(*texts: str) -> str:
    """A lookahead for a branch's possible first characters. It changes no match, but most
    places in a message start no branch, and one class test then rejects each branch there
    (the shop branch, which can start anywhere, has none)."""
    return f"(?=[{chars(*texts)}])"


_VISITOR_BRANCHES = (
    _starts("小老", _SURNAMES)
    + rf"(?P<titled>(?:小|老)?[{_SURNAMES}](?:{_TITLES}))(?![\u4e00-\u9fa5]{{0,1}}[的])",
    _starts("小老") + rf"(?P<nick>[小老][{_SURNAMES}])"
    r"(?=\s|[,.]|来|过来|到|要|会|一会|等下|待会|马上|明天|今天|后天|下午|上午|晚上|中午|$)",
    _starts(firsts(_TRADES)) + rf"(?P<trade>(?:{_TRADES})(?:师傅|工人|人员|小哥|阿姨))",
    _SHOP,
    _starts(_DOER_VERBS)
    + rf"(?P<doer>[{_DOER_VERBS}][\u4e00-\u9fa5]{{1,3}}的(?:师傅|人|工人|小哥|阿姨"
    r"|(?=\s|[,.]|等|一会|马上|要|会|来|过来|进来|到|车|$)))",
    _starts("我", firsts(_REL_SCHOOLS), firsts(_RELATION_WORDS))
    + rf"(?P<rel>(?:我的|我)?(?:{_REL_SCHOOLS})?(?:{_REL})(?:的?(?:{_REL}))?们?)",
    _starts(firsts(_NAMED_CUES)) + rf"(?:{_NAMED_CUES})[\s:是]{{0,2}}"
    rf"(?P<named>[{_SURNAMES}][^{_NOT_GIVEN}\s,.:0-9a-z]{{1,2}})",
    rf"(?:^|[\s,.:])(?P<bare>[{_SURNAMES}][^{_NOT_GIVEN}\s,.:0-9a-z]{{1,2}})"
    r"(?=\s|[,.:]|[0-9]|来|过来|到|明天|今天|后天|下午|上午|晚上|中午|$)",
)
_VISITOR = re.compile("|".join(_VISITOR_BRANCHES))
# The shop branch can start at any Chinese character, so with it the pattern has no first
# characters to check and tries every branch at every place. Most messages name no
# business at all, so the shop branch cannot match; for them the other branches sit behind
# a first-character lookahead instead: the same matches, about twice as fast.
_VISITOR_NO_SHOP = re.compile(guarded("|".join(b for b in _VISITOR_BRANCHES if b != _SHOP)))
# Whether a message names a business at all: one scan for the words' first characters.
_NAMES_BUSINESS = re.compile(_BUSINESS)
# A visitor is whoever is followed by a coming verb; "我老公的车借给朋友, 朋友会开进来".
_COMING = re.compile(r"[^,.!?]{0,8}?(?:来|到|进来|上门|拜访|过去)")  # used with .match(pos)
_NOT_A_NAME = re.compile(r"(?:周|星期|礼拜)[一二三四五六日天末]|周末|周边|周围|高兴|方便|马上|钱包")


_NAMES = frozenset({"titled", "nick", "bare", "named"})


def _clean_visitor(match: re.Match[str]) -> str | None:
    kind = match.lastgroup
    value = match.group(kind) if kind else None
    if not value:
        return None
    if kind == "rel":
        # "孩子的家教老师" -> 家教老师; "我老婆的闺蜜" stays whole (the resident's own).
        if "的" in value and not value.startswith("我"):
            value = value.split("的")[-1]
        if value.startswith("我的"):
            value = "我" + value[2:]
        if value in ("孩子", "小孩", "我孩子"):
            return None
    elif kind in ("named", "bare") and _NOT_A_NAME.match(value):
        return None
    elif kind in ("shop", "doer"):
        value = _TIME_PREFIX.sub("", value)
        while value.startswith(("我", "有", "个", "来")):
            value = value[1:]
        if len(value) < 2:
            return None
    return value


def extract_visitor(text: str) -> str | None:
    """Who is coming, in the resident's words. A name given outright (叫李强, 访客 刘强)
    wins; a name right after a relation names that person (我同事小李 -> 小李); otherwise
    the candidate followed by a coming verb, else the first candidate."""
    pattern = _VISITOR if _NAMES_BUSINESS.search(text) else _VISITOR_NO_SHOP
    candidates = [(m, v) for m in pattern.finditer(text) if (v := _clean_visitor(m))]
    for match, value in candidates:
        if match.lastgroup == "named":
            return value
    for i, (match, value) in enumerate(candidates):
        following = candidates[i + 1][0] if i + 1 < len(candidates) else None
        if (
            match.lastgroup == "rel"
            and following is not None
            and following.start() == match.end()
            and following.lastgroup in _NAMES
        ):
            continue  # "我同事小李": the name that follows is the visitor
        if _COMING.match(text, match.end()):
            return value
    return candidates[0][1] if candidates else None


def extract_phone(text: str) -> str | None:
    match = _PHONE.search(text)
    if match is None:
        return None
    return re.sub(r"[\s\-]", "", match.group(1))


def extract_ticket(text: str) -> str | None:
    match = _TICKET.search(text)
    if match is None:
        return None
    raw = next(g for g in match.groups() if g).replace("拐", "七")
    spoken = digit_string(raw)
    digits = spoken if spoken is not None else re.sub(r"[^0-9]", "", raw)
    # A mobile number after 编号 is not a ticket.
    if len(digits) < 3 or (len(digits) == 11 and _PHONE.fullmatch(digits)):
        return None
    return digits


# A number alone in a question about a request or its call-off ("1101取消 重复报的", "1088
# still pending?"): 3-6 digits that are not a time, a price, a flat, a floor or part of a
# longer number.
_BARE_TICKET = re.compile(
    r"(?<![0-9\-:.a-z#])(?<!尾号)([0-9]{3,6})(?![0-9\-:.]|\s?(?:栋|幢|楼|单元|室|层|户|元|块|点|分|平|米"
    r"|个|人|天|年|月|号(?!单)|k|w|%))"
)


def extract_bare_ticket(text: str) -> str | None:
    """The request number of a status or cancel message that names it with nothing around
    it; None when there are several candidates (which one would be a guess)."""
    found = _BARE_TICKET.findall(text)
    return found[0] if len(found) == 1 else None


def extract_rating(text: str, original: str, wordy: bool) -> int | None:
    """A 1-5 score. Digits and stars always count; words (满意, 一般) only when `wordy`,
    i.e. the message is a rating reply, because 不满意 elsewhere is a complaint."""
    stars = len(_STARS.findall(original))
    if 1 <= stars <= 5:
        return stars
    if wordy and "👍" in original and not text:
        return 5
    for match in _RATING_NUM.finditer(text):
        raw = match.group("bare") or match.group("n") or match.group("n2")
        if raw == "十" and text[match.end() : match.end() + 1] not in ("", " ", "!", ".", "~"):
            continue  # 十分不满意 is "very", not ten points
        value = 5 if raw == "伍" else parse_int(raw)
        if value is None:
            continue
        if 1 <= value <= 5:
            return value
        if 6 <= value <= 10 and match.group("n"):
            return (value + 1) // 2  # "8分" on a ten-point scale
        if value == 100 and match.group("n"):
            return 5
    if not wordy:
        return None
    edge = _RATING_EDGE.search(text)
    if edge is not None:
        return parse_int(edge.group("alone") or edge.group("lead") or edge.group("tail"))
    for pattern, value in _RATING_WORDS:
        if pattern.search(text):
            return value
    return None
