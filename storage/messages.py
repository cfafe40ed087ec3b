"""The inbound message log and the outbox of messages to send."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.db import insert_unless_exists
from storage.models import InboundMessage, OutboxMessage


async def already_logged(session: AsyncSession, dedupe_key: str) -> bool:
    found = await session.scalar(
        select(InboundMessage.id).where(InboundMessage.dedupe_key == dedupe_key)
    )
    return found is not None


def log_inbound(
    session: AsyncSession,
    *,
    dedupe_key: str,
    openid: str,
    kind: str,
    created_at: datetime,
    received_at: datetime,
    msg_id: str | None = None,
    text: str = "",
    media_id: str | None = None,
    event: str | None = None,
    intent: str | None = None,
    ticket_id: int | None = None,
) -> InboundMessage:
    row = InboundMessage(
        dedupe_key=dedupe_key,
        openid=openid,
        kind=kind,
        msg_id=msg_id,
        text=text,
        media_id=media_id,
        event=event,
        intent=intent,
        ticket_id=ticket_id,
        created_at=created_at,
        received_at=received_at,
    )
    session.add(row)
    return row


async def enqueue(
    session: AsyncSession,
    *,
    idem_key: str,
    channel: str,
    recipient: str,
    payload: dict[str, Any],
    now: datetime,
) -> OutboxMessage:
    """Queue a message for the sender; the same `idem_key` is queued only once.

    One `INSERT … ON CONFLICT (idem_key) DO NOTHING RETURNING`; the row already queued
    under that key is looked up only when none comes back (a retry: rare)."""
    row: OutboxMessage | None = await session.scalar(
        insert_unless_exists(session, OutboxMessage, unique="idem_key"),
        {
            "idem_key": idem_key,
            "channel": channel,
            "recipient": recipient,
            "payload": payload,
            "created_at": now,
            "next_attempt_at": now,
        },
    )
    if row is None:
        row = await session.scalar(select(OutboxMessage).where(OutboxMessage.idem_key == idem_key))
        if row is None:  # pragma: no cover - the conflict was on this key
            raise RuntimeError(f"outbox {idem_key!r} conflicted but is not there")
    return row


async def pending_for(session: AsyncSession, recipient: str) -> list[OutboxMessage]:
    query = (
        select(OutboxMessage)
        .where(OutboxMessage.recipient == recipient, OutboxMessage.status == "pending")
        .order_by(OutboxMessage.id)
    )
    return list(await session.scalars(query))
