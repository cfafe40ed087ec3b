"""Carry out a staff command in one transaction: check, change, record, tell everyone.

Every accepted command writes a ticket event, answers in the group in one short line, and
queues a message to the resident where the change concerns them (受理 → 已派单 → 已出发 →
已完成，请确认 …). Residents following a public-area job are told when it is resolved.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.cards import ticket_line
from bot.estate import group_for_kind
from handlers.sla import SHANGHAI
from handlers.staff_commands import HELP, Command, allowed
from storage.alerts import overdue_tickets
from storage.db import Database
from storage.households import mask_phones
from storage.messages import enqueue
from storage.models import Resident, Staff, Ticket, TicketEvent, TicketFollower, VisitorPass
from storage.staff import active_staff, find_staff
from storage.ticket_status import OPEN, STATUS_NAMES, IllegalTransition, move
from storage.tickets import get_ticket


async def run(
    db: Database, userid: str, command: Command, *, key: str, now: datetime | None = None
) -> str:
    """The one-line answer for the group. `key` identifies the WeCom message (idempotency)."""
    now = now or datetime.now(UTC)
    async with db.write() as session:
        staff = await active_staff(session, userid)
        if staff is None:
            return "抱歉，您不在物业员工名单里，不能操作工单。如需开通请联系主管。"
        refusal = allowed(command, staff.role)
        if refusal:
            return refusal
        try:
            return await _dispatch(session, staff, command, now=now, key=key)
        except IllegalTransition as exc:
            return str(exc)


async def _dispatch(
    session: AsyncSession, staff: Staff, command: Command, *, now: datetime, key: str
) -> str:
    name = command.name
    if name == "help":
        return HELP
    if name == "todo":
        return await _todo(session, staff)
    if name == "overdue":
        return await _overdue(session, now)
    if name == "verify":
        return await _verify(session, command.text, now)
    assert command.number is not None
    ticket = await session.get(Ticket, command.number)
    if ticket is None:
        return f"没有工单 #{command.number}。"
    actor = f"staff:{staff.userid}"
    if name == "show":
        return await _show(session, ticket.id)
    if name == "note":
        _event(session, ticket, actor, "note", note=command.text, now=now)
        return f"#{ticket.id} 已备注。"
    if name == "reply":
        _event(session, ticket, actor, "replied", note=command.text, now=now)
        await _tell_resident(session, ticket, f"【物业回复】{command.text}——{staff.name}", key, now)
        return f"#{ticket.id} 已转告住户。"
    if name in ("claim", "assign", "transfer"):
        return await _assign(session, ticket, staff, command, now=now, key=key)
    if name == "return":
        move(session, ticket, "new", actor=actor, action="returned", now=now, note=command.text)
        ticket.assignee_id = None
        return f"#{ticket.id} 已退回待接单：{command.text}"
    if name == "start":
        move(session, ticket, "in_progress", actor=actor, action="started", now=now)
        await _tell_resident(
            session, ticket, f"{staff.name}已开始处理您的工单 #{ticket.id}。", key, now
        )
        return f"#{ticket.id} 处理中。"
    if name == "resolve":
        move(
            session, ticket, "resolved", actor=actor, action="resolved", now=now, note=command.text
        )
        ticket.resolved_by_id = staff.id
        done = f"您的工单 #{ticket.id} 已处理完成" + (f"：{command.text}" if command.text else "。")
        await _tell_resident(
            session, ticket, done + "\n问题解决了吗？回复 1 已解决，2 未解决", key, now
        )
        await _tell_followers(session, ticket, key, now)
        await tell_group(
            session,
            ticket,
            "resolved",
            f"{staff.name}：{command.text or '已完成'}",
            key=key,
            now=now,
        )
        return f"#{ticket.id} 已完成，已请住户确认。"
    if name == "pause":
        move(session, ticket, "paused", actor=actor, action="paused", now=now, note=command.text)
        await _tell_resident(
            session, ticket, f"您的工单 #{ticket.id} 暂停处理：{command.text}", key, now
        )
        return f"#{ticket.id} 已暂停。"
    if name == "resume":
        if ticket.status != "paused":
            state = STATUS_NAMES.get(ticket.status, ticket.status)
            return f"工单 #{ticket.id} 当前{state}，没有暂停，不用恢复。"
        target = "assigned" if ticket.assignee_id else "new"
        move(session, ticket, target, actor=actor, action="resumed", now=now)
        await _tell_resident(session, ticket, f"您的工单 #{ticket.id} 已恢复处理。", key, now)
        return f"#{ticket.id} 已恢复。"
    return HELP


async def _assign(
    session: AsyncSession,
    ticket: Ticket,
    staff: Staff,
    command: Command,
    *,
    now: datetime,
    key: str,
) -> str:
    actor = f"staff:{staff.userid}"
    if command.name == "claim":
        owner = staff
    else:
        found = await find_staff(session, command.target or "")
        if found is None:
            return f"员工名单里没有“{command.target}”，请写姓名或企业微信账号。"
        owner = found
    if command.name == "claim" and ticket.assignee_id == staff.id:
        return f"#{ticket.id} 已经是您的单了。"
    previous = ticket.assignee_id
    action = {"claim": "claimed", "assign": "assigned", "transfer": "transferred"}[command.name]
    note = owner.name
    if command.name == "transfer" and previous is not None:
        before = await session.get(Staff, previous)
        note = f"{before.name if before else '?'} → {owner.name}"
    move(session, ticket, "assigned", actor=actor, action=action, now=now, note=note)
    ticket.assignee_id = owner.id
    if ticket.responded_at is None:
        ticket.responded_at = now  # the response clock stops; `move` asked for a fresh look
    await _tell_resident(
        session, ticket, f"您的工单 #{ticket.id} 已安排给{owner.name}，会尽快联系您。", key, now
    )
    await tell_group(
        session, ticket, "assigned", f"由{owner.name}负责（{staff.name}操作）", key=key, now=now
    )
    return f"#{ticket.id} 已由{owner.name}负责。"


def _event(
    session: AsyncSession, ticket: Ticket, actor: str, action: str, *, note: str, now: datetime
) -> None:
    session.add(
        TicketEvent(ticket_id=ticket.id, actor=actor, action=action, note=note, created_at=now)
    )


async def _tell_resident(
    session: AsyncSession, ticket: Ticket, text: str, key: str, now: datetime
) -> None:
    if ticket.resident_id is None:
        return
    resident = await session.get(Resident, ticket.resident_id)
    if resident is None or not resident.active:
        return
    await enqueue(
        session,
        idem_key=f"staff:{key}:{resident.openid}",
        channel="wechat_cs",
        recipient=resident.openid,
        payload={"msgtype": "text", "text": text},
        now=now,
    )


async def tell_group(
    session: AsyncSession, ticket: Ticket, event: str, note: str, *, key: str, now: datetime
) -> None:
    """Post an update to the ticket's group, so a change made in a 1:1 chat is seen there."""
    await enqueue(
        session,
        idem_key=f"group:{key}:{event}",
        channel="wecom_group",
        recipient=group_for_kind(ticket.kind),
        payload={"event": event, "text": note, "ticket": ticket.id},
        now=now,
    )


