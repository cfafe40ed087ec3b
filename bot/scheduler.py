"""The scheduler: chases every time limit by itself (reminders, escalations, polls).

Runs in `propbot serve` and `propbot worker`. Each pass takes the tickets whose next look
is due (an index, never a scan of open tickets), fires the ladder steps that fell due —
each once, recorded as a ticket event and a `ticket_alerts` row in one transaction — and
sets when to look next. Time comes in as an argument, so tests run a day in a second.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import UTC, date, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from bot.digest import send_daily_digest
from bot.estate import group_for_kind
from handlers.sla import SHANGHAI, Clock, Policy, due
from storage.alerts import due_tickets, fired_steps, record
from storage.db import Database
from storage.models import OutboxMessage, Resident, Staff, Ticket, TicketEvent
from storage.ticket_status import move
from storage.visitors import expire_passes

log = logging.getLogger(__name__)

EXPIRY_EVERY = timedelta(minutes=1)
CLOCKS = {"respond": "响应", "arrive": "到场", "resolve": "办结"}


class Scheduler:
    def __init__(self, db: Database, policy: Policy, *, batch: int = 200) -> None:
        self._db = db
        self._policy = policy
        self._batch = batch
        # The last local day whose digest is known to be sent (by us or another scheduler).
        self._digest_day: date | None = None
        self._expired_at: datetime | None = None

    async def run_once(self, now: datetime | None = None) -> int:
        """One pass; returns how many steps fired."""
        now = now or datetime.now(UTC)
        fired = 0
        async with self._db.write() as session:
            tickets = await due_tickets(session, now=now, limit=self._batch)
            done = await fired_steps(session, [t.id for t in tickets])
            for ticket in tickets:
                clock = Clock(
                    kind=ticket.kind,
                    priority=ticket.priority,
                    status=ticket.status,
                    created_at=ticket.created_at,
                    responded_at=ticket.responded_at,
                    resolved_at=ticket.resolved_at,
                    urge_count=ticket.urge_count,
                    repeated=ticket.repeated,
                    fired=frozenset(done[ticket.id]),
                    started_at=ticket.started_at,
                    paused=timedelta(seconds=ticket.paused_seconds or 0),
                )
                steps, next_at = due(clock, self._policy, now)
                for step in steps:
                    record(session, ticket.id, step, now=now)
                    await self._fire(session, ticket, step, now)
                ticket.next_alert_at = next_at
                fired += len(steps)
            if self._expired_at is None or now - self._expired_at >= EXPIRY_EVERY:
                # A pass's window ends on the minute; the gate's 核验 checks the window itself.
                await expire_passes(session, now=now)
                self._expired_at = now
            if self._digest_due(now):
                await send_daily_digest(session, now=now)
                self._digest_day = now.astimezone(SHANGHAI).date()
        return fired

    def _digest_due(self, now: datetime) -> bool:
        at = self._policy.digest_at
        if at is None:
            return False
        local = now.astimezone(SHANGHAI)
        return local.date() != self._digest_day and local.time() >= at

    async def run(self, stop: asyncio.Event, *, interval: float = 5.0) -> None:
        while not stop.is_set():
            try:
                await self.run_once()
            except Exception:  # a database hiccup must not end the scheduler
                log.exception("scheduler pass failed")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), interval)

    async def _fire(self, session: AsyncSession, ticket: Ticket, step: str, now: datetime) -> None:
        clock, rung = step.split(":")
        session.add(
            TicketEvent(
                ticket_id=ticket.id, actor="system", action="alert", note=step, created_at=now
            )
        )
        if clock == "poll":
            await self._poll(session, ticket, rung, now)
            return
        what = CLOCKS.get(clock, "")
        mention: list[str] = []
        if rung == "remind":
            group, text = group_for_kind(ticket.kind), f"快到{what}时限了，请尽快处理"
            # The owner is reminded by name; an unclaimed ticket, the whole group.
            owner = await session.get(Staff, ticket.assignee_id) if ticket.assignee_id else None
            mention = [owner.userid] if owner is not None and owner.active else ["@all"]
        elif rung == "manager":
            group, text = "manager", f"已超过{what}时限一倍，升级到经理"
        elif clock == "urges":
            group, text = "supervisors", f"住户已催办 {ticket.urge_count} 次，升级到主管"
        elif clock == "repeated":
            group, text = "supervisors", "重复投诉，升级到主管"
        else:
            group, text = "supervisors", f"已超过{what}时限，升级到主管"
        event = "reminder" if rung == "remind" else "escalated"
        payload: dict[str, object] = {"event": event, "text": text, "ticket": ticket.id}
        if mention:
            payload["mention"] = mention
        _notify(
            session,
            f"alert:{ticket.id}:{step}",
            channel="wecom_group",
            recipient=group,
            payload=payload,
            now=now,
        )

    async def _poll(self, session: AsyncSession, ticket: Ticket, rung: str, now: datetime) -> None:
        if rung == "close":
            # 72 hours without an answer: closed as resolved, without a rating.
            move(
                session,
                ticket,
                "closed",
                actor="system",
                action="auto_closed",
                now=now,
                note="住户未确认，自动结案",
            )
            return
        resident = await session.get(Resident, ticket.resident_id) if ticket.resident_id else None
        if resident is None or not resident.active:
            return
        text = f"您的工单 #{ticket.id} 已处理完成，问题解决了吗？回复 1 已解决，2 未解决"
        _notify(
            session,
            f"alert:{ticket.id}:poll:remind",
            channel="wechat_cs",
            recipient=resident.openid,
            payload={"msgtype": "text", "text": text},
            now=now,
        )


def _notify(
    session: AsyncSession,
    key: str,
    *,
    channel: str,
    recipient: str,
    payload: dict[str, object],
    now: datetime,
) -> None:
    """Queue a message. No idempotency look-up: the step's unique `ticket_alerts` row in the
    same transaction already makes it once, and plain adds let the flush batch the inserts."""
    session.add(
        OutboxMessage(
            idem_key=key,
            channel=channel,
            recipient=recipient,
            payload=payload,
            created_at=now,
            next_attempt_at=now,
        )
    )
