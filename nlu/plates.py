"""Licence plates: 湘k·3b7q1 / 湘K 3B7Q1 / 湘K三B七Q幺 -> 湘K3B7Q1; new-energy 8-char plates."""

from __future__ import annotations

import re

from nlu.numbers import DIGITS

# Simplified forms only: the text is already converted from traditional (滬 -> 沪).
PROVINCES = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"
_SPOKEN = "".join(k for k in DIGITS if k not in "俩仨")
_SEP = r"[\s·.\-_]?"
_PLATE = re.compile(
    rf"(?P<prov>[{PROVINCES}])\s?(?P<letter>[a-z]){_SEP}"
    rf"(?P<tail>(?:[a-z0-9{_SPOKEN}]{_SEP}){{4}}[a-z0-9{_SPOKEN}](?:{_SEP}[a-z0-9{_SPOKEN}])?)"
    r"(?![a-z0-9])"
)
# Plates never use I or O; someone who types them means 1 and 0.
_LOOKALIKE = {"o": "0", "i": "1"}


def _canon_char(ch: str) -> str:
    if ch in DIGITS:
        return str(DIGITS[ch])
    return _LOOKALIKE.get(ch, ch).upper()


def _is_new_energy(tail: str) -> bool:
    small = tail[0] in "DF" and tail[2:].isdigit()
    large = tail[:5].isdigit() and tail[5] in "DF"
    return small or large


def extract_plate(text: str) -> str | None:
    """Return the first plate in normalised (lower-case, simplified) text, canonical form."""
    for match in _PLATE.finditer(text):
        chars = [_canon_char(c) for c in match.group("tail") if not _is_sep(c)]
        if len(chars) == 6 and not _is_new_energy("".join(chars)):
            chars = chars[:5]
        tail = "".join(chars)
        # Spoken Chinese after a 5-char plate may have been swallowed as a 6th char only if
        # it was a digit word; a plate with no digit at all is a word, not a plate.
        if not any(c.isdigit() for c in tail):
            continue
        return match.group("prov") + match.group("letter").upper() + tail
    return None


def _is_sep(ch: str) -> bool:
    return ch in " ·.-_" or ch.isspace()
