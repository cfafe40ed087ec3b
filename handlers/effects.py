"""Effects: what a handler wants done. `bot/` carries them out in the message's transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class TicketKind(StrEnum):
    REPAIR = "repair"
    COMPLAINT = "complaint"
    CONSULT = "consult"


class Priority(StrEnum):
    NORMAL = "normal"
    URGENT = "urgent"


@dataclass(frozen=True, slots=True)
class CreateTicket:
    """Open a ticket. `idem_key` makes a retried or double-sent request create one ticket.

    With `follow` set, the resident joins that open public-area ticket instead.
    """

    kind: TicketKind
    description: str
    idem_key: str
    category: str | None = None
    priority: Priority = Priority.NORMAL
    location: str | None = None
    media_ids: tuple[str, ...] = ()
    preferred_time: str | None = None
    linked_ticket: int | None = None
    repeated: bool = False
    follow: int | None = None


@dataclass(frozen=True, slots=True)
class MarkResident:
    """Record that a resident followed or unfollowed the Official Account."""

    active: bool


@dataclass(frozen=True, slots=True)
class BindResident:
    household_id: int


@dataclass(frozen=True, slots=True)
class BindFailed:
    """A wrong answer while binding; `locked_until` set on the third."""

    failures: int
    locked_until: datetime | None = None


@dataclass(frozen=True, slots=True)
class CreateVisitorPass:
    idem_key: str
    visitor_name: str
    visit_at: datetime
    people: int
    valid_from: datetime
    valid_until: datetime
    plate: str | None = None


@dataclass(frozen=True, slots=True)
class CancelTicket:
    number: int
    reason: str


@dataclass(frozen=True, slots=True)
class UrgeTicket:
    number: int
    note: str


@dataclass(frozen=True, slots=True)
class ConfirmResolved:
    """The resident says the job is done (验收)."""

    number: int


@dataclass(frozen=True, slots=True)
class Reopen:
    """Not fixed, or a bad rating: the job goes back to work and staff are told."""

    number: int
    reason: str


@dataclass(frozen=True, slots=True)
class RateTicket:
    number: int
    score: int
    comment: str = ""


@dataclass(frozen=True, slots=True)
class NotifyStaff:
    """Tell a staff group; queued in the outbox and sent by the staff-chat sender."""

    group: str
    event: str
    text: str
    ticket: int | None = None


Effect = (
    CreateTicket
    | MarkResident
    | BindResident
    | BindFailed
    | CreateVisitorPass
    | CancelTicket
    | UrgeTicket
    | ConfirmResolved
    | Reopen
    | RateTicket
    | NotifyStaff
)
