"""Text normalisation: width, case, emoji, punctuation, Cantonese, traditional, homophones.

Everything downstream (lexicon, urgency, slots) reads the normalised text only, so each
pattern needs to be written once, in simplified Mandarin with half-width characters.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import opencc

from nlu.datafiles import rows
from nlu.matcher import PhraseMatcher

# Messages are chat lines; anything longer is pasted junk. Capping keeps worst-case cost
# bounded without affecting real traffic.
MAX_CHARS = 2000

_PUNCT_MAP = {
    "。": ".",
    "、": ",",
    "【": "[",
    "】": "]",
    "「": '"',
    "」": '"',
    "『": '"',
    "』": '"',
    "“": '"',
    "”": '"',
    "‘": "'",
    "’": "'",
    "《": "<",
    "》": ">",
    "〈": "<",
    "〉": ">",
    "…": "...",
    "—": "-",
    "～": "~",
    "·": "·",
    "•": "·",
    "・": "·",
    "‧": "·",
}

# Emoji and pictograph blocks: removed from the text (after their meaning is read) so they
# cannot split or glue words.
_EMOJI_RANGES = (
    (0x1F000, 0x1FAFF),
    (0x2600, 0x27BF),
    (0x2B00, 0x2BFF),
    (0x2190, 0x21FF),
    (0x2300, 0x23FF),
    (0xFE00, 0xFE0F),
    (0x1F1E6, 0x1F1FF),
    (0xE0000, 0xE007F),
    (0x20E3, 0x20E3),  # the keycap mark of 5️⃣
)


def _build_translation() -> dict[int, str | None]:
    table: dict[int, str | None] = {}
    for code in range(0xFF01, 0xFF5F):  # full-width ASCII block
        table[code] = chr(code - 0xFEE0)
    table[0x3000] = " "
    for code in range(0x20):  # control characters break nothing but also mean nothing
        table[code] = " "
    table[0x7F] = " "
    for code in range(0x80, 0xA0):
        table[code] = " "
    for code in (0x200B, 0x200C, 0x200D, 0x2060, 0xFEFF, 0x00AD):  # zero-width marks
        table[code] = ""
    for code in range(0xD800, 0xE000):  # lone surrogates (possible in Python str)
        table[code] = " "
    for lo, hi in _EMOJI_RANGES:
        for code in range(lo, hi + 1):
            table[code] = " "
    for code in range(ord("A"), ord("Z") + 1):
        table[code] = chr(code + 32)
    for code in range(0xFF21, 0xFF3B):  # full-width capitals go straight to lower case
        table[code] = chr(code - 0xFEE0 + 32)
    for src, dst in _PUNCT_MAP.items():
        table[ord(src)] = dst
    return table


_TRANSLATION = _build_translation()
_BMP_LAST = 0xFFFF
_REPEATS = re.compile(r"([!?.,~·\-*#=_^])\1+|\s{2,}")
_SPACE_RUN = re.compile(r"\s+")
# Voice input writes 下午/上午 as 下五/上五 (xiawu/shangwu). Both are ordinary text too
# (剩下五个, 楼上五楼), so homophones.tsv cannot list them; they are fixed only where the
# reading is certain: after a day (明天下五, 周六上五) or at the start of a phrase, and
# right before a clock time (下五三点, 上五10点, 下五 3:30).
_HALF_DAY_TYPO = re.compile(
    r"(?:(?<=[天日儿今明号,\s])|(?<=[周期拜][一二三四五六日天末1-7])|^)([上下])五"
    r"(?=\s?(?:[0-9]{1,2}|[一二三四五六七八九十两][一二三四五六七八九十]?)\s?[点时:])"
)


class Replacer:
    """Longest-match, left-to-right, non-overlapping phrase replacement. Identity entries
    (天花板 -> 天花板) protect longer words from a shorter key (天花 -> 天花板)."""

    __slots__ = ("_mapping", "_matcher")

    def __init__(self, mapping: Mapping[str, str]) -> None:
        self._mapping = dict(mapping)
        self._matcher = PhraseMatcher(self._mapping)

    def apply(self, text: str) -> str:
        # Most messages hold no key: one C-level search answers that.
        if not self._matcher.search(text):
            return text
        out: list[str] = []
        last = 0
        for pos, phrase in self._matcher.finditer(text):
            out.append(text[last:pos])
            out.append(self._mapping[phrase])
            last = pos + len(phrase)
        if not out:
            return text
        out.append(text[last:])
        return "".join(out)


def _opencc_dict_dir() -> Path:
    return Path(str(opencc.__file__)).resolve().parent / "dictionary"


class TradToSimp:
    """OpenCC's t2s conversion (its TSPhrases + TSCharacters dictionaries, longest match
    first), applied with `str.translate` and a phrase matcher instead of OpenCC's
    pure-Python tree walk, which costs tens of microseconds per message.

    Messages without any character OpenCC would change skip even that (one regex scan).
    """

    __slots__ = ("_chars", "_matcher", "_may_change", "_phrases")

    def __init__(self) -> None:
        base = _opencc_dict_dir()
        chars: dict[int, str] = {}
        for key, value in _read_opencc(base / "TSCharacters.txt"):
            if len(key) == 1 and key != value:
                chars[ord(key)] = value
        phrases: dict[str, str] = {}
        seen: dict[str, int] = {}  # how many simplified phrases hold each character
        for key, value in _read_opencc(base / "TSPhrases.txt"):
            for ch in set(value):
                seen[ch] = seen.get(ch, 0) + 1
            # Only phrases whose reading differs from character-by-character conversion
            # need the matcher (乾淨 is just 干净; 乾隆 must stay 乾隆).
            if key.translate(chars) != value:
                phrases[key] = value
        # A text without any of these is left unchanged: a phrase holding a character the
        # character table converts needs that character, and each of the few phrases of
        # unconverted characters alone (反覆, 藉口) needs one of `_cover`'s. (Every character
        # of every phrase sent 9 in 10 plain Mandarin messages down the slow path for nothing.)
        converted = frozenset(map(chr, chars))
        pure = [key for key in phrases if converted.isdisjoint(key)]
        changed = converted | _cover(pure, seen)
        self._chars = chars
        self._phrases = phrases
        self._matcher = PhraseMatcher(phrases)
        # As a regex class, the test is a C scan of the text (a set's isdisjoint makes a
        # string object of every character). Characters beyond the BMP would turn the class
        # into a linear list, so any of them takes the slow path, which is always right.
        bmp = "".join(re.escape(ch) for ch in sorted(changed) if ord(ch) <= _BMP_LAST)
        self._may_change = re.compile(f"[{bmp}\U00010000-\U0010ffff]")

    def convert(self, text: str) -> str:
        if self._may_change.search(text) is None:
            return text
        chars = self._chars
        out: list[str] = []
        last = 0
        for pos, phrase in self._matcher.finditer(text):
            # Phrase output is final: 乾隆 must not become 干隆 in the character pass.
            out.append(text[last:pos].translate(chars))
            out.append(self._phrases[phrase])
            last = pos + len(phrase)
        out.append(text[last:].translate(chars))
        return "".join(out)


def _cover(phrases: list[str], seen: dict[str, int]) -> frozenset[str]:
    """Characters such that each phrase holds one: greedily the character shared by the
    most phrases still uncovered, which is the odd one they exist for (覆, 藉, 瞭), not a
    common one (一, 不, 反) that would send ordinary messages down the slow path; on a tie
    the one fewer simplified phrases of OpenCC's hold (衹 rather than 得 in 衹得)."""
    chosen: set[str] = set()
    left = [set(p) for p in phrases]
    while left:
        counts: dict[str, int] = {}
        for chars in left:
            for ch in chars:
                counts[ch] = counts.get(ch, 0) + 1
        pick = max(sorted(counts), key=lambda ch: (counts[ch], -seen.get(ch, 0)))
        chosen.add(pick)
        left = [chars for chars in left if pick not in chars]
    return frozenset(chosen)


