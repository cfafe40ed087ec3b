"""What the urgent patterns alone (no learned layer) catch on the training files: emergencies
found, emergencies missed, calm messages flagged. The model is trained on these files, so
only the patterns' figures say how the rules changed between two commits.

    .venv/bin/python bench/nlu_patterns.py

Run it at two commits (a git worktree for the older one) to compare.
"""

from __future__ import annotations

from nlu.engine import get_engine
from nlu.evaluation import load_dataset
from nlu.learn import default_files


def main() -> None:
    engine = get_engine()
    caught = missed = false_alarms = 0
    for path in default_files():
        for example in load_dataset(path).examples:
            flagged = bool(engine.read(example.text).kinds)
            caught += flagged and example.urgent
            missed += not flagged and example.urgent
            false_alarms += flagged and not example.urgent
    files = len(default_files())
    print(
        f"{files} training files: the patterns catch {caught} of {caught + missed} emergencies"
        f" and flag {false_alarms} calm messages"
    )


if __name__ == "__main__":
    main()
