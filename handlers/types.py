"""Values that cross the handler boundary: what came in, what the bot remembers, what to do.

Nothing here knows about WeChat XML or databases; `bot/` translates both ways.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any


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
    """What the bot remembers between messages of one resident (kept in Redis with a TTL)."""

    flow: str | None = None
    step: str | None = None
    slots: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {"flow": self.flow, "step": self.step, "slots": self.slots}

    @classmethod
    def from_json(cls, data: dict[str, Any] | None) -> Conversation:
        if not data:
            return cls()
        slots = data.get("slots")
        return cls(
            flow=data.get("flow"),
            step=data.get("step"),
            slots=dict(slots) if isinstance(slots, dict) else {},
        )

    @property
    def empty(self) -> bool:
        return self.flow is None


class TicketKind(StrEnum):
    REPAIR = "repair"
    COMPLAINT = "complaint"
    CONSULT = "consult"


class Priority(StrEnum):
    NORMAL = "normal"
    URGENT = "urgent"


@dataclass(frozen=True, slots=True)
class CreateTicket:
    """Open a ticket. `idem_key` makes a retried or double-sent request create one ticket."""

    kind: TicketKind
    description: str
    idem_key: str
    category: str | None = None
    priority: Priority = Priority.NORMAL
    location: str | None = None
    media_ids: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class MarkResident:
    """Record that a resident followed or unfollowed the Official Account."""

    active: bool


Effect = CreateTicket | MarkResident


@dataclass(frozen=True, slots=True)
class Outcome:
    """A handler's decision. `reply` may contain `$ticket_no`, filled in once the ticket exists.

    `conversation=None` ends the conversation (its state is deleted).
    """

    reply: str | None
    conversation: Conversation | None = None
    effects: tuple[Effect, ...] = ()
    intent: str | None = None


@dataclass(frozen=True, slots=True)
class Context:
    """What a handler may know besides the message: the clock and promised response times."""

    now: datetime
    repair_response_minutes: int = 30
    urgent_response_minutes: int = 5
