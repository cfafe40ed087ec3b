"""The long-lived parts one process shares: database, Redis stores, crypto, background tasks."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from redis.asyncio import Redis

from bot.settings import Settings
from bot.wechat_crypto import Envelope
from handlers.faq import DEFAULT_FAQ_PATH, FaqIndex
from handlers.sla import Policy
from handlers.types import FaqLookup
from storage.conversations import ConversationStore
from storage.db import Database
from storage.dedupe import DedupeCache
from storage.inbound_log import InboundLogWriter
from storage.late_jobs import LateJobStore
from storage.locks import UserLocks
from storage.redis_conn import connect_redis

log = logging.getLogger(__name__)


def load_faq(settings: Settings) -> FaqIndex:
    """The knowledge base staff maintain (`PROPBOT_FAQ_PATH`), or the one shipped with propbot."""
    path = Path(settings.propbot_faq_path) if settings.propbot_faq_path else DEFAULT_FAQ_PATH
    return FaqIndex.load(path)


@dataclass
class Services:
    settings: Settings
    db: Database
    redis: Redis
    conversations: ConversationStore
    locks: UserLocks
    dedupe: DedupeCache
    envelope: Envelope
    inbound_log: InboundLogWriter
    late_jobs: LateJobStore
    faq: FaqLookup | None = None
    policy: Policy = field(default_factory=Policy)
    # The time handlers and staff commands see; a simulation runs a month on its own clock.
    clock: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))
    _background: set[asyncio.Task[Any]] = field(default_factory=set)

    @classmethod
    def build(cls, settings: Settings, *, redis: Redis | None = None) -> Services:
        redis = redis if redis is not None else connect_redis(settings.redis_url)
        prefix = settings.redis_prefix
        db = Database(settings.database_url)
        return cls(
            settings=settings,
            db=db,
            inbound_log=InboundLogWriter(db),
            redis=redis,
            # Redis keeps a conversation a day past its expiry so the resident can be told it
            # ended; the expiry itself is checked against the time stored inside it.
            conversations=ConversationStore(
                redis, prefix=prefix, ttl_seconds=settings.conversation_ttl_seconds + 86400
            ),
            locks=UserLocks(redis, prefix=prefix, ttl_seconds=settings.user_lock_seconds),
            late_jobs=LateJobStore(
                redis, prefix=prefix, claim_seconds=max(settings.late_retry_seconds, 30)
            ),
            dedupe=DedupeCache(redis, prefix=prefix, ttl_seconds=settings.dedupe_ttl_seconds),
            envelope=Envelope(
                token=settings.wechat_token,
                aes_key=settings.wechat_aes_key,
                appid=settings.wechat_appid,
            ),
            faq=load_faq(settings),
            policy=Policy.load(settings.propbot_config),
        )

    def spawn(self, coro: Coroutine[Any, Any, None], *, name: str) -> None:
        """Run work that outlives the request; kept referenced so it is not collected."""
        task = asyncio.create_task(coro, name=name)
        self._background.add(task)
        task.add_done_callback(self._finished)

    def _finished(self, task: asyncio.Task[Any]) -> None:
        self._background.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("background task %s failed", task.get_name(), exc_info=task.exception())

    async def drain(self, timeout: float = 10.0) -> None:
        """Let late replies finish before shutting down, so accepted work is not dropped."""
        if self._background:
            await asyncio.wait(set(self._background), timeout=timeout)

    async def close(self) -> None:
        await self.drain()
        await self.inbound_log.close()
        await self.db.dispose()
        await self.redis.aclose()
