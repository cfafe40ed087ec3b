"""The category slot with and without the learned category layer, on labelled files: what
the layer adds over the lexicon alone (same engine, same model, same messages).

    .venv/bin/python bench/nlu_categories.py FILE [FILE ...]

Prints, per file, how many labelled categories each reproduces (the eval's slot accuracy).
"""

from __future__ import annotations

import argparse
import dataclasses
from pathlib import Path

from nlu.engine import get_engine
from nlu.evaluation import evaluate, load_dataset


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="+", type=Path)
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


if __name__ == "__main__":
    main()
