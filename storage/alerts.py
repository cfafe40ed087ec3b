"""The scheduler's queries: tickets due for a look, the ladder steps already fired, what is
overdue, and the once-a-day jobs already run."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.db import insert_unless_exists
from storage.models import ScheduledRun, Ticket, TicketAlert
from storage.ticket_status import OPEN


async def due_tickets(session: AsyncSession, *, now: datetime, limit: int) -> list[Ticket]:
    """Tickets whose next look is due, through the `next_alert_at` index; on PostgreSQL rows
    another scheduler is working on are skipped, so every step fires once."""
    query = (
        select(Ticket)
        .where(Ticket.next_alert_at <= now)
        .order_by(Ticket.next_alert_at)
        .limit(limit)
    )
    if session.bind is not None and session.bind.dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    return list(await session.scalars(query))


async def fired_steps(session: AsyncSession, ticket_ids: list[int]) -> dict[int, set[str]]:
    fired: dict[int, set[str]] = {ticket_id: set() for ticket_id in ticket_ids}
    if ticket_ids:
        rows = await session.execute(
            select(TicketAlert.ticket_id, TicketAlert.step).where(
                TicketAlert.ticket_id.in_(ticket_ids)
            )
        )
        for ticket_id, step in rows.all():
            fired[ticket_id].add(step)
    return fired


def record(session: AsyncSession, ticket_id: int, step: str, *, now: datetime) -> None:
    session.add(TicketAlert(ticket_id=ticket_id, step=step, fired_at=now))


def overdue_clause(now: datetime) -> ColumnElement[bool]:
    """Open and past a limit that is still running (respond, arrive or resolve)."""
    return Ticket.status.in_(OPEN) & or_(
        Ticket.responded_at.is_(None) & (Ticket.response_due_at < now),
        Ticket.started_at.is_(None) & (Ticket.start_due_at < now),
        Ticket.resolve_due_at < now,
    )


async def overdue_tickets(
    session: AsyncSession,
    *,
    now: datetime,
    kinds: Collection[str] | None = None,
    limit: int = 20,
) -> list[Ticket]:
    query = select(Ticket).where(overdue_clause(now))
    if kinds is not None:
        query = query.where(Ticket.kind.in_(kinds))
    return list(await session.scalars(query.order_by(Ticket.id).limit(limit)))


async def claim_run(session: AsyncSession, key: str, *, now: datetime) -> bool:
    """True for the one scheduler that gets to run job `key` (e.g. "digest:2026-11-21")."""
    row = await session.scalar(
        insert_unless_exists(session, ScheduledRun, unique="key"), {"key": key, "ran_at": now}
    )
    return row is not None
