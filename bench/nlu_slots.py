"""Slot accuracy over every training file at once (the eval command reports one file).

    .venv/bin/python bench/nlu_slots.py [SLOT ...] [--files FILE ...]

Prints, per slot (default: count, rating, plate, visit_at), how many labelled values the
engine reproduces. The model is trained on these files, but the slot extractors are rules,
so the figures compare extractor changes between two commits (run the older one from a git
worktree, with PYTHONPATH pointing at it, and the same `--files`: an older commit's own list
of training files is shorter).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from nlu import analyze
from nlu.evaluation import load_dataset, slot_matches
from nlu.learn import SLOTS_ONLY, TRAIN_DIR, default_files

DEFAULT_SLOTS = ("count", "rating", "plate", "visit_at")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("slots", nargs="*", default=list(DEFAULT_SLOTS))
    parser.add_argument(
        "--files", nargs="+", type=Path, help="default: the training and slots-only files"
    )
    args = parser.parse_args()
    slots = tuple(args.slots)
    right = dict.fromkeys(slots, 0)
    total = dict.fromkeys(slots, 0)
    # By default the training files and those written for the slot extractors alone.
    default = default_files() + [TRAIN_DIR / name for name in SLOTS_ONLY]
    for path in args.files or default:
        data = load_dataset(path)
        for example in data.examples:
            wanted = [slot for slot in slots if slot in example.slots]
            if not wanted:
                continue
            found = analyze(example.text, data.now).slots
            for slot in wanted:
                total[slot] += 1
                right[slot] += slot_matches(slot, example.slots[slot], found.get(slot))
    for slot in slots:
        share = right[slot] / total[slot] if total[slot] else 0.0
        print(f"{slot:10} {right[slot]:5} of {total[slot]:5}  {share:.4f}")


if __name__ == "__main__":
    main()
