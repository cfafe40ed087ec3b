"""The conversation store: JSON state per resident in Redis, expiring after a quiet spell."""

from __future__ import annotations

import json
from typing import Any

from redis.asyncio import Redis
from redis.asyncio.client import Pipeline


class ConversationStore:
    """Keys `<prefix>:conv:<openid>`; every save renews the TTL.

    Callers must hold the resident's lock (see `storage.locks`) across load and save,
    so two messages never interleave their updates.
    """

    def __init__(self, redis: Redis, *, prefix: str, ttl_seconds: int) -> None:
        self._redis = redis
        self._prefix = f"{prefix}:conv:"
        self.ttl_seconds = ttl_seconds

    def key(self, openid: str) -> str:
        return self._prefix + openid

    async def load(self, openid: str) -> dict[str, Any] | None:
        return self.decode(await self._redis.get(self.key(openid)))

    @staticmethod
    def decode(raw: bytes | str | None) -> dict[str, Any] | None:
        """A stored state; a corrupt entry reads as none (and is overwritten or cleared by
        the next save), so it cannot wedge the resident's conversation."""
        if raw is None:
            return None
        try:
            data = json.loads(raw)
        except ValueError:
            return None
        return data if isinstance(data, dict) else None

    async def save(self, openid: str, state: dict[str, Any]) -> None:
        pipe = self._redis.pipeline(transaction=False)
        self.stage_save(pipe, openid, state)
        await pipe.execute()

    async def clear(self, openid: str) -> None:
        await self._redis.delete(self.key(openid))

    def stage_save(self, pipe: Pipeline, openid: str, state: dict[str, Any]) -> None:
        payload = json.dumps(state, ensure_ascii=False, separators=(",", ":"), default=str)
        pipe.set(self.key(openid), payload, ex=self.ttl_seconds)

    def stage_clear(self, pipe: Pipeline, openid: str) -> None:
        pipe.delete(self.key(openid))
