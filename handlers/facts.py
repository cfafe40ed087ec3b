"""Facts a handler may need from the database, and the requests (`Need`s) for them.

Handlers never query anything. When a decision needs data, the handler returns an Outcome
with `needs`; `bot/` loads them into `Facts` and asks the handler again.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime

from storage.ticket_status import OPEN as OPEN_STATUSES


@dataclass(frozen=True, slots=True)
class ResidentFacts:
    # False until `bot/` has looked the resident up: most messages (greetings, questions)
    # never need to, and the webhook's hot path is cheaper without the query.
    loaded: bool = False
    id: int | None = None
    household_id: int | None = None
    room_label: str | None = None
    verified: bool = False
    bind_failures: int = 0
    bind_locked_until: datetime | None = None

    @property
    def bound(self) -> bool:
        return self.verified and self.household_id is not None


@dataclass(frozen=True, slots=True)
class HouseholdFacts:
    id: int
    label: str
    phone_last4: str


@dataclass(frozen=True, slots=True)
class EventFacts:
    action: str
    note: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class TicketFacts:
    number: int
    kind: str
    status: str
    priority: str
    category: str | None
    location: str | None
    description: str
    created_at: datetime
    response_due_at: datetime | None
    resolve_due_at: datetime | None
    assignee: str | None = None
    events: tuple[EventFacts, ...] = ()

    @property
    def open(self) -> bool:
        return self.status in OPEN_STATUSES


@dataclass(frozen=True, slots=True)
class NeedResident:
    """Who the resident is: verified household, binding lock."""


@dataclass(frozen=True, slots=True)
class NeedHousehold:
    building: str
    unit: str
    room: str


@dataclass(frozen=True, slots=True)
class NeedMyTickets:
    """The resident's open tickets and those finished in the last 30 days, newest first."""


@dataclass(frozen=True, slots=True)
class NeedTicket:
    number: int


@dataclass(frozen=True, slots=True)
class NeedPublicDuplicate:
    area: str
    category: str


@dataclass(frozen=True, slots=True)
class NeedComplaintHistory:
    """Earlier complaints on the same topic: by this resident (30 days), at a place (7 days)."""

    topic: str
    place: str | None


Need = (
    NeedResident
    | NeedHousehold
    | NeedMyTickets
    | NeedTicket
    | NeedPublicDuplicate
    | NeedComplaintHistory
)


@dataclass(frozen=True, slots=True)
class ComplaintHistory:
    same_resident: int
    residents_at_place: int


@dataclass(frozen=True, slots=True)
class Facts:
    resident: ResidentFacts = field(default_factory=ResidentFacts)
    households: dict[NeedHousehold, HouseholdFacts | None] = field(default_factory=dict)
    my_tickets: tuple[TicketFacts, ...] | None = None
    tickets: dict[int, TicketFacts | None] = field(default_factory=dict)
    public_duplicates: dict[NeedPublicDuplicate, int | None] = field(default_factory=dict)
    complaint_history: dict[NeedComplaintHistory, ComplaintHistory] = field(default_factory=dict)

    def has(self, need: Need) -> bool:
        match need:
            case NeedResident():
                return self.resident.loaded
            case NeedHousehold():
                return need in self.households
            case NeedMyTickets():
                return self.my_tickets is not None
            case NeedTicket():
                return need.number in self.tickets
            case NeedPublicDuplicate():
                return need in self.public_duplicates
            case NeedComplaintHistory():
                return need in self.complaint_history
        return False

    def merged(self, other: Facts) -> Facts:
        return replace(
            self,
            resident=other.resident if other.resident.loaded else self.resident,
            households={**self.households, **other.households},
            my_tickets=other.my_tickets if other.my_tickets is not None else self.my_tickets,
            tickets={**self.tickets, **other.tickets},
            public_duplicates={**self.public_duplicates, **other.public_duplicates},
            complaint_history={**self.complaint_history, **other.complaint_history},
        )
