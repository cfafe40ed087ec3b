"""The ticket life cycle: every allowed transition in one place, each written as an event."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Ticket, TicketEvent

# status -> statuses it may move to
TRANSITIONS: dict[str, frozenset[str]] = {
    "new": frozenset({"assigned", "in_progress", "paused", "cancelled", "resolved"}),
    "assigned": frozenset({"assigned", "in_progress", "new", "paused", "cancelled", "resolved"}),
    "in_progress": frozenset({"resolved", "paused", "assigned", "new"}),
    "paused": frozenset({"assigned", "in_progress", "new", "cancelled"}),
    "resolved": frozenset({"closed", "reopened"}),
    "reopened": frozenset({"assigned", "in_progress", "paused", "resolved"}),
    "closed": frozenset(),
    "cancelled": frozenset(),
}
OPEN = frozenset({"new", "assigned", "in_progress", "paused", "reopened"})

# How staff read a status (group answers, refusals, `查询`).
STATUS_NAMES = {
    "new": "待接单",
    "assigned": "已派单",
    "in_progress": "处理中",
    "paused": "已暂停",
    "resolved": "已完成待确认",
    "reopened": "重新处理中",
    "closed": "已完结",
    "cancelled": "已取消",
}


class IllegalTransition(Exception):
    """Refused with a reason a person can read."""


def check(ticket: Ticket, to: str) -> None:
    if to not in TRANSITIONS.get(ticket.status, frozenset()):
        here = STATUS_NAMES.get(ticket.status, ticket.status)
        there = STATUS_NAMES.get(to, to)
        raise IllegalTransition(f"工单 #{ticket.id} 当前{here}，不能改为{there}。")


def move(
    session: AsyncSession,
    ticket: Ticket,
    to: str,
    *,
    actor: str,
    action: str,
    now: datetime,
    note: str = "",
) -> None:
    """Change the status (or refuse) and record who did it and why."""
    check(ticket, to)
    if ticket.status == "paused" and to != "paused":
        _end_pause(ticket, now)
    ticket.status = to
    if to == "paused":
        ticket.paused_at = now
    elif to == "in_progress" and ticket.started_at is None:
        ticket.started_at = now
    elif to == "resolved":
        ticket.resolved_at = now
    elif to in ("closed", "cancelled"):
        ticket.closed_at = now
    if to in OPEN or to == "resolved":
        # Any change may start, stop or move a clock (or start the poll's): the scheduler
        # takes a fresh look.
        ticket.next_alert_at = now
    session.add(
        TicketEvent(ticket_id=ticket.id, actor=actor, action=action, note=note, created_at=now)
    )


def _end_pause(ticket: Ticket, now: datetime) -> None:
    """The clocks stood still while paused: every deadline still running moves by the pause."""
    if ticket.paused_at is None:
        return
    # Whole seconds, so the stored deadlines and `paused_seconds` agree exactly.
    pause = timedelta(seconds=max(int((now - ticket.paused_at).total_seconds()), 0))
    ticket.paused_seconds = (ticket.paused_seconds or 0) + int(pause.total_seconds())
    ticket.paused_at = None
    if ticket.responded_at is None and ticket.response_due_at is not None:
        ticket.response_due_at += pause
    if ticket.started_at is None and ticket.start_due_at is not None:
        ticket.start_due_at += pause
    if ticket.resolve_due_at is not None:
        ticket.resolve_due_at += pause
