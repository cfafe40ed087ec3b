"""The analysis pipeline and its once-loaded resources."""

from __future__ import annotations

import bisect
import re
import threading
from dataclasses import dataclass
from datetime import datetime
from operator import add
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

import jieba

from nlu import classify
from nlu.categorise import CATEGORY_MODEL_PATH, CategoryModel
from nlu.categorise import load as load_categories
from nlu.categorise import pick as pick_category
from nlu.counts import count_and_mentions
from nlu.lexicon import Lexicon, load_lexicon
from nlu.model import DECISIVE, MODEL_PATH, Model, combine, evidence, sigmoid
from nlu.model import load as load_model
from nlu.normalize import Normalizer, build_normalizer
from nlu.numbers import NUMERAL_CHARS
from nlu.plates import PROVINCES, extract_plate
from nlu.regexgate import GateIndex
from nlu.rooms import extract_room
from nlu.segment import Segmenter
from nlu.slots import (
    extract_bare_ticket,
    extract_phone,
    extract_rating,
    extract_ticket,
    extract_visitor,
)
from nlu.timeparse import parse_visit_time
from nlu.tokenizer import build_tokenizer
from nlu.types import Analysis, Intent
from nlu.urgency import UrgencyPatterns, load_urgency

SHANGHAI = ZoneInfo("Asia/Shanghai")

# An emergency of these kinds says what broke even when no object is named
# ("被困了" is the lift, "返水漫到客厅" the drains).
_KIND_CATEGORY: dict[str, tuple[str, float]] = {
    "gas": ("gas", 3.0),
    "lift": ("lift", 3.0),
    "flood": ("water", 2.0),
    "sewage": ("drain", 3.0),
    "electric": ("electric", 3.0),
    "thrown": ("other", 3.0),
}
_KIND_AREA = {"lift": "电梯"}
# A company or a crew coming, whose size is not known (搬家公司的车 + a plate is no head count).
_CREW = re.compile(r"公司|队|师傅们|工人|一家|家人")
# "kevin下午过来拿东西": an English name opening a registration.
_ENGLISH_NAME = re.compile(
    r"\s?[a-z]{2,14}\s?(?:明天|今天|今晚|下午|上午|晚上|一会儿?|待会|等会)?\s?(?:过来|来|到)"
)
# Times, names and head counts describe a visit only in a visitor registration ("前天就说要来"
# in a complaint is history, "明天上午在家" in a repair is availability, not a visit).
_VISIT_INTENTS = frozenset({Intent.VISITOR})
_CATEGORY_INTENTS = frozenset({Intent.REPAIR, Intent.COMPLAINT, Intent.STATUS})
_DIGITS = frozenset("0123456789")
# Below this confidence the runner-up is a real alternative worth filling slots for.
_UNSURE = 0.6
# Room numbers need a digit or a numeral next to one of these words (3栋, 二单元, 1201室).
_ROOM_MARKERS = frozenset("栋幢楼座单元门室房号户")
_NUMERALS = frozenset(NUMERAL_CHARS)
_LETTERS = frozenset("abcdefghijklmnopqrstuvwxyz")
# Spoken plates ("湘K三B七Q幺") still need the province; their digits may all be spoken.
_PROVINCES = frozenset(PROVINCES)
# Around a lone number in a status or cancel message that is a flat, not a request: 我家1402,
# 住1502, 1402的下水道 (but not 1137的进度).
_FLAT_BEFORE = re.compile(r"(?:家|住|住在|我是|在|到)\s?$")
_FLAT_AFTER = re.compile(r"\s?(?:室|房|户|的(?!进度|单|报修|工单))")
_TICKET_CHARS = frozenset("单号编#消撤废")  # 取消七一零八: spoken digits after a call-off
# Where a number with nothing around it is the request's number.
_TICKET_INTENTS = frozenset({Intent.STATUS, Intent.CANCEL})
# From this urgent probability up to the model's threshold a message is not flagged urgent
# but `urgent_doubt` (the bot asks whether it is an emergency). Round 8 set 0.2 (on
# nlu_train_r8g.tsv before it was trained on, 10 of the 26 missed emergencies were >= 0.2,
# against 7 of 184 calm messages). Round 16, on the folds (learn.out_of_fold) of the
# natural-mix files and the measured blind sets, among messages no pattern flags and no veto
# covers: with the threshold at 0.261 nothing in [0.2, 0.261) was an emergency (0 of 24),
# while [0.1, 0.261) held 11 of the 14 emergencies under the threshold, among 109 messages
# of 12,091 (0.9% asked); under 0.1 were 3 of 11,982.
DOUBT_AT = 0.1


class Reading(NamedTuple):
    norm: str
    tokens: list[str]
    chars: frozenset[str]
    kinds: tuple[str, ...]  # live emergencies (urgent.tsv patterns)
    vetoed: bool  # an emergency matched but was cancelled (没有燃气味了), nothing live
    # The lexicon's fault-category totals ({} too when not looked for: category_read False).
    category_totals: dict[str, float]
    category_read: bool
    rules: classify.Decision  # what the rules alone decide
    bigrams: frozenset[str]  # the normalised text's character bigrams
    emoji: str  # the message's meaningful emoji (emoji.tsv), removed from `norm`


