"""What each stage of `analyze` costs in place: an instrumented copy of `Engine.read` and
`Engine.analyze` times every stage as part of the whole message, so each pays the cache
misses the others cause (bench/nlu_stages.py times each stage alone, which reads about half).

    .venv/bin/python bench/nlu_inplace.py [FILE] [--passes 20] [--lexicon-only]

`--lexicon-only` runs without the category layer (the lexicon's heaviest total decides), to
see what the layer costs. The copy follows engine.py; the stage totals are printed in µs per
message, the mean over the passes.
"""

from __future__ import annotations

import argparse
import bisect
import dataclasses
import time
from collections import Counter
from datetime import datetime
from operator import add
from pathlib import Path
from zoneinfo import ZoneInfo

import nlu
from nlu import classify
from nlu.engine import Engine, get_engine
from nlu.evaluation import load_dataset
from nlu.model import DECISIVE, combine, evidence
from nlu.types import Intent

NOW = datetime(2026, 11, 20, 10, 30, tzinfo=ZoneInfo("Asia/Shanghai"))
_CATEGORISED = (Intent.REPAIR, Intent.COMPLAINT)


def run(engine: Engine, text: str, spent: Counter[str]) -> None:
    clock = time.perf_counter_ns
    t0 = clock()
    norm = engine.normalizer.normalize(text)
    t1 = clock()
    tokens = engine.segmenter.lcut(norm) if norm else []
    t2 = clock()
    lexicon = engine.lexicon
    emoji = "".join(lexicon.emoji_class.findall(text)) if lexicon.emoji_class else ""
    chars = frozenset(norm)
    bigrams = frozenset(map(add, norm, norm[1:]))
    t3 = clock()
    candidates = engine.gates.candidates(norm, chars, bigrams)
    split = bisect.bisect_left(candidates, engine.rules_offset)
    t4 = clock()
    kinds, vetoed = engine.urgency.detect_vetoed(norm, candidates[:split])
    t5 = clock()
    rule_ids = [i - engine.rules_offset for i in candidates[split:]]
    scores = classify.score(
        lexicon, norm, tokens, emoji=emoji, urgent_kinds=kinds, has_category=False,
        rule_ids=rule_ids,
    )  # fmt: skip
    t6 = clock()
    if classify.wants_category(scores) and engine.category_totals(norm, kinds):
        classify.add_category_hint(scores)
    decision = classify.decide(scores)
    t7 = clock()
    model = engine.model
    if model is not None and norm and decision.confidence < DECISIVE:
        found = evidence(kinds, vetoed, emoji) if kinds or vetoed or emoji else ()
        logits = model.logits(tokens, norm, found, bigrams)
        if logits is not None:
            decision = combine(decision, logits, model.lam)
    t8 = clock()
    engine._slots(norm, text, decision, NOW, chars)
    t9 = clock()
    if decision.intent in _CATEGORISED:
        totals = engine.category_totals(norm, kinds)
        if totals or decision.intent is Intent.REPAIR:
            engine._category(totals, tokens, kinds)
    t10 = clock()
    marks = (t0, t1, t2, t3, t4, t5, t6, t7, t8, t9, t10)
    names = (
        "normalise", "segment", "emoji + character sets", "gate", "urgency", "scores",
        "category hint + decide", "learned layer", "slots", "category",
    )  # fmt: skip
    for name, start, end in zip(names, marks, marks[1:], strict=False):
        spent[name] += end - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file", nargs="?", type=Path, default=Path("tests/data/nlu_dev.tsv"))
    parser.add_argument("--passes", type=int, default=20)
    parser.add_argument("--lexicon-only", action="store_true")
    args = parser.parse_args()
    messages = [ex.text for ex in load_dataset(args.file).examples]
    nlu.warm_up()
    engine = get_engine()
    if args.lexicon_only:
        engine = dataclasses.replace(engine, categories=None)
    spent: Counter[str] = Counter()
    for text in messages:  # warm caches first
        run(engine, text, spent)
    spent.clear()
    for _ in range(args.passes):
        for text in messages:
            run(engine, text, spent)
    n = args.passes * len(messages)
    for name, ns in spent.items():
        print(f"  {name:24s} {ns / n / 1000:6.1f}")
    print(f"  {'total':24s} {sum(spent.values()) / n / 1000:6.1f}")


if __name__ == "__main__":
    main()
