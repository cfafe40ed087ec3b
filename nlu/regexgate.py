"""Skip a regex cheaply when the text has none of the characters a match must start with.

Most messages contain none of the first characters of most patterns, and a set
disjointness test over a short string is far cheaper than a regex scan. The first-character
set is read from Python's own regex parser, so data-file patterns need no extra annotation.
"""

from __future__ import annotations

import importlib
import re
from operator import add
from typing import Any

# The parser behind `re` (private, but stable across 3.11+); used read-only at start-up.
_parser: Any = importlib.import_module("re._parser")
_MAX_RANGE = 4096
_CATEGORY_CHARS: dict[Any, frozenset[str]] = {
    _parser.CATEGORY_SPACE: frozenset(" \t\n\r\f\v"),
    _parser.CATEGORY_DIGIT: frozenset("0123456789"),
}

# (characters a match can start with, whether the part can match the empty string);
# None: any character (the pattern cannot be gated).
_First = tuple[frozenset[str], bool] | None


def _first_of_seq(items: Any) -> _First:
    chars: set[str] = set()
    for op, av in items:
        part = _first_of_item(op, av)
        if part is None:
            return None
        part_chars, nullable = part
        chars |= part_chars
        if not nullable:
            return frozenset(chars), False
    return frozenset(chars), True


def _first_of_item(op: Any, av: Any) -> _First:
    if op is _parser.LITERAL:
        return frozenset({chr(av)}), False
    if op is _parser.IN:
        chars: set[str] = set()
        for sub_op, sub_av in av:
            if sub_op is _parser.LITERAL:
                chars.add(chr(sub_av))
            elif sub_op is _parser.RANGE and sub_av[1] - sub_av[0] <= _MAX_RANGE:
                chars.update(chr(c) for c in range(sub_av[0], sub_av[1] + 1))
            elif sub_op is _parser.CATEGORY and sub_av in _CATEGORY_CHARS:
                # \s and \d as Python reads them here: ASCII whitespace and digits (the
                # text is normalised to half-width, so full-width forms cannot occur)
                chars.update(_CATEGORY_CHARS[sub_av])
            else:
                return None  # negated class, \s, \d, huge range
        return frozenset(chars), False
    if op is _parser.BRANCH:
        union: set[str] = set()
        nullable = False
        for alt in av[1]:
            part = _first_of_seq(alt)
            if part is None:
                return None
            union |= part[0]
            nullable = nullable or part[1]
        return frozenset(union), nullable
    if op is _parser.SUBPATTERN:
        return _first_of_seq(av[-1])
    if op in (_parser.MAX_REPEAT, _parser.MIN_REPEAT):
        part = _first_of_seq(av[2])
        if part is None:
            return None
        return part[0], part[1] or av[0] == 0
    if op in (_parser.ASSERT, _parser.ASSERT_NOT, _parser.AT):
        return frozenset(), True  # zero-width: look further
    return None


def first_chars(pattern: str) -> frozenset[str] | None:
    """Characters every match of `pattern` starts with, or None if that cannot be bounded."""
    try:
        parsed = _parser.parse(pattern)
    except re.error:
        return None
    result = _first_of_seq(parsed.data)
    if result is None or result[1]:
        return None
    return result[0]


def guarded(pattern: str) -> str:
    """`pattern` behind a lookahead for the characters a match can start with. It changes no
    match, but where the engine finds no literal prefix to scan for (alternatives starting
    with classes, repeats or lookbehinds), it then rejects most places of a message with one
    class test instead of trying every alternative there."""
    firsts = first_chars(pattern)
    if firsts is None:
        return pattern
    # first_chars reads \s and \d as their ASCII members: the class takes them whole, as
    # they also match Unicode spaces and digits.
    spaces = _CATEGORY_CHARS[_parser.CATEGORY_SPACE]
    digits = _CATEGORY_CHARS[_parser.CATEGORY_DIGIT]
    body = "".join(re.escape(ch) for ch in sorted(firsts - spaces - digits))
    if firsts & spaces:
        body += r"\s"
    if firsts & digits:
        body += r"\d"
    return f"(?=[{body}])(?:{pattern})"


