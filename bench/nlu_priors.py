"""Do the learned layer's class priors help or hurt? Cross-validated intent accuracy of the
rules + model combination with the priors as trained, without them, at half weight, and with
the model scaled by how many of the message's features it knows (a guard for very short
messages, where the priors speak loudest).

    .venv/bin/python bench/nlu_priors.py

Same folds and seed as `propbot nlu train`; prints one line per variant, accuracy by lambda.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from operator import add

from nlu.engine import _build
from nlu.learn import FOLDS, SEED, Row, default_files, featurise
from nlu.lexicon import INTENT_INDEX
from nlu.model import DECISIVE, N_INTENTS, Model, combine, train

LAMBDAS = (0.3, 0.5, 0.7, 1.0, 1.5)
# Logits, the fold model's bias and how many of the message's features it knows -> logits.
Variant = Callable[[list[float], Sequence[float], int], list[float]]


def _without(share: float) -> Variant:
    def apply(logits: list[float], bias: Sequence[float], _known: int) -> list[float]:
        intents = [v - share * b for v, b in zip(logits[:N_INTENTS], bias, strict=False)]
        return [*intents, logits[-1]]

    return apply


def _coverage(full_at: int) -> Variant:
    def apply(logits: list[float], _bias: Sequence[float], known: int) -> list[float]:
        share = min(1.0, known / full_at)
        return [v * share for v in logits]

    return apply


VARIANTS: dict[str, Variant] = {
    "priors as trained": _without(0.0),
    "priors left out": _without(1.0),
    "priors at half weight": _without(0.5),
    "model x known/2": _coverage(2),
    "model x known/4": _coverage(4),
    "model x known/8": _coverage(8),
}


def _known(model: Model, row: Row) -> int:
    s = row.sample
    keys = frozenset(map(add, s.text, s.text[1:])).union(s.tokens)
    return sum(1 for key in keys if key in model.features)


def main() -> None:
    rows = featurise(_build(with_model=False), default_files())
    order = list(range(len(rows)))
    random.Random(SEED).shuffle(order)
    fold_of = {n: i % FOLDS for i, n in enumerate(order)}
    held: list[tuple[Row, list[float], Sequence[float], int]] = []
    for k in range(FOLDS):
        model = train([r.sample for n, r in enumerate(rows) if fold_of[n] != k])
        for n, row in enumerate(rows):
            if fold_of[n] != k or not row.sample.intent_weight:
                continue  # urgency-only files do not judge intents
            s = row.sample
            logits = model.logits(s.tokens, s.text, s.evidence)
            if logits is None or row.rules.confidence >= DECISIVE:
                logits = []  # the rules decide alone, as in Engine.analyze
            held.append((row, logits, model.bias, _known(model, row)))
    print(f"{len(held)} messages with an intent label, {FOLDS}-fold")
    for name, variant in VARIANTS.items():
        figures = []
        for lam in LAMBDAS:
            right = 0
            for row, logits, bias, known in held:
                decided = row.rules
                if logits:
                    decided = combine(row.rules, variant(logits, bias, known), lam)
                right += INTENT_INDEX[decided.intent] == row.sample.intent
            figures.append(f"λ {lam}: {right / len(held):.4f}")
        print(f"{name:24}", "  ".join(figures))


if __name__ == "__main__":
    main()
