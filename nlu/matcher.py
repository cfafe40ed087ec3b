"""Longest-match phrase spotting, independent of word segmentation."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator


class PhraseMatcher:
    """Finds known phrases left to right, longest first, without overlaps.

    One character-class regex jumps to positions where some phrase starts; there, one set
    lookup per phrase length that starts with that character decides (cheaper than trying
    every phrase). A message with none of the first characters costs one set test.
    """

    __slots__ = ("_firsts", "_lengths", "_phrases", "_trigger")

    def __init__(self, phrases: Iterable[str]) -> None:
        self._phrases = frozenset(p for p in phrases if p)
        lengths: dict[str, set[int]] = {}
        for phrase in self._phrases:
            lengths.setdefault(phrase[0], set()).add(len(phrase))
        self._lengths = {ch: tuple(sorted(ls, reverse=True)) for ch, ls in lengths.items()}
        self._firsts = frozenset(lengths)
        chars = "".join(sorted(lengths))
        self._trigger = re.compile("[" + re.escape(chars) + "]") if chars else None

    def find_all(self, text: str) -> list[str]:
        """The matched phrases, in order."""
        return [phrase for _, phrase in self.finditer(text)]

    def finditer(self, text: str) -> Iterator[tuple[int, str]]:
        """Yield (start, phrase) for each non-overlapping longest match."""
        trigger = self._trigger
        # A set test is much cheaper than a regex scan over a large CJK character class.
        if trigger is None or self._firsts.isdisjoint(text):
            return
        phrases = self._phrases
        lengths = self._lengths
        match = trigger.search(text)
        while match is not None:
            pos = match.start()
            nxt = pos + 1
            for size in lengths[text[pos]]:
                candidate = text[pos : pos + size]
                if candidate in phrases:
                    yield pos, candidate
                    nxt = pos + size
                    break
            match = trigger.search(text, nxt)
