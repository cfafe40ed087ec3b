"""What a mention of people looks like: one regex over a masked message (nlu.mentions).

The branches, in the order they are tried: a stated total (一共五个), grown-ups and children
(三大一小), a group with its number (两个木工, 他们仨), just the one (我自己), the sender
coming along (我跟...), the sender named last (跟我一起), a crowd of unknown size (一帮),
a gathering (聚会), someone by surname and title (王师傅), someone by who they are (我外甥).
"""

from __future__ import annotations

import re

from nlu.numbers import NUM_CLASS, NUMERAL_CHARS
from nlu.people import (
    GATHERINGS,
    GENERIC,
    NOUNS,
    PERSON,
    SURNAMES,
    TITLES,
    TRADE,
    WORDS,
    alternation,
    chars,
    firsts,
)

# After 小/老 + a surname character, what makes a word of it rather than a name.
_NOT_A_NAME = (
    "高层|高兴|龙虾|程序|石头|石子|方法|方便|方向|毛病|白菜|白兔|胡同|黄车|黄历|陈醋|孔|于|钱"
    "|金库|马路|马上|马桶|万一"
)
# An amount as said: 3, 十五, 十来, 二十多, 十几, 四五 and 十五六 (ranges), 几 (unknown).
AMT = rf"(?:[{NUM_CLASS}]{{1,4}}(?:来|多|余|几)?|好?几十?)"
AMT_FIRSTS = f"{NUM_CLASS}好几"  # what an amount can start with

# When, between the sender and the joiner: 我明天带着..., 我下午3点跟...
_WHEN = (
    r"(?:今天|明天|后天|大后天|今晚|明晚|晚上|下午|上午|中午|早上|傍晚|周末|等下|一会儿?"
    r"|待会儿?|会|要|也|就|再|还|_|\s)*"
)
_PRONOUNS = "我们|咱们|俺们|他们|她们|我|俺|咱|他|她|伊"
# Filler between the owner and the number: 大概十五六个, 有3个, 请了两个.
_LEADS = "大概|大约|约莫|约|估计|差不多|将近|可能|应该|也就|有|来了|来|请了|请|叫了|约了|派了|派"
# Modifiers between a number and its noun: 两个[做智能家居的]工程师, 三个[旧]同事.
# Not across a joiner or a pronoun: 一家三口[加他]丈母娘 are two groups.
_MOD = rf"[^\s,.!?;:~_\-0-9{NUMERAL_CHARS}个位名和跟与及加带还另陪我他她你您们]"
# Every character of what may come before a group's number (就 他们 的家政阿姨 大概有
# 一家子 一拨): a group starts only where a run of these reaches a number or 个/位.
_GROUP_LEAD = chars("就只有得的家们他她一大家子人全拨批波组队", _PRONOUNS, TRADE, _LEADS, *PERSON)
# ... and what the number must look like there: 个/位 (有个), or an amount followed by a
# classifier or 人, or ending in 俩/仨.
_GROUP_AMT = (
    rf"(?:[个位]|[{AMT_FIRSTS}][{NUM_CLASS}来多余几]{{0,4}}(?:[个位名口对各人]|(?<=[俩仨])))"
)


