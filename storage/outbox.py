"""The outbox sender's queries: claim due messages, record each attempt's result.

Several workers may run on PostgreSQL: rows are claimed with `FOR UPDATE SKIP LOCKED` and
leased (status `sending` until `next_attempt_at`), so no two workers send the same row. A
message is only claimed when no earlier message to the same recipient is still waiting,
which keeps each resident's messages in order.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import and_, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from storage.models import InboundMessage, OutboxMessage

WAITING = ("pending", "sending")


async def claim_due(
    session: AsyncSession,
    *,
    now: datetime,
    limit: int,
    lease: timedelta,
    channels: tuple[str, ...],
) -> list[OutboxMessage]:
    """Lease up to `limit` due messages on `channels` (also ones whose lease ran out)."""
    earlier = aliased(OutboxMessage)
    blocked = (
        select(earlier.id)
        .where(
            earlier.recipient == OutboxMessage.recipient,
            earlier.channel == OutboxMessage.channel,
            earlier.id < OutboxMessage.id,
            earlier.status.in_(WAITING),
        )
        .exists()
    )
    query = (
        select(OutboxMessage)
        .where(
            OutboxMessage.status.in_(WAITING),
            OutboxMessage.channel.in_(channels),
            OutboxMessage.next_attempt_at <= now,
            ~blocked,
        )
        .order_by(OutboxMessage.id)
        .limit(limit)
    )
    if session.bind is not None and session.bind.dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True, of=OutboxMessage)
    rows = list(await session.scalars(query))
    for row in rows:
        row.status = "sending"
        row.attempts += 1
        row.next_attempt_at = now + lease
    return rows


def mark_sent(row: OutboxMessage, *, now: datetime) -> None:
    row.status = "sent"
    row.sent_at = now
    row.last_error = ""


def mark_retry(row: OutboxMessage, *, now: datetime, error: str, delay: timedelta) -> None:
    row.status = "pending"
    row.next_attempt_at = now + delay
    row.last_error = error[:500]


def mark_given_up(row: OutboxMessage, *, status: str, error: str) -> None:
    """`failed` (attempts used up) or `undeliverable` (no channel can reach the resident)."""
    row.status = status
    row.last_error = error[:500]


async def service_window(
    session: AsyncSession, openid: str, *, now: datetime, hours: int = 48
) -> tuple[datetime | None, int]:
    """When the resident last wrote (opening WeChat's 48-hour window) and how many
    customer-service messages were sent to them since then."""
    last_in = await session.scalar(
        select(func.max(InboundMessage.received_at)).where(InboundMessage.openid == openid)
    )
    if last_in is None or last_in < now - timedelta(hours=hours):
        return None, 0
    sent = await session.scalar(
        select(func.count(OutboxMessage.id)).where(
            and_(
                OutboxMessage.recipient == openid,
                OutboxMessage.channel == "wechat_cs",
                OutboxMessage.status == "sent",
                OutboxMessage.sent_at >= last_in,
            )
        )
    )
    return last_in, int(sent or 0)
