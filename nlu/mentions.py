"""The people a message mentions, read left to right (step 2 of nlu.counts).

A mention is a stated total (一共五个), a group with its number (两个木工, 师傅三名, 一家三口,
两大一小, 俩同学), one person named by who they are (我外甥, 爷爷奶奶, 老板和他司机), the
sender coming along (我跟/我带/我和...), or a crowd whose size is not given (几个朋友,
他们一家子). The text comes in masked: what only looks like a number is "_" already. The
regex that finds them is in nlu.mentionpatterns; this module says what each one means.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from nlu.mentionpatterns import MENTION
from nlu.numbers import DIGITS, parse_int
from nlu.people import CROWD, GENERIC, PAIR, SINGLE, SOCIAL, WORDS, alternation

_PLURAL_PRONOUNS = frozenset({"我们", "咱们", "俺们", "他们", "她们"})
_BOUNDARY = frozenset(" ,.!?;:~_-")
# What may follow a bare "N个" for it to be people (3个 一起来, 二十个左右), unlike 两个箱子.
_BARE_END = re.compile(
    r"$|[\s,.!?;:~_\-来过到进一要会上下开坐都左打骑搭走还在去也就带从回是可吧啊哈呢嘛哦今明后中早傍]"
)
# A word that joins one more person on: 和, 还有, 外加, 带着.
_JOINED = re.compile(
    r"(?:和|跟|同埋|同|与|及|以及|还有|加上|加|外加|再加上|再加|另外|另|带着|带上|带|陪着|陪"
    r"|抱着|领着|牵着|背着|、)\s?$"
)
_JOINS_NEXT = re.compile(
    r"\s?(?:和|跟|同埋|同(?![事学乡城])|与|及|还有|加上|加|外加|带着|带上|带|、)"
)
# Whose the person is: 我朋友, 他司机, 老公的同事, 俺家二叔 (but not 送大件的师傅).
_OWNED = re.compile(rf"(?:我|俺|咱|阿拉|他|她|们|家|(?:我|俺|他|她|{WORDS})的)$")
_SOCIAL_NEXT = re.compile(alternation(SOCIAL))
_PAIR_NEXT = re.compile(alternation(PAIR))  # 同事夫妇 are two, not three
# After 帮/给 the person may still be the visitor: 帮我朋友登记一下.
_REGISTER_NEXT = re.compile(r"\s?(?:登记|报备|预约|开门|放行|办|申请|留个)")
# A visitor described again: 是个小姑娘, 她是我家工人 (not one more).
_DESCRIBED = re.compile(r"(?:是|係|就是|也就是)(?:我|我家|我们家|我的|他的|她的|他家|她家)?$")
# Some of those already counted: 三个同事 有一个开车 (the one who drives is among them).
_SUBSET_AFTER = re.compile(r"(?:人|个人)?\s?(?:开车|开的车|自己开车|开两台车|会开车|要开车|有车)")
# Nouns that only say "people", so a number with them sums up whoever was named before.
_WHOLE_NOUNS = frozenset({"人", "老人家", "老人"})
# Someone the visit is for, not a visitor: 去看我姑妈, 帮我妈搬东西, 找18楼的王阿姨.
_OBJECT = re.compile(r"(?:找|接|帮|给|看望|探望|看|探|照顾|去|见|来带|去带)[^\s,.!?;:~登说]{0,8}$")
# The sender introducing themself (我是18栋的王女士), or someone addressed (王师傅你好).
_SELF = re.compile(r"(?:我是|我叫|本人)[^\s,.!?]{0,8}$")
_CALLED = re.compile(r"\s?(?:啊|呀|你|您)")
_SELF_IS = re.compile(r"(?:我是|我就是|本人是)(?:这里的|这家的|这套房的)?$")
# Staff being addressed: 麻烦保安大哥.
_STAFF = re.compile(r"(?:保安|物业|门卫|门岗|管家|前台|客服)$")
# Someone's car (or, after a plate, just "someone's"): that person is coming in it.
_OWNS_THE_CAR = re.compile(r"的(?:车|$|[\s,.!?;:~_])")
_DRIVES = re.compile(r"(?:开|借|用|坐|开着|开的|借的)(?:他|她|我|你|他们|她们)?$")
_PERSON_NEXT = re.compile(WORDS)
# 开我爸那台车: whose car is driven (the owner is not coming).
_CAR_NEXT = re.compile(r"(?:那|这)?(?:台|辆|部)车")
# 叫了个家政, 请了个护工: someone hired, whose number may be stated next (两个阿姨).
_HIRED = re.compile(r"(?:叫|请|约|找|喊|订)了?(?:个|一个|位|一位)")
# Someone who lives there already (我妈一直跟我们住的, 保姆是住家的, 我老婆住这儿的) or needs no
# registering is not a visitor (but 我姐来住我家 is).
_LIVES_HERE = re.compile(
    r"[^,.!?;]{0,6}?(?:(?<![来回])住(?:的|这|这儿|这里|在这|家的|我家|我们家)|不用登记)"
)
# Dropping the visitors off and going: 送到就走, 送过来就回去, 放下人就走.
_DROP_AND_GO = r"(?:送到|送完|放下人?|送过来|送来)[^,.!?;_]{0,8}就(?:走|回去|离开|掉头)"
# Someone who drives the visitors here and, said later, leaves: 我哥开车送我嫂子来 … 送到门口就走.
_DRIVES_THEM = re.compile(r"[^,.!?;_\s他她]{0,6}?(?:开车)?(?:送|载)")
_LEAVES_LATER = re.compile(_DROP_AND_GO)
# Some of those just counted: 五个人 其中两个油漆工三个木工.
_AMONG = re.compile(r"其中[^,.!?;_]{0,8}$")
# Someone who only drops the visitors off, or who arranged the visit for the sender.
_LEAVES = re.compile(
    # (Not across someone else: 我二姨和她闺女 她老公开车送过来就走.)
    rf"[^,.!?;_他她]{{0,6}}{_DROP_AND_GO}|\s?不(?:上来|进来|上楼|下车)"
)
_ARRANGES = re.compile(r"\s?(?:给我|帮我|替我)(?:订|买|叫|约|请|点|安排|预约)")
# Between the sender and the people they come with: 我和[我的]三个舍友.
_SENDER_GAP = re.compile(r"[我俺的\s]*")


@dataclass(slots=True)
class Mention:
    """Never changed once made (not frozen only because frozen ones are slow to make)."""

    start: int
    end: int
    people: int = 0
    restates: bool = False  # sums up the party so far (三个人): replaces, not adds
    vague: bool = False  # people of unknown number (几个朋友, 他们一家子)
    total: bool = False  # stated total (一共五个): final
    sender: bool = False  # 我跟/我带: the sender is one more, if people follow
    spread: bool = False  # one batch of several (一拨三个 一拨两个): batches add up
    opens: bool = False  # a number starting its own clause, not joined on by 和/还有
    sums_up: bool = False  # ... 仨, ... 俩小孩: restates people named before, not a number
    numeric: bool = False  # the people were given as a number
    weak: bool = False  # 朋友来: one unless anyone else is counted
    gathering: bool = False  # 聚会: more than one, though not how many
    tentative: bool = False  # 有个送大件的: an errand, whose people may be counted next


def amount(raw: str) -> int | None:
    """十五六 -> 16, 四五 / 三五 -> 5, 二三十 -> 30 (a range: plan for the larger), 十来 /
    二十多 / 十几 -> the round number, 几 -> None (unknown). Spelled digits side by side
    are a range here, never a digit string: nobody writes 三五个 for 35."""
    core = raw.rstrip("来多余几")
    if not core or core.startswith("好"):
        return None
    if core.isascii():
        return parse_int(core)
    tens = core.endswith("十") and len(core) == 3
    pair = core[:-1] if tens else core
    if len(pair) >= 2 and pair[-1] in DIGITS and pair[-2] in DIGITS:
        low, high = DIGITS[pair[-2]], DIGITS[pair[-1]]
        if 0 < low < high:
            if tens:
                return high * 10
            head = parse_int(pair[:-2]) if len(pair) > 2 else 0
            return None if head is None else head + high
    return parse_int(core)


def _person(word: str, text: str, start: int, end: int, previous: Mention | None) -> Mention | None:
    """One person named by who they are, or None when they are not a visitor."""
    after = text[end : end + 3]
    if word[-1] == "的" and _PERSON_NEXT.match(text, end):
        return None  # 电信的师傅: the worker is the mention, not the company
    if _LEAVES.match(text, end) or _ARRANGES.match(text, end) or _LIVES_HERE.match(text, end):
        return None  # 家长送到门口就走; 我孙女给我订了花; 我妈一直跟我们住的: not visitors
    if _DRIVES_THEM.match(text, end) and _LEAVES_LATER.search(text, end):
        return None  # the driver, who leaves again
    driven = _DRIVES.search(text, max(0, start - 4), start)
    if _OWNS_THE_CAR.match(after) and not driven:
        return Mention(start, end, 1)  # 我舅舅的车 今晚进来 (but 开他爸的车: the driver)
    if driven and _CAR_NEXT.match(text, end):
        return None  # 我弟开我爸那台车来: the father lends the car
    if (
        after.startswith(("的", "家", "娘家"))
        or (after[:1] in ("他", "她") and after[1:2] != "们")
        or (word in SINGLE and _SOCIAL_NEXT.match(text, end))
        or _PAIR_NEXT.match(text, end)
    ):
        # The owner of someone else (老公的同事, 媳妇儿她爹妈, 女儿男朋友) or a place (姑家).
        return None
    if after.startswith(("们", "他们", "她们", "一家", "一大家", "全家")):
        return Mention(start, end, vague=True)  # 室友们, 叔叔他们一家子
    before = text[max(0, start - 8) : start]
    if previous is not None and _DESCRIBED.search(before):
        return None  # 阿姐等阵到 … 她是我家工人: the same person
    if word == "老人家" and before[-1:] in ("他", "她", "您", "你"):
        return None  # 她老人家: an honorific "she"
    if (
        (_OBJECT.search(before) and not _REGISTER_NEXT.match(text, end))
        or _STAFF.search(before)
        or _SELF_IS.search(before)  # 我是房东: the sender, who is not visiting
    ):
        return None
    if word in CROWD:
        return Mention(start, end, vague=True)
    if word in PAIR:
        return Mention(start, end, 2)
    listed = previous is not None and previous.end == start and previous.people > 0
    if word in SINGLE or _JOINED.search(before) or listed or _JOINS_NEXT.match(text, end):
        return Mention(start, end, 1)  # 我外甥, 跟同事, 老婆孩子, 朋友和他老婆
    if _OWNED.search(before):
        # 女儿的同学 may be several: a number in a clause of its own after it (三个小姑娘)
        # says how many.
        return Mention(start, end, 1, tentative=True)
    # 同事来拿东西: most likely one, but it could be a few; counted only if nobody else is.
    return Mention(start, end, 1, weak=True)


def _group(m: re.Match[str], text: str, previous: Mention | None) -> list[Mention]:
    """A number of people (the `g` alternative of MENTION)."""
    start, end = m.span()
    amt, cls, noun = m.group("g_amt", "g_cls", "g_noun")
    if amt is None and noun is None:
        return []  # 有个 + no person after it
    if previous is not None and _AMONG.search(text, max(0, start - 10), start):
        return []  # 三个人 其中一个是小孩, 其中两个油漆工三个木工: part of what was counted
    if noun is None and cls in ("个", "位") and not _BARE_END.match(text, end):
        return []  # 两个箱子, 后几位
    if (
        previous is not None
        and previous.numeric
        and (text[start - 1 : start] == "有" or text.startswith("有", start))
        and _SUBSET_AFTER.match(text, end)
    ):
        return []  # 三个同事来 有一个开车: one of the three
    people = 1 if amt is None else amount(amt)
    if cls == "对":  # 两对夫妻
        if noun is None:
            return []
        people = None if people is None else people * 2
    if people is None:
        return [Mention(start, end, vague=True, restates=noun == "人")]
    if m.group("g_spread"):
        return [Mention(start, end, people, spread=True, numeric=True)]
    word = m.group("g_word")
    # 我阿妈同阿姨两个老人家: "two old folk" sums up the two named, as 两个人 does.
    whole = noun in _WHOLE_NOUNS or cls in ("口", "口子", "口人") or m.group("g_fam") is not None
    bare = noun is None
    joined = _JOINED.search(text, max(0, start - 4), start) is not None
    clause = start == 0 or text[start - 1] in _BOUNDARY
    found: list[Mention] = []
    if m.group("g_only") or m.group("g_pron") in _PLURAL_PRONOUNS:
        restates = True  # 就他一个, 他们两个人
    elif word is not None:
        if whole:
            # 我同事三个人, 朋友一家三口: the number is that person's party. A family joined
            # on (婆婆带着小叔子一家三口) comes on top of who came before.
            restates = not (joined and m.group("g_fam"))
        elif bare:
            # 我和我闺蜜俩 counts the sender in; 中介一个 客户两个 add up.
            restates = follows_sender(previous, text, start)
        else:
            # 老公两个孩子: the person named first is one more, not the two children.
            restates = False
            single = _person(word, text, m.start("g_word"), m.end("g_word"), previous)
            if single is not None:
                found.append(single)
    elif joined:
        restates = False  # 我带两个人, 还有中介一个
    elif previous is not None and _DESCRIBED.search(text, max(0, start - 4), start):
        restates = True  # 我女儿同学来玩 是个小姑娘: who they are, not one more
    elif whole:
        restates = True  # 三个人, 一家三口
    else:
        restates = False
    # "我孙女的同学来 俩小孩" restates the classmates; "两个老人 一个小孩" adds a child.
    sums_up = clause and (bare or noun in GENERIC)
    found.append(
        Mention(
            start,
            end,
            people,
            restates,
            opens=clause and not joined,
            sums_up=sums_up,
            numeric=True,
            tentative=amt is None
            and noun is not None
            and (
                noun.startswith("的")
                or _HIRED.search(text, max(0, start - 3), m.start("g_noun")) is not None
            ),
        )
    )
    return found


def follows_sender(previous: Mention | None, text: str, start: int) -> bool:
    """Whether the people at `start` come right after the sender's 我跟/我带."""
    return (
        previous is not None
        and previous.sender
        and _SENDER_GAP.fullmatch(text, previous.end, start) is not None
    )