# A literal followed by more possible characters than this gates on the literal alone.
_MAX_PAIRS = 6


def _prefixes_of_seq(items: Any) -> set[str] | None:
    """Strings (1 or 2 characters) one of which every match of the sequence starts with."""
    items = list(items)
    for idx, (op, av) in enumerate(items):
        if op in (_parser.ASSERT, _parser.ASSERT_NOT, _parser.AT):
            continue  # zero-width
        rest = items[idx + 1 :]
        if op is _parser.LITERAL:
            head = chr(av)
            # The parser factors shared prefixes out of alternatives (鼓成|鼓起 is read as
            # 鼓(?:成|起)): pair the literal with whatever must follow it, when that is a
            # few known characters, so the gate stays a pair rather than one character.
            follow = _first_of_seq(rest) if rest else None
            if follow is not None and not follow[1] and len(follow[0]) <= _MAX_PAIRS:
                return {head + ch for ch in follow[0]}
            return {head}
        if op is _parser.BRANCH:
            out: set[str] = set()
            for alt in av[1]:
                part = _prefixes_of_seq(alt) if _first_of_seq(alt) not in (None,) else None
                if part is None or not _not_nullable(alt):
                    return _single_chars(items[idx:])
                out |= part
            return out
        if op is _parser.SUBPATTERN and _not_nullable(av[-1]):
            return _prefixes_of_seq(av[-1])
        return _single_chars(items[idx:])
    return None


def _not_nullable(items: Any) -> bool:
    first = _first_of_seq(items)
    return first is not None and not first[1]


def _single_chars(items: Any) -> set[str] | None:
    first = _first_of_seq(items)
    if first is None or first[1]:
        return None
    return set(first[0])


def first_grams(pattern: str) -> frozenset[str] | None:
    """1- or 2-character strings one of which starts every match, or None (ungateable)."""
    try:
        parsed = _parser.parse(pattern)
    except re.error:
        return None
    if not _not_nullable(parsed.data):
        return None
    grams = _prefixes_of_seq(parsed.data)
    return frozenset(grams) if grams else None


# How much more often a message holds a given character than a given character pair (a
# rough guess; only the choice between a pattern's possible gates depends on it).
_SINGLE_COST = 8


def _cost(grams: frozenset[str]) -> int:
    return sum(1 if len(g) > 1 else _SINGLE_COST for g in grams)


def _gate_of_seq(items: Any) -> frozenset[str] | None:
    """The cheapest set of 1-2 character strings one of which every match of the sequence
    contains, or None. The match of the whole sequence contains a match of each of its
    non-empty parts: the grams a later part starts with (燃气 in "(?:我|人)[^,]{0,4}燃气")
    gate as well as the first part's, and a message holds a rare pair far less often than
    one common character."""
    items = list(items)
    options: list[frozenset[str]] = []
    for idx, (op, av) in enumerate(items):
        if op in (_parser.ASSERT, _parser.ASSERT_NOT, _parser.AT):
            continue
        if _not_nullable(items[idx:]):
            grams = _prefixes_of_seq(items[idx:])
            if grams:
                options.append(frozenset(grams))
        inner = _gate_of_item(op, av)
        if inner:
            options.append(inner)
    return min(options, key=_cost) if options else None


def _gate_of_item(op: Any, av: Any) -> frozenset[str] | None:
    """A gate from inside one part of a sequence: the union of its alternatives' gates,
    its group's, or a repeated part's (when it must occur at least once)."""
    if op is _parser.BRANCH:
        union: set[str] = set()
        for alt in av[1]:
            part = _gate_of_seq(alt)
            if part is None:
                return None
            union |= part
        return frozenset(union)
    if op is _parser.SUBPATTERN:
        return _gate_of_seq(av[-1])
    if op in (_parser.MAX_REPEAT, _parser.MIN_REPEAT) and av[0] >= 1:
        return _gate_of_seq(av[2])
    return None


