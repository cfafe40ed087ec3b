"""The consultation knowledge base: the shipped file, validation, export, retrieval quality
and the `propbot faq` commands."""

from __future__ import annotations

import argparse
import re
import tomllib
from dataclasses import dataclass, replace
from pathlib import Path

import jieba
import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.cli_faq import add_faq_commands
from handlers.faq import (
    DEFAULT_FAQ_PATH,
    FILE_HEADER,
    THRESHOLD,
    FaqEntry,
    FaqError,
    FaqIndex,
    load_entries,
    to_toml,
    toml_string,
)

QUERIES = Path(__file__).parent / "data" / "faq_queries.tsv"

# Floors for tests/data/faq_queries.tsv, set a little under what was measured (149 questions,
# 40 out-of-scope messages): top-1 of search 0.953, answered with the right entry at the
# threshold 0.886, out-of-scope rejected 0.950.
TOP1_FLOOR = 0.92
ANSWERED_FLOOR = 0.85
REJECTED_FLOOR = 0.90


@pytest.fixture(scope="module")
def index() -> FaqIndex:
    return FaqIndex.load(DEFAULT_FAQ_PATH)


@dataclass(frozen=True)
class Query:
    line: int
    text: str
    expected: str | None  # None: nothing in the knowledge base should answer it


def _queries() -> list[Query]:
    out = []
    for number, line in enumerate(QUERIES.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        text, expected = line.split("\t")
        out.append(Query(number, text, None if expected == "-" else expected))
    return out


def _write(tmp_path: Path, text: str, name: str = "faq.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


ENTRY = """
[[faq]]
id = "{id}"
question = "门禁卡怎么办？"
variants = ["门卡在哪办"]
answer = "请到物业服务中心办理。"
tags = ["门禁卡"]
"""


# ── the shipped knowledge base ─────────────────────────────────────────────────────────


def test_shipped_file_loads_and_follows_the_house_rules(index: FaqIndex) -> None:
    entries = index.entries
    assert len(entries) >= 40
    assert len({e.id for e in entries}) == len(entries)
    assert DEFAULT_FAQ_PATH.read_text(encoding="utf-8").startswith(FILE_HEADER)
    for e in entries:
        assert 5 <= len(e.variants) <= 10, e.id
        assert e.tags, e.id
        assert len(e.answer) <= 200, e.id
        # No invented phone numbers: staff put their own in, or point to the menu.
        assert not re.search(r"\d{7,}|\d{3,4}-\d{7,8}", e.answer), e.id


def test_every_question_finds_its_own_entry(index: FaqIndex) -> None:
    for e in index.entries:
        best = index.best(e.question)
        assert best is not None and best.entry.id == e.id, e.question
    variants = [(v, e.id) for e in index.entries for v in e.variants]
    found = sum(1 for v, expected in variants if (m := index.best(v)) and m.entry.id == expected)
    assert found / len(variants) >= 0.95


# ── validation ─────────────────────────────────────────────────────────────────────────


def test_missing_answer_names_the_entry_and_line(tmp_path: Path) -> None:
    text = ENTRY.format(id="card-a") + ENTRY.format(id="card-b").replace(
        'answer = "请到物业服务中心办理。"\n', ""
    )
    with pytest.raises(FaqError) as err:
        FaqIndex.load(_write(tmp_path, text))
    message = str(err.value)
    assert "第 2 条问答" in message and "card-b" in message and "第 9 行" in message
    assert "缺少 answer（回答）" in message


def test_duplicate_id_names_both_lines(tmp_path: Path) -> None:
    text = ENTRY.format(id="card") + ENTRY.format(id="card")
    with pytest.raises(FaqError, match=r"id = card，第 9 行.*id 重复，第 2 行已有同一个 id"):
        FaqIndex.load(_write(tmp_path, text))


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            ('answer = "请到物业服务中心办理。"', 'answer = "  "'),
            "answer（回答）必须是不为空的文字",
        ),
        (('answer = "请到物业服务中心办理。"', f'answer = "{"很" * 601}"'), "最多 600 个字"),
        (('id = "card"', 'id = "门禁卡"'), "id 只能用小写英文字母"),
        (('tags = ["门禁卡"]', 'tags = "门禁卡"'), "tags 必须是一组不为空的文字"),
        (('variants = ["门卡在哪办"]', 'variants = ["门卡在哪办", ""]'), "variants 必须是"),
        (('tags = ["门禁卡"]', 'tag = ["门禁卡"]'), "未知字段 tag"),
        (("[[faq]]", "[[faqs]]"), "未知的顶层内容 faqs"),
        (
            ('question = "门禁卡怎么办？"', 'question = "门禁卡怎么办？'),
            r"第 4 行第 \d+ 列 TOML 格式错误",
        ),
    ],
)
def test_invalid_files_say_what_to_fix(
    tmp_path: Path, change: tuple[str, str], message: str
) -> None:
    text = ENTRY.format(id="card").replace(*change)
    with pytest.raises(FaqError, match=message):
        FaqIndex.load(_write(tmp_path, text))


