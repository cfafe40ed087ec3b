"""Emergencies: gas, people trapped in a lift, flooding, sewage, fire, live wires, falling
objects, injuries. Missing one is the worst mistake the NLU can make, so patterns are broad
and only an explicit negation or resolution next to the hit cancels it."""

from __future__ import annotations

import re
from dataclasses import dataclass

from nlu.datafiles import DataFileError, rows
from nlu.regexgate import GatedPattern, GateIndex, first_chars, guarded

# A hit preceded by one of these ("没有燃气味了", "不是着火") is not an emergency. ("是不是中风"
# is a fear, not a denial; "会不会着火" stays a question about what might happen.)
_NEG_BEFORE = re.compile(
    r"(?:没有|没|無|无|(?<!是)不是|不再|不会|并没有|并没|未|别|(?<!是)不)"
    r"(?:什么|啥|任何|再|人|有人|楼里|家里|屋里|闻到|闻见|感觉到|再冒|冒)?$"
)
# A hit followed by its resolution ("燃气味已经散了", "水已经关掉了") is not an emergency now.
# (A door or window opened to air a gas smell is not: "煤气味很重 窗和门开了"; an opened door
# ends only a lift's entrapment.)
_RESOLVED_AFTER = re.compile(
    r"^[^,.!?;]{0,10}?(?:没(?:有)?了(?!知觉|呼吸|反应|意识|动静|气息)|散了|消失了|已经好了|修好了|已经修好|解决了|处理好了|处理完了|没事了"
    r"|已经停了|不漏了|止住了|救出来了|被救出来|人出来了|火灭了|扑灭|找到了|找着了|找回来了|已经找到|(?<![窗户门])已经打开了|(?:电梯|梯|轿厢)门?(?:已经)?(?:打)?开了(?!一半|一条|一点|个缝)"
    r"|门开了[^,.!?]{0,4}(?:人出来|出来了|救出|没事)|(?:来|查|测|看)过了|送(?:去)?医院了|送医了"
    r"|(?:正在|在)抢修|抢修中|警察来了|火是灭了|早就?灭了|已经在修|在修了"
    r"|没砸到人|没砸着人|没砸到|幸亏没砸|没伤到人"
    # "冒了点烟就关机了 现在凉了", "开窗散完了".
    r"|凉了|不冒了|不冒烟了|散完了|散干净了|散掉了|散出去了"
    # "瓷砖掉了 已经补上了", "冰溜子给敲掉了", "铁皮翘起来了一点 不会掉".
    r"|补上了|补好了|敲掉了|清掉了|不会掉|掉不下来"
    # Round 19: the thing taken out of harm's way ("锂电池鼓包了 已经拆下来了").
    r"|已经(?:拆下来|拔掉|拔下来|扔掉|关掉|断开|拿出去)了?)"
)
# ...unless more is about to come down: "窗户整扇掉下去了 还好没砸着人 旁边那扇也松了".
_MORE_TO_FALL = re.compile(r"也(?:松了|松动|快掉|要掉|在晃|晃了|裂了|歪了)|还(?:挂着|吊着|悬着)")
# A lift's entrapment ends when the people are out ("刚才困在电梯里 现在人已经出来了"), anywhere
# after the hit, unless someone is still inside ("两个出来了 还有一个在里面"). Only for lifts:
# "煤气味很大 我已经出来了" is an evacuation, not an end.
_LIFT_RESOLVED = re.compile(
    r"(?:人|我|他|她|孩子|小孩|老人|大家)(?:都|也)?(?:已经)?(?:自己)?(?:出来了|救出来了|被救出来)"
    r"|已经出来了"
    # "困咗我喺入面五分鐘先開": the door opened after a while.
    r"|(?:分钟|一会儿?|半天)(?:才|先)(?:开|打开|出来)"
)
_LIFT_INSIDE = re.compile(r"在里面|在里头|在里边|没出来|出不来|困着|关着")
# "上个月困梯那次…", "外墙掉砖那事": the hit names an event that is over, whatever follows.
_PAST_AFTER = re.compile(
    r"(?:的|了)?(?:那次|那回|那事|那件事|那个事|的事|的那次|的那天|那天|那晚|那夜|那个报修|那单|那个单"
    # "那个冒烟的单子取消吧": a request already made, talked about.
    r"|的单子|的工单|的报修单|的那个(?:单子?|报修)?(?:取消|撤|不用)|的?(?:那条|这条)?新闻)"
    # "燃气漏过一回", "楼上水管爆过一次": 过 tells of something that happened before.
    r"|过(?:一|两|几|好几)?(?:回|次)"
    # "上次着火以后换的那个烟感", "困人以后说要换主板": what was done after it.
    r"|(?:以后|之后|过后)(?:说|换|修|装|就一直|你们|物业|一直没|到现在)"
)
# Someone is in there now: "十分钟前报的电梯关人 怎么还没人来 里面有个孕妇".
_WHO_INSIDE = r"(?:个|一个|[两几三]个)?(?:人|孕妇|老人|小孩|孩子|宝宝|娃|婴儿)"
_SOMEONE_INSIDE = r"里面(?:还)?有" + _WHO_INSIDE
# ...unless the message says it is still going on: "刚报的电梯关人那个单子有人接了没 我妈还在里面",
# "插座冒黑烟的事现在还在冒".
_STILL = re.compile(
    r"还在(?:里面|里头|冒|漏|喷|流|响|烧|滴|晃|涨|往)|现在还|现在已经(?!好|没|修|解决|不|处理)"
    r"|越来越|更(?:大|浓|冲|多|厉害)了|还躺|还倒在|还是不动|仍然|依然"
    # "燃气味那个报修 现在味道还在", "外墙掉砖那单 下面还有人在走", "里面还有个孕妇" (not "困人那次
    # ... 里面有老人": what it was like then).
    r"|(?:味|味道|气味|烟)[^,.!?]{0,2}还在|还有人在|里面还有" + _WHO_INSIDE
)
# "新闻里说隔壁小区着火了", "刷到个电梯困人的视频": someone else's emergency, seen on a
# screen.
_MEDIA_BEFORE = re.compile(
    # (Places elsewhere were tried and dropped: "刚从老家回来 一开门满地水", "我在公司 看家里
    # 监控", "燃气公司电话打不通 我家煤气一直漏" are emergencies.)
    # A home camera's video is not excused (看家里视频 客厅全是水), nor is word passed round
    # by neighbours (朋友圈里邻居说3栋着火了): both may be about this estate, now.
    r"(?:新闻|短视频|视频号|看了个视频|电影|电视剧|电视里|电视上|动画片|抖音|快手|刷到|网上看到|小说|游戏|灾难片|纪录片|做梦|梦见|梦到|作文|作业题|竞赛|考题|隔壁小区|别的小区|其他小区|听说)"
    r"[^.!?;]{0,16}$"
)
# "我还以为哪着火了": what the writer took it for, then found it was not; but "我以为只是漏水
# 结果满地都是水" and "本来以为没事 现在煤气味越来越浓" are the opposite.
_MISTAKEN_BEFORE = re.compile(r"以为(?:(?!结果|没想到|谁知|竟然|现在|其实|真的|后来)[^.!?;]){0,8}$")
# "真着火了往上跑怎么办", "真着火了跑都跑不出去": the emergency imagined, to make a point about
# an escape route. Only that point excuses it: "真的着火了 怎么办" is a cry for help.
_IMAGINED = re.compile(r"(?:真要|真的要|要是真|(?<![的])真)$")
_IMAGINED_AFTER = re.compile(
    r"^[^.!?;]{0,8}?(?:往上跑|往哪跑|往哪逃|跑都跑不|跑不出去|逃不出去|进不来|开不进来|谁都跑不掉"
    r"|怎么进|怎么出去|也回这么慢)"
)
# "水管爆了物业负责赔吗": who pays for an emergency is asked after it, not during it.
_LIABILITY_AFTER = re.compile(
    r"^[^.!?;]{0,12}?(?:谁负责|谁来赔|谁赔|负责赔|赔吗|赔偿|损失谁|损失登记|保险理赔|归谁管)"
)
# "万一/如果 ... 怎么办": a question about procedure, not an emergency in progress.
_HYPOTHETICAL = re.compile(
    r"(?:万一|如果|假如|要是|假设|遇到|发生|要不是|提前了解)[^,.!?;]{0,12}$"
    # "以后家里水管爆了找谁" opens with the future (but "回家以后发现水管爆了" is a report).
    r"|(?:^|[\s,.!?;])(?:以后|将来|到时候)[^,.!?;]{0,12}$"
    # "容易着火", "可能会爆炸": what might happen. (会不会 is a safe phrase, for fire only:
    # "会不会是煤气漏了" is a fear of what is happening now.)
    r"|容易(?:[夹砸撞烫摔绊]|被)?$|可能会$"
    # "防止燃气泄漏", "预防水管冻裂": a precaution right before the hit. (Not 怕/担心: "我头晕
    # 怕是煤气中毒" is a fear of what is happening.)
    r"|(?:防止|避免|预防|以防)$"
    # A child's question ("孩子问着火了为什么不能坐电梯").
    r"|(?:孩子|小孩|女儿|儿子)问(?:我)?$"
)
# "次次落大雨都水浸", "一下雨就淹": what happens every time, unless it is happening now too
# ("每次楼上冲厕所 我家下水道就往外涌粪水 现在客厅都是").
_HABITUAL = re.compile(
    r"(?:每次|次次|每逢|一下雨就?|一下大雨就?|一落雨就?|下(?:场|点|阵)雨就?|年年|天天)[^,.!?;]{0,10}$"
)
# ...or inside or right after the hit: "水管要是爆了", "电梯困人的话拨哪个号".
_HYPOTHETICAL_WORD = re.compile(r"万一|如果|假如|要是|假设|的话|会不会")
# "上次困梯的事你们处理了吗": an emergency that is over, asked about afterwards...
_PAST_BEFORE = re.compile(
    r"(?:上次|上回|上周|上礼拜|上星期|上个月|去年|上年|之前|前阵子|前几天|那次"
    r"|昨天|昨晚|昨儿|前天|前晚|前两天|前些天|前段时间|大前天)[^,.!?]{0,8}$"
    # "昨天报的燃气味", "刚才说的那个焦味": a report already made is a question about it.
    r"|(?:报的|报过的|反映的|投诉的|报修的|说的)(?:那个|这个|那次|那股)?$"
)
# ...unless something says it is happening now ("昨晚开始就有燃气味 一直没散").
_PRESENT = re.compile(
    # (Not 又要: "听日又要落雨 … 上次水浸到楼梯" is a forecast.)
    r"(?<!到)现在(?:又|还|也|正|已经(?!好|没|修|解决|不|处理))|正在|还在|又(?!要)|快来|快点|赶紧|马上|救命|立刻|(?<!应)急(?!救|诊|煞)"
    # (Not 一直想说声谢谢, 到现在也没人来换, 到现在一个多月了: thanks and the estate's delay.)
    r"|一直(?!想|没|不|说|以为|觉得|记得|念叨|感谢)|开始|越来越"
    r"|到现在(?![也都还]?(?:没人|没有人|没得人|一个说法|个说法|没见|没修|没换|没动|没弄|没下文|没给)|[0-9一二三四五六七八九十两几半]+个?多?(?:天|周|星期|礼拜|月|年))"
    # "早上报的煤气味 ... 现在整层楼都是味了": an earlier report that has since got worse.
    r"|现在[^,.!?]{0,4}(?:都是|全是|到处|满)|比刚才|比上次|更(?:大|浓|冲|多|重|厉害)了|"
    + _SOMEONE_INSIDE
)
# The writer says nobody needs to come: every hit in the message is called off.
_CALM = re.compile(
    guarded(
        r"不用(?:来人|派人|过来|上门|来了|上来了|跑一趟|麻烦)|不需要(?:派人|来人|过来)|别跑这一趟"
        r"|不麻烦了|虚惊一场|误会一场|是个误会|是误会|搞错了|现在没事(?![吧吗啊呀?])|不影响(?:用|使用)"
        r"|没人被困|没有人被困|(?<!是)不是漏气|没有漏气|没漏气|说没漏"
        # Round 13: reassurance (燶味係樓下燒緊嘢食 唔使驚), a mistake owned, a false alarm.
        # (Not 别担心/不用怕, said while reporting too; not 报错了, a system's error.)
        r"|不用急|不着急|别紧张|不用紧张|不用惊|看错了|弄错了"
        r"|(?<!不是)(?<!是不是)误报(?![吗?])|只是问问|就是问问|就问问|随便问问|随口问问|随便说说|没出事"
        # Round 16: asking for a number or a skill to keep (发现燃气泄漏打哪个电话 我存一下).
        r"|我存一下|存一下备用|想学一下"
        # A joke owned up to, a rumour asked about.
        r"|开玩笑的|开个玩笑|逗你的|逗你玩|是谣言|谣言吧|是不是谣言|真的假的"
        # ... and in English.
        r"|no need to come|false alarm|never ?mind|all good now"
        # Round 18: the smell gone, the shock gone, the person better, the ambulance not needed.
        r"|(?:就|已经|现在)没(?:味|味道|气味)了|不麻了|缓过来了|不用进(?:来)?了|(?:后来|现在)(?:一直)?好好的"
        r"|(?<!有)没事了(?![吧吗?])|没烟也没火|没有烟也没有火|没烟没火"
        # Someone else's estate ("朋友家楼上着火了 不是咱们小区").
        r"|不是(?:咱们|我们|咱|俺们)的?小区"
        # A lift with nobody inside (a fire in an empty flat is still a fire).
        r"|(?:电梯|梯|轿厢)[^.!?]{0,30}(?:(?:里面|里头)没(?:有)?人(?!回|应|接|理)"
        r"|没(?:有)?人(?:困|关)?在里面)"
    )
)
# A hypothetical next to something happening now is a threat, not a question: "要是再不来修就
# 要淹到楼下了 水一直在漏" must stay urgent (err on urgent).
# (一直没/一直不 is the estate's inaction, not the danger's: "一直没人弄 哪天砸到人谁负责".)
_ONGOING = re.compile(r"再不|一直(?!没|不)|还在|正在|快来|快点|赶紧|马上|救命")
_WINDOW = 6


