"""Scheduler benchmark: one pass over 100,000 open tickets on PostgreSQL.

    .venv/bin/python bench/scheduler.py [--tickets 100000] [--due 1000]

Creates a throwaway database on 127.0.0.1 (user postgres), fills it with open tickets whose
next look is in the future, times a pass that finds nothing due, then makes `--due` of them
due and times the pass that handles them. Prints the figures; drops the database.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
import uuid
from datetime import UTC, datetime, timedelta
from datetime import time as dt_time

from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from bot.scheduler import Scheduler
from handlers.sla import Policy
from storage.db import Database

ADMIN = "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"


async def main(tickets: int, due: int) -> None:
    name = f"propbot_bench_{uuid.uuid4().hex[:8]}"
    admin = create_async_engine(ADMIN, isolation_level="AUTOCOMMIT")
    async with admin.connect() as conn:
        await conn.execute(text(f"CREATE DATABASE {name}"))
    db = Database(f"postgresql+asyncpg://postgres@127.0.0.1:5432/{name}")
    try:
        await db.upgrade()
        now = datetime.now(UTC)
        later = now + timedelta(hours=1)
        async with db.engine.begin() as conn:
            # Set-based insert: the benchmark is the scheduler's pass, not the loading.
            await conn.execute(
                text(
                    "INSERT INTO tickets (idem_key, kind, status, priority, description, "
                    "created_at, next_alert_at, repeated, urge_count) "
                    "SELECT 'b' || g, 'repair', 'new', 'normal', '水龙头滴水', :now, :later, "
                    "false, 0 FROM generate_series(1, :n) g"
                ),
                {"now": now, "later": later, "n": tickets},
            )
            await conn.execute(text("ANALYZE tickets"))
        # An office that never closes: the figures must not depend on the time of day.
        always_open = Policy(work_start=dt_time(0, 0), work_end=dt_time(0, 0))
        scheduler = Scheduler(db, always_open, batch=due)
        empty = []
        for _ in range(20):
            started = time.perf_counter()
            fired = await scheduler.run_once(now)
            empty.append((time.perf_counter() - started) * 1000)
            assert fired == 0
        async with db.engine.begin() as conn:
            # Created 40 minutes ago and still unclaimed: remind + escalate each (2 steps).
            await conn.execute(
                text(
                    "UPDATE tickets SET next_alert_at = :now, created_at = :created "
                    "WHERE id IN (SELECT id FROM tickets ORDER BY id LIMIT :due)"
                ),
                {"now": now, "created": now - timedelta(minutes=40), "due": due},
            )
        started = time.perf_counter()
        fired = await scheduler.run_once(now)
        busy = (time.perf_counter() - started) * 1000
        print(f"open tickets: {tickets:,}")
        print(
            f"pass with nothing due: median {statistics.median(empty):.2f} ms, "
            f"max {max(empty):.2f} ms (20 passes; target < 10 ms)"
        )
        print(
            f"pass with {due:,} tickets due: {busy:.0f} ms, {fired:,} steps fired "
            "(target < 2000 ms)"
        )
    finally:
        await db.dispose()
        async with admin.connect() as conn:
            await conn.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        await admin.dispose()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--due", type=int, default=1000)
    options = parser.parse_args()
    asyncio.run(main(options.tickets, options.due))