def test_unreadable_files(tmp_path: Path) -> None:
    with pytest.raises(FaqError, match="找不到知识库文件"):
        load_entries(tmp_path / "missing.toml")
    with pytest.raises(FaqError, match="没有任何问答"):
        load_entries(_write(tmp_path, "# 只有注释\n"))
    gbk = tmp_path / "gbk.toml"
    gbk.write_bytes(ENTRY.format(id="card").encode("gbk"))
    with pytest.raises(FaqError, match="不是 UTF-8"):
        load_entries(gbk)


def test_from_entries_validates_too(index: FaqIndex) -> None:
    first = index.entries[0]
    with pytest.raises(FaqError, match="id 重复"):
        FaqIndex.from_entries([first, first])
    with pytest.raises(FaqError, match=r"answer（回答）必须是不为空的文字"):
        FaqIndex.from_entries([replace(first, answer="")])
    small = FaqIndex.from_entries([first])
    assert small.entries == (first,)
    match = small.best(first.question)
    assert match is not None and match.entry == first


# ── export ─────────────────────────────────────────────────────────────────────────────


def test_export_round_trips_the_shipped_file(index: FaqIndex, tmp_path: Path) -> None:
    path = _write(tmp_path, to_toml(index.entries))
    assert load_entries(path) == index.entries


def test_export_round_trips_awkward_text(tmp_path: Path) -> None:
    awkward = FaqEntry(
        id="awkward_1",
        question='他说"门卡\\坏了"？',
        variants=('"""三个引号"""', "制表\t符", '结尾引号"', "控制\x01字符\x7f"),
        answer='第一行\n第二行有 "引号" 和 \\ 反斜杠\n\n结尾是引号"',
        tags=("a\\b", "'单引号'"),
    )
    bare = FaqEntry(id="bare", question="问？", variants=(), answer="答。", tags=())
    text = to_toml([awkward, bare])
    assert 'answer = """\n第一行\n' in text  # multi-line answers stay readable for staff
    assert load_entries(_write(tmp_path, text)) == (awkward, bare)


@given(st.text())
def test_toml_string_round_trips_any_text(text: str) -> None:
    assert tomllib.loads(f"x = {toml_string(text)}")["x"] == text


# ── retrieval ──────────────────────────────────────────────────────────────────────────


def test_normalisation(index: FaqIndex) -> None:
    assert index.tokens("ＷＩＦＩ") == index.tokens("wifi") == ["wifi"]
    assert index.tokens("門禁卡") == index.tokens("门禁卡")
    assert index.tokens("停車月卡喺邊度辦") == index.tokens("停车月卡在哪里办")
    # Room numbers, particles and question words carry no topic.
    assert index.tokens("请问3栋1201的物业费怎么交啊？") == index.tokens("物业费交")


def test_nothing_to_go_on(index: FaqIndex) -> None:
    for text in ("", "   ", "？？！", "你好", "请问一下", "😀"):
        assert index.search(text) == []
        assert index.best(text) is None
    assert index.search("物业费怎么交", limit=0) == []
    assert index.best("转人工") is None  # the handler routes this to staff before the FAQ
    index.search("物业费" * 10_000)  # pasted junk is capped, not an error


def test_search_is_ranked_and_limited(index: FaqIndex) -> None:
    matches = index.search("门禁卡丢了要补办多少钱", limit=5)
    assert matches[0].entry.id == "card-lost"
    assert len(matches) == 5
    scores = [m.score for m in matches]
    assert scores == sorted(scores, reverse=True)
    assert all(0.0 < s <= 1.0 for s in scores)


def test_index_keeps_jieba_default_alone() -> None:
    before = jieba.dt.initialized
    FaqIndex.load(DEFAULT_FAQ_PATH)
    assert jieba.dt.initialized == before


def _results(index: FaqIndex) -> list[tuple[Query, str | None, float]]:
    out = []
    for query in _queries():
        matches = index.search(query.text, limit=1)
        top = matches[0] if matches else None
        out.append((query, top.entry.id if top else None, top.score if top else 0.0))
    return out


def _rates(
    results: list[tuple[Query, str | None, float]], threshold: float, margin: float = 0.0
) -> tuple[float, float]:
    """(in-scope answered with the right entry, out-of-scope rejected). With a margin, an
    out-of-scope message within `margin` below the threshold counts as accepted."""
    inside = [r for r in results if r[0].expected is not None]
    outside = [r for r in results if r[0].expected is None]
    right = sum(1 for q, got, score in inside if got == q.expected and score >= threshold)
    rejected = sum(1 for _q, _got, score in outside if score + margin < threshold)
    return right / len(inside), rejected / len(outside)


