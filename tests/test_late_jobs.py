"""A message WeChat was answered `success` for before it was handled is never lost: held in
Redis until its handling commits, handled again after a crash or a failure, and, if it
keeps failing, the resident is told to send it again."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
from redis.asyncio import Redis
from sqlalchemy import select

from bot import pipeline
from bot.late_jobs import LateJobRunner
from bot.services import Services
from handlers.types import Incoming, Kind, Location
from storage.locks import UserLocks
from storage.models import OutboxMessage, Ticket
from tests.conftest import Backend, make_settings
from tests.dialogue import bind, seed_households

USER = "o_late_resident"
URGENT = "厨房里燃气味很重 快来人"


@pytest.fixture
async def services(backend: Backend, redis_prefix: str, redis: Redis) -> AsyncIterator[Services]:
    settings = make_settings(
        backend,
        redis_prefix,
        safe=False,
        reply_budget_seconds=0.05,
        late_retry_seconds=1,
        user_lock_seconds=0.3,
    )
    built = Services.build(settings, redis=redis)
    await built.db.upgrade()
    built.inbound_log.start()
    await seed_households(built.db)
    await bind(built.db, USER, "3-2-1201")
    yield built
    await built.drain()
    await built.inbound_log.close()
    await built.db.dispose()


def message(text: str, number: int) -> Incoming:
    return Incoming(
        user=USER, kind=Kind.TEXT, time=datetime.now(UTC), msg_id=f"late{number}", text=text
    )


async def held_elsewhere(services: Services) -> tuple[UserLocks, str]:
    """Another process holds the resident's lock (for longer than anyone waits for it)."""
    other = UserLocks(services.redis, prefix=services.settings.redis_prefix, ttl_seconds=60)
    token, _ = await other.acquire(USER, wait_seconds=1)
    return other, token


async def tickets(services: Services) -> list[Ticket]:
    async with services.db.read() as session:
        return list(await session.scalars(select(Ticket)))


async def replies(services: Services) -> list[str]:
    async with services.db.read() as session:
        rows = await session.scalars(select(OutboxMessage).where(OutboxMessage.recipient == USER))
        return [str(row.payload.get("text")) for row in rows]


def test_a_held_job_survives_a_round_trip_through_json() -> None:
    job = pipeline.Job(
        incoming=Incoming(
            user=USER,
            kind=Kind.LOCATION,
            time=datetime(2026, 11, 18, 1, 0, tzinfo=UTC),
            msg_id="9",
            location=Location(28.2, 112.9, "岳麓区某小区东门"),
        ),
        key="k9",
        attempts=2,
    )
    again = pipeline.Job.from_json(job.to_json())
    assert (again.incoming, again.key, again.attempts, again.late) == (job.incoming, "k9", 2, True)


async def test_a_crash_after_answering_does_not_lose_the_message(services: Services) -> None:
    other, token = await held_elsewhere(services)
    # Over budget (the lock is busy): WeChat gets `success`, the message is held.
    assert await pipeline.handle(services, message(URGENT, 1)) is None
    assert await services.late_jobs.count() == 1
    # The process dies before the handling commits.
    for task in list(services._background):
        task.cancel()
    await asyncio.sleep(0.05)
    await other.release(USER, token)
    assert await tickets(services) == []
    runner = LateJobRunner(services)
    assert await runner.run_once() == 0  # not before its retry time
    assert await runner.run_once(now=time.time() + 2) == 1
    made = await tickets(services)
    assert [(t.priority, t.kind) for t in made] == [("urgent", "repair")]
    assert any(f"#{made[0].id}" in text for text in await replies(services))
    assert await services.late_jobs.count() == 0
    # A second pass (or a second process) has nothing left to do.
    assert await runner.run_once(now=time.time() + 10) == 0
    assert len(await tickets(services)) == 1


async def test_a_late_job_that_finishes_lets_go(services: Services) -> None:
    other, token = await held_elsewhere(services)
    assert await pipeline.handle(services, message(URGENT, 2)) is None
    await other.release(USER, token)
    await services.drain()
    assert await services.late_jobs.count() == 0
    assert len(await tickets(services)) == 1
    assert await LateJobRunner(services).run_once(now=time.time() + 10) == 0


async def test_a_job_that_keeps_failing_ends_with_an_apology(services: Services) -> None:
    other, token = await held_elsewhere(services)
    assert await pipeline.handle(services, message(URGENT, 3)) is None
    await services.drain()  # the first try times out waiting for the lock
    runner = LateJobRunner(services)
    later = time.time()
    for _ in range(3):
        later += 3600
        await runner.run_once(now=later)
    await other.release(USER, token)
    assert await tickets(services) == []
    assert any("请稍后再发一次" in text for text in await replies(services))
    assert await services.late_jobs.count() == 0
