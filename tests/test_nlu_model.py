"""The learned layer (nlu/model.py, nlu/learn.py): deterministic training, sensible
predictions, the combination with the rules, and the committed weights being current."""

from __future__ import annotations

import argparse
import dataclasses
import json
import re
from pathlib import Path

import pytest

from bot.cli_nlu import add_nlu_commands
from nlu import analyze
from nlu.classify import Decision
from nlu.engine import get_engine
from nlu.learn import MEASURE_ONLY, MEASURED_BLIND, TRAIN_DIR, data_hash, default_files
from nlu.lexicon import INTENT_INDEX, INTENTS
from nlu.model import (
    ALARM_WEIGHT,
    DECISIVE,
    MODEL_PATH,
    N_OUT,
    Model,
    Sample,
    combine,
    dump,
    evidence,
    load,
    sigmoid,
    softmax,
    train,
)
from nlu.types import Intent

_TINY = [
    ("水管爆了 到处是水", Intent.REPAIR, True),
    ("厨房水管漏水了", Intent.REPAIR, False),
    ("水龙头坏了 漏水", Intent.REPAIR, False),
    ("电梯里有人出不来", Intent.REPAIR, True),
    ("保安态度太差了", Intent.COMPLAINT, False),
    ("保安天天睡觉 太差了", Intent.COMPLAINT, False),
    ("物业费怎么交", Intent.CONSULT, False),
    ("物业费多少钱一平", Intent.CONSULT, False),
    ("谢谢", Intent.OTHER, False),
    ("好的谢谢", Intent.OTHER, False),
]


def _samples() -> list[Sample]:
    engine = get_engine()
    out = []
    for text, intent, urgent in _TINY:
        r = engine.read(text)
        out.append(
            Sample(r.tokens, r.norm, evidence(r.kinds, r.vetoed), INTENT_INDEX[intent], urgent)
        )
    return out


def _predict(model: Model, text: str) -> tuple[Intent, float]:
    r = get_engine().read(text)
    logits = model.logits(r.tokens, r.norm, evidence(r.kinds, r.vetoed))
    assert logits is not None, text
    probs = softmax(logits[: len(INTENTS)])
    return INTENTS[probs.index(max(probs))], sigmoid(logits[-1])


def test_training_is_deterministic_and_sensible(tmp_path: Path) -> None:
    samples = _samples()
    model = train(samples, min_count=1, prune=0.0)
    assert dump(model) == dump(train(samples, min_count=1, prune=0.0))
    path = tmp_path / "model.json"
    path.write_text(dump(model), encoding="utf-8")
    loaded = load(path)
    assert loaded is not None
    assert dump(loaded) == dump(model)
    assert _predict(loaded, "卫生间水管漏水")[0] is Intent.REPAIR
    assert _predict(loaded, "保安太差了")[0] is Intent.COMPLAINT
    assert _predict(loaded, "物业费在哪交")[0] is Intent.CONSULT
    assert _predict(loaded, "水管爆了")[1] > _predict(loaded, "物业费在哪交")[1]


@pytest.mark.parametrize("table", ["features", "evidence", "bias"])
def test_load_refuses_a_row_of_the_wrong_width(tmp_path: Path, table: str) -> None:
    # `Model.logits` sums rows without zip's length check: a short row must never load.
    payload = json.loads(dump(train(_samples(), min_count=1, prune=0.0)))
    if table == "bias":
        payload["bias"] = payload["bias"][:-1]
    else:
        key = next(iter(payload[table]))
        payload[table][key] = payload[table][key][:-1]
    path = tmp_path / "model.json"
    path.write_text(json.dumps(payload), encoding="utf-8")
    with pytest.raises(ValueError, match="retrain"):
        load(path)


def test_model_file_matches_the_training_data() -> None:
    """Retrain (`propbot nlu train`) after editing a training file or a rule/lexicon file."""
    assert MODEL_PATH.is_file(), "nlu/data/model.json missing: run `propbot nlu train`"
    payload = json.loads(MODEL_PATH.read_text(encoding="utf-8"))
    assert payload["data_hash"] == data_hash(default_files()), (
        "nlu/data/model.json is stale: run `propbot nlu train` and commit the result"
    )
    assert payload["intents"] == [i.value for i in INTENTS]
    # Round 10 (7,779 messages, 5,455 features): 420 KB, start-up and peak RSS unchanged within
    # noise (docs/nlu.md); pruning at 0.25 instead would cost cross-validated accuracy.
    # Round 16 (17,359 messages with the measured blind sets): 502 KB at min_count 8; start-up
    # 0.5-0.6 s and peak RSS 51 MB, far inside the 1.5 s and 150 MB. Round 17 (18,959
    # messages): 528 KB at min_count 8. Round 18 (20,159): min_count 9, 523 KB (at 8 it was
    # 549 KB, with the same cross-validated accuracy).
    assert MODEL_PATH.stat().st_size < 550_000
    assert get_engine().model is not None


