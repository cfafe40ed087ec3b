"""Values that cross the handler boundary: what came in, what the bot remembers, what to do.

Nothing here knows about WeChat XML or databases; `bot/` translates both ways.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum
from typing import Any, Protocol

from handlers.effects import Effect
from handlers.facts import Facts, Need
from handlers.sla import SHANGHAI, Policy, duration_text


class Kind(StrEnum):
    TEXT = "text"
    IMAGE = "image"
    VOICE = "voice"
    VIDEO = "video"
    LOCATION = "location"
    LINK = "link"
    EVENT = "event"
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class Location:
    latitude: float
    longitude: float
    label: str = ""


@dataclass(frozen=True, slots=True)
class Incoming:
    """One message or event from a resident, already verified and parsed."""

    user: str
    kind: Kind
    time: datetime
    msg_id: str | None = None
    text: str = ""
    media_id: str | None = None
    location: Location | None = None
    # Lower-case event name: subscribe, unsubscribe, scan, click, view, location, ...
    event: str | None = None
    event_key: str | None = None


@dataclass(frozen=True, slots=True)
class Conversation:
    """What the bot remembers between messages of one resident (kept in Redis).

    `expires_at` (epoch seconds) is kept inside the state so that an expired conversation
    can be told apart from none at all, and the resident told it was dropped.
    `paused` holds a form interrupted by another request, to offer it back afterwards.
    """

    flow: str | None = None
    step: str | None = None
    slots: dict[str, Any] = field(default_factory=dict)
    paused: dict[str, Any] | None = None
    expires_at: float = 0.0

    def to_json(self) -> dict[str, Any]:
        return {
            "flow": self.flow,
            "step": self.step,
            "slots": self.slots,
            "paused": self.paused,
            "expires_at": self.expires_at,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any] | None) -> Conversation:
        if not data:
            return cls()
        slots = data.get("slots")
        paused = data.get("paused")
        expires = data.get("expires_at")
        return cls(
            flow=data.get("flow"),
            step=data.get("step"),
            slots=dict(slots) if isinstance(slots, dict) else {},
            paused=dict(paused) if isinstance(paused, dict) else None,
            expires_at=float(expires) if isinstance(expires, int | float) else 0.0,
        )

    @property
    def empty(self) -> bool:
        """Nothing to remember. Slots without a flow hold a question the dispatcher asked
        outside any form (`doubt`: "was that an emergency?")."""
        return self.flow is None and self.paused is None and not self.slots

    def with_slots(self, **values: Any) -> Conversation:
        return replace(self, slots={**self.slots, **values})

    def at(self, step: str | None) -> Conversation:
        return replace(self, step=step)


@dataclass(frozen=True, slots=True)
class Outcome:
    """A handler's decision.

    `reply` may contain `$ticket_no` / `$pass_code`, filled in once the row exists.
    `conversation=None` ends the conversation. A non-empty `needs` means "ask me again
    with these facts loaded"; nothing else in such an Outcome is carried out.
    """

    reply: str | None
    conversation: Conversation | None = None
    effects: tuple[Effect, ...] = ()
    intent: str | None = None
    needs: tuple[Need, ...] = ()
    # Handle this text next, as if the resident had just sent it (after binding succeeds).
    then_text: str | None = None


class FaqAnswer(Protocol):
    @property
    def answer(self) -> str: ...


class FaqHit(Protocol):
    @property
    def entry(self) -> FaqAnswer: ...


class FaqLookup(Protocol):
    """The consultation knowledge base (`handlers.faq.FaqIndex`), loaded once by `bot/`."""

    def best(self, text: str) -> FaqHit | None: ...


@dataclass(frozen=True, slots=True)
class Context:
    """What a handler may know besides the message: the clock, the facts, promised limits."""

    now: datetime
    facts: Facts = field(default_factory=Facts)
    faq: FaqLookup | None = None
    conversation_ttl_seconds: int = 1800
    # The estate's time limits: residents are promised exactly what staff are chased for.
    policy: Policy = field(default_factory=Policy)

    def promise(self, kind: str, priority: str = "normal") -> str:
        """The response limit as residents read it: "30 分钟内", or outside working hours
        "明天 08:30 前" (the clock starts when the office opens)."""
        limit = self.policy.limits_for(kind, priority).respond
        if limit is None:
            return f"{duration_text(limit)}内"
        due = self.policy.deadline(self.now, priority, "respond", limit).astimezone(SHANGHAI)
        if due - self.now <= limit:
            return f"{duration_text(limit)}内"
        today = self.now.astimezone(SHANGHAI).date()
        day = {0: "今天", 1: "明天", 2: "后天"}.get(
            (due.date() - today).days, f"{due.month}月{due.day}日"
        )
        return f"{day} {due:%H:%M} 前"