@dataclass(frozen=True, slots=True)
class Engine:
    normalizer: Normalizer
    tokenizer: jieba.Tokenizer
    segmenter: Segmenter  # the tokenizer's HMM-free segmentation, computed faster
    lexicon: Lexicon
    urgency: UrgencyPatterns
    gates: GateIndex  # urgent patterns first, then phrase rules from `rules_offset`
    rules_offset: int
    model: Model | None = None  # the learned layer (nlu/data/model.json), if trained
    # The category layer (nlu/data/category_model.json); without it the lexicon decides.
    categories: CategoryModel | None = None

    def read(self, text: str) -> Reading:
        """Everything the rules find in a message (the learned layer's input too)."""
        if "[" in text:  # WeChat sticker codes ([抱拳]) are read as their emoji
            text = self.normalizer.stickers.apply(text)
        norm = self.normalizer.normalize(text)
        lexicon = self.lexicon
        tokens = self.segmenter.lcut(norm) if norm else []
        emoji = "".join(lexicon.emoji_class.findall(text)) if lexicon.emoji_class else ""
        chars = frozenset(norm)
        bigrams = frozenset(map(add, norm, norm[1:]))  # for the gate and the learned layer
        # One index lookup decides which urgent patterns and phrase rules are worth running.
        candidates = self.gates.candidates(norm, chars, bigrams)
        split = bisect.bisect_left(candidates, self.rules_offset)
        # Run even with no candidate: a calm message (不用来人了) can still be vetoed.
        kinds, vetoed = self.urgency.detect_vetoed(norm, candidates[:split])
        rule_ids = [i - self.rules_offset for i in candidates[split:]]
        scores = classify.score(
            lexicon,
            norm,
            tokens,
            emoji=emoji,
            urgent_kinds=kinds,
            has_category=False,
            rule_ids=rule_ids,
        )
        # The category scan is looked for here only when it can change the scores; a repair
        # or complaint gets it in `analyze` (most other messages never need it).
        totals: dict[str, float] = {}
        category_read = classify.wants_category(scores)
        if category_read:
            totals = self.category_totals(norm, kinds)
            if totals:
                classify.add_category_hint(scores)
        rules = classify.decide(scores)
        # tuple.__new__ builds the Reading without the Python-level __new__ of Reading(...).
        parts = (norm, tokens, chars, kinds, vetoed, totals, category_read, rules, bigrams, emoji)
        return tuple.__new__(Reading, parts)

    def analyze(self, text: str, now: datetime | None = None) -> Analysis:
        """`now` (aware): None means the current time, read only if a visit time needs it."""
        (norm, tokens, chars, kinds, vetoed, totals, category_read, decision, bigrams, emoji) = (
            self.read(text)
        )
        urgent = bool(kinds)
        doubt = False
        model = self.model
        if model is not None and norm:
            # Most messages carry no urgency finding or emoji: no feature-name list to build.
            found = evidence(kinds, vetoed, emoji) if kinds or vetoed or emoji else ()
            # Sure rules keep their intent, but not the last word on urgency: a clear
            # complaint can still be an emergency the patterns do not know.
            if decision.confidence < DECISIVE:
                logits = model.logits(tokens, norm, found, bigrams)
                if logits is not None:
                    decision = combine(decision, logits, model.lam)
                urgent_logit = logits[-1] if logits is not None else None
            elif urgent or vetoed or not (found or model.may_be_urgent(tokens, bigrams)):
                urgent_logit = None  # nothing the model could add
            else:
                urgent_logit = model.urgent_logit(tokens, norm, found, bigrams)
            if urgent_logit is not None and not vetoed:
                chance = sigmoid(urgent_logit)
                urgent = urgent or chance >= model.threshold
                doubt = not urgent and chance >= DOUBT_AT
        slots = self._slots(norm, text, decision, now, chars)
        for kind in kinds:
            if kind in _KIND_AREA and "area" not in slots:
                slots["area"] = _KIND_AREA[kind]
        if decision.intent in _CATEGORY_INTENTS:
            if not category_read:
                totals = self.category_totals(norm, kinds)
            # A complaint names a fault only with a category word; a repair always has one.
            if totals or decision.intent is Intent.REPAIR:
                slots["category"] = self._category(totals, tokens, kinds)
        return Analysis(
            intent=decision.intent,
            confidence=decision.confidence,
            runner_up=decision.runner_up,
            urgent=urgent,
            slots=slots,
            normalized=norm,
            urgent_doubt=doubt,
        )

    def category_totals(self, norm: str, kinds: tuple[str, ...]) -> dict[str, float]:
        """The lexicon's weight per fault category found in the text ({}: none)."""
        totals: dict[str, float] = {}
        categories = self.lexicon.categories
        for phrase in self.lexicon.category_matcher.find_all(norm):
            for cat, weight in categories[phrase]:
                totals[cat] = totals.get(cat, 0.0) + weight
        for kind in kinds:
            if kind in _KIND_CATEGORY:
                cat, weight = _KIND_CATEGORY[kind]
                totals[cat] = totals.get(cat, 0.0) + weight
        return totals

    def _category(self, totals: dict[str, float], tokens: list[str], kinds: tuple[str, ...]) -> str:
        return pick_category(self.categories, totals, tokens, kinds)

    def _slots(
        self,
        norm: str,
        original: str,
        decision: classify.Decision,
        now: datetime | None,
        chars: frozenset[str],
    ) -> dict[str, Any]:
        intent = decision.intent
        slots: dict[str, Any] = {}
        if intent is Intent.RATING:
            rating = extract_rating(norm, original, wordy=True)
            if rating is not None:
                slots["rating"] = rating
        if not norm:
            return slots
        area = self.lexicon.area_matcher.first(norm)
        if area is not None:
            slots["area"] = self.lexicon.areas[area]
        # Cheap character tests first: most messages carry no number and no plate.
        has_digit = not _DIGITS.isdisjoint(chars)
        spelled = not _NUMERALS.isdisjoint(chars) and not _ROOM_MARKERS.isdisjoint(chars)
        room = extract_room(norm) if has_digit or spelled else None
        if room:
            slots["room"] = room
        if not _PROVINCES.isdisjoint(chars) and not _LETTERS.isdisjoint(chars):
            plate = extract_plate(norm)
            if plate:
                slots["plate"] = plate
        phone = extract_phone(norm) if has_digit else None
        if phone:
            slots["phone"] = phone
        # (A status or call-off may read its number out with no cue: 三二零八那个不用了.)
        ticket = (
            extract_ticket(norm)
            if has_digit or not _TICKET_CHARS.isdisjoint(chars) or intent in _TICKET_INTENTS
            else None
        )
        if ticket is None and has_digit and intent in _TICKET_INTENTS:
            ticket = extract_bare_ticket(norm)
            if (
                ticket is not None
                and room
                and ticket in room.values()
                and (len(room) > 1 or _names_flat(norm, ticket))
            ):
                # 5栋2单元1102的报修取消, 我家1402的下水道: the number is the flat; 我的8802呢,
                # 催一下 6012 ask about a request.
                ticket = None
        if ticket:
            slots["ticket_no"] = ticket
            if room and room.get("room") == ticket and len(room) == 1:
                del slots["room"]  # "1024进度": the number is the ticket, not a flat
        # A close second guess of "visitor" still gets its visit slots, so a handler that
        # asks "您是要登记访客吗?" has them at hand.
        close_visitor = decision.runner_up is Intent.VISITOR and decision.confidence < _UNSURE
        if intent in _VISIT_INTENTS or close_visitor:
            count, mentioned = count_and_mentions(norm)
            name = extract_visitor(norm)
            if name:
                slots["visitor_name"] = name
            # Nobody countable named, but someone is coming: a name (李建国 明天来), an
            # English name, a car or a phone number is one visitor (not a crew: 搬家公司).
            if (
                count is None
                and not mentioned
                and (name or _ENGLISH_NAME.match(norm) or "plate" in slots or "phone" in slots)
                and not _CREW.search(norm)
            ):
                count = 1
            if count is not None:
                slots["count"] = count
            when = parse_visit_time(norm, now if now is not None else now_shanghai())
            if when is not None:
                slots["visit_time"] = when.text
                slots["visit_at"] = when.at
        return slots


