"""A per-resident lock in Redis so one resident's messages are handled one at a time."""

from __future__ import annotations

import asyncio
import secrets
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from redis.asyncio import Redis
from redis.asyncio.client import Pipeline

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

    async def acquire(
        self, openid: str, *, wait_seconds: float, read: str | None = None
    ) -> tuple[str, Any]:
        """Take the lock; returns its token and, if `read` names a key, that key's value.

        The read travels in the same round trip as the lock attempt and is only used when
        the lock was won, so it is what the key held once nobody else could change it.
        """
        key = self._prefix + openid
        token = secrets.token_hex(8)
        deadline = time.monotonic() + wait_seconds
        delay = 0.005
        while True:
            pipe = self._redis.pipeline(transaction=False)
            pipe.set(key, token, nx=True, px=self._ttl_ms)
            if read is not None:
                pipe.get(read)
            results = await pipe.execute()
            if results[0]:
                return token, results[1] if read is not None else None
            if time.monotonic() >= deadline:
                raise LockTimeout(openid)
            await asyncio.sleep(delay)
            delay = min(delay * 2, 0.1)

    async def release(self, openid: str, token: str) -> None:
        await self._release(keys=[self._prefix + openid], args=[token])

    def stage_release(self, pipe: Pipeline, openid: str, token: str) -> None:
        """Add the release to a pipeline carrying the turn's last writes (one round trip).

        By hash: a `Script` in a pipeline makes redis-py send SCRIPT EXISTS first, an extra
        round trip per message. If Redis has forgotten the script (restarted), the pipeline
        answers NOSCRIPT and the caller releases with `release`, which loads it again.
        """
        pipe.evalsha(self._release.sha, 1, self._prefix + openid, token)

    @asynccontextmanager
    async def hold(self, openid: str, *, wait_seconds: float) -> AsyncIterator[None]:
        """Hold the lock for `openid`; the lock expires by itself if the holder dies."""
        token, _ = await self.acquire(openid, wait_seconds=wait_seconds)
        try:
            yield
        finally:
            await self.release(openid, token)
