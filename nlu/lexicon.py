"""The editable knowledge in nlu/data/, loaded once into lookup tables."""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from dataclasses import dataclass

from nlu.datafiles import DataFileError, number, rows
from nlu.matcher import PhraseMatcher
from nlu.regexgate import GatedPattern, GateIndex
from nlu.types import Intent

INTENTS: tuple[Intent, ...] = tuple(Intent)
INTENT_INDEX: dict[Intent, int] = {intent: i for i, intent in enumerate(INTENTS)}
CATEGORIES: tuple[str, ...] = (
    "water",
    "drain",
    "electric",
    "gas",
    "door_window",
    "lift",
    "network",
    "wall_ceiling",
    "heating",
    "public_facility",
    "other",
)
# Frequency given to our words in jieba: high enough that the segmenter keeps each one whole
# (漏水, 跳闸, 门禁卡) instead of splitting it along its general-purpose dictionary.
USER_WORD_FREQ = 200_000


@dataclass(frozen=True, slots=True)
class Rule:
    """A phrase rule: if `pattern` matches the normalised text, add `weight` to `intent`."""

    intent: int
    weight: float
    pattern: GatedPattern
    where: str


# A rule as classify.score runs it, without attribute lookups: (its regex's `search`, the
# farthest from the text's end a match can start (see regexgate.tail_width; NO_TAIL when
# unbounded), intent index, weight).
RuleTest = tuple[Callable[[str, int], "re.Match[str] | None"], int, int, float]
NO_TAIL = sys.maxsize


def rule_test(rule: Rule) -> RuleTest:
    tail = rule.pattern.tail
    return rule.pattern.regex.search, tail or NO_TAIL, rule.intent, rule.weight


@dataclass(frozen=True, slots=True)
class Lexicon:
    # token -> ((intent index, weight), ...)
    words: dict[str, tuple[tuple[int, float], ...]]
    # token -> ((category, weight), ...)
    categories: dict[str, tuple[tuple[str, float], ...]]
    # token -> area name as reported in the slot
    areas: dict[str, str]
    rules: tuple[Rule, ...]
    rule_tests: tuple[RuleTest, ...]  # `rules`, one for one
    rule_index: GateIndex
    # emoji character -> ((intent index, weight), ...)
    emoji: dict[str, tuple[tuple[int, float], ...]]
    emoji_class: re.Pattern[str] | None
    # whole-message words: word -> intents it fits (empty set: fits any intent)
    whole: dict[str, frozenset[int]]
    # words jieba must keep whole, with their frequency
    user_words: dict[str, int]
    # Segmentation-independent spotting: keywords hidden inside a longer jieba word
    # (灯不亮 is one word in jieba's own dictionary), and the category / area phrases.
    word_matcher: PhraseMatcher
    category_matcher: PhraseMatcher
    area_matcher: PhraseMatcher


def _intent(name: str, where: str) -> int:
    try:
        return INTENT_INDEX[Intent(name)]
    except ValueError:
        names = ", ".join(i.value for i in INTENTS)
        raise DataFileError(f"{where}: unknown intent {name!r} (use one of: {names})") from None


def _load_weighted(name: str) -> dict[str, tuple[tuple[int, float], ...]]:
    table: dict[str, dict[int, float]] = {}
    for lineno, fields in enumerate(rows(name, 3)):
        where = f"{name} entry {lineno + 1}"
        word = fields[0].lower()
        table.setdefault(word, {})[_intent(fields[1], where)] = number(fields[2], where)
    return {w: tuple(v.items()) for w, v in table.items()}


def _load_categories() -> dict[str, tuple[tuple[str, float], ...]]:
    table: dict[str, dict[str, float]] = {}
    for lineno, fields in enumerate(rows("categories.tsv", 2, 3)):
        where = f"categories.tsv entry {lineno + 1}"
        word, cat = fields[0].lower(), fields[1]
        if cat not in CATEGORIES:
            raise DataFileError(f"{where}: unknown category {cat!r}")
        weight = number(fields[2], where) if len(fields) > 2 else 1.0
        table.setdefault(word, {})[cat] = weight
    return {w: tuple(v.items()) for w, v in table.items()}


def _load_areas() -> dict[str, str]:
    areas: dict[str, str] = {}
    for fields in rows("areas.tsv", 1, 2):
        word = fields[0].lower()
        areas[word] = fields[1] if len(fields) > 1 else fields[0]
    return areas


def _load_rules() -> tuple[Rule, ...]:
    rules: list[Rule] = []
    for lineno, fields in enumerate(rows("rules.tsv", 3)):
        where = f"rules.tsv entry {lineno + 1}"
        try:
            pattern = re.compile(fields[2])
        except re.error as exc:
            raise DataFileError(f"{where}: bad pattern {fields[2]!r}: {exc}") from None
        gated = GatedPattern(pattern)
        rules.append(Rule(_intent(fields[0], where), number(fields[1], where), gated, where))
    return tuple(rules)


def _load_whole() -> dict[str, frozenset[int]]:
    table: dict[str, set[int]] = {}
    for lineno, fields in enumerate(rows("whole.tsv", 2)):
        name, word = fields[0], fields[1].lower()
        entry = table.setdefault(word, set())
        if name != "any":
            entry.add(_intent(name, f"whole.tsv entry {lineno + 1}"))
    return {w: frozenset(v) for w, v in table.items()}


def _load_user_words() -> dict[str, int]:
    words: dict[str, int] = {}
    for fields in rows("userdict.txt", 1, 2):
        where = f"userdict.txt {fields[0]!r}"
        words[fields[0].lower()] = int(number(fields[1], where)) if len(fields) > 1 else 0
    return words


def load_lexicon() -> Lexicon:
    words = _load_weighted("intents.tsv")
    emoji = _load_weighted("emoji.tsv")
    categories = _load_categories()
    areas = _load_areas()
    whole = _load_whole()
    user_words: dict[str, int] = {}
    for word in (*words, *categories, *areas, *whole):
        if len(word) > 1:
            user_words[word] = USER_WORD_FREQ
    for word, freq in _load_user_words().items():
        user_words[word] = freq or USER_WORD_FREQ
    rules = _load_rules()
    emoji_chars = "".join(sorted({ch for key in emoji for ch in key}))
    return Lexicon(
        words=words,
        categories=categories,
        areas=areas,
        rules=rules,
        rule_tests=tuple(map(rule_test, rules)),
        rule_index=GateIndex([r.pattern.gate for r in rules]),
        whole=whole,
        emoji=emoji,
        emoji_class=re.compile("[" + re.escape(emoji_chars) + "]") if emoji_chars else None,
        user_words=user_words,
        word_matcher=PhraseMatcher(words),
        category_matcher=PhraseMatcher(categories),
        area_matcher=PhraseMatcher(areas),
    )
