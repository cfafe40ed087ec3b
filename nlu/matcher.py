"""Longest-match phrase spotting, independent of word segmentation."""

from __future__ import annotations

import re
from collections.abc import Iterable

# Up to this many distinct first characters, a regex character class finds the candidate
# positions faster than a Python loop over the text (measured on the dev messages: area,
# Cantonese and homophone tables gain ~30%); with more, the class test costs more than the
# set test it replaces.
_REGEX_FIRSTS = 250


class PhraseMatcher:
    """Finds known phrases left to right, longest first, without overlaps.

    At each position, one set lookup per phrase length that starts with that character
    decides (cheaper than trying every phrase). A message with none of the first
    characters costs one set test.
    """

    __slots__ = ("_firsts", "_lengths", "_pairs", "_phrases", "_positions", "_singles")

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
        if 0 < len(lengths) <= _REGEX_FIRSTS:
            chars = "".join(re.escape(ch) for ch in sorted(lengths))
            self._positions = re.compile(f"[{chars}]")

    def find_all(self, text: str) -> list[str]:
        """The matched phrases, in order."""
        return [phrase for _, phrase in self.finditer(text)]

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
