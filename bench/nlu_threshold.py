"""How the learned layer's urgent threshold trades recall for precision on the folds: the
threshold `learn.choose_threshold` picks for several values of `learn.MIN_MARGINAL`, and
cross-validated urgent recall and precision at fixed thresholds.

    .venv/bin/python bench/nlu_threshold.py

Same folds, seed and combination as `propbot nlu train` (λ as the trained model has it).
"""

from __future__ import annotations

from nlu import learn
from nlu.engine import _build, get_engine

MARGINALS = (0.5, 0.55, 0.6, 2 / 3, 0.7, 0.75)
THRESHOLDS = (0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6)


def main() -> None:
    model = get_engine().model
    lam = model.lam if model is not None else 0.5
    rows = learn.featurise(_build(with_model=False), learn.default_files())
    logits = learn.out_of_fold(rows)
    chosen = learn.MIN_MARGINAL
    for marginal in MARGINALS:
        learn.MIN_MARGINAL = marginal
        threshold = learn.choose_threshold(rows, logits)
        scores = learn.measure(rows, logits, lam, threshold)
        mark = " (in use)" if marginal == chosen else ""
        print(
            f"MIN_MARGINAL {marginal:.3f}{mark}: threshold {threshold:.3f}, "
            f"recall {scores.recall:.4f}, precision {scores.precision:.4f}"
        )
    learn.MIN_MARGINAL = chosen
    for threshold in THRESHOLDS:
        scores = learn.measure(rows, logits, lam, threshold)
        print(
            f"threshold {threshold:.2f}: recall {scores.recall:.4f}, "
            f"precision {scores.precision:.4f}"
        )


if __name__ == "__main__":
    main()