@dataclass(frozen=True, slots=True)
class UrgencyPatterns:
    patterns: tuple[tuple[str, GatedPattern], ...]
    index: GateIndex
    safe: re.Pattern[str] | None
    # The characters a safe phrase can start with (None: any), so that only those places
    # near a hit are tried.
    safe_firsts: frozenset[str] | None = None

    def detect(self, text: str, candidates: list[int] | None = None) -> tuple[str, ...]:
        """The kinds of live emergencies in normalised text (empty: not urgent).
        `candidates`: the patterns worth running, when the caller has already asked a
        GateIndex built over `gates()` (by default this object's own index)."""
        return self.detect_vetoed(text, candidates)[0]

    def detect_vetoed(
        self, text: str, candidates: list[int] | None = None
    ) -> tuple[tuple[str, ...], bool]:
        """`detect`, and whether some hit was cancelled (negated, resolved, hypothetical,
        past or excused): such a message is not flagged by the learned layer either."""
        kinds: list[str] = []
        vetoed = False
        if candidates is None:
            candidates = self.index.candidates(text, frozenset(text))
        if _CALM.search(text) and not _ONGOING.search(text):
            return (), True
        for i in candidates:
            kind, pattern = self.patterns[i]
            if kind in kinds:
                continue
            regex = pattern.regex
            # Most candidates do not match: a search says so at half a finditer's set-up.
            if regex.search(text) is None:
                continue
            for match in regex.finditer(text):
                if kind == "lift" and _lift_resolved(text, match.end()):
                    vetoed = True
                    continue
                if self._live(text, match.start(), match.end()):
                    kinds.append(kind)
                    break
                vetoed = True
        return tuple(kinds), vetoed

    def gates(self) -> list[frozenset[str] | None]:
        return [pattern.gate for _, pattern in self.patterns]

    def _live(self, text: str, start: int, end: int) -> bool:
        if self.safe is not None and self._excused(text, start, end):
            return False
        if _NEG_BEFORE.search(text[max(0, start - _WINDOW) : start]):
            return False
        if _RESOLVED_AFTER.match(text[end : end + 16]) and not _MORE_TO_FALL.search(text):
            return False
        if _PAST_AFTER.match(text, end) and not _STILL.search(text):
            return False
        if _MEDIA_BEFORE.search(text[max(0, start - 20) : start]):
            return False
        if _MISTAKEN_BEFORE.search(text[max(0, start - 12) : start]) and not _PRESENT.search(text):
            return False
        if (
            _IMAGINED.search(text[max(0, start - 4) : start])
            and _IMAGINED_AFTER.match(text[end : end + 16])
            and not _ONGOING.search(text)
        ):
            return False
        if _LIABILITY_AFTER.match(text[end : end + 24]) and not _ONGOING.search(text):
            return False
        hypothetical = bool(
            _HYPOTHETICAL.search(text[max(0, start - 14) : start])
            or _HYPOTHETICAL_WORD.search(text, start, end + 4)
            # "发大水的时候 电闸谁来拉" (but "洗澡的时候头好晕" inside a hit is a report).
            or text.startswith("的时候", end)
        )
        if hypothetical and not _ONGOING.search(text):
            return False
        if _HABITUAL.search(text[max(0, start - 14) : start]) and not _PRESENT.search(text):
            return False
        past = _PAST_BEFORE.search(text[max(0, start - 14) : start])
        return not (past and not _PRESENT.search(text))

    def _excused(self, text: str, start: int, end: int) -> bool:
        # A safe phrase overlapping the hit (消防演习 around 消防, 抽烟 around 烟) cancels it.
        assert self.safe is not None
        # A phrase starting near the hit may run on past it ("摔了一下 擦破点皮 没什么事"):
        # only where it starts is bounded.
        # (A search from the window's start would scan the rest of a long message for the
        # next safe phrase; each place before the hit's end is tried instead.)
        match = self.safe.match
        firsts = self.safe_firsts
        for pos in range(max(0, start - _WINDOW), end):
            if firsts is None or text[pos] in firsts:
                m = match(text, pos)
                if m is not None and m.end() > start:
                    return True
        return False


def _lift_resolved(text: str, end: int) -> bool:
    out = _LIFT_RESOLVED.search(text, end)
    return out is not None and not _LIFT_INSIDE.search(text, out.end())


def load_urgency() -> UrgencyPatterns:
    """Read urgent.tsv: `kind<TAB>regex` lines, plus `safe<TAB>regex` exclusions."""
    patterns: list[tuple[str, GatedPattern]] = []
    safe: list[str] = []
    for lineno, fields in enumerate(rows("urgent.tsv", 2)):
        kind, pattern = fields
        try:
            compiled = re.compile(pattern)
        except re.error as exc:
            raise DataFileError(f"urgent.tsv entry {lineno + 1}: bad pattern: {exc}") from None
        if kind == "safe":
            safe.append(pattern)
        else:
            patterns.append((kind, GatedPattern(compiled)))
    if not patterns:
        raise DataFileError("urgent.tsv has no patterns")
    joined = "|".join(f"(?:{p})" for p in safe)
    return UrgencyPatterns(
        patterns=tuple(patterns),
        index=GateIndex([p.gate for _, p in patterns]),
        safe=re.compile(joined) if safe else None,
        safe_firsts=first_chars(joined) if safe else None,
    )