def read_mentions(text: str) -> list[Mention]:
    """The mentions of a masked text, in order."""
    found: list[Mention] = []
    # search() from the end of the last match, as finditer() would (no match is empty),
    # but without its set-up cost: most messages have no mention at all.
    m = MENTION.search(text)
    while m is not None:
        start, end = m.span()
        kind = m.lastgroup  # the branch's outermost group, which closes last
        previous = found[-1] if found else None
        if kind == "p_word":
            single = _person(m.group("p_word"), text, start, end, previous)
            if single is not None:
                found.append(single)
        elif kind == "g":
            found.extend(_group(m, text, previous))
        elif kind == "t_amt":
            total = amount(m.group("t_amt"))
            if total is not None:
                found.append(Mention(start, end, total, total=True))
        elif kind == "x_k":
            adults, kids = amount(m.group("x_a")), amount(m.group("x_k"))
            if adults is not None and kids is not None:
                found.append(Mention(start, end, adults + kids, restates=True, numeric=True))
        elif kind == "alone":
            found.append(Mention(start, end, 1, restates=True))
        elif kind == "me":
            found.append(Mention(start, end, 1))
        elif kind == "sender":
            found.append(Mention(start, end, 1, sender=True))
        elif kind == "gathering":
            found.append(Mention(start, end, gathering=True))
        elif kind == "crowd":
            found.append(Mention(start, end, vague=True))
        else:  # p_name
            before = text[max(0, start - 10) : start]
            if not (_SELF.search(before) or _OBJECT.search(before) or _CALLED.match(text, end)):
                found.append(Mention(start, end, 1))
        m = MENTION.search(text, end)
    return found