def test_combine_keeps_rule_confidence_when_rules_win() -> None:
    scores = (4.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.9)
    rules = Decision(Intent.REPAIR, 0.67, Intent.COMPLAINT, scores)
    agree = [2.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0]
    kept = combine(rules, agree, 0.3)
    assert (kept.intent, kept.confidence, kept.runner_up) == (Intent.REPAIR, 0.67, Intent.COMPLAINT)
    # A confident model overturns a weak rule decision; the rules' choice is the runner-up.
    weak = Decision(Intent.REPAIR, 0.2, None, (0.5, 0.4, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.9))
    sure = [0.0, 6.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0]
    overturned = combine(weak, sure, 0.3)
    assert overturned.intent is Intent.COMPLAINT
    assert overturned.runner_up is Intent.REPAIR
    assert 0.0 <= overturned.confidence <= 1.0


def test_negated_emergency_is_not_flagged_by_the_model() -> None:
    assert not analyze("没有燃气味了 谢谢").urgent
    assert analyze("家里成水帘洞了 天花板哗哗往下淌").urgent


def test_every_blind_set_is_measure_only() -> None:
    # The holdout and the blind sets from fresh2 on are either measure-only or, measured at
    # first sight, trained on since round 16 (learn.MEASURED_BLIND); a new one must join
    # learn.MEASURE_ONLY (nlu_fresh, round 6, is tuned on by design).
    blind = {
        p.name
        for p in TRAIN_DIR.iterdir()
        if re.fullmatch(r"nlu_(holdout|fresh[2-9]\d*)\.tsv", p.name)
    }
    assert blind <= set(MEASURE_ONLY) | set(MEASURED_BLIND)
    assert not set(MEASURE_ONLY) & set(MEASURED_BLIND)
    assert {"nlu_holdout.tsv", "nlu_fresh19.tsv", "nlu_fresh20.tsv"} <= set(MEASURE_ONLY)
    assert {p.name for p in default_files()}.isdisjoint(MEASURE_ONLY)


@pytest.mark.parametrize("name", MEASURE_ONLY)
def test_train_refuses_the_measure_only_sets(tmp_path: Path, name: str) -> None:
    parser = argparse.ArgumentParser(prog="propbot")
    add_nlu_commands(parser.add_subparsers(dest="command", required=True))
    holdout = tmp_path / name
    holdout.write_text("text\tintent\turgent\tslots\n", encoding="utf-8")
    args = parser.parse_args(["nlu", "train", str(holdout), "--output", str(tmp_path / "m.json")])
    assert args.func(args) == 2
    assert not (tmp_path / "m.json").exists()


@pytest.mark.parametrize("text", ["", " ", "😀", "a" * 3000, "漏水" * 1000])
def test_model_handles_odd_text(text: str) -> None:
    r = get_engine().read(text)
    model = get_engine().model
    assert model is not None
    logits = model.logits(r.tokens, r.norm, evidence(r.kinds, r.vetoed))
    if "漏水" in text:
        assert logits is not None and len(logits) == len(INTENTS) + 1
    else:
        assert logits is None  # nothing the model knows: its priors alone would decide


@pytest.mark.parametrize("text", ["asdfgh", "qwerty uiop", "zzzzzz"])
def test_a_text_the_model_knows_nothing_of_is_left_to_the_rules(text: str) -> None:
    result = analyze(text)
    assert result.intent is Intent.OTHER
    assert not result.urgent and not result.urgent_doubt


def test_urgency_only_samples_leave_the_intent_head_alone() -> None:
    # Rows of the urgency files (intent_weight 0) teach the urgent logit, not the intents.
    samples = _samples()
    muted = [
        Sample(s.tokens, s.text, s.evidence, s.intent, s.urgent, intent_weight=0.0) for s in samples
    ]
    model = train(muted, min_count=1, prune=0.0)
    intent_weights = [w for row in model.features.values() for w in row[: len(INTENTS)]]
    assert all(w == 0.0 for w in intent_weights)
    assert any(row[-1] != 0.0 for row in model.features.values())


def test_urgent_findings_are_features() -> None:
    assert evidence((), False) == []
    assert evidence(("lift", "injury"), True) == ["kind:lift", "kind:injury", "vetoed"]


@pytest.mark.parametrize(("weight", "urgent"), [(8.0, True), (ALARM_WEIGHT / 2, False)])
def test_sure_rules_keep_the_intent_but_not_the_last_word_on_urgency(
    weight: float, urgent: bool
) -> None:
    # A clear complaint the patterns find calm: a model that knows one of its words as
    # alarming flags it, without changing the intent; a word below ALARM_WEIGHT is never
    # looked up for a sure message (with a bias of -1 and 0.5 the sum would be urgent).
    engine = get_engine()
    text = "投诉 楼上天天半夜吵 管不管"
    reading = engine.read(text)
    assert reading.rules.confidence >= DECISIVE and not reading.kinds
    row = (0.0,) * (N_OUT - 1)
    model = Model(
        features={"半夜": (*row, weight)},
        evidence={},
        bias=(*row, -1.0),
        lam=0.4,
        threshold=0.4,
    )
    assert model.may_be_urgent(reading.tokens, reading.bigrams) is urgent
    result = dataclasses.replace(engine, model=model).analyze(text)
    assert result.intent is Intent.COMPLAINT
    assert result.urgent is urgent
