"""How many people a visit brings, read from a resident's message.

Three steps, each small (the words for people are in nlu.people, step 2 in nlu.mentions
and nlu.mentionpatterns):

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

from nlu.countenglish import english_party
from nlu.mentionpatterns import AMT, AMT_FIRSTS
from nlu.mentions import Mention, follows_sender, read_mentions
from nlu.people import PAIR, SINGLE, SURNAMES

__all__ = ["SURNAMES", "count_and_mentions", "extract_count"]

# --- Step 1: masks ----------------------------------------------------------------------

_PROVINCES = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"
_PLATE_CHAR = "0-9a-z零〇洞幺一二两三四五六七八九拐勾"
# Every character a mask can start with: checked first, most characters fail at once.
_MASK_STARTS = f"{_PROVINCES}a-z半周星礼第访开报办申登{AMT_FIRSTS}"
_MASK_BODY = "|".join(
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
        rf"(?:{AMT}|半)个(?:半|多)?(?:小时|钟头|钟(?!点)|月(?!嫂)|星期|礼拜)",
        rf"(?:{AMT}|半)(?:点|小时|钟头|钟(?!点)|分钟|分|秒|天|晚|夜|周|星期|礼拜|月(?!嫂)"
        r"|年|日|号|楼|栋|幢|座|单元|层|室|户|辆|台|部|条|只|箱|件|斤|公斤|吨|寸|米|块"
        r"|元|次|趟|套|间|岁)",
        r"(?:周|星期|礼拜)[一二三四五六日天末]|第" + AMT,
        # Visitors' things are not visitors: 访客车在地库停超过两小时收费吗.
        r"访客(?:车位?|证|码|登记|通道|系统|停车|区)",
        # ... nor is the pass asked for: 麻烦开个访客, 帮我报个访客.
        r"(?:开|报|办|申请|登记)(?:一?个|一下)?访客",
        # Rooms, phones, codes: any run of 3+ digits, and letters mixed with digits.
        # (3-4个人 is a range of people, 3-2-1201 a flat.)
        r"[0-9]+(?:-[0-9]+){2,}|[0-9]+-[0-9]{3,}|[0-9]{3,}|[a-z]+[0-9][0-9a-z]*|[0-9]+[a-z][0-9a-z]*",
    )
)
_MASK = re.compile(f"(?=[{_MASK_STARTS}])(?:{_MASK_BODY})")


# "同学 x3", "朋友×2": a person word with a multiplier after it (a plate's x follows a
# letter or digit, never a Chinese character).
_TIMES = re.compile(r"(?<=[\u4e00-\u9fff])\s?[x×*]\s?([1-9])(?![0-9a-z])")


def _blank(match: re.Match[str]) -> str:
    # "_" keeps positions and counts as a clause boundary: "3点 3人" stays two clauses.
    return "_" * len(match.group())


# --- Step 3: adding up ------------------------------------------------------------------


@dataclass(slots=True)
class _Party:
    """The running count while the mentions are read in order."""

    count: int = 0
    vague: bool = False  # someone of unknown number is in the count
    numeric: bool = False  # some of the count was given as a number
    weak: bool = False  # someone was named whose number is only likely one
    gathering: bool = False  # ... but at a gathering, so likely several
    last: Mention | None = None
    # A clause that adds numbered groups to an earlier count, and what the count was
    # before it: "两个师傅 一个老师傅一个徒弟" breaks the two down rather than adding two.
    clause_base: int | None = None
    clause_groups: int = 0

    def take(self, mention: Mention) -> None:
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

    def _add(self, mention: Mention) -> None:
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


# A relative after these belongs to someone other than the writer.
_OTHERS_OWN = frozenset("他她它的")
_THEY = frozenset({"他们", "她们"})
# A couple named as a pair after two people were: the same two (姥姥姥爷 … 老两口).
_COUPLE = frozenset({"老两口", "两口子", "小两口", "夫妻", "夫妇", "二老", "老夫妻"})
# Between a number of people and who they are, words that say it is all of them.
_ALL_ARE = re.compile(r"都是|全是|全都是|都系")
# Between a number of people and the names after it, a word that adds them on instead.
_ADDS = re.compile(r"还有|和|跟|加|另外|外加|带|同|再")
# After a number of people, the first of them described one by one.
_BREAKDOWN = re.compile(r"(?:一|1)(?:个|位)是")
# Before a person, a word that lists them with others.
_LISTED = re.compile(r"和|跟|同|与|还有|、|,|加")


def _tally(text: str, mentions: list[Mention]) -> int | None:
    each = next((m for m in mentions if m.numeric and text[m.start - 1 : m.start] == "各"), None)
    if each is not None and not any(m.numeric for m in mentions if m is not each):
        # 水电工 泥瓦工 油漆工各一个: that many of each kind named before it.
        kinds = sum(1 for m in mentions if m.end <= each.start)
        return kinds * each.people if 0 < kinds * each.people < 100 else None
    party = _Party()
    named: set[str] = set()
    for i, mention in enumerate(mentions):
        if mention.total:
            return mention.people if 0 < mention.people < 100 else None
        if _owns_next(text, mention, mentions[i + 1 : i + 2]):
            continue
        word = text[mention.start : mention.end]
        before = text[mention.start - 1 : mention.start]
        owned = before in _OTHERS_OWN
        they = text[mention.start - 2 : mention.start] in _THEY
        if (
            word in _COUPLE
            and party.count == 2
            and not owned
            and not they
            and not _LISTED.search(text, max(0, mention.start - 2), mention.start)
        ):
            continue  # 姥姥姥爷周五来 … 老两口腿脚不好: the two named, not two more
        if word in PAIR and they and party.count in (1, 2):
            # 我舅舅的车 … 他们老两口: the couple are the relative named and their partner.
            party.count = 2
            continue
        if owned and before != "的" and word in SINGLE and party.weak and not party.count:
            # 朋友 下午过来 她女儿也一起: the friend whose daughter comes is coming too.
            party.count += 1
        if word in SINGLE and not mention.numeric and not owned:
            # 爷爷奶奶过来 爷爷自己开车: a relative named again is the same person (but 我姐和
            # 她姐 are two: someone else's relative is not the writer's).
            if word in named:
                continue
            named.add(word)
        if mention.sender:
            # The sender counts only when people follow right after: 我跟两个同事, not
            # 我跟你说.
            following = mentions[i + 1] if i + 1 < len(mentions) else None
            if following is None or not follows_sender(mention, text, following.start):
                continue
        party.take(mention)
    count = party.result()
    first = mentions[0]
    if (
        count is not None
        and first.numeric
        and first.restates
        and _BREAKDOWN.search(text, first.end) is not None
    ):
        return first.people  # 来两个人 一个是我表哥 一个是他朋友: who the two are
    later = [m for m in mentions[1:] if m.numeric]
    if (
        count is not None
        and first.numeric
        and (
            first.restates
            or (first.sums_up and first.people >= 2 and len(later) >= 2)
            # 三个同事来 俩坐地铁 一个自己开车: the three, split by how they come.
            or (first.people >= 2 and len(later) >= 2 and all(m.sums_up for m in later))
        )
        and later
        and sum(m.people for m in later) == first.people
        and not _ADDS.search(text, first.end, later[0].start)
    ):
        return first.people  # 有四个人 两个大人两个小孩: the four, broken down
    if (
        count is not None
        and first.numeric
        and count == 2 * first.people
        and len(mentions) > 1
        and not any(m.numeric for m in mentions[1:])
        and not _ADDS.search(text, first.end, mentions[1].start)
    ):
        # 三个：我妈我姨我舅, 两个人 我和我同事: the number, then who they are.
        return first.people
    if (
        count is not None
        and first.numeric
        and len(mentions) > 1
        and not any(m.numeric for m in mentions[1:])
        and _ALL_ARE.search(text, first.end, mentions[1].start)
    ):
        return first.people  # 九个 都是我徒弟: the number, then what they all are
    return count


def _owns_next(text: str, mention: Mention, following: list[Mention]) -> bool:
    """儿子三个同学, 我女儿四个同学, 我妈两个朋友: a relative right before a number of
    people, inside the same phrase, is whose they are, not one of the visitors. (Not when
    the number sums up, 我姐两个人, nor when the relative is itself listed: 我和老公两个孩子.)"""
    if mention.numeric or not following:
        return False
    group = following[0]
    return (
        group.numeric
        and group.start <= mention.start
        and mention.end <= group.end
        and not group.restates
        and not group.sums_up
        and not _LISTED.search(text, max(0, mention.start - 2), mention.start)
    )


def extract_count(text: str) -> int | None:
    """Head count of a visit, from normalised text: 两个木工一个电工 3, 我跟两个同事 3,
    一家三口加他丈母娘 4, 十五六个人 16, 我外甥今晚到 1; None when the text gives no way
    to know (几个朋友, 我叔叔他们一家子, 搬家公司)."""
    return count_and_mentions(text)[0]


def count_and_mentions(text: str) -> tuple[int | None, bool]:
    """`extract_count`, and whether the text mentions people at all: a registration that
    names nobody countable (李建国 明天来, a plate alone) is one visitor to the caller, one
    with people of unknown number (几个朋友) is not."""
    text = english_party(text)
    if "x" in text or "×" in text or "*" in text:
        text = _TIMES.sub(r"\1个", text)  # 同学 x3 -> 同学3个
    masked = _MASK.sub(_blank, text)
    mentions = read_mentions(masked)
    if not mentions:
        return None, False
    return _tally(masked, _visitors(masked, mentions)), True


# The sender (and whoever is with them) going out: not visitors (我和我老公今晚要出门 婆婆八点过来).
_GOING_OUT = re.compile(r"(?:我|我们|俺)[^,.!?]{0,10}?(?:要|得)?(?:出门|出差|不在家|上班去)")


# A number taken back: 三个 哦不对 两个, 四个人来 呃 五个, 3 ppl... no wait 4 ppl.
_CORRECTED = re.compile(r"哦不对?|不对|哦不是|不是不是|呃|说错了|no wait|sorry")


def _visitors(text: str, mentions: list[Mention]) -> list[Mention]:
    """The mentions that can be visitors: not the household going out, not a number taken
    back. (The sender bringing people home, 我带两个朋友回来, is counted with them: most
    residents mean so.)"""
    if any(m.numeric for m in mentions):
        for fix in _CORRECTED.finditer(text):
            before = [m for m in mentions if m.end <= fix.start()]
            after = [m for m in mentions if m.start >= fix.end()]
            if any(m.numeric for m in before) and any(m.numeric for m in after):
                # 两个 不对 三个 漏算我妈了: the new number counts them all.
                mentions = after[:1] if after[0].numeric else after
    if "出" in text or "不在家" in text or "上班" in text:
        out = _GOING_OUT.search(text)
        if out is not None:
            rest = [m for m in mentions if m.start >= out.end()]
            if rest:
                return rest
    return mentions
