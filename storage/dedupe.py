"""Remember which WeChat deliveries were seen and what was answered, so retries repeat it."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass

from redis.asyncio import Redis
from redis.asyncio.client import Pipeline

PENDING = b"\x00pending"


@dataclass(frozen=True, slots=True)
class Seen:
    """A delivery seen before; `reply` is None while the first one is still being handled."""

    reply: str | None


class DedupeCache:
    """Keys `<prefix>:seen:<key>` hold PENDING while the first delivery runs, then its reply."""

    def __init__(self, redis: Redis, *, prefix: str, ttl_seconds: int) -> None:
        self._redis = redis
        self._prefix = f"{prefix}:seen:"
        self._ttl = ttl_seconds

    async def claim(self, key: str) -> Seen | None:
        """Claim `key` for this delivery; None means it is ours to handle."""
        full = self._prefix + key
        if await self._redis.set(full, PENDING, nx=True, ex=self._ttl):
            return None
        raw = await self._redis.get(full)
        return Seen(_decode(raw))

    async def finish(self, key: str, reply: str) -> None:
        await self._redis.set(self._prefix + key, reply.encode(), ex=self._ttl)

    def stage_finish(self, pipe: Pipeline, key: str, reply: str) -> None:
        pipe.set(self._prefix + key, reply.encode(), ex=self._ttl)

    async def forget(self, key: str) -> None:
        """Let a later retry try again (the first delivery failed before doing anything)."""
        await self._redis.delete(self._prefix + key)

    async def wait_reply(self, key: str, *, timeout: float) -> str | None:
        """Wait for the first delivery's reply; None if it is not ready in time."""
        deadline = time.monotonic() + timeout
        delay = 0.01
        while True:
            raw = await self._redis.get(self._prefix + key)
            reply = _decode(raw)
            if reply is not None:
                return reply
            if raw is None or time.monotonic() >= deadline:
                return None
            await asyncio.sleep(delay)
            delay = min(delay * 1.5, 0.1)


def _decode(raw: bytes | str | None) -> str | None:
    if raw is None:
        return None
    data = raw if isinstance(raw, bytes) else raw.encode()
    if data == PENDING:
        return None
    return data.decode()
