"""Sending to WeCom group robots (群机器人 webhooks) within their 20-messages-a-minute limit.

Messages go through a per-webhook queue in Redis shared by all processes; the holder of the
webhook's sender lock drains it, one slot of a sliding-window limit per post, merging a long
queue of markdown cards into digests so a burst costs a few slots instead of 45009 errors. A card
leaves the queue only once WeCom accepted it (or refused it for good): none is dropped. The
webhook URL holds a secret key, so Redis keys and logs use a hash of it instead.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import secrets
from itertools import takewhile
from typing import Any

import aiohttp
from redis.asyncio import Redis

log = logging.getLogger(__name__)

MARKDOWN_LIMIT = 4096
TEXT_LIMIT = 2048
ELLIPSIS = "…"
# WeCom's markdown has no horizontal rule; a line of box-drawing characters reads as one.
DIGEST_RULE = "\n──────────\n"
_HEADER = "**{} 条新消息**\n"
# System busy, and the robot's own rate limit (someone else also posts with this webhook).
RETRYABLE_ERRCODES = frozenset({-1, 45009})
_JSON_HEADERS = {"Content-Type": "application/json; charset=utf-8"}

# Sliding window on Redis's clock (so hosts agree): drop old stamps, take a free slot or say when
# the oldest leaves. Milliseconds (13 digits) survive Lua's number formatting; microseconds not.
_ACQUIRE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local window = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
if redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[1]) then
    redis.call('ZADD', KEYS[1], now, ARGV[3])
    redis.call('PEXPIRE', KEYS[1], window)
    return 0
end
local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
return math.max(1, tonumber(oldest[2]) + window - now)
"""
# The same message already waiting is the same card sent again (an outbox retry): keep one.
_ENQUEUE = """
if redis.call('LPOS', KEYS[1], ARGV[1]) then return 0 end
return redis.call('RPUSH', KEYS[1], ARGV[1])
"""
# Compare-and-act on the sender lock (TTL ARGV[2] ms, or release on 0): after its TTL the lock
# may belong to another process.
_LOCK = """
if redis.call('get', KEYS[1]) ~= ARGV[1] then return 0 end
if ARGV[2] == '0' then return redis.call('del', KEYS[1]) end
return redis.call('pexpire', KEYS[1], ARGV[2])
"""


class WeComError(Exception):
    """A robot message was not accepted; transport failures have errcode -1 ("system busy")."""

    def __init__(self, errcode: int, errmsg: str, retryable: bool) -> None:
        kind = "retryable" if retryable else "permanent"
        super().__init__(f"WeCom robot error {errcode} ({kind}): {errmsg}")
        self.errcode, self.errmsg, self.retryable = errcode, errmsg, retryable


def webhook_id(webhook_url: str) -> str:
    """A stable name for a webhook that does not reveal its key."""
    return hashlib.sha256(webhook_url.encode()).hexdigest()[:16]


def truncate_utf8(text: str, limit_bytes: int) -> str:
    """`text` in at most `limit_bytes` UTF-8 bytes, cut on a character boundary with "…"."""
    data = text.encode()
    if len(data) <= limit_bytes:
        return text
    head = data[: max(limit_bytes - len(ELLIPSIS.encode()), 0)]
    return head.decode(errors="ignore") + ELLIPSIS  # drops the bytes of a half-cut character


def _pack(items: list[str], limit_bytes: int) -> list[list[str]]:
    """Group cards, in order, so that each group rendered as a digest fits `limit_bytes`."""
    # Room for the longest header any group could get keeps the sums simple.
    reserve = len(_HEADER.format(len(items)).encode())
    rule = len(DIGEST_RULE.encode())
    groups: list[list[str]] = []
    size = 0
    for item in items:
        extra = len(item.encode()) + rule
        if groups and size + extra <= limit_bytes:
            groups[-1].append(item)
            size += extra
        else:
            groups.append([item])
            size = reserve + len(item.encode())
    return groups


def merge_digest(items: list[str], *, limit_bytes: int = MARKDOWN_LIMIT) -> list[str]:
    """Queued markdown cards as few messages as fit: "**N 条新消息**" and the cards between
    rules, split into several digests when one would be too long. Every card is kept."""
    # A lone card needs no header; one too big for any message is shortened, not lost.
    return [
        _HEADER.format(len(group)) + DIGEST_RULE.join(group)
        if len(group) > 1
        else truncate_utf8(group[0], limit_bytes)
        for group in _pack(items, limit_bytes)
    ]


class RobotRateLimit:
    """A sliding-window limit per webhook in Redis, shared by every process."""

    def __init__(
        self, redis: Redis, *, prefix: str, per_minute: int = 20, window_seconds: float = 60.0
    ) -> None:
        self._prefix = f"{prefix}:wecom:rate:"
        self._limit = per_minute
        self._window_ms = max(int(window_seconds * 1000), 1)
        self._script = redis.register_script(_ACQUIRE)

    async def acquire(self, webhook_url: str) -> float:
        """0 when a slot was free (and is now taken), else the seconds until one frees up."""
        key = self._prefix + webhook_id(webhook_url)
        member = secrets.token_hex(8)  # two slots taken in the same millisecond stay two
        wait_ms = await self._script(keys=[key], args=[self._limit, self._window_ms, member])
        return int(wait_ms) / 1000


