"""Intent scores: weighted lexicon tokens (negation-aware) + phrase rules + emoji."""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

from nlu.lexicon import INTENT_INDEX, INTENTS, Lexicon
from nlu.types import Intent

_REPAIR = INTENT_INDEX[Intent.REPAIR]
_COMPLAINT = INTENT_INDEX[Intent.COMPLAINT]
_GREETING = INTENT_INDEX[Intent.GREETING]
_OTHER = INTENT_INDEX[Intent.OTHER]
_ACTIONABLE = tuple(i for i in range(len(INTENTS)) if i not in (_GREETING, _OTHER))
# Greeting and other come last, so the actionable intents are a slice (max over a slice
# is one C call, not a generator).
if tuple(range(len(_ACTIONABLE))) != _ACTIONABLE:
    raise RuntimeError("nlu.types.Intent must list greeting and other last")
_N_ACTIONABLE = len(_ACTIONABLE)

# A word right after one of these (or after one of these + a modal) does not count:
# "不是要修东西" does not ask for a repair, "不想投诉" is not a complaint.
NEGATORS = frozenset(
    {"不", "没", "没有", "不是", "不用", "别", "不要", "不想", "无需", "不需要", "甭", "未", "并非"}
)
_MODALS = frozenset({"要", "想", "用", "需要", "是", "再", "必", "会", "打算", "去", "来", "找"})

# What "nothing recognisable" scores: an intent must beat it to be chosen over `other`.
OTHER_FLOOR = 0.9
# Greeting words open many messages ("你好，我家漏水"); they decide only when no other
# keyword speaks. Whole-message greeting rules (rules.tsv) are not damped.
GREETING_DAMPING = 0.25
# An emergency is a job to dispatch (repair), except a person hurt or in danger, which the
# data labels `other` (a call for help, not a fault of the building), and something thrown
# from a window, which is somebody's behaviour (`complaint`).
URGENT_BOOST: dict[str, tuple[int, float]] = {
    "injury": (_OTHER, 4.0),
    "danger": (_OTHER, 4.0),
    "thrown": (_COMPLAINT, 3.0),
    "help": (_REPAIR, 0.0),
}
_DEFAULT_URGENT_BOOST = (_REPAIR, 3.0)
# A bare object ("电梯", "灭火器压力表...") with nothing else is a fault report.
CATEGORY_HINT = 1.0
# A message made only of whole-message words (whole.tsv) gets this much for their intent.
WHOLE_BONUS = 6.0
# Particles and punctuation that do not change what a short message is.
_FILLERS = frozenset("呀啊吗嘛哈呢吧啦哦喔噢嗯哟呐~!?.,:;'\" -·")
# A token made only of fillers and whitespace (whitespace as str.isspace has it, which is
# also what str.strip removes; none lies above U+3000, the ideographic space): one C-level
# subset test per token.
_LAST_SPACE = 0x3000
_BLANK = _FILLERS | frozenset(ch for ch in map(chr, range(_LAST_SPACE + 1)) if ch.isspace())
# A short reply carrying an evaluation ("速度挺快的 满意") is a rating.
SHORT_RATING_LEN = 14
SHORT_RATING_BONUS = 1.5
_RATING = INTENT_INDEX[Intent.RATING]
# Unknown jieba words at least this long are searched for keywords inside them.
_SUBSCAN_MIN = 3
_BELOW_ALL = float("-inf")


class Decision(NamedTuple):
    # A tuple, not a frozen dataclass: built for every message, and a frozen dataclass's
    # field-by-field object.__setattr__ costs several times a tuple's construction.
    intent: Intent
    confidence: float
    runner_up: Intent | None
    scores: tuple[float, ...]
    # Built with tuple.__new__(Decision, fields) where it is made per message: calling
    # Decision(...) runs the named tuple's Python-level __new__, twice the cost.


def _whole_message(lexicon: Lexicon, tokens: Sequence[str]) -> frozenset[int] | None:
    """The intents every word of the message fits, or None if some word fits none."""
    allowed: frozenset[int] | None = None
    whole = lexicon.whole
    for tok in tokens:
        if _BLANK.issuperset(tok):
            continue  # only fillers and whitespace
        fits = whole.get(tok)
        if fits is None:
            return None
        if fits:
            allowed = fits if allowed is None else allowed & fits
            if not allowed:
                return None
    return allowed


