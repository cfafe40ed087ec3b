"""Where `nlu.analyze` spends its time: µs per message for each stage, same process, the
fastest of N passes over the messages of a labelled file (default tests/data/nlu_dev.tsv).

    .venv/bin/python bench/nlu_stages.py [FILE] [--passes 30]

Stages are timed on their own inputs, computed once beforehand, so they do not add up to
`analyze` exactly; jieba.lcut of the same messages is printed as the yardstick.
"""

from __future__ import annotations

import argparse
import bisect
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import jieba

import nlu
from nlu import classify
from nlu.engine import Reading, get_engine
from nlu.evaluation import load_dataset
from nlu.model import evidence
from nlu.slots import extract_count, extract_visitor
from nlu.timeparse import parse_visit_time
from nlu.types import Intent

DEFAULT = Path(__file__).resolve().parent.parent / "tests" / "data" / "nlu_dev.tsv"
NOW = datetime(2026, 11, 18, 9, 30, tzinfo=ZoneInfo("Asia/Shanghai"))


def _timed(fn: Callable[[int], object], n: int) -> float:
    t0 = time.perf_counter()
    for i in range(n):
        fn(i)
    return (time.perf_counter() - t0) / n * 1e6


def _fastest(stages: list[tuple[str, Callable[[int], object], int]], passes: int) -> list[float]:
    """The fastest pass of every stage; passes go round all stages in turn, so a stretch of
    slowness on the box (it changes speed for seconds at a time) hits every stage alike."""
    best = [float("inf")] * len(stages)
    for _ in range(passes):
        for k, (_name, fn, n) in enumerate(stages):
            best[k] = min(best[k], _timed(fn, n))
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file", nargs="?", type=Path, default=DEFAULT)
    parser.add_argument("--passes", type=int, default=30)
    args = parser.parse_args()
    texts = [ex.text for ex in load_dataset(args.file).examples]
    jieba.setLogLevel(30)
    jieba.initialize()
    nlu.warm_up()
    engine = get_engine()
    model = engine.model
    readings: list[Reading] = [engine.read(t) for t in texts]
    visitors = [r.norm for r in readings if r.rules.intent is Intent.VISITOR]
    n = len(texts)

    def gate(i: int) -> list[int]:
        r = readings[i]
        return engine.gates.candidates(r.norm, r.chars, r.bigrams)

    gates = [gate(i) for i in range(n)]

    def urgency(i: int) -> object:
        split = bisect.bisect_left(gates[i], engine.rules_offset)
        return engine.urgency.detect_vetoed(readings[i].norm, gates[i][:split])

    def score(i: int) -> object:
        r = readings[i]
        rule_ids = [g - engine.rules_offset for g in gates[i] if g >= engine.rules_offset]
        scores = classify.score(
            engine.lexicon,
            r.norm,
            r.tokens,
            emoji="",
            urgent_kinds=r.kinds,
            has_category=bool(r.category_totals),
            rule_ids=rule_ids,
        )
        return classify.decide(scores)

    def learned(i: int) -> object:
        r = readings[i]
        if model is None or r.rules.confidence >= 0.8:
            return None
        return model.logits(r.tokens, r.norm, evidence(r.kinds, r.vetoed, r.emoji), r.bigrams)

    n_v = len(visitors)
    stages: list[tuple[str, Callable[[int], object], int]] = [
        ("jieba.lcut (yardstick)", lambda i: jieba.lcut(texts[i]), n),
        ("nlu.analyze", lambda i: nlu.analyze(texts[i], NOW), n),
        ("normalise", lambda i: engine.normalizer.normalize(texts[i]), n),
        ("segment", lambda i: engine.segmenter.lcut(readings[i].norm), n),
        ("gate", gate, n),
        ("urgent patterns", urgency, n),
        ("score + phrase rules + decide", score, n),
        (
            "categories",
            lambda i: engine._category(
                engine.category_totals(readings[i].norm, readings[i].kinds),
                readings[i].tokens,
                readings[i].kinds,
            ),
            n,
        ),
        ("learned layer (where it runs)", learned, n),
        (
            "slots",
            lambda i: engine._slots(
                readings[i].norm, texts[i], readings[i].rules, NOW, readings[i].chars
            ),
            n,
        ),
    ]
    stages += [
        ("per visitor message: count", lambda i: extract_count(visitors[i]), n_v),
        ("per visitor message: visit time", lambda i: parse_visit_time(visitors[i], NOW), n_v),
        ("per visitor message: name", lambda i: extract_visitor(visitors[i]), n_v),
    ]
    print(f"{args.file}: {n} messages, {n_v} read as visitor; µs per message, fastest pass")
    for (name, _fn, _n), micros in zip(stages, _fastest(stages, args.passes), strict=True):
        print(f"  {name:34s} {micros:7.1f}")


if __name__ == "__main__":
    main()