def gate_grams(pattern: str) -> frozenset[str] | None:
    """1- or 2-character strings one of which every match contains, chosen to be as rarely
    present as possible; None when no such set can be bounded (the pattern always runs)."""
    try:
        parsed = _parser.parse(pattern)
    except re.error:
        return None
    return _gate_of_seq(parsed.data)


def _ends_at_end(items: Any) -> bool:
    """Whether every match of the sequence ends with `$` (flags are checked by the caller)."""
    if not items:
        return False
    op, av = items[-1]
    if op is _parser.AT:
        return bool(av is _parser.AT_END)
    if op is _parser.BRANCH:
        return all(_ends_at_end(alt) for alt in av[1])
    if op is _parser.SUBPATTERN and not av[1]:  # a group adding no flag ((?m:...) would)
        return _ends_at_end(av[-1])
    return False


def tail_width(regex: re.Pattern[str]) -> int | None:
    """For a pattern whose every match ends at `$`, how far from the end of the text a
    match can start (its longest match, + 1 for `$` before a final newline); None for
    other patterns. Searching from there finds the same first match, where a pattern such
    as "(?<=[一-龥])(?:吗|呢)$" otherwise tries its lookbehind at every position
    (the lookbehind still sees the characters before the start)."""
    if regex.flags & re.MULTILINE:
        return None
    try:
        parsed = _parser.parse(regex.pattern)
    except re.error:
        return None
    widest = parsed.getwidth()[1]
    if widest >= _parser.MAXREPEAT or not _ends_at_end(parsed.data):
        return None
    return int(widest) + 1


class GatedPattern:
    """A compiled regex with a gate in front of `search`/`finditer`: strings one of which
    every match contains."""

    __slots__ = ("gate", "regex", "tail")

    def __init__(self, pattern: str | re.Pattern[str]) -> None:
        self.regex = re.compile(pattern) if isinstance(pattern, str) else pattern
        self.gate = gate_grams(self.regex.pattern)
        self.tail = tail_width(self.regex)

    def could_match(self, text: str) -> bool:
        return self.gate is None or any(gram in text for gram in self.gate)

    def search(self, text: str) -> re.Match[str] | None:
        return self.regex.search(text) if self.could_match(text) else None


class GateIndex:
    """Which of many gated patterns could match a text.

    Gates are 1- or 2-character strings (see first_grams). Intersecting the message's
    distinct characters and its character bigrams with the gates (two C-level set
    operations) replaces a regex scan per pattern: most patterns start with a
    two-character word (燃气, 电梯) that few messages contain.
    """

    __slots__ = ("_always", "_pair_keys", "_pairs", "_single_keys", "_singles")

    def __init__(self, gates: list[frozenset[str] | None]) -> None:
        singles: dict[str, list[int]] = {}
        pairs: dict[str, list[int]] = {}
        always: list[int] = []
        for i, gate in enumerate(gates):
            if gate is None:
                always.append(i)
                continue
            for gram in gate:
                (singles if len(gram) == 1 else pairs).setdefault(gram, []).append(i)
        self._singles = {ch: tuple(ids) for ch, ids in singles.items()}
        self._pairs = {gram: tuple(ids) for gram, ids in pairs.items()}
        self._single_keys = frozenset(singles)
        self._pair_keys = frozenset(pairs)
        self._always = tuple(always)

    def candidates(
        self, text: str, chars: frozenset[str], bigrams: frozenset[str] | None = None
    ) -> list[int]:
        """Indexes (ascending) of the patterns that could match `text`; `chars` is
        frozenset(text), `bigrams` its character bigrams (computed when not given)."""
        found = set(self._always)
        singles = self._singles
        for ch in chars & self._single_keys:
            found.update(singles[ch])
        if bigrams is None:
            bigrams = frozenset(map(add, text, text[1:]))
        pairs = self._pairs
        for gram in bigrams & self._pair_keys:
            found.update(pairs[gram])
        return sorted(found)
