"""How many people a visit brings, read from a resident's message.

Three steps, each small:

1. Mask what only looks like a number of people: plates, times, dates, durations, rooms,
   phones, prices, weights, vehicles. "藏A 2K3D8一个人" must not read 81, "两个小时后有
   朋友仨过来" must not read 2.
2. Read the message left to right as a list of mentions: a stated total (一共五个), a
   group with its number (两个木工, 师傅三名, 一家三口, 两大一小, 俩同学), one person
   named by who they are (我外甥, 爷爷奶奶, 老板和他司机), the sender coming along
   (我跟/我带/我和...), or a crowd whose size is not given (几个朋友, 他们一家子).
3. Add them up. A stated total wins outright. A number that sums the party up (三个人,
   一家三口, a bare 仨 starting its own clause) restates the people before it, so it
   replaces them rather than adding to them; a clause that lists an earlier number one by
   one (两个师傅 一个老师傅一个徒弟) is not added again. A crowd with no number after it
   leaves the count unknown: a guess would be worse than asking. Someone named with
   nothing plural about them (同事来拿东西) is one, unless others are counted.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from nlu.numbers import DIGITS, NUM_CLASS, NUMERAL_CHARS, parse_int


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


def _alternation(words: frozenset[str]) -> str:
    # Longest first, so 老同学 wins over 同学 and 爸妈 over 爸.
    return "|".join(re.escape(w) for w in sorted(words, key=lambda w: (-len(w), w)))


# --- Who counts as a person -------------------------------------------------------------

# One person each, even with no "my" in front: 外婆来了 is one visitor.
_SINGLE = _words(
    "爸爸 爸 老爸 爹 老爹 父亲 妈妈 妈 老妈 娘 老娘 母亲 姆妈 阿妈 阿爸 老豆 老窦 老母 "
    "老公 老婆 丈夫 妻子 爱人 媳妇儿 媳妇 对象 男朋友 女朋友 男友 女友 未婚夫 未婚妻 "
    "儿子 女儿 闺女 儿媳妇 儿媳 女婿 孙子 孙女 外孙 外孙女 "
    "哥哥 哥 大哥 二哥 姐姐 姐 大姐 二姐 家姐 弟弟 弟 小弟 细佬 妹妹 妹 细妹 "
    "嫂子 嫂 大嫂 嫂嫂 表嫂 堂嫂 弟媳 弟妹 姐夫 妹夫 表姐夫 表妹夫 小叔子 小姑子 "
    "表哥 表姐 表弟 表妹 堂哥 堂姐 堂弟 堂妹 "
    "爷爷 奶奶 外公 外婆 姥姥 姥爷 阿爷 阿嫲 阿公 阿婆 公公 婆婆 老爷子 老太太 "
    "岳父 岳母 丈母娘 老丈人 丈人 "
    "舅舅 舅妈 舅 大舅 小舅 二舅 姑姑 姑妈 姑父 姑 大姑 二姑 三姑 小姑 "
    "姨妈 姨父 姨 大姨 二姨 小姨 阿姨 叔叔 叔 二叔 三叔 大叔 婶婶 婶子 "
    "大伯 伯伯 伯父 伯母 大娘 大爷 大妈 干妈 干爸 干爹 "
    "外甥 外甥女 侄子 侄女 侄儿 师父 师母 老板 老细 房东 领导 家教 家教老师 保姆 月嫂 "
    "太太 夫人 先生 那口子"
)
# Two people in one word.
_PAIR = _words("爸妈 父母 爹妈 爹娘 公婆 岳父母 两口子 小两口 老两口 夫妻 夫妇 二老 双亲 哥嫂 爷娘")
# Could be one or several (朋友来 may be a few friends): counted as one only when the
# person is someone's own (我朋友, 他司机) or listed with others (朋友和他老婆).
_LOOSE = _words(
    "朋友 好友 老友 同事 老同事 同学 老同学 舍友 室友 发小 闺蜜 兄弟 姐妹 哥们 战友 "
    "老乡 同乡 网友 牌友 邻居 中介 客户 司机 师傅 工人 保洁 家政 护工 跑腿 代驾 "
    "快递员 快递小哥 外卖员 小哥 老师 医生 律师 设计师 工程师 学生 徒弟 助理 秘书 "
    "伙伴 小伙伴 姑娘 小伙子 家长 孩子 小孩 娃 宝宝 小朋友 老人 老人家 大人 成人 儿童"
)
# Several people of unknown number; never a count by themselves.
_CROWD = _words("亲戚 亲人 家人 家属 客人 访客")
_PERSON = _SINGLE | _PAIR | _LOOSE | _CROWD
# Outside the family: after a relative with nothing between, the relative is the owner
# (女儿男朋友 is one person, unlike 闺女女婿).
_SOCIAL = _words(
    "朋友 好友 男朋友 女朋友 男友 女友 对象 同事 老同事 同学 老同学 舍友 室友 闺蜜 发小 "
    "哥们 战友 网友 邻居 老师 家教 家教老师 司机 老板 领导 师父 师傅"
)
# Common surnames, for 王师傅 / 李老师 (one person); nlu.slots reads names with them too.
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程"
    "苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝"
    "龚邵万钱严覃武戴莫孔向汤欧"
)
_TITLES = "师傅|老师|医生|律师|先生|女士|小姐|经理|总|工"
# Trades that name the kind of helper before the word for them: 家政阿姨, 保洁阿姨.
_TRADE = "家政|保洁|快递|外卖|装修|维修|搬家|钟点"
# A gathering means several people, though not how many (同学聚会 is not one classmate).
_GATHERINGS = _words("聚会 聚餐 派对 团建 饭局 请客 开会 生日会")
# Nouns that describe the whole party rather than one kind of visitor (三个老人家 after
# "我妈 我姨 还有我外婆" is those three again).
_GENERIC = _words("老人 老人家 大人 成人 儿童 小孩 小孩子 孩子 小朋友 娃 宝宝")
_WORDS = _alternation(_PERSON)
# What may follow a number of people: every person word, the generic ones, and the
# endings of trade nouns (木工, 快递员, 工程师, 送货佬, 外卖仔). A noun may run on
# (家政阿姨, 快递小哥), and 的 makes one of a phrase (收旧家电的, 装空调的师傅).
_NOUNS = (
    "(?:"
    + _alternation(_PERSON | _GENERIC | _words("人 人员 工作人员"))
    # Endings only after a modifier (木工, 工程师), so 有个生日派对 has no 生.
    + "|(?<![个位名俩仨])[工员师佬匠手生士哥姐嫂仔]"
    + f"|的)(?:{_WORDS})?"
)

# --- The numbers ------------------------------------------------------------------------

_N = f"[{NUM_CLASS}]"
# An amount as said: 3, 十五, 十来, 二十多, 十几, 四五 and 十五六 (ranges), 几 (unknown).
_AMT = rf"(?:{_N}{{1,4}}(?:来|多|余|几)?|好?几十?)"

# --- Step 1: masks ----------------------------------------------------------------------

_PROVINCES = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"
_PLATE_CHAR = "0-9a-z零〇洞幺一二两三四五六七八九拐勾"
_MASK = re.compile(
    "|".join(
        (
            # A plate is a region letter plus five characters, or six (new-energy plates);
            # spoken ones use 幺/拐/洞. The sixth must be a letter or digit ("藏A 2K3D8一个人"
            # keeps its 一) and written like the fifth: spaced only if the fifth was
            # ("冀A D 7 3 2 1 8" but "豫A·77E2N 1人").
            rf"[{_PROVINCES}]\s?[a-z](?:[\s·\-]?[{_PLATE_CHAR}]){{4}}"
            rf"(?:[{_PLATE_CHAR}][0-9a-z]?|[\s·\-][{_PLATE_CHAR}](?:[\s·\-][0-9a-z])?)",
            # Clock times, dates, durations, places and things: 6:45, 11.22, 两点半,
            # 半个小时, 3号楼, 2辆车, 10斤. 个 only before time words: 两个室友 are people.
            r"[0-9]+[:.][0-9]+",
            rf"(?:{_AMT}|半)个(?:半|多)?(?:小时|钟头|钟(?!点)|月(?!嫂)|星期|礼拜)",
            rf"(?:{_AMT}|半)(?:点|小时|钟头|钟(?!点)|分钟|分|秒|天|晚|夜|周|星期|礼拜|月(?!嫂)"
            r"|年|日|号|楼|栋|幢|座|单元|层|室|户|辆|台|部|条|只|箱|件|斤|公斤|吨|寸|米|块"
            r"|元|次|趟|套|间|岁)",
            r"(?:周|星期|礼拜)[一二三四五六日天末]|第" + _AMT,
            # Rooms, phones, codes: any run of 3+ digits, and letters mixed with digits.
            # (3-4个人 is a range of people, 3-2-1201 a flat.)
            r"[0-9]+(?:-[0-9]+){2,}|[0-9]+-[0-9]{3,}|[0-9]{3,}|[a-z]+[0-9][0-9a-z]*|[0-9]+[a-z][0-9a-z]*",
        )
    )
)


def _blank(match: re.Match[str]) -> str:
    # "_" keeps positions and counts as a clause boundary: "3点 3人" stays two clauses.
    return "_" * len(match.group())


# --- Step 2: mentions -------------------------------------------------------------------

# When, between the sender and the joiner: 我明天带着..., 我下午3点跟...
_WHEN = (
    r"(?:今天|明天|后天|大后天|今晚|明晚|晚上|下午|上午|中午|早上|傍晚|周末|等下|一会儿?"
    r"|待会儿?|会|要|也|就|再|还|_|\s)*"
)
_PRONOUNS = "我们|咱们|俺们|他们|她们|我|俺|咱|他|她|伊"
_PLURAL_PRONOUNS = frozenset({"我们", "咱们", "俺们", "他们", "她们"})
# Filler between the owner and the number: 大概十五六个, 有3个, 请了两个.
_LEADS = "大概|大约|约莫|约|估计|差不多|将近|可能|应该|也就|有|来了|来|请了|请|叫了|约了|派了|派"
# Modifiers between a number and its noun: 两个[做智能家居的]工程师, 三个[旧]同事.
# Not across a joiner or a pronoun: 一家三口[加他]丈母娘 are two groups.
_MOD = rf"[^\s,.!?;:~_\-0-9{NUMERAL_CHARS}个位名和跟与及加带还另陪我他她你您们]"

_MENTION_BODY = "|".join(
    (
        # A stated total: 一共五个, 共两人, 人数约25人, 一行五人 (一共三个大人两个小孩 is
        # grown-ups and children, below).
        r"(?:一共|总共|共计|合计|总计|加起来|人数|一行|共)(?:是|有|约|大约|大概|就)?\s?"
        rf"(?P<t_amt>{_AMT})(?:个|位|名|口)?(?!(?:个|位|名)?(?:大|成人|男))人?",
        # Grown-ups and children, men and women: 三大一小, 2位成人1位儿童, 三男两女.
        rf"(?P<x_a>{_AMT})(?:个|位|名)?(?:大人|成人|大|男的|男士|男生|男)\s?"
        rf"(?P<x_k>{_AMT})(?:个|位|名)?(?:小孩子|小孩|孩子|儿童|小朋友|小|女的|女士|女生|女)",
        # A number of people, with whom it belongs to before it (师傅三名, 他们仨,
        # 二姑一家子五口) and what they are after it (两个搬家师傅, 俩保洁).
        r"(?P<g>"
        r"(?P<g_only>就|只有)?"
        rf"(?P<g_pron>{_PRONOUNS})?(?:(?:的|家)?(?:{_TRADE})?(?P<g_word>{_WORDS}))?"
        r"(?:们|他们|她们)?"
        rf"(?:{_LEADS}){{0,2}}"
        r"(?P<g_fam>一大家子|一家子|一家人|一家|全家)?(?P<g_spread>一拨|一批|一波|一组|一队)?"
        rf"(?:(?P<g_amt>{_AMT})|(?<=[有来了带领给畀让叫请派])(?=[个位]))"
        r"(?:(?P<g_cls>个|位|名|口子|口人|口|对|各(?=人))|(?<=[俩仨])|(?=人))"
        rf"(?:{_MOD}{{0,6}}?(?P<g_noun>{_NOUNS}))?"
        r")",
        # Just the one: 我自己, 就她自己.
        r"(?P<alone>(?:就|只有)?(?:我|他|她|伊)自己)",
        # The sender coming along: 我跟..., 我带..., 我同埋...
        rf"(?P<sender>(?:我|俺|本人)(?:自己)?(?:{_WHEN})(?:和|跟|同埋|同(?![事学乡城意样时])|与"
        r"|带着|带上|带|陪着|陪|加上|加))",
        # The sender named last: 我同事和我, 跟我一起来的.
        r"(?P<me>(?:和|跟|同|还有|加上?)(?:我|俺)(?=$|[\s,.!?_]|一起|一块|过来|来|回来|到|自己))",
        # People whose number is not given: 几拨人, 一大家子, 一帮.
        rf"(?P<crowd>{_AMT}(?:拨|家人|户)|一大家子|一家子|一大帮|一帮|一群|一伙|一些|等人)",
        # A gathering: several people (同学聚会 is not one classmate).
        rf"(?P<gathering>{_alternation(_GATHERINGS)})",
        # One person named by who they are.
        rf"(?P<p_name>[{SURNAMES}](?:{_TITLES}))",
        rf"(?:{_TRADE})?(?P<p_word>{_WORDS})",
    )
)
# Every character a mention can start with. Most characters of a message start none, and
# checking this first makes the scan about three times faster than trying each branch.
_STARTS = (
    {word[0] for word in _PERSON | _GENERIC}
    | {word[0] for word in _TRADE.split("|")}
    | {word[0] for word in _GATHERINGS}
    | set(SURNAMES)
    | set(NUMERAL_CHARS + "0123456789")
    | set("一总共合加人就只我咱俺他她伊的家大约估差将可应也有来请叫派全个位和跟同还等几好本")
)
_MENTION = re.compile(f"(?=[{''.join(sorted(_STARTS))}])(?:{_MENTION_BODY})")

_BOUNDARY = frozenset(" ,.!?;:~_-")
# What may follow a bare "N个" for it to be people (3个 一起来, 二十个左右), unlike 两个箱子.
_BARE_END = re.compile(
    r"$|[\s,.!?;:~_\-来过到进一要会上下开坐都左打骑搭走还在去也就带从回是可吧啊哈呢嘛哦今明后中早傍]"
)
# A word that joins one more person on: 和, 还有, 外加, 带着.
_JOINED = re.compile(
    r"(?:和|跟|同埋|同|与|及|以及|还有|加上|加|外加|再加上|再加|另外|另|带着|带上|带|陪着|陪|、)\s?$"
)
_JOINS_NEXT = re.compile(
    r"\s?(?:和|跟|同埋|同(?![事学乡城])|与|及|还有|加上|加|外加|带着|带上|带|、)"
)
# Whose the person is: 我朋友, 他司机, 老公的同事, 俺家二叔 (but not 送大件的师傅).
_OWNED = re.compile(rf"(?:我|俺|咱|阿拉|他|她|们|家|(?:我|俺|他|她|{_WORDS})的)$")
_SOCIAL_NEXT = re.compile(_alternation(_SOCIAL))
_PAIR_NEXT = re.compile(_alternation(_PAIR))  # 同事夫妇 are two, not three
# After 帮/给 the person may still be the visitor: 帮我朋友登记一下.
_REGISTER_NEXT = re.compile(r"\s?(?:登记|报备|预约|开门|放行|办|申请|留个)")
# Someone the visit is for, not a visitor: 去看我姑妈, 帮我妈搬东西, 找18楼的王阿姨.
_OBJECT = re.compile(r"(?:找|接|帮|看望|探望|看|探|照顾|去|见|来带|去带)[^\s,.!?;:~登说]{0,5}$")
# The sender introducing themself (我是18栋的王女士), or someone addressed (王师傅你好).
_SELF = re.compile(r"(?:我是|我叫|本人)[^\s,.!?]{0,8}$")
_CALLED = re.compile(r"\s?(?:啊|呀|你|您)")
# Staff being addressed: 麻烦保安大哥.
_STAFF = re.compile(r"(?:保安|物业|门卫|门岗|管家|前台|客服)$")
# Between the sender and the people they come with: 我和[我的]三个舍友.
_SENDER_GAP = re.compile(r"[我俺的\s]*")


@dataclass(frozen=True, slots=True)
class _Mention:
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


def _amount(raw: str) -> int | None:
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


def _person(
    word: str, text: str, start: int, end: int, previous: _Mention | None
) -> _Mention | None:
    """One person named by who they are, or None when they are not a visitor."""
    after = text[end : end + 3]
    if (
        after.startswith(("的", "家"))
        or (after[:1] in ("他", "她") and after[1:2] != "们")
        or (word in _SINGLE and _SOCIAL_NEXT.match(text, end))
        or _PAIR_NEXT.match(text, end)
    ):
        # The owner of someone else (老公的同事, 媳妇儿她爹妈, 女儿男朋友) or a place (姑家).
        return None
    if after.startswith(("们", "他们", "她们", "一家", "一大家", "全家")):
        return _Mention(start, end, vague=True)  # 室友们, 叔叔他们一家子
    before = text[max(0, start - 8) : start]
    if (_OBJECT.search(before) and not _REGISTER_NEXT.match(text, end)) or _STAFF.search(before):
        return None
    if word in _CROWD:
        return _Mention(start, end, vague=True)
    if word in _PAIR:
        return _Mention(start, end, 2)
    listed = previous is not None and previous.end == start and previous.people > 0
    if (
        word in _SINGLE
        or _OWNED.search(before)
        or _JOINED.search(before)
        or listed  # 老婆孩子
        or _JOINS_NEXT.match(text, end)  # 朋友和他老婆
    ):
        return _Mention(start, end, 1)
    # 同事来拿东西: most likely one, but it could be a few; counted only if nobody else is.
    return _Mention(start, end, 1, weak=True)


def _group(m: re.Match[str], text: str, previous: _Mention | None) -> list[_Mention]:
    """A number of people (the `g` alternative of _MENTION)."""
    start, end = m.span()
    amt, cls, noun = m.group("g_amt"), m.group("g_cls"), m.group("g_noun")
    if amt is None and noun is None:
        return []  # 有个 + no person after it
    if text[max(0, start - 2) : start] == "其中":
        return []  # 三个人 其中一个是小孩: part of what was counted
    if noun is None and cls in ("个", "位") and not _BARE_END.match(text, end):
        return []  # 两个箱子, 后几位
    people = 1 if amt is None else _amount(amt)
    if cls == "对":  # 两对夫妻
        if noun is None:
            return []
        people = None if people is None else people * 2
    if people is None:
        return [_Mention(start, end, vague=True, restates=noun == "人")]
    if m.group("g_spread"):
        return [_Mention(start, end, people, spread=True, numeric=True)]
    word = m.group("g_word")
    whole = noun == "人" or cls in ("口", "口子", "口人") or m.group("g_fam") is not None
    bare = noun is None
    joined = _JOINED.search(text, max(0, start - 4), start) is not None
    clause = start == 0 or text[start - 1] in _BOUNDARY
    found: list[_Mention] = []
    if m.group("g_only") or m.group("g_pron") in _PLURAL_PRONOUNS:
        restates = True  # 就他一个, 他们两个人
    elif word is not None:
        if whole:
            # 我同事三个人, 朋友一家三口: the number is that person's party. A family joined
            # on (婆婆带着小叔子一家三口) comes on top of who came before.
            restates = not (joined and m.group("g_fam"))
        elif bare:
            # 我和我闺蜜俩 counts the sender in; 中介一个 客户两个 add up.
            restates = _follows_sender(previous, text, start)
        else:
            # 老公两个孩子: the person named first is one more, not the two children.
            restates = False
            single = _person(word, text, m.start("g_word"), m.end("g_word"), previous)
            if single is not None:
                found.append(single)
    elif joined:
        restates = False  # 我带两个人, 还有中介一个
    elif whole:
        restates = True  # 三个人, 一家三口
    else:
        restates = False
    # "我孙女的同学来 俩小孩" restates the classmates; "两个老人 一个小孩" adds a child.
    sums_up = clause and (bare or noun in _GENERIC)
    found.append(
        _Mention(
            start,
            end,
            people,
            restates,
            opens=clause and not joined,
            sums_up=sums_up,
            numeric=True,
            tentative=amt is None and noun is not None and noun.startswith("的"),
        )
    )
    return found


def _follows_sender(previous: _Mention | None, text: str, start: int) -> bool:
    return (
        previous is not None
        and previous.sender
        and _SENDER_GAP.fullmatch(text, previous.end, start) is not None
    )


def _mentions(text: str) -> list[_Mention]:
    found: list[_Mention] = []
    for m in _MENTION.finditer(text):
        start, end = m.span()
        previous = found[-1] if found else None
        if m.group("t_amt") is not None:
            total = _amount(m.group("t_amt"))
            if total is not None:
                found.append(_Mention(start, end, total, total=True))
        elif m.group("x_a") is not None:
            adults, kids = _amount(m.group("x_a")), _amount(m.group("x_k"))
            if adults is not None and kids is not None:
                found.append(_Mention(start, end, adults + kids, restates=True, numeric=True))
        elif m.group("g") is not None:
            found.extend(_group(m, text, previous))
        elif m.group("alone") is not None:
            found.append(_Mention(start, end, 1, restates=True))
        elif m.group("me") is not None:
            found.append(_Mention(start, end, 1))
        elif m.group("sender") is not None:
            found.append(_Mention(start, end, 1, sender=True))
        elif m.group("gathering") is not None:
            found.append(_Mention(start, end, gathering=True))
        elif m.group("crowd") is not None:
            found.append(_Mention(start, end, vague=True))
        elif m.group("p_name") is not None:
            before = text[max(0, start - 10) : start]
            if not (_SELF.search(before) or _OBJECT.search(before) or _CALLED.match(text, end)):
                found.append(_Mention(start, end, 1))
        else:
            single = _person(m.group("p_word"), text, start, end, previous)
            if single is not None:
                found.append(single)
    return found


# --- Step 3: adding up ------------------------------------------------------------------


@dataclass(slots=True)
class _Party:
    """The running count while the mentions are read in order."""

    count: int = 0
    vague: bool = False  # someone of unknown number is in the count
    numeric: bool = False  # some of the count was given as a number
    weak: bool = False  # someone was named whose number is only likely one
    gathering: bool = False  # ... but at a gathering, so likely several
    last: _Mention | None = None
    # A clause that adds numbered groups to an earlier count, and what the count was
    # before it: "两个师傅 一个老师傅一个徒弟" breaks the two down rather than adding two.
    clause_base: int | None = None
    clause_groups: int = 0

    def take(self, mention: _Mention) -> None:
        if mention.weak or mention.gathering:
            self.weak = self.weak or mention.weak
            self.gathering = self.gathering or mention.gathering
            return
        last, self.last = self.last, mention
        if mention.spread and last is not None and last.spread:
            self._add(mention)  # 一拨三个 [一拨两个]
        elif (
            mention.restates
            or mention.spread
            # A number in its own clause after 几个朋友 or 有个送大件的 says how many
            # those were.
            or (mention.opens and (self.vague or (last is not None and last.tentative)))
            or (mention.sums_up and not self.numeric)
        ):
            self._end_clause()
            self.count, self.vague, self.numeric = mention.people, mention.vague, mention.numeric
        elif mention.numeric and mention.opens and self.count:
            self._end_clause()
            self.clause_base, self.clause_groups = self.count, 1
            self._add(mention)
        else:
            if mention.numeric and self.clause_base is not None:
                self.clause_groups += 1
            else:
                self._end_clause()
            self._add(mention)

    def _add(self, mention: _Mention) -> None:
        self.count += mention.people
        self.vague = self.vague or mention.vague
        self.numeric = self.numeric or mention.numeric

    def _end_clause(self) -> None:
        base = self.clause_base
        if base is not None and self.clause_groups >= 2 and self.count == 2 * base:
            self.count = base  # the clause was the earlier number, one by one
        self.clause_base, self.clause_groups = None, 0

    def result(self) -> int | None:
        self._end_clause()
        if self.count == 0 and self.weak and not self.gathering:
            self.count = 1
        if self.vague or not 0 < self.count < 100:
            return None
        return self.count


def _tally(text: str, mentions: list[_Mention]) -> int | None:
    party = _Party()
    for i, mention in enumerate(mentions):
        if mention.total:
            return mention.people if 0 < mention.people < 100 else None
        if mention.sender:
            # The sender counts only when people follow right after: 我跟两个同事, not
            # 我跟你说.
            following = mentions[i + 1] if i + 1 < len(mentions) else None
            if following is None or not _follows_sender(mention, text, following.start):
                continue
        party.take(mention)
    return party.result()


def extract_count(text: str) -> int | None:
    """Head count of a visit, from normalised text: 两个木工一个电工 3, 我跟两个同事 3,
    一家三口加他丈母娘 4, 十五六个人 16, 我外甥今晚到 1; None when the text gives no way
    to know (几个朋友, 我叔叔他们一家子, 搬家公司)."""
    masked = _MASK.sub(_blank, text)
    return _tally(masked, _mentions(masked))
