"""Background work beside the webhook: the outbox sender, the scheduler, and messages
answered before they were handled whose handling has not committed (`bot/late_jobs.py`).

`propbot serve` runs it in the same process; `propbot worker` runs only this, so several
machines can share the work through PostgreSQL and Redis.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator

import aiohttp

from bot.estate import GROUPS, EstateConfig
from bot.late_jobs import LateJobRunner
from bot.scheduler import Scheduler
from bot.sender import OutboxSender
from bot.services import Services
from bot.wechat_api import WeChatApi
from bot.wecom_robot import GroupRobot

log = logging.getLogger(__name__)


def build_sender(services: Services, http: aiohttp.ClientSession) -> OutboxSender:
    settings = services.settings
    estate = EstateConfig.load(settings)
    wechat = None
    if settings.wechat_appid and settings.wechat_secret:
        wechat = WeChatApi(
            http,
            services.redis,
            base_url=settings.wechat_api_base,
            appid=settings.wechat_appid,
            secret=settings.wechat_secret,
            prefix=settings.redis_prefix,
        )
    robot = None
    if any(estate.webhook_for(group) for group in GROUPS):
        robot = GroupRobot(http, services.redis, prefix=settings.redis_prefix)
    return OutboxSender(services.db, settings, wechat=wechat, robot=robot, estate=estate)


@contextlib.asynccontextmanager
async def background(services: Services) -> AsyncIterator[OutboxSender]:
    """Run the sender, the scheduler and the late-job runner until the block ends; then let
    their passes finish."""
    settings = services.settings
    async with aiohttp.ClientSession() as http:
        sender = build_sender(services, http)
        if not sender.channels:
            log.info("outbox sender idle: no WeChat secret and no WeCom robot configured")
        scheduler = Scheduler(services.db, services.policy)
        stop = asyncio.Event()
        tasks = [
            asyncio.create_task(sender.run(stop), name="outbox-sender"),
            asyncio.create_task(
                scheduler.run(stop, interval=settings.scheduler_interval_seconds),
                name="scheduler",
            ),
            asyncio.create_task(
                LateJobRunner(services).run(stop, interval=settings.scheduler_interval_seconds),
                name="late-jobs",
            ),
        ]
        try:
            yield sender
        finally:
            stop.set()
            await asyncio.gather(*tasks)
