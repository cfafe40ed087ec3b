"""Messages answered `success` before they were handled (the 5-second rule), kept in Redis
until their handling commits, so a crash or a failure does not lose them.

A sorted set orders the keys by when they may be retried (a late job still running in a
healthy process finishes long before); a hash holds each message, as opaque JSON that
`bot/` writes and reads. A retry is claimed with `SET NX`, so one process takes it.
"""

from __future__ import annotations

from redis.asyncio import Redis


class LateJobStore:
    def __init__(self, redis: Redis, *, prefix: str, claim_seconds: int = 120) -> None:
        self._redis = redis
        self._index = f"{prefix}:late"
        self._data = f"{prefix}:late:data"
        self._claim = f"{prefix}:late:claim:"
        self._claim_seconds = claim_seconds

    async def hold(self, key: str, payload: str, *, retry_at: float) -> None:
        pipe = self._redis.pipeline(transaction=True)
        pipe.hset(self._data, key, payload)
        pipe.zadd(self._index, {key: retry_at})
        await pipe.execute()

    async def release(self, key: str) -> None:
        pipe = self._redis.pipeline(transaction=True)
        pipe.zrem(self._index, key)
        pipe.hdel(self._data, key)
        pipe.delete(self._claim + key)
        await pipe.execute()

    async def due(self, *, now: float, limit: int) -> list[tuple[str, str]]:
        """(key, payload) of jobs whose retry time has come, oldest first."""
        found = await self._redis.zrangebyscore(self._index, "-inf", now, start=0, num=limit)
        keys = [_text(key) for key in found if isinstance(key, bytes | str)]
        if not keys:
            return []
        payloads = await self._redis.hmget(self._data, keys)
        return [
            (key, _text(payload))
            for key, payload in zip(keys, payloads, strict=True)
            if payload is not None
        ]

    async def claim(self, key: str) -> bool:
        return bool(await self._redis.set(self._claim + key, b"1", nx=True, ex=self._claim_seconds))

    async def retry_later(self, key: str, payload: str, *, retry_at: float) -> None:
        pipe = self._redis.pipeline(transaction=True)
        pipe.hset(self._data, key, payload)
        pipe.zadd(self._index, {key: retry_at})
        pipe.delete(self._claim + key)
        await pipe.execute()

    async def count(self) -> int:
        return int(await self._redis.zcard(self._index))


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value
