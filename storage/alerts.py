"""The scheduler's queries: tickets due for a look, and the ladder steps already fired."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Ticket, TicketAlert


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
