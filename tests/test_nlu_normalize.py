"""Normalisation and the editable data files."""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from pathlib import Path

import opencc
import pytest
from pypinyin import Style, lazy_pinyin

from nlu import analyze
from nlu.datafiles import DATA_DIR, DataFileError, rows
from nlu.engine import get_engine
from nlu.learn import LEARNED_FILES
from nlu.lexicon import CATEGORIES, load_lexicon
from nlu.normalize import TradToSimp, load_mapping
from nlu.regexgate import GateIndex, first_grams, gate_grams, tail_width


def norm(text: str) -> str:
    return get_engine().normalizer.normalize(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ＡＢＣ１２３！！！", "abc123!"),
        ("水笼头坏了", "水龙头坏了"),
        ("暖器片不热", "暖气片不热"),
        ("保现丝老是烧", "保险丝老是烧"),
        ("呢度啲燈著唔到", "这里的灯不亮"),
        ("停車月卡喺邊度辦", "停车月卡在哪里办"),
        ("聽日下晝有朋友嚟", "明天下午有朋友来"),
        ("部lift卡咗", "部电梯卡了"),
        ("一個細路仔企咗喺陽台", "一个小孩站了在阳台"),
        ("漏得好犀利 好似落雨咁", "漏得好厉害 好像下雨一样"),
        ("冷氣唔凍", "空调不冻"),
        ("水管爆了😱😱 快来", "水管爆了 快来"),
        ("灯\u200b不亮\x00", "灯不亮"),
        ("天花板漏水", "天花板漏水"),
        ("我要保修", "我要报修"),
        ("保修期过了吗", "保修期过了吗"),
        ("联系物业", "联系物业"),
        # Cantonese time words
        ("聽晚七點過嚟", "明晚七点过来"),
        ("聽朝九點", "明早九点"),
        ("今晚黑八點半", "今晚八点半"),
        ("上晝十點", "上午十点"),
        ("尋晚十一點", "昨晚十一点"),
        # Voice-input 下五/上五 before a clock time, and 今玩
        ("周日下五四点到", "周日下午四点到"),
        ("明天上五9点", "明天上午9点"),
        ("下五 3:30 过来", "下午 3:30 过来"),
        ("今玩八点有客人", "今晚八点有客人"),
        # ... but not where they are ordinary words
        ("剩下五个没修", "剩下五个没修"),
        ("楼上五楼漏水", "楼上五楼漏水"),
        ("楼下五点有人吵", "楼下五点有人吵"),
        ("如今玩手机的多", "如今玩手机的多"),
    ],
)
def test_normalize(text: str, expected: str) -> None:
    assert norm(text) == expected


def test_fast_t2s_matches_opencc() -> None:
    ours = TradToSimp()
    reference = opencc.OpenCC("t2s")
    base = Path(str(opencc.__file__)).parent / "dictionary"
    samples = [
        line.split("\t")[0] for line in (base / "TSPhrases.txt").read_text("utf-8").splitlines()
    ]
    chars = "".join(
        line.split("\t")[0] for line in (base / "TSCharacters.txt").read_text("utf-8").splitlines()
    )
    samples += [chars, "樓道裡好大一股煤氣味 好像是隔壁家傳出來的", "乾隆年間的乾淨衣服"]
    for text in samples:
        assert ours.convert(text) == reference.convert(text), text


def _toneless(text: str) -> list[str]:
    return lazy_pinyin(text, style=Style.NORMAL)


# Voice input confuses these initials and finals; a homophone entry may differ only by them.
_FUZZY = {"zh": "z", "ch": "c", "sh": "s", "n": "l", "ang": "an", "eng": "en", "ing": "in"}


def _fuzzy(syllable: str) -> str:
    for long, short in _FUZZY.items():
        syllable = syllable.replace(long, short)
    return syllable


def test_homophones_sound_alike() -> None:
    """Each wrong spelling must sound (nearly) like its correction: the file is for
    voice-input mistakes, not for synonyms."""
    far = []
    for wrong, right in load_mapping("homophones.tsv").items():
        a, b = _toneless(wrong), _toneless(right)
        if len(a) != len(b):
            far.append((wrong, right))
            continue
        differing = [(x, y) for x, y in zip(a, b, strict=True) if _fuzzy(x) != _fuzzy(y)]
        if len(differing) > 1:
            far.append((wrong, right))
    assert not far


def test_data_files_load_and_use_known_ids() -> None:
    lexicon = load_lexicon()
    assert len(lexicon.words) > 500
    for entries in lexicon.categories.values():
        assert all(cat in CATEGORIES for cat, _ in entries)
    for path in DATA_DIR.iterdir():
        if path.name in LEARNED_FILES:
            continue  # written by `propbot nlu train`, not edited by hand
        head = path.read_text("utf-8").splitlines()[0]
        assert head.startswith("#"), f"{path.name} needs a comment header for staff"


def test_bad_data_line_names_file_and_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "x.tsv").write_text("# header\nword\tintent\n", encoding="utf-8")
    monkeypatch.setattr("nlu.datafiles.DATA_DIR", tmp_path)
    with pytest.raises(DataFileError, match=r"x\.tsv:2"):
        list(rows("x.tsv", 3))