def _pattern(guarded: bool) -> str:
    """The mentions as one alternation, the first that matches winning. `guarded` puts a
    lookahead in front of branches for what they cannot match without (the characters they
    start with; for a group, a number within reach): it changes no match, but lets most
    places of a message fail at once. tests/test_nlu_counts.py holds the two to the same."""

    def guard(condition: str) -> str:
        return f"(?={condition})" if guarded else ""

    return "|".join(
        (
            # A stated total: 一共五个, 共两人, 人数约25人, 一行五人 (一共三个大人两个小孩
            # is grown-ups and children, below).
            # 访客1, 访客:2人: a form's field.
            r"(?:一共|总共|共计|合计|总计|加起来|人数|一行|共|访客)(?:是|有|约|大约|大概|就|:|来|要来|会来)?\s?"
            rf"(?P<t_amt>{AMT})(?:个|位|名|口)?(?!(?:个|位|名)?(?:大|成人|男))人?",
            # Grown-ups and children, men and women: 三大一小, 2位成人1位儿童, 三男两女, 一老一小.
            guard(f"[{AMT_FIRSTS}]")
            + rf"(?P<x_a>{AMT})(?:个|位|名)?(?:大人|成人|大|男的|男士|男生|男|老人|老)\s?"
            rf"(?P<x_k>{AMT})(?:个|位|名)?(?:小孩子|小孩|孩子|儿童|小朋友|小|女的|女士|女生|女)",
            # A number of people, with whom it belongs to before it (师傅三名, 他们仨,
            # 二姑一家子五口) and what they are after it (两个搬家师傅, 俩保洁).
            guard(f"[{_GROUP_LEAD}]*?{_GROUP_AMT}") + r"(?P<g>"
            # 得 (Cantonese "only"): 得佢一个.
            r"(?P<g_only>就|只有|得(?=他|她))?"
            rf"(?P<g_pron>{_PRONOUNS})?(?:(?:的|家)?(?:{TRADE})?(?P<g_word>{WORDS}))?"
            r"(?:们|他们|她们)?"
            rf"(?:{_LEADS}){{0,2}}"
            r"(?P<g_fam>一大家子|一家子|一家人|一家|全家)?(?P<g_spread>一拨|一批|一波|一组|一队)?"
            rf"(?:(?P<g_amt>{AMT})|(?<=[有来了带领给畀让叫请派是])(?=[个位]))"
            r"(?:(?P<g_cls>个|位|名|口子|口人|口|对|各(?=人))|(?<=[俩仨])|(?=人))"
            rf"(?:{_MOD}{{0,6}}?(?P<g_noun>{NOUNS}))?"
            r")",
            # Just the one: 我自己, 就她自己.
            guard("[就只我他她伊]") + r"(?P<alone>(?:就|只有)?(?:我|他|她|伊)自己)",
            # The sender coming along: 我跟..., 我带..., 我同埋...
            guard("[我俺本]")
            + rf"(?P<sender>(?:我|俺|本人)(?:自己)?(?:{_WHEN})(?:和|跟|同埋|同(?![事学乡城意样时])"
            r"|与|带着|带上|带|陪着|陪|加上|加))",
            # The sender named last: 我同事和我, 跟我一起来的.
            guard("[和跟同还加]") + r"(?P<me>(?:和|跟|同|还有|加上?)(?:我|俺)"
            r"(?=$|[\s,.!?_]|一起|一块|过来|来|回来|到|自己))",
            # People whose number is not given: 几拨人, 一大家子, 一帮.
            guard(f"[{AMT_FIRSTS}等]")
            + rf"(?P<crowd>{AMT}(?:拨|家人|户)|一大家子|一家子|一大帮|一帮|一群|一伙|一些|等人)",
            # A gathering: several people (同学聚会 is not one classmate).
            guard(f"[{firsts(GATHERINGS)}]") + rf"(?P<gathering>{alternation(GATHERINGS)})",
            # One person named by who they are.
            guard(f"[{SURNAMES}小老]") + rf"(?P<p_name>[{SURNAMES}](?:{TITLES})"
            # ... or by surname with 小/老 in front (小王, 老李), not 小高层, 老毛病, 小程序.
            rf"|(?<![{SURNAMES}])[小老](?!{_NOT_A_NAME})[{SURNAMES}](?![姐哥叔姨嫂妹弟婶伯舅]))",
            guard(f"[{firsts(TRADE)}{firsts(PERSON)}]") + rf"(?:{TRADE})?(?P<p_word>{WORDS})",
        )
    )


MENTION_BODY = _pattern(guarded=False)
# Every character a mention can start with. Most characters of a message start none, and
# checking this first makes the scan about three times faster than trying each branch.
_STARTS = chars(
    *(word[0] for word in PERSON | GENERIC),
    firsts(TRADE),
    firsts(GATHERINGS),
    SURNAMES,
    NUMERAL_CHARS + "0123456789",
    "一总共合加人就只得我咱俺他她伊的家大约估差将可应也有来请叫派全个位和跟同还等几好本",
)
MENTION = re.compile(f"(?=[{_STARTS}])(?:{_pattern(guarded=True)})")