def _read_opencc(path: Path) -> list[tuple[str, str]]:
    entries: list[tuple[str, str]] = []
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            key, _, value = line.rstrip("\n").partition("\t")
            if key and value:
                entries.append((key, value.split(" ")[0]))  # first candidate, like OpenCC
    return entries


def load_mapping(name: str, converter: TradToSimp | None = None) -> dict[str, str]:
    """Read a `from<TAB>to` file. Multi-character traditional keys also get their
    simplified spelling (staff write 聽日 once; 听日 from a simplified keyboard matches too).
    Single characters are taken only as written, because some (係 -> 系) collide with
    ordinary Mandarin once simplified."""
    mapping: dict[str, str] = {}
    for fields in rows(name, 1, 2):
        # An empty right-hand side deletes the word (Cantonese sentence particles).
        key, value = fields[0].lower(), fields[1] if len(fields) > 1 else ""
        mapping.setdefault(key, value)
        if converter is not None and len(key) > 1:
            mapping.setdefault(converter.convert(key), value)
    return mapping


@dataclass(frozen=True, slots=True)
class Normalizer:
    cantonese: Replacer
    homophones: Replacer
    t2s: TradToSimp
    # WeChat sticker codes ([抱拳]) -> emoji, applied to the raw text before anything reads
    # it (the emoji carry meaning; the codes' words would be read as words: [炸弹]).
    stickers: Replacer

    def normalize(self, text: str) -> str:
        if len(text) > MAX_CHARS:
            text = text[:MAX_CHARS]
        text = text.translate(_TRANSLATION)
        text = _REPEATS.sub(_collapse, text).strip()
        text = self.cantonese.apply(text)
        text = self.t2s.convert(text)
        text = self.homophones.apply(text)
        if "五" in text:
            text = _HALF_DAY_TYPO.sub(r"\1午", text)
        return text


def _collapse(match: re.Match[str]) -> str:
    return match.group(1) or " "


def build_normalizer() -> Normalizer:
    converter = TradToSimp()
    # Sticker codes are matched exactly as WeChat sends them ([OK] is not [ok]).
    stickers = {fields[0]: fields[1] for fields in rows("stickers.tsv", 2)}
    return Normalizer(
        cantonese=Replacer(load_mapping("cantonese.tsv", converter)),
        homophones=Replacer(load_mapping("homophones.tsv")),
        t2s=converter,
        stickers=Replacer(stickers),
    )
