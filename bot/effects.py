"""Carry out a handler's effects inside the message's database transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from string import Template

from sqlalchemy.ext.asyncio import AsyncSession

from handlers.types import Context, CreateTicket, Incoming, MarkResident, Outcome, Priority
from storage.residents import set_active, touch_resident
from storage.tickets import create_ticket


@dataclass(frozen=True, slots=True)
class Applied:
    reply: str | None
    ticket_no: int | None = None


async def apply_effects(
    session: AsyncSession, incoming: Incoming, outcome: Outcome, ctx: Context
) -> Applied:
    ticket_no: int | None = None
    for effect in outcome.effects:
        if isinstance(effect, CreateTicket):
            ticket_no = await _create_ticket(session, incoming, effect, ctx)
        elif isinstance(effect, MarkResident):
            await set_active(session, incoming.user, active=effect.active, now=ctx.now)
    reply = outcome.reply
    if reply is not None and ticket_no is not None:
        reply = Template(reply).safe_substitute(ticket_no=ticket_no)
    return Applied(reply=reply, ticket_no=ticket_no)


async def _create_ticket(
    session: AsyncSession, incoming: Incoming, effect: CreateTicket, ctx: Context
) -> int:
    resident = await touch_resident(session, incoming.user, now=ctx.now)
    minutes = (
        ctx.urgent_response_minutes
        if effect.priority is Priority.URGENT
        else ctx.repair_response_minutes
    )
    ticket, _created = await create_ticket(
        session,
        idem_key=effect.idem_key,
        kind=effect.kind,
        description=effect.description,
        actor=f"resident:{incoming.user}",
        now=ctx.now,
        category=effect.category,
        priority=effect.priority,
        location=effect.location,
        resident_id=resident.id,
        response_due_at=ctx.now + timedelta(minutes=minutes),
        media_ids=effect.media_ids,
    )
    return ticket.id
