"""The fault-category layer: its file, its arithmetic, its training, and the engine's use."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from nlu import analyze
from nlu.categorise import (
    CATEGORY_MODEL_PATH,
    CategoryModel,
    dump,
    feature_keys,
    load,
    pick,
)
from nlu.categorylearn import CategoryRow, cross_validate, fit, lexicon_choice
from nlu.engine import get_engine
from nlu.learn import data_hash, default_files
from nlu.lexicon import CATEGORIES
from nlu.model import KIND_PREFIX

WIDTH = len(CATEGORIES)


def _row(**weights: float) -> tuple[float, ...]:
    return tuple(weights.get(name, 0.0) for name in CATEGORIES)


def _layer() -> CategoryModel:
    identity = {name: _row(**{name: 1.0}) for name in CATEGORIES}
    return CategoryModel(
        features={"广告牌": _row(public_facility=3.0), "吊顶": _row(wall_ceiling=1.5)},
        lexicon=identity,
        bias=_row(other=0.5),
    )


def test_choose_adds_bias_lexicon_totals_and_known_words() -> None:
    layer = _layer()
    assert layer.choose({}, [], ()) == "other"  # the bias alone
    assert layer.choose({"water": 2.0}, ["水管"], ()) == "water"
    # A word the lexicon does not know outweighs a smaller lexicon total.
    assert layer.choose({"water": 2.0}, ["广告牌", "漏水"], ()) == "public_facility"
    assert layer.choose({"water": 2.0}, ["吊顶", "漏水"], ()) == "water"
    assert layer.choose({"water": 1.0}, ["吊顶", "漏水"], ()) == "wall_ceiling"
    # Repeated words count once, as in training (the features are a set).
    assert layer.choose({"water": 2.0}, ["吊顶", "吊顶"], ()) == "water"


def test_urgency_findings_are_features() -> None:
    layer = dataclasses.replace(_layer(), features={KIND_PREFIX + "lift": _row(lift=2.0)})
    assert layer.choose({}, [], ("lift",)) == "lift"
    assert feature_keys(["电梯", " ", "停"], ("lift",)) == {"电梯", "停", "kind:lift"}


def test_file_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "category_model.json"
    layer = dataclasses.replace(_layer(), data_hash="abc")
    path.write_text(dump(layer), encoding="utf-8")
    again = load(path)
    assert again is not None
    assert again.features == layer.features
    assert again.lexicon == layer.lexicon
    assert again.bias == layer.bias
    assert again.data_hash == "abc"
    assert load(tmp_path / "missing.json") is None


@pytest.mark.parametrize(
    "change",
    [
        {"format": 99},
        {"categories": list(CATEGORIES[:-1])},
        {"bias": [0.0] * (WIDTH - 1)},
        {"features": {"水管": [1.0]}},
    ],
)
def test_a_malformed_file_is_refused(tmp_path: Path, change: dict[str, object]) -> None:
    payload = json.loads(dump(_layer()))
    payload.update(change)
    path = tmp_path / "category_model.json"
    path.write_text(json.dumps(payload), encoding="utf-8")
    with pytest.raises(ValueError, match="retrain"):
        load(path)


def _rows(keys: list[str], label: str, totals: dict[str, float], n: int) -> list[CategoryRow]:
    return [
        CategoryRow(frozenset(keys), totals, CATEGORIES.index(label), "t.tsv") for _ in range(n)
    ]


def test_fit_learns_what_the_lexicon_misses() -> None:
    rows = (
        _rows(["广告牌", "歪"], "public_facility", {}, 30)
        + _rows(["水管", "漏"], "water", {"water": 2.0}, 30)
        # The lexicon says water, the messages say ceiling: the word 吊顶 must win.
        + _rows(["吊顶", "滴水"], "wall_ceiling", {"water": 1.0}, 30)
    )
    layer = fit(rows)
    assert layer.choose({}, ["广告牌", "歪"], ()) == "public_facility"
    assert layer.choose({"water": 2.0}, ["水管"], ()) == "water"
    assert layer.choose({"water": 1.0}, ["吊顶", "滴水"], ()) == "wall_ceiling"
    assert lexicon_choice({"water": 1.0}) == "water"  # what the layer corrects
    report = cross_validate(rows)
    assert report["cv_accuracy"] == 1.0
    assert report["lexicon_accuracy"] == pytest.approx(1 / 3, abs=0.01)


def test_layer_file_matches_the_training_data() -> None:
    """Retrain (`propbot nlu train`) after editing a training file or a rule/lexicon file."""
    assert CATEGORY_MODEL_PATH.is_file(), "nlu/data/category_model.json missing"
    payload = json.loads(CATEGORY_MODEL_PATH.read_text(encoding="utf-8"))
    assert payload["data_hash"] == data_hash(default_files()), (
        "nlu/data/category_model.json is stale: run `propbot nlu train` and commit the result"
    )
    assert get_engine().categories is not None


@pytest.mark.parametrize(
    ("text", "category"),
    [
        # No lexicon word: the lexicon alone said "other".
        ("楼道扶手晃得厉害", "public_facility"),
        ("篮球场的篮筐歪了", "public_facility"),
        # The lexicon's words still decide where they are clear.
        ("暖气片接头漏水", "heating"),
        ("地漏返臭味", "drain"),
        ("厨房水龙头关不紧一直滴", "water"),
    ],
)
def test_analyze_uses_the_layer(text: str, category: str) -> None:
    assert analyze(text).slots["category"] == category


def test_without_the_layer_the_lexicon_decides() -> None:
    engine = dataclasses.replace(get_engine(), categories=None)
    assert engine.analyze("楼道扶手晃得厉害").slots["category"] == "other"
    assert engine.analyze("暖气片接头漏水").slots["category"] == "heating"
    # A complaint names a fault only with a category word.
    assert "category" not in engine.analyze("保安态度太差了 说话很冲").slots
    assert "category" not in analyze("保安态度太差了 说话很冲").slots


def test_pick_asks_the_layer_only_when_the_lexicon_is_unsure() -> None:
    layer = _layer()
    # Sure: one category 2 or more ahead; the layer's 广告牌 is not asked.
    assert pick(layer, {"water": 3.0, "drain": 1.0}, ["广告牌"], ()) == "water"
    assert pick(layer, {"water": 2.0}, ["广告牌"], ()) == "water"
    # Unsure: a close second, a weak word alone, or nothing found at all.
    assert pick(layer, {"water": 2.0, "drain": 1.5}, ["广告牌"], ()) == "public_facility"
    assert pick(layer, {"water": 1.0}, ["广告牌"], ()) == "public_facility"
    assert pick(layer, {}, ["广告牌"], ()) == "public_facility"
    # Without a layer: the heaviest total, or `other`.
    assert pick(None, {"water": 2.0, "drain": 1.5}, ["广告牌"], ()) == "water"
    assert pick(None, {}, ["广告牌"], ()) == "other"
