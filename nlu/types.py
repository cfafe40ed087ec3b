"""The value the NLU returns: what the resident wants, how urgent, and what they said."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class Intent(StrEnum):
    REPAIR = "repair"
    COMPLAINT = "complaint"
    CONSULT = "consult"
    VISITOR = "visitor"
    STATUS = "status"
    CANCEL = "cancel"
    RATING = "rating"
    GREETING = "greeting"
    OTHER = "other"


@dataclass(frozen=True, slots=True)
class Analysis:
    intent: Intent
    confidence: float
    runner_up: Intent | None
    urgent: bool
    # Slot values are JSON-serialisable except `visit_at`, a timezone-aware datetime.
    slots: dict[str, Any] = field(default_factory=dict)
    # The normalised text (simplified, half-width, Cantonese and homophones mapped).
    normalized: str = ""
    # Not urgent, but the learned layer gave "urgent" a probability too high to ignore
    # (nlu.engine.DOUBT_AT up to the model's threshold): emergencies in unusual words land
    # here far more often than calm messages do, so the bot asks instead of guessing.
    urgent_doubt: bool = False
