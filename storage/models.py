"""SQLAlchemy models: the service desk's permanent record."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    DateTime,
    ForeignKey,
    Identity,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator

# Ticket numbers are the primary key and start here so the first ticket a resident
# sees is "#1001", not "#1"; identities are never reused on either database.
TICKET_NUMBER_START = 1001


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Aware datetimes in, aware UTC datetimes out, on SQLite (which has no time zones) too."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the database; use an aware one")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    type_annotation_map: ClassVar[dict[Any, Any]] = {datetime: UTCDateTime(), dict[str, Any]: JSON}


class Household(Base):
    __tablename__ = "households"
    __table_args__ = (UniqueConstraint("building", "unit", "room", name="uq_household_room"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    building: Mapped[str] = mapped_column(String(16))
    unit: Mapped[str] = mapped_column(String(16), default="")
    room: Mapped[str] = mapped_column(String(16))
    owner_name: Mapped[str] = mapped_column(String(64), default="")
    phone: Mapped[str] = mapped_column(String(20), default="")


class Resident(Base):
    __tablename__ = "residents"

    id: Mapped[int] = mapped_column(primary_key=True)
    openid: Mapped[str] = mapped_column(String(64), unique=True)
    household_id: Mapped[int | None] = mapped_column(ForeignKey("households.id"), index=True)
    verified: Mapped[bool] = mapped_column(default=False)
    active: Mapped[bool] = mapped_column(default=True)
    name: Mapped[str] = mapped_column(String(64), default="")
    phone: Mapped[str] = mapped_column(String(20), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_message_at: Mapped[datetime | None]
    # Wrong phone digits while binding; three in a row lock binding for a while.
    bind_failures: Mapped[int] = mapped_column(Integer, default=0)
    bind_locked_until: Mapped[datetime | None]


class Staff(Base):
    __tablename__ = "staff"

    id: Mapped[int] = mapped_column(primary_key=True)
    userid: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(64))
    role: Mapped[str] = mapped_column(String(16))
    phone: Mapped[str] = mapped_column(String(20), default="")
    active: Mapped[bool] = mapped_column(default=True)


class Ticket(Base):
    __tablename__ = "tickets"
    __table_args__ = (
        Index("ix_tickets_status_kind", "status", "kind"),
        Index("ix_tickets_resident_status", "resident_id", "status"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(Identity(start=TICKET_NUMBER_START), primary_key=True)
    idem_key: Mapped[str] = mapped_column(String(160), unique=True)
    kind: Mapped[str] = mapped_column(String(16))
    category: Mapped[str | None] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16), default="new")
    priority: Mapped[str] = mapped_column(String(16), default="normal")
    location: Mapped[str | None] = mapped_column(String(128))
    description: Mapped[str] = mapped_column(Text)
    resident_id: Mapped[int | None] = mapped_column(ForeignKey("residents.id"))
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    responded_at: Mapped[datetime | None]
    resolved_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    response_due_at: Mapped[datetime | None] = mapped_column(index=True)
    resolve_due_at: Mapped[datetime | None] = mapped_column(index=True)
    # Work started on site (开始); the arrival limit runs until then.
    started_at: Mapped[datetime | None]
    start_due_at: Mapped[datetime | None]
    # The clocks stop while a ticket is paused: `paused_at` marks the pause under way and
    # `paused_seconds` adds up the finished ones, by which every deadline has moved.
    paused_at: Mapped[datetime | None]
    paused_seconds: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # Who marked it 完成: the rating belongs to them, whoever owns the ticket later.
    # No foreign key, for the same reason as `linked_ticket_id`.
    resolved_by_id: Mapped[int | None] = mapped_column(Integer, index=True)
    preferred_time: Mapped[str | None] = mapped_column(String(64))
    # A complaint about an earlier ticket (e.g. a repair nobody came for) links to it.
    # No foreign key: adding one makes SQLite rebuild the table and lose AUTOINCREMENT.
    linked_ticket_id: Mapped[int | None] = mapped_column(Integer)
    # 重复投诉: same resident and topic within 30 days, or 3+ residents about one place in 7.
    repeated: Mapped[bool] = mapped_column(default=False)
    urge_count: Mapped[int] = mapped_column(Integer, default=0)
    # The resident's satisfaction (1-5) once the job is done, and what they said.
    # When the scheduler next looks at this ticket (reminder, escalation, poll); NULL for a
    # ticket it has not seen yet. Indexed so a pass never scans every open ticket.
    next_alert_at: Mapped[datetime | None] = mapped_column(index=True)
    rating: Mapped[int | None] = mapped_column(Integer)
    rating_comment: Mapped[str | None] = mapped_column(Text)
    rated_at: Mapped[datetime | None]

    events: Mapped[list[TicketEvent]] = relationship(
        back_populates="ticket", order_by="TicketEvent.id", lazy="raise"
    )

    @property
    def number(self) -> int:
        return self.id


class TicketEvent(Base):
    """Append-only history: every change to a ticket and who made it."""

    __tablename__ = "ticket_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"), index=True)
    # "resident:<openid>", "staff:<userid>" or "system".
    actor: Mapped[str] = mapped_column(String(80))
    action: Mapped[str] = mapped_column(String(32))
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    ticket: Mapped[Ticket] = relationship(back_populates="events", lazy="raise")


class TicketAlert(Base):
    """One fired step of a ticket's time-limit ladder; the unique key makes it fire once."""

    __tablename__ = "ticket_alerts"
    __table_args__ = (UniqueConstraint("ticket_id", "step", name="uq_ticket_alert"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"), index=True)
    # e.g. "respond:remind", "respond:escalate", "resolve:manager", "poll:remind".
    step: Mapped[str] = mapped_column(String(32))
    fired_at: Mapped[datetime]


class ScheduledRun(Base):
    """A once-a-period job that ran (e.g. the digest of 2026-11-21); unique, so that several
    schedulers never send it twice."""

    __tablename__ = "scheduled_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    # e.g. "digest:2026-11-21"
    key: Mapped[str] = mapped_column(String(96), unique=True)
    ran_at: Mapped[datetime]


class TicketFollower(Base):
    """A resident who reported the same public-area fault; told when the one job is done."""

    __tablename__ = "ticket_followers"
    __table_args__ = (UniqueConstraint("ticket_id", "resident_id", name="uq_follower"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"), index=True)
    resident_id: Mapped[int] = mapped_column(ForeignKey("residents.id"))
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class VisitorPass(Base):
    """A visitor pre-registered by a resident; the gate checks the short code."""

    __tablename__ = "visitor_passes"
    __table_args__ = (Index("ix_visitor_valid", "status", "valid_until"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    idem_key: Mapped[str] = mapped_column(String(160), unique=True)
    code: Mapped[str] = mapped_column(String(12), unique=True)
    resident_id: Mapped[int] = mapped_column(ForeignKey("residents.id"), index=True)
    household_id: Mapped[int | None] = mapped_column(ForeignKey("households.id"))
    visitor_name: Mapped[str] = mapped_column(String(64))
    visit_at: Mapped[datetime]
    people: Mapped[int] = mapped_column(Integer, default=1)
    plate: Mapped[str | None] = mapped_column(String(16))
    valid_from: Mapped[datetime]
    valid_until: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(16), default="active")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Attachment(Base):
    __tablename__ = "attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    media_id: Mapped[str] = mapped_column(String(160), default="")
    url: Mapped[str] = mapped_column(String(512), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class OutboxMessage(Base):
    """A message waiting to be sent; written in the transaction that caused it."""

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_due", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    idem_key: Mapped[str] = mapped_column(String(160), unique=True)
    # "wechat_cs" (customer-service message), "wechat_template", "wecom_group", ...
    channel: Mapped[str] = mapped_column(String(32))
    recipient: Mapped[str] = mapped_column(String(160), index=True)
    payload: Mapped[dict[str, Any]]
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]


class InboundMessage(Base):
    """Every accepted message or event; `dedupe_key` makes the database refuse a second copy."""

    __tablename__ = "inbound_messages"
    __table_args__ = (Index("ix_inbound_openid_time", "openid", "received_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    dedupe_key: Mapped[str] = mapped_column(String(200), unique=True)
    openid: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(16))
    msg_id: Mapped[str | None] = mapped_column(String(64))
    text: Mapped[str] = mapped_column(Text, default="")
    media_id: Mapped[str | None] = mapped_column(String(160))
    event: Mapped[str | None] = mapped_column(String(32))
    intent: Mapped[str | None] = mapped_column(String(16))
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id"))
    created_at: Mapped[datetime]
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
