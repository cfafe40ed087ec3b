"""Ticket queries. Every change writes a ticket event in the same transaction."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from storage.models import Attachment, Ticket, TicketEvent


async def create_ticket(
    session: AsyncSession,
    *,
    idem_key: str,
    kind: str,
    description: str,
    actor: str,
    now: datetime,
    category: str | None = None,
    priority: str = "normal",
    location: str | None = None,
    resident_id: int | None = None,
    response_due_at: datetime | None = None,
    resolve_due_at: datetime | None = None,
    media_ids: tuple[str, ...] = (),
) -> tuple[Ticket, bool]:
    """Create a ticket once per `idem_key`; returns (ticket, created).

    The caller holds the resident's lock, so a check-then-insert cannot race with a retry
    of the same request; the unique index still refuses a second row if it ever did.
    """
    existing = await session.scalar(select(Ticket).where(Ticket.idem_key == idem_key))
    if existing is not None:
        return existing, False
    ticket = Ticket(
        idem_key=idem_key,
        kind=kind,
        category=category,
        priority=priority,
        location=location,
        description=description,
        resident_id=resident_id,
        created_at=now,
        response_due_at=response_due_at,
        resolve_due_at=resolve_due_at,
    )
    session.add(ticket)
    await session.flush()
    session.add(TicketEvent(ticket_id=ticket.id, actor=actor, action="created", created_at=now))
    for media_id in media_ids:
        session.add(
            Attachment(ticket_id=ticket.id, kind="image", media_id=media_id, created_at=now)
        )
    return ticket, True


async def get_ticket(session: AsyncSession, number: int) -> Ticket | None:
    return await session.scalar(
        select(Ticket).where(Ticket.id == number).options(selectinload(Ticket.events))
    )


async def list_tickets(
    session: AsyncSession,
    *,
    status: str | None = None,
    kind: str | None = None,
    resident_id: int | None = None,
    limit: int = 100,
) -> list[Ticket]:
    query = select(Ticket).order_by(Ticket.id.desc()).limit(limit)
    if status is not None:
        query = query.where(Ticket.status == status)
    if kind is not None:
        query = query.where(Ticket.kind == kind)
    if resident_id is not None:
        query = query.where(Ticket.resident_id == resident_id)
    return list(await session.scalars(query))
