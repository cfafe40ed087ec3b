"""A per-resident lock in Redis so one resident's messages are handled one at a time."""

from __future__ import annotations

import asyncio
import secrets
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from redis.asyncio import Redis

# Delete only our own lock: after a timeout another holder may own the key.
_RELEASE = """
if redis.call('get', KEYS[1]) == ARGV[1] then
    return redis.call('del', KEYS[1])
end
return 0
"""


class LockTimeout(Exception):
    """The lock could not be taken within the wait limit."""


class UserLocks:
    def __init__(self, redis: Redis, *, prefix: str, ttl_seconds: float) -> None:
        self._redis = redis
        self._prefix = f"{prefix}:lock:"
        self._ttl_ms = int(ttl_seconds * 1000)
        self._release = redis.register_script(_RELEASE)

    @asynccontextmanager
    async def hold(self, openid: str, *, wait_seconds: float) -> AsyncIterator[None]:
        """Hold the lock for `openid`; the lock expires by itself if the holder dies."""
        key = self._prefix + openid
        token = secrets.token_hex(8)
        deadline = time.monotonic() + wait_seconds
        delay = 0.005
        while not await self._redis.set(key, token, nx=True, px=self._ttl_ms):
            if time.monotonic() >= deadline:
                raise LockTimeout(openid)
            await asyncio.sleep(delay)
            delay = min(delay * 2, 0.1)
        try:
            yield
        finally:
            await self._release(keys=[key], args=[token])
