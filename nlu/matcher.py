"""Longest-match phrase spotting, independent of word segmentation."""

from __future__ import annotations

from collections.abc import Iterable


class PhraseMatcher:
    """Finds known phrases left to right, longest first, without overlaps.

    At each position, one set lookup per phrase length that starts with that character
    decides (cheaper than trying every phrase). A message with none of the first
    characters costs one set test.
    """

    __slots__ = ("_firsts", "_lengths", "_phrases")

    def __init__(self, phrases: Iterable[str]) -> None:
        self._phrases = frozenset(p for p in phrases if p)
        lengths: dict[str, set[int]] = {}
        for phrase in self._phrases:
            lengths.setdefault(phrase[0], set()).add(len(phrase))
        self._lengths = {ch: tuple(sorted(ls, reverse=True)) for ch, ls in lengths.items()}
        self._firsts = frozenset(lengths)

    def find_all(self, text: str) -> list[str]:
        """The matched phrases, in order."""
        return [phrase for _, phrase in self.finditer(text)]

    def finditer(self, text: str) -> list[tuple[int, str]]:
        """(start, phrase) for each non-overlapping longest match, left to right."""
        # A set test is much cheaper than any scan: most texts hold no first character.
        if self._firsts.isdisjoint(text):
            return []
        # Only the positions holding a first character are tried (one list comprehension
        # finds them); a match hides the positions it covers. Same result as a walk over
        # every character, at a fraction of the interpreted steps.
        firsts = self._firsts
        out: list[tuple[int, str]] = []
        phrases = self._phrases
        lengths = self._lengths
        free = 0
        for pos in [i for i, ch in enumerate(text) if ch in firsts]:
            if pos < free:
                continue
            for size in lengths[text[pos]]:
                candidate = text[pos : pos + size]
                if candidate in phrases:
                    out.append((pos, candidate))
                    free = pos + size
                    break
        return out
