"""Messages answered before they were handled, and not handled since: handle them again.

WeChat was told `success`, so it will not resend them. A late job's first try runs in the
process that received it; if that process dies or the try fails, the job stays held in
Redis (`storage/late_jobs.py`) and, once its retry time comes, any `serve` or `worker`
process claims it and runs it through the same pipeline. Handling is idempotent (ticket
and outbox keys come from the message), so a second try after a first one that committed
changes nothing twice. After a few failures the resident is told to send it again.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time

from bot.pipeline import BUSY_REPLY, Job, finish_late, process
from bot.services import Services
from storage.messages import enqueue

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 3


class LateJobRunner:
    def __init__(self, services: Services, *, batch: int = 20) -> None:
        self._services = services
        self._batch = batch

    async def run_once(self, now: float | None = None) -> int:
        """One pass; returns how many held jobs were handled or given up."""
        store = self._services.late_jobs
        now = time.time() if now is None else now
        ended = 0
        for key, payload in await store.due(now=now, limit=self._batch):
            if not await store.claim(key):
                continue  # another process has it
            job = Job.from_json(payload)
            try:
                result = await process(self._services, job)
            except Exception:
                log.exception("held message failed again (user=%s)", job.incoming.user)
                job.attempts += 1
                if job.attempts < MAX_ATTEMPTS:
                    delay = self._services.settings.late_retry_seconds * 2**job.attempts
                    await store.retry_later(key, job.to_json(), retry_at=now + delay)
                    continue
                await self._give_up(job)
                ended += 1
                continue
            await finish_late(self._services, job, result)
            ended += 1
        return ended

    async def _give_up(self, job: Job) -> None:
        """事事有回应: the resident learns the message was not handled and can resend it."""
        services = self._services
        async with services.db.write() as session:
            await enqueue(
                session,
                idem_key=f"late-failed:{job.key}",
                channel="wechat_cs",
                recipient=job.incoming.user,
                payload={"msgtype": "text", "text": BUSY_REPLY},
                now=services.clock(),
            )
        await services.dedupe.forget(job.key)
        await services.late_jobs.release(job.key)

    async def run(self, stop: asyncio.Event, *, interval: float = 5.0) -> None:
        while not stop.is_set():
            try:
                await self.run_once()
            except Exception:  # Redis or the database hiccuped: try again next round
                log.exception("late-job pass failed")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), interval)
