"""The fault category of a repair or fault complaint: the lexicon's weighted words
(nlu/data/categories.tsv), helped by a small learned layer (nlu/data/category_model.json).

The lexicon alone takes the heaviest category among the words it finds, and a repair with
none gets `other`. That misses what the other words say: "楼道扶手晃得厉害" names no
object in the lexicon, yet is plainly a public facility. The layer is a softmax over the
lexicon's totals per category (so an edit to categories.tsv still counts) and the words
the labelled repairs taught it; it is asked only when the lexicon is unsure (`pick`).
Round 18, on the 657 categories of the kept-out sets: 553 right with the lexicon alone,
578 with the layer (docs/nlu.md, `bench/nlu_categories.py`).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from nlu.lexicon import CATEGORIES
from nlu.model import KIND_PREFIX, weight_table

CATEGORY_MODEL_PATH = Path(__file__).resolve().parent / "data" / "category_model.json"
CATEGORY_INDEX = {name: i for i, name in enumerate(CATEGORIES)}
FORMAT = 1

Weights = tuple[float, ...]


@dataclass(frozen=True, slots=True)
class CategoryModel:
    # A word (or an urgency finding, KIND_PREFIX) -> one weight per category, only the words
    # whose weights matter.
    features: dict[str, Weights]
    # For each category the lexicon scores, what one point of its total adds to each.
    lexicon: dict[str, Weights]
    bias: Weights
    data_hash: str = ""
    keys: frozenset[str] = field(init=False, repr=False, compare=False)  # of `features`

    def __post_init__(self) -> None:
        object.__setattr__(self, "keys", frozenset(self.features))

    def choose(
        self, totals: Mapping[str, float], tokens: Iterable[str], kinds: Iterable[str]
    ) -> str:
        """The category for a message: its lexicon totals, words and urgency findings (the
        features `feature_keys` lists). This runs for every repair and complaint: a set
        intersection in C finds the few known words."""
        found = self.keys.intersection(tokens)
        if kinds:
            found = found.union(KIND_PREFIX + kind for kind in kinds)
        get = self.features.get
        rows: list[Sequence[float]] = [self.bias]
        rows += filter(None, map(get, found))
        for name, value in totals.items():
            row = self.lexicon.get(name)
            if row is not None:
                rows.append([value * w for w in row])
        # Every row has len(CATEGORIES) weights (`load` refuses a table that does not).
        scores = list(map(sum, zip(*rows, strict=False)))
        return CATEGORIES[scores.index(max(scores))]


# The lexicon is sure when its heaviest category leads the next by this much (or stands
# alone that far above nothing): then the layer is not asked. Round 18, on the 657 kept-out
# categories (`bench/nlu_categories.py --by-lead`): where the lead was >= 2 (454 messages) the
# layer changed 8 answers for a net +2; below it (203) 53 for a net +27. Asking it only there
# keeps nearly all its gain at a third of its cost (docs/nlu.md).
LEXICON_SURE = 2.0


def pick(
    layer: CategoryModel | None,
    totals: Mapping[str, float],
    tokens: Iterable[str],
    kinds: Iterable[str],
) -> str:
    """The category: the lexicon's heaviest total when it is sure or there is no layer
    (`other` when it found nothing), else the layer's choice."""
    if totals:
        first = second = 0.0
        best = next(iter(totals))
        for name, value in totals.items():
            if value > first:
                first, second, best = value, first, name
            elif value > second:
                second = value
        if layer is None or first - second >= LEXICON_SURE:
            return best
    elif layer is None:
        return "other"
    return layer.choose(totals, tokens, kinds)


def feature_keys(tokens: Iterable[str], kinds: Iterable[str]) -> frozenset[str]:
    """The layer's features of a message, as training sees them. (Words only: character
    pairs as well were tried in round 18 and added next to nothing for twice the lookups.)"""
    return frozenset(t for t in tokens if t.strip()).union(KIND_PREFIX + k for k in kinds)


def dump(model: CategoryModel) -> str:
    """Deterministic JSON (sorted keys, rounded weights)."""
    payload = {
        "format": FORMAT,
        "categories": list(CATEGORIES),
        "data_hash": model.data_hash,
        "bias": list(model.bias),
        "lexicon": {k: list(v) for k, v in sorted(model.lexicon.items())},
        "features": {k: list(v) for k, v in sorted(model.features.items())},
    }
    return json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":")) + "\n"


def load(path: Path) -> CategoryModel | None:
    """The layer in `path`, or None when there is none (the lexicon then decides alone)."""
    if not path.is_file():
        return None
    payload = json.loads(path.read_text(encoding="utf-8"))
    if payload.get("format") != FORMAT or payload.get("categories") != list(CATEGORIES):
        raise ValueError(f"{path}: written for another format or category list; retrain")
    width = len(CATEGORIES)

    bias = tuple(map(float, payload["bias"]))
    lexicon = weight_table(payload, "lexicon", width, path)
    if len(bias) != width or not set(lexicon) <= set(CATEGORIES):
        raise ValueError(f"{path}: a malformed bias or lexicon table; retrain")
    return CategoryModel(
        features=weight_table(payload, "features", width, path),
        lexicon=lexicon,
        bias=bias,
        data_hash=str(payload["data_hash"]),
    )
