"""The database engine, sessions and migrations, for SQLite and PostgreSQL alike."""

from __future__ import annotations

import asyncio
import functools
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Insert, event, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    # WAL lets readers run beside the one writer; NORMAL is durable across process crashes.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def insert_unless_exists(session: AsyncSession, entity: Any, *, unique: str) -> Insert:
    """`INSERT INTO entity … ON CONFLICT (unique) DO NOTHING RETURNING entity` in the
    session's dialect (SQLite or PostgreSQL); execute it with the row as parameters
    (`session.scalar(statement, {…})`): no row comes back if one already had that key.

    One statement instead of a look-up before the insert; on PostgreSQL the conflict does
    not abort the transaction as an IntegrityError would. The statement is built once per
    dialect and entity (building it and its bound values costs more than running it)."""
    return _insert_unless_exists(session.get_bind().dialect.name, entity, unique)


@functools.cache
def _insert_unless_exists(dialect: str, entity: Any, unique: str) -> Insert:
    statement: Insert
    if dialect == "sqlite":
        statement = sqlite.insert(entity).on_conflict_do_nothing(index_elements=[unique])
    elif dialect == "postgresql":
        statement = postgresql.insert(entity).on_conflict_do_nothing(index_elements=[unique])
    else:
        raise NotImplementedError(f"no INSERT … ON CONFLICT for {dialect}")
    return statement.returning(entity)


class Database:
    """Engine plus session factory.

    SQLite allows one writer at a time and its busy-wait shows up as latency spikes, so
    write transactions are serialised here with an asyncio lock instead.
    """

    def __init__(self, url: str, *, echo: bool = False) -> None:
        self.url = url
        self.is_sqlite = url.startswith("sqlite")
        options: dict[str, Any] = {"echo": echo}
        if not self.is_sqlite:
            options.update(pool_size=10, max_overflow=10, pool_pre_ping=True)
        self.engine: AsyncEngine = create_async_engine(url, **options)
        if self.is_sqlite:
            event.listen(self.engine.sync_engine, "connect", _sqlite_pragmas)
        self.sessions = async_sessionmaker(self.engine, expire_on_commit=False)
        self._write_lock = asyncio.Lock() if self.is_sqlite else None

    @asynccontextmanager
    async def write(self) -> AsyncIterator[AsyncSession]:
        """A session in a transaction that commits on success and rolls back on error."""
        if self._write_lock is None:
            async with self.sessions() as session, session.begin():
                yield session
            return
        async with self._write_lock, self.sessions() as session, session.begin():
            yield session

    @asynccontextmanager
    async def read(self) -> AsyncIterator[AsyncSession]:
        async with self.sessions() as session:
            yield session

    async def ping(self) -> None:
        async with self.engine.connect() as conn:
            await conn.execute(text("SELECT 1"))

    async def upgrade(self) -> None:
        """Bring the schema to the newest migration (Alembic) on this engine's connection."""
        async with self.engine.begin() as conn:
            await conn.run_sync(_upgrade_sync)

    async def dispose(self) -> None:
        await self.engine.dispose()


def alembic_config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    return cfg


def _upgrade_sync(connection: Connection) -> None:
    cfg = alembic_config()
    cfg.attributes["connection"] = connection
    command.upgrade(cfg, "head")