def _names_flat(norm: str, number: str) -> bool:
    """Whether the text says the lone number is the flat (extract_bare_ticket found it once,
    standing alone: not inside a longer run of digits)."""
    found = re.search(rf"(?<![0-9]){number}(?![0-9])", norm)
    if found is None:
        return False
    start, end = found.span()
    return bool(
        _FLAT_BEFORE.search(norm[max(0, start - 3) : start]) or _FLAT_AFTER.match(norm, end)
    )


_engine: Engine | None = None
_lock = threading.Lock()


def _build(*, with_model: bool = True) -> Engine:
    """The engine; without the learned layer for training it (`nlu.learn`)."""
    lexicon = load_lexicon()
    urgency = load_urgency()
    urgent_gates = urgency.gates()
    rule_gates = [rule.pattern.gate for rule in lexicon.rules]
    tokenizer = build_tokenizer(lexicon.user_words)
    return Engine(
        normalizer=build_normalizer(),
        tokenizer=tokenizer,
        segmenter=Segmenter(tokenizer),
        lexicon=lexicon,
        urgency=urgency,
        gates=GateIndex(urgent_gates + rule_gates),
        rules_offset=len(urgent_gates),
        model=load_model(MODEL_PATH) if with_model else None,
        categories=load_categories(CATEGORY_MODEL_PATH) if with_model else None,
    )


def get_engine() -> Engine:
    """The loaded engine, built on first use (thread-safe, exactly once)."""
    engine = _engine
    if engine is None:
        with _lock:
            engine = _engine
            if engine is None:
                engine = _build()
                _publish(engine)
    return engine


def _publish(engine: Engine) -> None:
    global _engine  # noqa: PLW0603 - the one cache of loaded dictionaries
    _engine = engine


def now_shanghai() -> datetime:
    return datetime.now(SHANGHAI)