@pytest.mark.parametrize(
    ("text", "intent", "urgent"),
    [
        ("[抱拳][抱拳]", "greeting", False),
        ("好的[OK]", "greeting", False),
        ("[玫瑰][玫瑰]", "greeting", False),
        ("[微笑]", "greeting", False),
        ("楼上又在装修 吵死了[发怒][发怒]", "complaint", False),
        # The sticker's words are not read: a bomb sticker is no explosion.
        ("[炸弹][炸弹]", "other", False),
        ("[菜刀]", "other", False),
        # An unknown code stays text.
        ("[燃气泄漏]", "repair", True),
    ],
)
def test_wechat_stickers_read_as_their_emoji(text: str, intent: str, urgent: bool) -> None:
    result = analyze(text)
    assert (result.intent.value, result.urgent) == (intent, urgent)
    assert "[" not in result.normalized or text == "[燃气泄漏]"


def test_sticker_codes_are_known_emoji_or_removed() -> None:
    engine = get_engine()
    for code, emoji in rows("stickers.tsv", 2):
        assert code.startswith("[") and code.endswith("]"), code
        assert engine.normalizer.normalize(emoji).strip() == "", (code, emoji)


def test_first_grams() -> None:
    assert first_grams("(?:燃气|煤气)味") == frozenset({"燃气", "煤气"})
    assert first_grams("(?<![0-9])120") == frozenset({"12"})
    assert first_grams("(?:的)?abc") == frozenset({"的", "a"})
    assert first_grams("[^,]abc") is None
    assert first_grams("a?") is None


def test_gate_grams() -> None:
    # A later part's rarer pairs gate instead of the first part's common characters.
    assert gate_grams("(?:我|人)[^,.!?]{0,4}(?:电梯里|梯里)") == frozenset({"电梯", "梯里"})
    # The parser reads 鼓成|鼓起 as 鼓(?:成|起): the gate pairs the literal with what follows.
    assert gate_grams("(?:鼓成|鼓起)大?包") == frozenset({"鼓成", "鼓起"})
    assert first_grams("烧(?:什么|啥)") == frozenset({"烧什", "烧啥"})
    assert first_grams("烧[^,]") == frozenset({"烧"})
    assert gate_grams("(?:要|快)淹|淹到楼下") == frozenset({"淹", "淹到"})
    assert gate_grams("(?:的)?abc") == frozenset({"ab"})
    assert gate_grams("[^,]abc") == frozenset({"ab"})
    assert gate_grams("a?") is None
    assert gate_grams("(?:a|b?)c?") is None


def test_tail_width() -> None:
    assert tail_width(re.compile(r"(?<=[\u4e00-\u9fff])(?:吗|呢)\s?$")) == 3
    assert tail_width(re.compile(r"(?:a|bb)$|c$")) == 3
    assert tail_width(re.compile(r"a$|b")) is None
    assert tail_width(re.compile(r"a+$")) is None
    assert tail_width(re.compile(r"a$", re.MULTILINE)) is None
    assert tail_width(re.compile(r"(?m:a$)")) is None


@pytest.mark.parametrize("gates", [first_grams, gate_grams])
def test_gate_index_never_hides_a_match(gates: Callable[[str], frozenset[str] | None]) -> None:
    """Gating must be an optimisation only: every pattern that matches a message is among
    the candidates for it (the engine's gates, and the first-gram gates that decide when a
    calm message is vetoed)."""
    engine = get_engine()
    patterns = [p.regex for _, p in engine.urgency.patterns]
    patterns += [rule.pattern.regex for rule in engine.lexicon.rules]
    index = GateIndex([gates(p.pattern) for p in patterns])
    texts = [
        line.split("\t")[0]
        for line in (Path(__file__).parent / "data" / "nlu_dev.tsv")
        .read_text("utf-8")
        .splitlines()[2:]
    ]
    texts += ["燃气泄漏", "120", "暖气管漏", "好多水", "你好", "5", "电梯卡在8楼和9楼之间"]
    for raw in texts:
        text = norm(raw)
        found = set(index.candidates(text, frozenset(text)))
        for i, pattern in enumerate(patterns):
            if pattern.search(text):
                assert i in found, (raw, pattern.pattern)
            tail = tail_width(pattern)
            if tail is not None:  # the windowed search finds the same first match
                windowed = pattern.search(text, max(0, len(text) - tail))
                whole = pattern.search(text)
                assert (windowed and windowed.span()) == (whole and whole.span()), raw


def test_fast_segmenter_equals_jieba() -> None:
    """The engine's segmenter is a speed-up only: jieba's HMM-free lcut, token for token,
    on the labelled messages and on random mixes of their characters, ASCII and spaces."""
    engine = get_engine()
    data = Path(__file__).parent / "data"
    texts = [
        norm(line.split("\t")[0])
        for name in ("nlu_dev.tsv", "nlu_train_extra.tsv")
        for line in (data / name).read_text("utf-8").splitlines()[2:]
    ]
    rnd = random.Random(7)
    pool = "".join(texts) + "abcXYZ019 \t\r\n.-_%#&+,。!?😀"
    texts += ["".join(rnd.choice(pool) for _ in range(rnd.randint(0, 40))) for _ in range(800)]
    for text in texts:
        assert engine.segmenter.lcut(text) == engine.tokenizer.lcut(text, HMM=False), text