class GroupRobot:
    """Posts markdown and text to group-robot webhooks through the shared queue and limit.

    `send_*` queues the message, then drains the webhook's queue unless another caller (in any
    process) already does, and will deliver this message too. A WeComError means the drain
    stopped: if retryable, all is still queued (sending again queues no duplicate; `flush`
    retries); if permanent, the refused message was removed."""

    def __init__(
        self,
        http: aiohttp.ClientSession,
        redis: Redis,
        *,
        prefix: str,
        timeout: float = 5.0,
        limiter: RobotRateLimit | None = None,
        digest_after: int = 3,
    ) -> None:
        self._http, self._redis = http, redis
        self._prefix = f"{prefix}:wecom:"
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        # The lock outlives a slow post; the holder extends it before every wait and post.
        self._lock_ms = int((timeout + 5) * 1000)
        self._limiter = limiter or RobotRateLimit(redis, prefix=prefix)
        self._digest_after = digest_after
        self._enqueue = redis.register_script(_ENQUEUE)
        self._lock = redis.register_script(_LOCK)

    async def send_markdown(self, webhook_url: str, content: str) -> None:
        content = truncate_utf8(content, MARKDOWN_LIMIT)
        await self._send(webhook_url, {"msgtype": "markdown", "markdown": {"content": content}})

    async def send_text(
        self, webhook_url: str, content: str, mentioned: list[str] | None = None
    ) -> None:
        text: dict[str, Any] = {"content": truncate_utf8(content, TEXT_LIMIT)}
        if mentioned:
            text["mentioned_list"] = list(mentioned)
        await self._send(webhook_url, {"msgtype": "text", "text": text})

    async def _send(self, webhook_url: str, payload: dict[str, Any]) -> None:
        item = json.dumps(payload, ensure_ascii=False, sort_keys=True)
        await self._enqueue(keys=[self._key("queue", webhook_url)], args=[item])
        await self.flush(webhook_url)

    async def flush(self, webhook_url: str) -> None:
        """Deliver what is queued for `webhook_url`, unless another caller is already on it."""
        queue, lock = self._key("queue", webhook_url), self._key("lock", webhook_url)
        # Re-checked after release: what was queued while we held the lock was left to us.
        while await self._redis.llen(queue):
            token = secrets.token_hex(8)
            if not await self._redis.set(lock, token, nx=True, px=self._lock_ms):
                return
            try:
                await self._drain(webhook_url, queue, lock, token)
            finally:
                await self._lock(keys=[lock], args=[token, 0])

    def _key(self, kind: str, webhook_url: str) -> str:
        return f"{self._prefix}{kind}:{webhook_id(webhook_url)}"

    async def _drain(self, webhook_url: str, queue: str, lock: str, token: str) -> None:
        while raw := await self._redis.lrange(queue, 0, -1):
            wait = await self._limiter.acquire(webhook_url)
            if not await self._lock(keys=[lock], args=[token, self._lock_ms + int(wait * 1000)]):
                return  # we stalled past the lock's TTL and someone else drains now
            if wait > 0:
                # Meanwhile more cards may arrive; the next round merges them.
                await asyncio.sleep(wait)
                continue
            payload, used = self._next_message([json.loads(r) for r in raw])
            try:
                await self._post(webhook_url, payload)
            except WeComError as exc:
                if not exc.retryable:  # it can never go out: do not let it block the queue
                    await self._redis.ltrim(queue, used, -1)
                    log.error("robot %s refused %d: %s", webhook_id(webhook_url), used, exc)
                raise
            await self._redis.ltrim(queue, used, -1)

    def _next_message(self, queued: list[dict[str, Any]]) -> tuple[dict[str, Any], int]:
        """The message to post with one slot, and how many queued messages it delivers."""
        # Text keeps its place in the order and its mentions: it is never merged.
        run = takewhile(lambda item: item.get("msgtype") == "markdown", queued)
        cards = [item["markdown"]["content"] for item in run]
        if len(cards) < self._digest_after:
            return queued[0], 1
        group = _pack(cards, MARKDOWN_LIMIT)[0]
        return {"msgtype": "markdown", "markdown": {"content": merge_digest(group)[0]}}, len(group)

    async def _post(self, webhook_url: str, payload: dict[str, Any]) -> None:
        body = json.dumps(payload, ensure_ascii=False).encode()
        try:
            async with self._http.post(
                webhook_url, data=body, headers=_JSON_HEADERS, timeout=self._timeout
            ) as response:
                if response.status >= 400:
                    retry = response.status >= 500 or response.status == 429
                    raise WeComError(-1, f"HTTP {response.status}", retry)
                raw = await response.read()
        except TimeoutError:
            raise WeComError(-1, "timeout", True) from None
        except aiohttp.ClientError as exc:
            # Only the class name: some client errors quote the URL, key included.
            retry = not isinstance(exc, aiohttp.InvalidURL)
            raise WeComError(-1, type(exc).__name__, retry) from None
        try:
            data = json.loads(raw)
            errcode, errmsg = int(data.get("errcode", -1)), str(data.get("errmsg", ""))
        except (ValueError, TypeError, AttributeError):
            raise WeComError(-1, "answer is not WeCom JSON", True) from None
        if errcode != 0:
            raise WeComError(errcode, errmsg, errcode in RETRYABLE_ERRCODES)
