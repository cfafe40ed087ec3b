"""Carry out a handler's effects inside the message's database transaction.

Messages to staff and residents are written to the outbox in the same transaction, so they
are sent exactly when the change they report has been committed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from string import Template

from sqlalchemy.ext.asyncio import AsyncSession

from bot.estate import group_for_kind
from handlers.effects import (
    BindFailed,
    BindResident,
    CancelTicket,
    ConfirmResolved,
    CreateTicket,
    CreateVisitorPass,
    Effect,
    MarkResident,
    NotifyStaff,
    RateTicket,
    Reopen,
    UrgeTicket,
)
from handlers.types import Context, Incoming, Outcome
from storage.messages import enqueue
from storage.models import Resident, Staff, Ticket, TicketEvent
from storage.residents import set_active, touch_resident
from storage.ticket_status import IllegalTransition, move
from storage.tickets import add_follower, create_ticket, urge
from storage.visitors import create_pass


@dataclass
class Applied:
    reply: str | None
    ticket_no: int | None = None
    pass_code: str | None = None


async def apply_effects(
    session: AsyncSession, incoming: Incoming, outcome: Outcome, ctx: Context, *, key: str
) -> Applied:
    applied = Applied(reply=outcome.reply)
    actor = f"resident:{incoming.user}"
    for index, effect in enumerate(outcome.effects):
        await _apply(
            session,
            incoming,
            effect,
            ctx=ctx,
            applied=applied,
            actor=actor,
            effect_key=f"{key}:{index}",
        )
    if applied.reply is not None:
        values = {"ticket_no": applied.ticket_no, "pass_code": applied.pass_code}
        known = {k: v for k, v in values.items() if v is not None}
        applied.reply = Template(applied.reply).safe_substitute(known)
    return applied


async def _apply(
    session: AsyncSession,
    incoming: Incoming,
    effect: Effect,
    *,
    ctx: Context,
    applied: Applied,
    actor: str,
    effect_key: str,
) -> None:
    now = ctx.now
    match effect:
        case CreateTicket():
            resident_id = await _resident_id(session, incoming, ctx)
            if effect.follow is not None:
                await add_follower(
                    session, effect.follow, resident_id, now=now, note=effect.description
                )
                applied.ticket_no = effect.follow
                return
            due = ctx.policy.due_times(now, effect.kind, effect.priority)
            ticket, _ = await create_ticket(
                session,
                idem_key=effect.idem_key,
                kind=effect.kind,
                description=effect.description,
                actor=actor,
                now=now,
                category=effect.category,
                priority=effect.priority,
                location=effect.location,
                resident_id=resident_id,
                response_due_at=due["respond"],
                start_due_at=due["arrive"],
                resolve_due_at=due["resolve"],
                media_ids=effect.media_ids,
                preferred_time=effect.preferred_time,
                linked_ticket_id=effect.linked_ticket,
                repeated=effect.repeated,
                # From here the scheduler chases its time limits (bot/scheduler.py); set
                # in the INSERT itself, not by an UPDATE after it.
                next_alert_at=now,
            )
            applied.ticket_no = ticket.id
        case MarkResident():
            await set_active(session, incoming.user, active=effect.active, now=now)
        case BindResident():
            resident = await touch_resident(session, incoming.user, now=now)
            resident.household_id = effect.household_id
            resident.verified = True
            resident.bind_failures = 0
            resident.bind_locked_until = None
        case BindFailed():
            resident = await touch_resident(session, incoming.user, now=now)
            resident.bind_failures = effect.failures
            resident.bind_locked_until = effect.locked_until
        case CreateVisitorPass():
            resident = await touch_resident(session, incoming.user, now=now)
            visitor_pass = await create_pass(
                session,
                idem_key=effect.idem_key,
                resident_id=resident.id,
                household_id=resident.household_id,
                visitor_name=effect.visitor_name,
                visit_at=effect.visit_at,
                people=effect.people,
                plate=effect.plate,
                valid_from=effect.valid_from,
                valid_until=effect.valid_until,
                now=now,
            )
            applied.pass_code = visitor_pass.code
        case CancelTicket() | UrgeTicket() | ConfirmResolved() | RateTicket() | Reopen():
            await _lifecycle(
                session, incoming, effect, now=now, applied=applied, actor=actor, key=effect_key
            )
        case NotifyStaff():
            about = effect.ticket if effect.ticket is not None else applied.ticket_no
            await enqueue(
                session,
                idem_key=f"staff:{effect_key}",
                channel="wecom_group",
                recipient=effect.group,
                payload={"event": effect.event, "text": effect.text, "ticket": about},
                now=now,
            )


async def _lifecycle(
    session: AsyncSession,
    incoming: Incoming,
    effect: CancelTicket | UrgeTicket | ConfirmResolved | RateTicket | Reopen,
    *,
    now: datetime,
    applied: Applied,
    actor: str,
    key: str,
) -> None:
    """Changes residents make to their own tickets; others' tickets are left alone."""
    match effect:
        case CancelTicket():
            mine = await _own_ticket(session, incoming.user, effect.number)
            if mine is None:
                applied.reply = f"没有找到您名下的工单 #{effect.number}。"
                return
            try:
                move(
                    session,
                    mine,
                    "cancelled",
                    actor=actor,
                    action="cancelled",
                    now=now,
                    note=effect.reason,
                )
            except IllegalTransition as exc:
                applied.reply = str(exc)
        case UrgeTicket():
            urged = await _own_ticket(session, incoming.user, effect.number)
            if urged is not None:
                await urge(session, effect.number, actor=actor, note=effect.note, now=now)
                urged.next_alert_at = now  # urges count towards escalation
        case ConfirmResolved():
            mine = await _own_ticket(session, incoming.user, effect.number)
            if mine is not None:
                session.add(
                    TicketEvent(
                        ticket_id=mine.id,
                        actor=actor,
                        action="confirmed",
                        note="住户确认已解决",
                        created_at=now,
                    )
                )
        case RateTicket():
            mine = await _own_ticket(session, incoming.user, effect.number)
            if mine is not None:
                mine.rating, mine.rating_comment, mine.rated_at = (
                    effect.score,
                    effect.comment,
                    now,
                )
                session.add(
                    TicketEvent(
                        ticket_id=mine.id,
                        actor=actor,
                        action="rated",
                        note=f"{effect.score} 分 {effect.comment}",
                        created_at=now,
                    )
                )
                if effect.score >= 3 and mine.status == "resolved":
                    move(session, mine, "closed", actor=actor, action="closed", now=now)
        case Reopen():
            mine = await _own_ticket(session, incoming.user, effect.number)
            if mine is not None and mine.status == "resolved":
                move(
                    session,
                    mine,
                    "reopened",
                    actor=actor,
                    action="reopened",
                    now=now,
                    note=effect.reason,
                )
                await _tell_owner(session, mine, effect.reason, key=key, now=now)


