"""Our tokenizer's dictionary cache: the same dictionary from the cache as built, a damaged
or foreign cache rebuilt, a cache that cannot be written only costs time."""

from __future__ import annotations

import marshal
from pathlib import Path

import pytest

from nlu.lexicon import load_lexicon
from nlu.tokenizer import CACHE_DIR_ENV, build_tokenizer

WORDS = {"漏水": 50000, "门禁卡": 50000, "困梯": 50000}


def _cache_files(where: Path) -> list[Path]:
    return sorted(where.glob("propbot-nlu-*.cache"))


def test_the_cache_holds_exactly_the_built_dictionary(tmp_path: Path) -> None:
    built = build_tokenizer(WORDS, cache_dir=tmp_path)
    [cache] = _cache_files(tmp_path)
    stamp = cache.stat().st_mtime_ns
    cached = build_tokenizer(WORDS, cache_dir=tmp_path)
    assert cache.stat().st_mtime_ns == stamp  # read, not rewritten
    assert cached.FREQ == built.FREQ
    assert cached.total == built.total
    assert cached.lcut("厨房漏水了门禁卡也坏了", HMM=False) == built.lcut(
        "厨房漏水了门禁卡也坏了", HMM=False
    )
    assert "门禁卡" in cached.lcut("门禁卡丢了", HMM=False)


def test_other_words_get_their_own_cache(tmp_path: Path) -> None:
    build_tokenizer(WORDS, cache_dir=tmp_path)
    other = build_tokenizer({**WORDS, "返水": 50000}, cache_dir=tmp_path)
    assert len(_cache_files(tmp_path)) == 2
    assert "返水" in other.FREQ


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"\x00garbage",
        b"\xe9\x02\x00\x00\x00",
        marshal.dumps(({"漏水": "many"}, 10)),
        marshal.dumps(({"漏水": 5}, 0)),
        marshal.dumps([1, 2]),
    ],
)
def test_a_damaged_cache_is_rebuilt(tmp_path: Path, content: bytes) -> None:
    built = build_tokenizer(WORDS, cache_dir=tmp_path)
    [cache] = _cache_files(tmp_path)
    cache.write_bytes(content)
    again = build_tokenizer(WORDS, cache_dir=tmp_path)
    assert again.FREQ == built.FREQ and again.total == built.total
    assert cache.read_bytes() != content  # rewritten


def test_an_unwritable_cache_directory_only_costs_time(tmp_path: Path) -> None:
    blocked = tmp_path / "file"
    blocked.write_text("not a directory", encoding="utf-8")
    tokenizer = build_tokenizer(WORDS, cache_dir=blocked / "cache")
    assert "漏水" in tokenizer.lcut("卫生间漏水", HMM=False)
    assert list(tmp_path.iterdir()) == [blocked]


def test_the_environment_chooses_the_cache_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(CACHE_DIR_ENV, str(tmp_path))
    build_tokenizer(load_lexicon().user_words)
    assert len(_cache_files(tmp_path)) == 1
