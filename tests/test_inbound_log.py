"""Messages that change nothing are logged in batches; none are lost or doubled."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from aiohttp.test_utils import TestClient
from sqlalchemy import func, select

from bot.keys import SERVICES
from bot.simulator import RequestFactory
from storage.db import Database
from storage.inbound_log import InboundLogWriter
from storage.models import InboundMessage
from tests.wechat import say

NOW = datetime(2026, 11, 18, 1, 30, tzinfo=UTC)


def _row(key: str) -> dict[str, object]:
    return {
        "dedupe_key": key,
        "openid": "o1",
        "kind": "text",
        "created_at": NOW,
        "received_at": NOW,
        "text": "你好",
        "intent": "greeting",
    }


async def test_rows_are_written_in_batches_and_duplicates_ignored(db: Database) -> None:
    writer = InboundLogWriter(db, interval=0.02, batch=3)
    writer.start()
    for index in range(7):
        writer.add(_row(f"m:o1:{index}"))
    writer.add(_row("m:o1:0"))
    for _ in range(100):
        await asyncio.sleep(0.02)
        if writer.pending == 0:
            break
    await writer.close()
    async with db.read() as session:
        keys = list(await session.scalars(select(InboundMessage.dedupe_key)))
    assert sorted(keys) == [f"m:o1:{i}" for i in range(7)]


async def test_close_writes_what_is_left(db: Database) -> None:
    writer = InboundLogWriter(db, interval=60)
    writer.start()
    writer.add(_row("m:o1:last"))
    await writer.close()
    async with db.read() as session:
        assert await session.scalar(select(func.count(InboundMessage.id))) == 1


async def test_greetings_reach_the_log(
    client: TestClient,
    factory: RequestFactory,  # type: ignore[type-arg]
) -> None:
    for _ in range(3):
        assert "报修" in (await say(client, factory, "o_log_1", "你好") or "")
    services = client.app[SERVICES]
    await services.inbound_log.flush()
    async with services.db.read() as session:
        rows = list(await session.scalars(select(InboundMessage)))
    assert [(r.openid, r.intent, r.text) for r in rows] == [("o_log_1", "greeting", "你好")] * 3