def score(
    lexicon: Lexicon,
    text: str,
    tokens: Sequence[str],
    *,
    emoji: str,
    urgent_kinds: Sequence[str],
    has_category: bool,
    rule_ids: Sequence[int],
) -> list[float]:
    scores = [0.0] * len(INTENTS)
    words = lexicon.words
    seen: set[str] = set()
    for i, tok in enumerate(tokens):
        entry = words.get(tok)
        if entry is None:
            if len(tok) >= _SUBSCAN_MIN:
                for inner in lexicon.word_matcher.find_all(tok):
                    if inner not in seen:
                        seen.add(inner)
                        for idx, weight in words[inner]:
                            scores[idx] += weight
            continue
        if tok in seen:
            continue
        seen.add(tok)
        # After a negator, or a negator + a modal (inline: this runs for every known word).
        if i and (
            tokens[i - 1] in NEGATORS
            or (i >= 2 and tokens[i - 1] in _MODALS and tokens[i - 2] in NEGATORS)
        ):
            continue
        for idx, weight in entry:
            scores[idx] += weight
    if max(scores[:_N_ACTIONABLE]) >= 1.0:
        scores[_GREETING] *= GREETING_DAMPING
    if tokens:
        fits = _whole_message(lexicon, tokens)
        if fits:
            # An acknowledgement that could also be a greeting ("好") is an acknowledgement.
            scores[_OTHER if _OTHER in fits else min(fits)] += WHOLE_BONUS
    if 0 < len(text) <= SHORT_RATING_LEN and scores[_RATING] >= 2.0:
        scores[_RATING] += SHORT_RATING_BONUS
    tests = lexicon.rule_tests
    size = len(text)
    for i in rule_ids:
        search, tail, intent, weight = tests[i]
        if search(text, size - tail if size > tail else 0):
            scores[intent] += weight
    for ch in emoji:
        for idx, weight in lexicon.emoji.get(ch, ()):
            scores[idx] += weight
    if urgent_kinds:  # most messages: none, and no generator to build for nothing
        boosts = [URGENT_BOOST.get(kind, _DEFAULT_URGENT_BOOST) for kind in urgent_kinds]
        if any(idx == _REPAIR and weight > 0 for idx, weight in boosts):
            # Anything broken (gas, water, wires...) makes it a job, even if someone is hurt.
            boosts = [b for b in boosts if b[0] == _REPAIR]
        for idx, weight in dict(boosts).items():
            scores[idx] += weight
    if has_category and max(scores[:_N_ACTIONABLE]) < 1.0:
        scores[_REPAIR] += CATEGORY_HINT
    return scores


def wants_category(scores: list[float]) -> bool:
    """Whether a fault category would change these scores (`score`'s `has_category`): only
    when nothing actionable reached 1, so most messages need not look for one."""
    return max(scores[:_N_ACTIONABLE]) < 1.0


def add_category_hint(scores: list[float]) -> None:
    """What `score(has_category=True)` adds, for a caller that looked for the category only
    after scoring (`wants_category`)."""
    scores[_REPAIR] += CATEGORY_HINT


def decide(scores: list[float]) -> Decision:
    adjusted = scores.copy()
    adjusted[_OTHER] = max(adjusted[_OTHER], OTHER_FLOOR)
    # The winner is the first index holding the maximum, the runner-up the first index
    # holding the maximum of the others (C-level max/index instead of a Python loop).
    s1 = max(adjusted)
    top = adjusted.index(s1)
    adjusted[top] = _BELOW_ALL
    second = adjusted.index(max(adjusted))
    adjusted[top] = s1
    s2 = adjusted[second]
    # s1 >= OTHER_FLOOR > 0 and the runner-up counts from 0: the confidence is in (0, 1).
    confidence = s1 / (s1 + (s2 if s2 > 0.0 else 0.0) + 1.0)
    # The floor given to `other` is no evidence: it is not offered as an alternative.
    real_second = s2 > 0 and not (second == _OTHER and scores[_OTHER] <= 0)
    runner = INTENTS[second] if real_second else None
    return tuple.__new__(Decision, (INTENTS[top], round(confidence, 3), runner, tuple(adjusted)))
