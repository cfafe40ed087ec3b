"""Ticket queries. Every change writes a ticket event in the same transaction."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import cast

from sqlalchemy import Table, func, insert, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from storage.db import insert_unless_exists
from storage.models import Attachment, Staff, Ticket, TicketEvent, TicketFollower
from storage.ticket_status import OPEN

_INSERT_EVENT = insert(cast(Table, TicketEvent.__table__))
_INSERT_ATTACHMENT = insert(cast(Table, Attachment.__table__))


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
    start_due_at: datetime | None = None,
    resolve_due_at: datetime | None = None,
    media_ids: tuple[str, ...] = (),
    preferred_time: str | None = None,
    linked_ticket_id: int | None = None,
    repeated: bool = False,
    next_alert_at: datetime | None = None,
) -> tuple[Ticket, bool]:
    """Create a ticket once per `idem_key`; returns (ticket, created).

    One `INSERT … ON CONFLICT (idem_key) DO NOTHING RETURNING` instead of a look-up first:
    a retry of the same request finds no row returned and gets the existing ticket.
    The "created" event and the attachments are written in the same transaction.
    """
    ticket: Ticket | None = await session.scalar(
        insert_unless_exists(session, Ticket, unique="idem_key"),
        {
            "idem_key": idem_key,
            "kind": kind,
            "category": category,
            "priority": priority,
            "location": location,
            "description": description,
            "resident_id": resident_id,
            "created_at": now,
            "response_due_at": response_due_at,
            "start_due_at": start_due_at,
            "resolve_due_at": resolve_due_at,
            "preferred_time": preferred_time,
            "linked_ticket_id": linked_ticket_id,
            "repeated": repeated,
            "next_alert_at": next_alert_at,
        },
    )
    if ticket is None:
        existing = await session.scalar(select(Ticket).where(Ticket.idem_key == idem_key))
        if existing is None:  # pragma: no cover - the conflict was on this key
            raise RuntimeError(f"ticket {idem_key!r} conflicted but is not there")
        return existing, False
    # Plain Core inserts of statements built once: nothing reads these rows back here.
    await session.execute(
        _INSERT_EVENT,
        {
            "ticket_id": ticket.id,
            "actor": actor,
            "action": "created",
            "note": "",
            "created_at": now,
        },
    )
    if media_ids:
        await session.execute(
            _INSERT_ATTACHMENT,
            [
                {
                    "ticket_id": ticket.id,
                    "kind": "image",
                    "media_id": media_id,
                    "url": "",
                    "created_at": now,
                }
                for media_id in media_ids
            ],
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


async def tickets_of_resident(
    session: AsyncSession, resident_id: int, *, since: datetime, limit: int = 20
) -> list[tuple[Ticket, str | None]]:
    """Open tickets and those created since `since`, newest first, with the assignee's name."""
    query = (
        select(Ticket, Staff.name)
        .outerjoin(Staff, Staff.id == Ticket.assignee_id)
        .where(
            Ticket.resident_id == resident_id,
            or_(Ticket.status.in_(OPEN), Ticket.created_at >= since),
        )
        .order_by(Ticket.id.desc())
        .limit(limit)
    )
    return [(ticket, name) for ticket, name in (await session.execute(query)).all()]


async def ticket_of_resident(
    session: AsyncSession, number: int, resident_id: int
) -> tuple[Ticket, str | None] | None:
    """One ticket with its history, only if it belongs to this resident (or they follow it)."""
    query = (
        select(Ticket, Staff.name)
        .outerjoin(Staff, Staff.id == Ticket.assignee_id)
        .where(Ticket.id == number)
        .options(selectinload(Ticket.events))
    )
    row = (await session.execute(query)).first()
    if row is None:
        return None
    ticket, name = row
    if ticket.resident_id != resident_id:
        follower = await session.scalar(
            select(TicketFollower.id).where(
                TicketFollower.ticket_id == number, TicketFollower.resident_id == resident_id
            )
        )
        if follower is None:
            return None
    return ticket, name


async def open_public_duplicate(
    session: AsyncSession, *, area: str, category: str, since: datetime
) -> int | None:
    """An open repair at the same public place and of the same kind, reported since `since`."""
    return await session.scalar(
        select(Ticket.id)
        .where(
            Ticket.kind == "repair",
            Ticket.status.in_(OPEN),
            Ticket.location == area,
            Ticket.category == category,
            Ticket.created_at >= since,
        )
        .order_by(Ticket.id)
        .limit(1)
    )


async def add_follower(
    session: AsyncSession, ticket_id: int, resident_id: int, *, now: datetime, note: str
) -> bool:
    exists = await session.scalar(
        select(TicketFollower.id).where(
            TicketFollower.ticket_id == ticket_id, TicketFollower.resident_id == resident_id
        )
    )
    if exists is not None:
        return False
    session.add(
        TicketFollower(ticket_id=ticket_id, resident_id=resident_id, note=note, created_at=now)
    )
    session.add(
        TicketEvent(
            ticket_id=ticket_id,
            actor="system",
            action="followed",
            note=f"又一位住户报告：{note[:100]}",
            created_at=now,
        )
    )
    return True


async def complaint_counts(
    session: AsyncSession, *, resident_id: int, topic: str, place: str | None, now: datetime
) -> tuple[int, int]:
    """(this resident's complaints on `topic` in 30 days, other residents' at `place` in 7)."""
    topic_match = or_(Ticket.category == topic, Ticket.location == topic)
    same = await session.scalar(
        select(func.count(Ticket.id)).where(
            Ticket.kind == "complaint",
            Ticket.resident_id == resident_id,
            topic_match,
            Ticket.created_at >= now - timedelta(days=30),
        )
    )
    others = 0
    if place:
        others = int(
            await session.scalar(
                select(func.count(func.distinct(Ticket.resident_id))).where(
                    Ticket.kind == "complaint",
                    Ticket.location == place,
                    Ticket.resident_id != resident_id,
                    Ticket.created_at >= now - timedelta(days=7),
                )
            )
            or 0
        )
    return int(same or 0), others


async def urge(session: AsyncSession, number: int, *, actor: str, note: str, now: datetime) -> None:
    ticket = await session.get(Ticket, number)
    if ticket is None:
        return
    ticket.urge_count += 1
    session.add(
        TicketEvent(ticket_id=number, actor=actor, action="urged", note=note, created_at=now)
    )
