"""`create_app(settings)`: the aiohttp application and the lifetime of what it holds."""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator

from aiohttp import web
from redis.asyncio import Redis

import nlu
from bot.health import healthz, readyz
from bot.keys import SERVICES
from bot.services import Services
from bot.settings import Settings
from bot.webhook import receive, verify_url
from bot.wecom_webhook import add_routes as add_wecom_routes
from bot.workers import background


def create_app(
    settings: Settings,
    *,
    redis: Redis | None = None,
    upgrade_db: bool | None = None,
    with_workers: bool = False,
) -> web.Application:
    """Build the app. `redis` lets tests and `propbot chat` share one in-process Redis;
    `with_workers` runs the outbox sender in this process too, as `propbot serve` does.

    `upgrade_db` defaults to upgrading SQLite by itself (a fresh install just works) and
    leaving PostgreSQL to `propbot db upgrade`, which operators run on deploy.
    """
    app = web.Application(client_max_size=settings.max_body_bytes)
    services = Services.build(settings, redis=redis)
    app[SERVICES] = services
    upgrade = settings.uses_sqlite if upgrade_db is None else upgrade_db

    async def lifetime(_app: web.Application) -> AsyncIterator[None]:
        nlu.warm_up()
        # The NLU and FAQ data are ~150k long-lived objects; left in the collected
        # generations, every full collection walked them and paused the server ~100 ms
        # (docs/benchmarks.md). Frozen, they are never scanned again.
        gc.collect()
        gc.freeze()
        if upgrade:
            await services.db.upgrade()
        services.inbound_log.start()
        if with_workers:
            async with background(services):
                yield
        else:
            yield
        await services.close()

    app.cleanup_ctx.append(lifetime)
    app.router.add_get("/wechat", verify_url)
    app.router.add_post("/wechat", receive)
    add_wecom_routes(app)
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/readyz", readyz)
    return app
