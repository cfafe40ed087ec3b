"""Scoring the NLU against a labelled TSV (tests/data/nlu_*.tsv format)."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from nlu.types import Analysis, Intent

NOW_PREFIX = "# now:"


@dataclass(frozen=True, slots=True)
class Example:
    line: int
    text: str
    intent: Intent
    urgent: bool
    slots: dict[str, Any]


@dataclass(slots=True)
class Dataset:
    now: datetime | None
    examples: list[Example] = field(default_factory=list)


def load_dataset(path: Path) -> Dataset:
    """Read `# now: ISO` + header + `text<TAB>intent<TAB>urgent<TAB>slots-json` rows."""
    data = Dataset(now=None)
    header_seen = False
    for lineno, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if raw.startswith(NOW_PREFIX):
            data.now = datetime.fromisoformat(raw[len(NOW_PREFIX) :].strip())
            continue
        if raw.startswith("#") or not raw.strip():
            continue
        if not header_seen:
            header_seen = True
            if raw.split("\t")[0] == "text":
                continue
        parts = raw.split("\t")
        if len(parts) != 4:
            raise ValueError(f"{path}:{lineno}: expected 4 tab-separated fields")
        text, intent, urgent, slots = parts
        data.examples.append(
            Example(lineno, text, Intent(intent), urgent.strip() == "1", json.loads(slots))
        )
    return data


def slot_matches(key: str, expected: Any, actual: Any) -> bool:
    if actual is None:
        return False
    if key == "visit_at":
        want = datetime.fromisoformat(expected) if isinstance(expected, str) else expected
        if not isinstance(actual, datetime):
            return False
        return bool(actual.date() == want.date() and actual.hour == want.hour)
    return bool(expected == actual)


@dataclass(slots=True)
class Report:
    total: int
    accuracy: float
    per_intent: dict[str, dict[str, float]]
    confusion: dict[str, dict[str, int]]
    urgent: dict[str, float]
    slots: dict[str, dict[str, float]]
    errors: list[dict[str, Any]]

    def as_dict(self) -> dict[str, Any]:
        return {
            "total": self.total,
            "accuracy": self.accuracy,
            "per_intent": self.per_intent,
            "confusion": self.confusion,
            "urgent": self.urgent,
            "slots": self.slots,
            "errors": self.errors,
        }


def _ratio(num: int, den: int) -> float:
    return round(num / den, 4) if den else 1.0


def evaluate(
    examples: Sequence[Example],
    analyze: Callable[[str, datetime | None], Analysis],
    now: datetime | None,
) -> Report:
    labels = [i.value for i in Intent]
    confusion = {a: dict.fromkeys(labels, 0) for a in labels}
    correct = 0
    tp_u = fp_u = fn_u = 0
    # Messages not flagged that get the "is it an emergency?" question (`urgent_doubt`).
    missed_asked = calm = calm_asked = 0
    slot_hits: dict[str, int] = {}
    slot_total: dict[str, int] = {}
    errors: list[dict[str, Any]] = []
    for ex in examples:
        result = analyze(ex.text, now)
        confusion[ex.intent.value][result.intent.value] += 1
        ok_intent = result.intent == ex.intent
        correct += ok_intent
        if ex.urgent and result.urgent:
            tp_u += 1
        elif result.urgent:
            fp_u += 1
        elif ex.urgent:
            fn_u += 1
            missed_asked += result.urgent_doubt
        else:
            calm += 1
            calm_asked += result.urgent_doubt
        wrong_slots = []
        for key, want in ex.slots.items():
            slot_total[key] = slot_total.get(key, 0) + 1
            if slot_matches(key, want, result.slots.get(key)):
                slot_hits[key] = slot_hits.get(key, 0) + 1
            else:
                wrong_slots.append(key)
        if not ok_intent or ex.urgent != result.urgent or wrong_slots:
            got = {
                k: (v.isoformat() if isinstance(v, datetime) else v)
                for k, v in result.slots.items()
            }
            errors.append(
                {
                    "line": ex.line,
                    "text": ex.text,
                    "expected": ex.intent.value,
                    "got": result.intent.value,
                    "urgent": [ex.urgent, result.urgent],
                    "wrong_slots": {k: [ex.slots[k], got.get(k)] for k in wrong_slots},
                }
            )
    per_intent: dict[str, dict[str, float]] = {}
    for label in labels:
        tp = confusion[label][label]
        predicted = sum(confusion[g][label] for g in labels)
        actual = sum(confusion[label].values())
        precision = _ratio(tp, predicted)
        recall = _ratio(tp, actual)
        f1 = round(2 * precision * recall / (precision + recall), 4) if precision + recall else 0.0
        per_intent[label] = {
            "precision": precision,
            "recall": recall,
            "f1": f1,
            "support": actual,
        }
    slots = {
        key: {"accuracy": _ratio(slot_hits.get(key, 0), n), "support": n}
        for key, n in sorted(slot_total.items())
    }
    all_hits = sum(slot_hits.values())
    all_total = sum(slot_total.values())
    slots["all"] = {"accuracy": _ratio(all_hits, all_total), "support": all_total}
    return Report(
        total=len(examples),
        accuracy=_ratio(correct, len(examples)),
        per_intent=per_intent,
        confusion=confusion,
        urgent={
            "recall": _ratio(tp_u, tp_u + fn_u),
            "precision": _ratio(tp_u, tp_u + fp_u),
            "support": tp_u + fn_u,
            "flagged": tp_u + fp_u,
            "missed": fn_u,
            "missed_asked": missed_asked,
            "calm": calm,
            "calm_asked": calm_asked,
        },
        slots=slots,
        errors=errors,
    )
