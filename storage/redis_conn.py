"""Open the Redis client: a real server for `redis://`, an in-process fakeredis for `memory://`."""

from __future__ import annotations

from typing import Any

import fakeredis
from redis.asyncio import Redis

MEMORY_SCHEME = "memory://"


def connect_redis(url: str) -> Redis:
    """Return an asyncio Redis client for `url`.

    `memory://` gives each call its own in-process server, so one process runs with nothing
    else installed; it cannot be shared between processes (the CLI refuses to try).
    """
    if url.startswith(MEMORY_SCHEME):
        client: Any = fakeredis.FakeAsyncRedis(server=fakeredis.FakeServer())
        return client  # type: ignore[no-any-return]
    return Redis.from_url(url, socket_timeout=5, socket_connect_timeout=2)
