"""Run a staff command against the configured database."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from bot.settings import Settings
from storage.db import Database


def run_with_db(work: Callable[[Database], Awaitable[int]]) -> int:
    async def main() -> int:
        db = Database(Settings().database_url)
        try:
            # A fresh SQLite install has no tables yet; upgrading is idempotent. PostgreSQL
            # is migrated on purpose with `propbot db upgrade`.
            if db.is_sqlite:
                await db.upgrade()
            return await work(db)
        finally:
            await db.dispose()

    return asyncio.run(main())
