"""Pieces the staff commands share: reading their CSV files, running against the database."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path

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


def read_csv_text(path: Path) -> str | None:
    """The file's text (a UTF-8 BOM from Excel dropped), or None after saying why not."""
    try:
        return path.read_bytes().decode("utf-8-sig")
    except OSError:
        print(f"读不到文件：{path}")
    except UnicodeDecodeError:
        print("文件不是 UTF-8 编码。Excel 请另存为“CSV UTF-8（逗号分隔）”。")
    return None
