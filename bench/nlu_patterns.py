"""What the urgent patterns alone (no learned layer) catch on the training files: emergencies
found, emergencies missed, calm messages flagged. The model is trained on these files, so
only the patterns' figures say how the rules changed between two commits.

    .venv/bin/python bench/nlu_patterns.py [--files FILE ...]

Run it at two commits (a git worktree for the older one, with PYTHONPATH pointing at it) to
compare, with the same `--files`: an older commit's own list of training files is shorter.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from nlu.engine import get_engine
from nlu.evaluation import load_dataset
from nlu.learn import default_files


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", nargs="+", type=Path, help="default: the training files")
    files = parser.parse_args().files or default_files()
    engine = get_engine()
    caught = missed = false_alarms = 0
    for path in files:
        for example in load_dataset(path).examples:
            flagged = bool(engine.read(example.text).kinds)
            caught += flagged and example.urgent
            missed += not flagged and example.urgent
            false_alarms += flagged and not example.urgent
    print(
        f"{len(files)} files: the patterns catch {caught} of {caught + missed} emergencies"
        f" and flag {false_alarms} calm messages"
    )


if __name__ == "__main__":
    main()
