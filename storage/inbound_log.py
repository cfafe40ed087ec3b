"""Write-behind for the inbound message log of messages that changed nothing.

Most messages (greetings, questions, form answers) change no database row; writing their
log row in its own transaction was most of the webhook's cost on SQLite. They are buffered
and written in batches every `interval` seconds instead. Messages with effects (tickets,
bindings, passes) still log inside their own transaction, where the unique dedupe key
guards against a second copy. The price: a crash can lose the last `interval` of log rows
of messages that changed nothing (their replies were already sent).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from storage.db import Database
from storage.models import InboundMessage

log = logging.getLogger(__name__)


class InboundLogWriter:
    def __init__(self, db: Database, *, interval: float = 0.05, batch: int = 500) -> None:
        self._db = db
        self._interval = interval
        self._batch = batch
        self._rows: list[dict[str, Any]] = []
        self._task: asyncio.Task[None] | None = None
        self._wake = asyncio.Event()

    def add(self, row: dict[str, Any]) -> None:
        self._rows.append(row)
        if len(self._rows) >= self._batch:
            self._wake.set()

    @property
    def pending(self) -> int:
        return len(self._rows)

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="inbound-log-writer")

    async def flush(self) -> None:
        while self._rows:
            rows, self._rows = self._rows[: self._batch], self._rows[self._batch :]
            insert = pg_insert if not self._db.is_sqlite else sqlite_insert
            statement = insert(InboundMessage).on_conflict_do_nothing(index_elements=["dedupe_key"])
            try:
                async with self._db.write() as session:
                    await session.execute(statement, rows)
            except Exception:
                self._rows[:0] = rows
                raise

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        try:
            await self.flush()
        except Exception:  # shutting down: say what is lost rather than fail the shutdown
            log.exception("%d inbound log rows could not be written at shutdown", len(self._rows))

    async def _run(self) -> None:
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=self._interval)
            self._wake.clear()
            try:
                await self.flush()
            except Exception:  # a database hiccup must not stop later flushes
                log.exception("writing the inbound message log failed; will retry")
