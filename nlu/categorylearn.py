"""Training the category layer (nlu/categorise.py) from the labelled messages' categories.

A softmax regression, trained by full-batch gradient descent with numpy: every message
that states a category (a repair, or a complaint about a fault) in the training files.
Deterministic: no shuffling, the same weights from the same files on any machine up to
floating-point rounding in the last printed digit.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from nlu.categorise import CATEGORY_INDEX, CategoryModel, feature_keys, pick
from nlu.engine import Engine, _build
from nlu.evaluation import load_dataset
from nlu.learn import data_hash, default_files
from nlu.lexicon import CATEGORIES

# Round 18, 5-fold on the labelled categories, with words and character pairs as features
# (before the pairs were dropped, categorise.feature_keys): min_count 3 and 5 gave the same
# accuracy; L2 1e-2 lost 0.4 points; 600 steps gained 0.7 over 300; a PRUNE of 0.1 or 0.05
# (676 or 2,249 features kept) gave the same kept-out accuracy, 0.2 two points less.
# Features whose weights are all under PRUNE are dropped: with words only, 478 stay (40 KB).
MIN_COUNT = 3
L2 = 1e-3
STEPS = 600
RATE = 0.5
PRUNE = 0.1
FOLDS = 5
SEED = 13

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class CategoryRow:
    keys: frozenset[str]
    totals: dict[str, float]
    label: int
    source: str


def category_rows(engine: Engine, files: Sequence[Path]) -> list[CategoryRow]:
    """Every message in `files` labelled with one of CATEGORIES, as the engine reads it."""
    rows: list[CategoryRow] = []
    for path in files:
        for ex in load_dataset(path).examples:
            label = CATEGORY_INDEX.get(ex.slots.get("category", ""))
            if label is None:
                continue
            r = engine.read(ex.text)
            rows.append(
                CategoryRow(
                    keys=feature_keys(r.tokens, r.kinds),
                    totals=engine.category_totals(r.norm, r.kinds),
                    label=label,
                    source=path.name,
                )
            )
    return rows


def fit(rows: Sequence[CategoryRow], *, data_hash: str = "") -> CategoryModel:
    counts: dict[str, int] = {}
    for row in rows:
        for key in row.keys:
            counts[key] = counts.get(key, 0) + 1
    vocab = sorted(k for k, n in counts.items() if n >= MIN_COUNT)
    index = {k: i for i, k in enumerate(vocab)}
    row_ids: list[int] = []
    col_ids: list[int] = []
    for n, row in enumerate(rows):
        for key in sorted(row.keys):
            i = index.get(key)
            if i is not None:
                row_ids.append(n)
                col_ids.append(i)
    width = len(CATEGORIES)
    lex = np.zeros((len(rows), width))
    for n, row in enumerate(rows):
        for name, value in row.totals.items():
            lex[n, CATEGORY_INDEX[name]] = value
    target = np.eye(width)[[row.label for row in rows]]
    weights, lexicon, bias = _descend(
        np.array(row_ids, dtype=np.intp),
        np.array(col_ids, dtype=np.intp),
        lex,
        target,
        n_features=len(vocab),
    )
    features = {
        key: tuple(round(float(w), 3) for w in weights[i])
        for i, key in enumerate(vocab)
        if float(np.abs(weights[i]).max()) >= PRUNE
    }
    return CategoryModel(
        features=features,
        lexicon={
            name: tuple(round(float(w), 3) for w in lexicon[CATEGORY_INDEX[name]])
            for name in CATEGORIES
        },
        bias=tuple(round(float(b), 3) for b in bias),
        data_hash=data_hash,
    )


def _descend(
    row_ids: npt.NDArray[np.intp],
    col_ids: npt.NDArray[np.intp],
    lex: FloatArray,
    target: FloatArray,
    *,
    n_features: int,
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Full-batch gradient descent on the L2-regularised softmax loss. The word features
    are a sparse 0/1 matrix given by (row_ids, col_ids), row_ids ascending; its products
    are sums over runs (numpy has no sparse matrices). Arrays are kept category-major so
    that each sum runs along contiguous memory."""
    n, width = target.shape
    row_ptr = np.searchsorted(row_ids, np.arange(n + 1))
    by_col = np.argsort(col_ids, kind="stable")
    col_ptr = np.searchsorted(col_ids[by_col], np.arange(n_features + 1))
    rows_by_col = row_ids[by_col]
    weights = np.zeros((width, n_features))
    lexicon = np.zeros((width, width))
    bias = np.zeros((width, 1))
    lex_t = np.ascontiguousarray(lex.T)
    target_t = np.ascontiguousarray(target.T)
    for _ in range(STEPS):
        scores = lexicon @ lex_t + bias + _run_sums(weights[:, col_ids], row_ptr)
        scores -= scores.max(axis=0, keepdims=True)
        probs = np.exp(scores)
        probs /= probs.sum(axis=0, keepdims=True)
        grad = (probs - target_t) / n
        grad_w = _run_sums(grad[:, rows_by_col], col_ptr)
        weights -= RATE * (grad_w + L2 * weights)
        lexicon -= RATE * (grad @ lex + L2 * lexicon)
        bias -= RATE * grad.sum(axis=1, keepdims=True)
    return weights.T, lexicon.T, bias[:, 0]


def _run_sums(values: FloatArray, ptr: npt.NDArray[np.intp]) -> FloatArray:
    """Column sums of values[:, ptr[i]:ptr[i + 1]] for each i (empty runs give zeros)."""
    result = np.zeros((values.shape[0], len(ptr) - 1))
    filled = ptr[1:] > ptr[:-1]
    result[:, filled] = np.add.reduceat(values, ptr[:-1][filled], axis=1)
    return result


def lexicon_choice(totals: dict[str, float]) -> str:
    """What the lexicon alone says (the engine without the layer): the heaviest total."""
    return max(totals, key=totals.__getitem__) if totals else "other"


def cross_validate(rows: Sequence[CategoryRow]) -> dict[str, float]:
    """Accuracy of the layer out of fold, against the lexicon alone on the same messages."""
    order = list(range(len(rows)))
    random.Random(SEED).shuffle(order)
    right = 0
    for fold in range(FOLDS):
        held = set(order[fold::FOLDS])
        model = fit([rows[i] for i in order if i not in held])
        right += sum(
            CATEGORIES[rows[i].label] == pick(model, rows[i].totals, rows[i].keys, ()) for i in held
        )
    lexicon_right = sum(CATEGORIES[r.label] == lexicon_choice(r.totals) for r in rows)
    return {
        "rows": len(rows),
        "cv_accuracy": round(right / len(rows), 4),
        "lexicon_accuracy": round(lexicon_right / len(rows), 4),
    }


def build_categories(files: Sequence[Path] | None = None) -> tuple[CategoryModel, dict[str, float]]:
    """Train the layer on `files` (default: the training files) and report CV."""
    paths = list(files) if files is not None else default_files()
    rows = category_rows(_build(with_model=False), paths)
    report = cross_validate(rows)
    return fit(rows, data_hash=data_hash(paths)), report
