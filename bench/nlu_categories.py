"""The category slot with and without the learned category layer, on labelled files: what
the layer adds over the lexicon alone (same engine, same model, same messages).

    .venv/bin/python bench/nlu_categories.py FILE [FILE ...]

Prints, per file, how many labelled categories each reproduces (the eval's slot accuracy).
With `--by-lead`, also where the lexicon's heaviest category leads the next by at least
`categorise.LEXICON_SURE` and where it does not: how many messages, how many answers the
layer (always asked) changes, and its net gain there over the lexicon alone.
"""

from __future__ import annotations

import argparse
import dataclasses
from pathlib import Path

from nlu.categorise import LEXICON_SURE
from nlu.categorylearn import category_rows, lexicon_choice
from nlu.engine import get_engine
from nlu.evaluation import evaluate, load_dataset
from nlu.lexicon import CATEGORIES


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="+", type=Path)
    parser.add_argument("--by-lead", action="store_true")
    args = parser.parse_args()
    layered = get_engine()
    lexicon = dataclasses.replace(layered, categories=None)
    totals = [0, 0, 0]
    for path in args.files:
        data = load_dataset(path)
        found = []
        support = 0
        for engine in (lexicon, layered):
            slot = evaluate(data.examples, engine.analyze, data.now).slots.get("category")
            support = int(slot["support"]) if slot else 0
            found.append(round(slot["accuracy"] * support) if slot else 0)
        totals[0] += found[0]
        totals[1] += found[1]
        totals[2] += support
        print(f"{path.name:28s} lexicon {found[0]:4d}  layer {found[1]:4d}  of {support:4d}")
    print(f"{'all':28s} lexicon {totals[0]:4d}  layer {totals[1]:4d}  of {totals[2]:4d}")
    if args.by_lead and layered.categories is not None:
        _by_lead(args.files)


def _by_lead(files: list[Path]) -> None:
    layer = get_engine().categories
    assert layer is not None
    groups = {True: [0, 0, 0], False: [0, 0, 0]}  # sure -> [messages, changed, net]
    for row in category_rows(get_engine(), files):
        values = [*sorted(row.totals.values(), reverse=True), 0.0, 0.0]
        sure = bool(row.totals) and values[0] - values[1] >= LEXICON_SURE
        gold = CATEGORIES[row.label]
        alone, asked = lexicon_choice(row.totals), layer.choose(row.totals, row.keys, ())
        group = groups[sure]
        group[0] += 1
        group[1] += alone != asked
        group[2] += (asked == gold) - (alone == gold)
    for sure, (n, changed, net) in groups.items():
        lead = f"lead >= {LEXICON_SURE}" if sure else f"lead < {LEXICON_SURE}"
        print(f"{lead:12s} {n:5d} messages, the layer changes {changed:4d}, net {net:+d}")


if __name__ == "__main__":
    main()
