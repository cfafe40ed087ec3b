"""Longest-match phrase spotting, independent of word segmentation."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

# Up to this many distinct first characters, the whole scan is one trie-shaped regex run in
# C (measured on the dev messages: the Cantonese, homophone, area and category tables scan
# 1.4-5x faster, no match found costs one `search`). With more, the regex engine's linear
# walk over the first-character alternatives at each candidate position costs more than the
# Python walk (the 600-first-character intent lexicon scans 2x slower as a regex).
_TRIE_FIRSTS = 300


def trie_pattern(phrases: Iterable[str]) -> str:
    """A regex matching exactly `phrases`, longest first at each position: one alternative
    per distinct next character, so the engine never tries two branches past their first
    character, and a phrase that is also a prefix of a longer one ends in a greedy `?`
    (the longer is tried first). Non-capturing only, so `findall` returns the matches."""
    trie: dict[str, Any] = {}
    for phrase in phrases:
        node = trie
        for ch in phrase:
            node = node.setdefault(ch, {})
        node[""] = {}  # end of a phrase

    def build(node: dict[str, Any]) -> str:
        alts = [re.escape(ch) + build(child) for ch, child in sorted(node.items()) if ch]
        if not alts:
            return ""
        body = alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"
        if "" not in node:
            return body
        return (f"(?:{body})" if len(alts) == 1 else body) + "?"

    return build(trie)


class PhraseMatcher:
    """Finds known phrases left to right, longest first, without overlaps.

    At each position, one set lookup per phrase length that starts with that character
    decides (cheaper than trying every phrase). A message with none of the first
    characters costs one set test.
    """

    __slots__ = ("_firsts", "_lengths", "_pairs", "_phrases", "_positions", "_singles", "_trie")

    def __init__(self, phrases: Iterable[str]) -> None:
        self._phrases = frozenset(p for p in phrases if p)
        lengths: dict[str, set[int]] = {}
        for phrase in self._phrases:
            lengths.setdefault(phrase[0], set()).add(len(phrase))
        self._lengths = {ch: tuple(sorted(ls, reverse=True)) for ch, ls in lengths.items()}
        self._firsts = frozenset(lengths)
        # Common characters start many phrases (下 in 下晝, 有 in 有冇): the first two
        # characters rule out most positions with one set test before any slicing by length.
        self._pairs = frozenset(p[:2] for p in self._phrases if len(p) > 1)
        self._singles = frozenset(p for p in self._phrases if len(p) == 1)
        self._positions: re.Pattern[str] | None = None
        self._trie: re.Pattern[str] | None = None
        if 0 < len(lengths) <= _TRIE_FIRSTS:
            chars = "".join(re.escape(ch) for ch in sorted(lengths))
            self._positions = re.compile(f"[{chars}]")  # find_overlapping's candidates
            self._trie = re.compile(trie_pattern(self._phrases))

    def find_all(self, text: str) -> list[str]:
        """The matched phrases, in order."""
        if self._trie is not None:
            return self._trie.findall(text)
        return [phrase for _, phrase in self.finditer(text)]

    def search(self, text: str) -> bool:
        """Whether `finditer` would find anything."""
        if self._trie is not None:
            return self._trie.search(text) is not None
        return self.first(text) is not None

    def _starts(self, text: str) -> list[int]:
        """Positions where some phrase could start (its first two characters are there)."""
        if self._positions is not None:
            starts = [m.start() for m in self._positions.finditer(text)]
        else:
            firsts = self._firsts
            starts = [i for i, ch in enumerate(text) if ch in firsts]
        if not self._singles:
            pairs = self._pairs
            return [i for i in starts if text[i : i + 2] in pairs]
        return starts

    def finditer(self, text: str) -> list[tuple[int, str]]:
        """(start, phrase) for each non-overlapping longest match, left to right."""
        # A set test is much cheaper than any scan: most texts hold no first character.
        if self._trie is not None:
            return [(m.start(), m.group()) for m in self._trie.finditer(text)]
        if self._firsts.isdisjoint(text):
            return []
        # Only the positions holding a first character are tried; a match hides the
        # positions it covers. Same result as a walk over every character, at a fraction
        # of the interpreted steps.
        out: list[tuple[int, str]] = []
        phrases = self._phrases
        lengths = self._lengths
        free = 0
        for pos in self._starts(text):
            if pos < free:
                continue
            for size in lengths[text[pos]]:
                candidate = text[pos : pos + size]
                if candidate in phrases:
                    out.append((pos, candidate))
                    free = pos + size
                    break
        return out

    def first(self, text: str) -> str | None:
        """The first phrase `finditer` would report, without scanning further."""
        if self._trie is not None:
            m = self._trie.search(text)
            return m.group() if m is not None else None
        if self._firsts.isdisjoint(text):
            return None
        phrases = self._phrases
        lengths = self._lengths
        for pos in self._starts(text):
            for size in lengths[text[pos]]:
                candidate = text[pos : pos + size]
                if candidate in phrases:
                    return candidate
        return None

    def find_overlapping(self, text: str) -> list[tuple[int, str]]:
        """(start, phrase) for every occurrence of every phrase, overlaps included, by
        start then longest first: 卡住了 and 卡住 are both found (concept lists need not
        agree on which of two nested words a resident will write)."""
        if self._firsts.isdisjoint(text):
            return []
        phrases = self._phrases
        lengths = self._lengths
        out: list[tuple[int, str]] = []
        for pos in self._starts(text):
            for size in lengths[text[pos]]:
                candidate = text[pos : pos + size]
                if candidate in phrases:
                    out.append((pos, candidate))
        return out