def test_retrieval_quality(index: FaqIndex) -> None:
    results = _results(index)
    inside = [r for r in results if r[0].expected is not None]
    assert len(inside) >= 80 and len(results) - len(inside) >= 30
    known = {e.id for e in index.entries}
    assert {q.expected for q, _g, _s in inside} <= known
    top1 = sum(1 for q, got, _s in inside if got == q.expected) / len(inside)
    answered, rejected = _rates(results, THRESHOLD)
    report = f"top-1 {top1:.3f}, answered right {answered:.3f}, rejected {rejected:.3f}"
    misses = [f"line {q.line}: {q.text} -> {g}" for q, g, _s in inside if g != q.expected]
    assert top1 >= TOP1_FLOOR, report + "\n" + "\n".join(misses)
    assert answered >= ANSWERED_FLOOR, report
    assert rejected >= REJECTED_FLOOR, report


def test_threshold_calibration(index: FaqIndex) -> None:
    """THRESHOLD is (near) the optimum of the documented rule: maximise J = answered right +
    rejected on a 0.01 grid, with out-of-scope scores within 0.01 counted as accepted."""
    results = _results(index)

    def j(threshold: float) -> float:
        return sum(_rates(results, threshold, margin=0.01))

    grid = [n / 100 for n in range(5, 61)]
    best = max(grid, key=lambda t: (j(t), t))
    assert j(THRESHOLD) >= j(best) - 0.02, (
        f"the data now calibrates the threshold to {best:.2f} (J {j(best):.3f}); "
        f"THRESHOLD {THRESHOLD:.2f} scores J {j(THRESHOLD):.3f}: update handlers/faq.py"
    )


# ── propbot faq ────────────────────────────────────────────────────────────────────────


def _run(*argv: str) -> int:
    parser = argparse.ArgumentParser(prog="propbot")
    add_faq_commands(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(["faq", *argv])
    code: int = args.func(args)
    return code


@pytest.fixture
def kb_path(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    path = tmp_path / "estate" / "faq.toml"
    monkeypatch.setenv("PROPBOT_FAQ_PATH", str(path))
    return path


def test_import_copies_a_valid_file(
    kb_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = _write(tmp_path, ENTRY.format(id="card") + "# 员工的注释会保留\n", "new.toml")
    assert _run("import", str(source)) == 0
    assert kb_path.read_bytes() == source.read_bytes()
    assert "已导入 1 条问答" in capsys.readouterr().out


def test_import_refuses_a_broken_file_and_keeps_the_old_one(
    kb_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    kb_path.parent.mkdir(parents=True)
    kb_path.write_text(ENTRY.format(id="old"), encoding="utf-8")
    broken = _write(tmp_path, ENTRY.format(id="a") + ENTRY.format(id="a"), "broken.toml")
    assert _run("import", str(broken)) == 2
    err = capsys.readouterr().err
    assert "导入失败，知识库没有任何改动" in err and "id 重复" in err
    assert kb_path.read_text(encoding="utf-8") == ENTRY.format(id="old")
    assert _run("import", str(tmp_path / "nowhere.toml")) == 2
    assert "找不到知识库文件" in capsys.readouterr().err


@pytest.mark.parametrize("setting", ["", str(DEFAULT_FAQ_PATH)])
def test_import_never_overwrites_the_shipped_file(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    setting: str,
) -> None:
    monkeypatch.setenv("PROPBOT_FAQ_PATH", setting)
    shipped = DEFAULT_FAQ_PATH.read_bytes()
    assert _run("import", str(_write(tmp_path, ENTRY.format(id="card")))) == 2
    assert "PROPBOT_FAQ_PATH" in capsys.readouterr().err
    assert DEFAULT_FAQ_PATH.read_bytes() == shipped


def test_export_writes_the_knowledge_base_in_use(
    monkeypatch: pytest.MonkeyPatch,
    kb_path: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("PROPBOT_FAQ_PATH", "")
    assert _run("export") == 0
    assert capsys.readouterr().out == to_toml(load_entries(DEFAULT_FAQ_PATH))
    monkeypatch.setenv("PROPBOT_FAQ_PATH", str(kb_path))
    assert _run("export") == 2  # set but missing: said, not silently the shipped file
    assert "找不到知识库文件" in capsys.readouterr().err
    assert _run("import", str(_write(tmp_path, ENTRY.format(id="card"), "in.toml"))) == 0
    out = tmp_path / "out" / "exported.toml"
    assert _run("export", str(out)) == 0
    assert [e.id for e in load_entries(out)] == ["card"]


def test_ask_shows_the_answer_or_the_hand_over(capsys: pytest.CaptureFixture[str]) -> None:
    assert _run("ask", "物业费", "怎么交") == 0
    out = capsys.readouterr().out
    assert "✔ 直接回答 fee-pay" in out and "匹配度" in out and "分词：物业费 / 交" in out
    assert _run("ask", "今天天气怎么样") == 0
    assert "转人工客服" in capsys.readouterr().out
