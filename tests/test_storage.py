"""Database contract tests, on SQLite and (when configured) PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from storage.db import Database
from storage.messages import enqueue, log_inbound, pending_for
from storage.models import Base, Ticket, TicketEvent
from storage.tickets import create_ticket, get_ticket, list_tickets

NOW = datetime(2026, 11, 18, 9, 30, tzinfo=UTC)


async def test_migrations_match_the_models(db: Database) -> None:
    def diff(conn: object) -> list[object]:
        context = MigrationContext.configure(conn)  # type: ignore[arg-type]
        return list(compare_metadata(context, Base.metadata))

    async with db.engine.connect() as conn:
        assert await conn.run_sync(diff) == []


async def test_upgrade_twice_is_harmless(db: Database) -> None:
    await db.upgrade()


async def test_ticket_numbers_start_at_1001_and_are_never_reused(db: Database) -> None:
    async with db.write() as session:
        first, created = await create_ticket(
            session, idem_key="a", kind="repair", description="灯不亮", actor="system", now=NOW
        )
        second, _ = await create_ticket(
            session, idem_key="b", kind="repair", description="漏水", actor="system", now=NOW
        )
    assert created and (first.number, second.number) == (1001, 1002)
    async with db.write() as session:
        await session.execute(delete(TicketEvent).where(TicketEvent.ticket_id == 1002))
        await session.execute(delete(Ticket).where(Ticket.id == 1002))
    async with db.write() as session:
        third, _ = await create_ticket(
            session, idem_key="c", kind="repair", description="门坏", actor="system", now=NOW
        )
    assert third.number == 1003


async def test_create_ticket_is_idempotent_and_records_history(db: Database) -> None:
    async with db.write() as session:
        ticket, created = await create_ticket(
            session,
            idem_key="same",
            kind="repair",
            description="水管爆了",
            actor="resident:o1",
            now=NOW,
            priority="urgent",
            media_ids=("m1", "m2"),
            response_due_at=NOW + timedelta(minutes=5),
        )
    async with db.write() as session:
        again, created_again = await create_ticket(
            session,
            idem_key="same",
            kind="repair",
            description="水管爆了",
            actor="resident:o1",
            now=NOW,
        )
    assert created and not created_again and again.id == ticket.id
    async with db.read() as session:
        loaded = await get_ticket(session, ticket.id)
        assert loaded is not None
        assert [e.action for e in loaded.events] == ["created"]
        assert loaded.events[0].actor == "resident:o1"
        assert loaded.response_due_at == NOW + timedelta(minutes=5)
        assert loaded.created_at.tzinfo is not None
        assert [t.id for t in await list_tickets(session, status="new")] == [ticket.id]


async def test_outbox_enqueue_is_idempotent(db: Database) -> None:
    for _ in range(2):
        async with db.write() as session:
            await enqueue(
                session,
                idem_key="reply:1",
                channel="wechat_cs",
                recipient="o1",
                payload={"msgtype": "text", "text": "您好"},
                now=NOW,
            )
    async with db.read() as session:
        rows = await pending_for(session, "o1")
    assert len(rows) == 1 and rows[0].payload["text"] == "您好" and rows[0].attempts == 0


async def test_inbound_log_refuses_duplicates(db: Database) -> None:
    async with db.write() as session:
        log_inbound(
            session,
            dedupe_key="m:o1:1",
            openid="o1",
            kind="text",
            created_at=NOW,
            received_at=NOW,
            text="你好",
        )
    with pytest.raises(IntegrityError):
        async with db.write() as session:
            log_inbound(
                session,
                dedupe_key="m:o1:1",
                openid="o1",
                kind="text",
                created_at=NOW,
                received_at=NOW,
                text="你好",
            )
            await session.flush()
    async with db.read() as session:
        assert len(list(await session.scalars(select(Ticket)))) == 0