async def _tell_owner(
    session: AsyncSession, ticket: Ticket, reason: str, *, key: str, now: datetime
) -> None:
    """The one who did the job hears about it by name in their group (the supervisors are
    told by the handler's own notice)."""
    userid = None
    for staff_id in (ticket.resolved_by_id, ticket.assignee_id):
        staff = await session.get(Staff, staff_id) if staff_id is not None else None
        if staff is not None and staff.active:
            userid = staff.userid
            break
    if userid is None:
        return
    await enqueue(
        session,
        idem_key=f"owner:{key}",
        channel="wecom_group",
        recipient=group_for_kind(ticket.kind),
        payload={"event": "reopened", "text": reason, "ticket": ticket.id, "mention": [userid]},
        now=now,
    )


async def _resident_id(session: AsyncSession, incoming: Incoming, ctx: Context) -> int:
    """The resident's row id: known from the facts already loaded, or created now."""
    known = ctx.facts.resident
    if known.loaded and known.id is not None:
        return known.id
    return (await touch_resident(session, incoming.user, now=ctx.now)).id


async def _own_ticket(session: AsyncSession, openid: str, number: int) -> Ticket | None:
    ticket = await session.get(Ticket, number)
    if ticket is None or ticket.resident_id is None:
        return None
    owner = await session.get(Resident, ticket.resident_id)
    return ticket if owner is not None and owner.openid == openid else None