async def _tell_followers(session: AsyncSession, ticket: Ticket, key: str, now: datetime) -> None:
    rows = await session.execute(
        select(Resident.openid)
        .join(TicketFollower, TicketFollower.resident_id == Resident.id)
        .where(TicketFollower.ticket_id == ticket.id, Resident.active.is_(True))
    )
    for (openid,) in rows.all():
        text = f"您反映的“{ticket.description[:20]}”已处理好了（工单 #{ticket.id}），谢谢您的反馈。"
        await enqueue(
            session,
            idem_key=f"staff:{key}:{openid}",
            channel="wechat_cs",
            recipient=openid,
            payload={"msgtype": "text", "text": text},
            now=now,
        )


async def _show(session: AsyncSession, number: int) -> str:
    ticket = await get_ticket(session, number)
    assert ticket is not None
    lines = [
        f"#{ticket.id} {STATUS_NAMES.get(ticket.status, ticket.status)} "
        f"{ticket.location or ''} {mask_phones(ticket.description)[:40]}"
    ]
    for event in ticket.events[-8:]:
        at = event.created_at.astimezone(SHANGHAI).strftime("%m-%d %H:%M")
        lines.append(f"· {at} {event.action} {mask_phones(event.note)[:40]}".rstrip())
    return "\n".join(lines)


async def _todo(session: AsyncSession, staff: Staff) -> str:
    tickets = list(
        await session.scalars(
            select(Ticket)
            .where(Ticket.assignee_id == staff.id, Ticket.status.in_(OPEN))
            .order_by(Ticket.id)
            .limit(20)
        )
    )
    return _listing(tickets, title="您的待办：", empty="您没有待办工单。")


async def _overdue(session: AsyncSession, now: datetime) -> str:
    late = await overdue_tickets(session, now=now)
    return _listing(late, title="超时工单：", empty="没有超时工单。")


def _listing(tickets: list[Ticket], *, title: str, empty: str) -> str:
    if not tickets:
        return empty
    return "\n".join([title, *(ticket_line(t) for t in tickets)])


async def _verify(session: AsyncSession, code: str, now: datetime) -> str:
    visitor = await session.scalar(select(VisitorPass).where(VisitorPass.code == code.strip()))
    if visitor is None:
        return f"通行码 {code} 不存在，请核对。"
    if visitor.status == "expired" or now > visitor.valid_until:
        end = visitor.valid_until.astimezone(SHANGHAI)
        return f"通行码 {code} 已过期（有效期到 {end:%m-%d %H:%M}），请联系住户重新登记。"
    if visitor.status != "active":
        return f"通行码 {code} 已失效。"
    if now < visitor.valid_from:
        start = visitor.valid_from.astimezone(SHANGHAI)
        return f"通行码 {code} 还没到有效时间（{start:%m-%d %H:%M} 起）。"
    plate = f"，车牌 {visitor.plate}" if visitor.plate else ""
    return f"通行码有效：{visitor.visitor_name}，{visitor.people} 位{plate}。"
