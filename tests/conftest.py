"""Fixtures: every storage-touching test runs on the embedded defaults (SQLite + memory://)
and, when TEST_DATABASE_URL / TEST_REDIS_URL are set, on PostgreSQL and a real Redis too."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient
from redis.asyncio import Redis
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from bot.app import create_app
from bot.settings import Settings
from bot.simulator import RequestFactory
from storage.db import Database
from storage.models import Base
from storage.redis_conn import connect_redis

TOKEN = "propbot-test-token"
AES_KEY = "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C"
APPID = "wx5823bf96d3bd56c7"
SAMPLES = Path(__file__).resolve().parents[2] / "shared" / "reference" / "wechat" / "samples"

ESTATE = Path(__file__).parent / "data" / "estate_test.toml"
TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "")
TEST_REDIS_URL = os.environ.get("TEST_REDIS_URL", "")


@dataclass(frozen=True)
class Backend:
    name: str
    database_url: str
    redis_url: str


def _backends() -> list[pytest.param]:  # type: ignore[valid-type]
    params = [pytest.param("embedded", id="sqlite+memory")]
    if TEST_DATABASE_URL or TEST_REDIS_URL:
        params.append(pytest.param("real", id="postgres+redis"))
    return params


@pytest.fixture(params=_backends())
async def backend(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Backend]:
    if request.param == "embedded":
        yield Backend("embedded", f"sqlite+aiosqlite:///{tmp_path / 'test.db'}", "memory://")
        return
    database_url = TEST_DATABASE_URL or f"sqlite+aiosqlite:///{tmp_path / 'test.db'}"
    redis_url = TEST_REDIS_URL or "memory://"
    if database_url.startswith("postgresql"):
        await _reset_postgres(database_url)
    yield Backend("real", database_url, redis_url)


async def _reset_postgres(url: str) -> None:
    """Start every test from an empty schema; migrations then build it as in production."""
    engine = create_async_engine(url)
    async with engine.begin() as conn:
        await conn.execute(text("DROP SCHEMA public CASCADE"))
        await conn.execute(text("CREATE SCHEMA public"))
    await engine.dispose()
    assert Base.metadata.tables  # models imported, so migrations can be compared in tests


@pytest.fixture
def redis_prefix() -> str:
    # A fresh namespace per test keeps tests on a shared real Redis independent.
    return f"propbot-test-{uuid.uuid4().hex[:10]}"


@pytest.fixture
async def db(backend: Backend) -> AsyncIterator[Database]:
    """The backend's database, migrated, for storage-level tests."""
    database = Database(backend.database_url)
    await database.upgrade()
    yield database
    await database.dispose()


@pytest.fixture
async def redis(backend: Backend) -> AsyncIterator[Redis]:
    client = connect_redis(backend.redis_url)
    yield client
    await client.aclose()


def make_settings(backend: Backend, prefix: str, *, safe: bool, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "wechat_token": TOKEN,
        "wechat_aes_key": AES_KEY if safe else "",
        "wechat_appid": APPID,
        "database_url": backend.database_url,
        "redis_url": backend.redis_url,
        "redis_prefix": prefix,
        "propbot_env": "dev",
        "propbot_config": str(ESTATE),
    }
    values.update(overrides)
    return Settings.model_validate(values)


@pytest.fixture(params=[False, True], ids=["plain", "safe"])
def safe(request: pytest.FixtureRequest) -> bool:
    return bool(request.param)


@pytest.fixture
def settings(backend: Backend, redis_prefix: str, safe: bool) -> Settings:
    return make_settings(backend, redis_prefix, safe=safe)


@pytest.fixture
def factory(safe: bool) -> RequestFactory:
    return RequestFactory(token=TOKEN, aes_key=AES_KEY if safe else "", appid=APPID)


@pytest.fixture
async def client(
    aiohttp_client: object, settings: Settings, redis: Redis
) -> AsyncIterator[TestClient]:  # type: ignore[type-arg]
    app = create_app(settings, redis=redis, upgrade_db=True)
    test_client: TestClient = await aiohttp_client(app)  # type: ignore[operator]
    yield test_client


@pytest.fixture(autouse=True)
def _no_dev_token_file(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    # Settings read `.env` and `.propbot/` from the working directory; keep tests out of the repo's.
    monkeypatch.chdir(tmp_path)
    yield
