"""Contract tests for the Redis-backed stores; the same tests run on memory:// and real Redis."""

from __future__ import annotations

import asyncio

import pytest
from redis.asyncio import Redis

from storage.conversations import ConversationStore
from storage.dedupe import DedupeCache
from storage.locks import LockTimeout, UserLocks


async def test_conversation_round_trip_and_namespacing(redis: Redis, redis_prefix: str) -> None:
    store = ConversationStore(redis, prefix=redis_prefix, ttl_seconds=60)
    other = ConversationStore(redis, prefix=redis_prefix + "-other", ttl_seconds=60)
    assert await store.load("u1") is None
    state = {"flow": "repair", "step": "describe", "slots": {"room": {"building": "3"}, "n": 2}}
    await store.save("u1", state)
    assert await store.load("u1") == state
    assert await other.load("u1") is None
    assert await store.load("u2") is None
    await store.clear("u1")
    assert await store.load("u1") is None


async def test_conversation_expires_and_save_renews_ttl(redis: Redis, redis_prefix: str) -> None:
    store = ConversationStore(redis, prefix=redis_prefix, ttl_seconds=1)
    await store.save("u1", {"flow": "repair"})
    ttl = await redis.pttl(store.key("u1"))
    assert 0 < ttl <= 1000
    await asyncio.sleep(1.2)
    assert await store.load("u1") is None


async def test_corrupt_conversation_is_dropped(redis: Redis, redis_prefix: str) -> None:
    store = ConversationStore(redis, prefix=redis_prefix, ttl_seconds=60)
    await redis.set(store.key("u1"), b"{not json", ex=60)
    assert await store.load("u1") is None
    await store.save("u1", {"flow": "repair"})
    assert await store.load("u1") == {"flow": "repair"}


async def test_lock_excludes_and_releases(redis: Redis, redis_prefix: str) -> None:
    locks = UserLocks(redis, prefix=redis_prefix, ttl_seconds=5)
    order: list[str] = []

    async def worker(name: str, hold: float) -> None:
        async with locks.hold("u1", wait_seconds=2):
            order.append(f"{name}-in")
            await asyncio.sleep(hold)
            order.append(f"{name}-out")

    await asyncio.gather(worker("a", 0.1), worker("b", 0.0))
    assert order in (["a-in", "a-out", "b-in", "b-out"], ["b-in", "b-out", "a-in", "a-out"])
    # Other residents are not blocked.
    async with locks.hold("u1", wait_seconds=1), locks.hold("u2", wait_seconds=0.1):
        pass


async def test_lock_wait_times_out(redis: Redis, redis_prefix: str) -> None:
    locks = UserLocks(redis, prefix=redis_prefix, ttl_seconds=5)
    async with locks.hold("u1", wait_seconds=1):
        with pytest.raises(LockTimeout):
            async with locks.hold("u1", wait_seconds=0.1):
                pass


async def test_lock_expires_when_holder_dies_and_is_not_released_by_others(
    redis: Redis, redis_prefix: str
) -> None:
    locks = UserLocks(redis, prefix=redis_prefix, ttl_seconds=0.2)
    key = f"{redis_prefix}:lock:u1"
    await redis.set(key, "someone-else", px=200)
    async with locks.hold("u1", wait_seconds=1):
        assert await redis.get(key) != b"someone-else"
        # Our lock expires and someone else takes it; our release must not delete theirs.
        await redis.set(key, "next-holder", px=5000)
    assert await redis.get(key) == b"next-holder"


async def test_dedupe_claim_finish_and_wait(redis: Redis, redis_prefix: str) -> None:
    cache = DedupeCache(redis, prefix=redis_prefix, ttl_seconds=60)
    assert await cache.claim("k1") is None
    seen = await cache.claim("k1")
    assert seen is not None and seen.reply is None

    async def finish_later() -> None:
        await asyncio.sleep(0.1)
        await cache.finish("k1", "好的")

    waited, _ = await asyncio.gather(cache.wait_reply("k1", timeout=2), finish_later())
    assert waited == "好的"
    again = await cache.claim("k1")
    assert again is not None and again.reply == "好的"
    assert await cache.wait_reply("missing", timeout=0.1) is None
    await cache.forget("k1")
    assert await cache.claim("k1") is None
    assert 0 < await redis.ttl(f"{redis_prefix}:seen:k1") <= 60
