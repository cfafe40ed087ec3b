"""Liveness and readiness probes for load balancers and process supervisors."""

from __future__ import annotations

import asyncio
import logging

from aiohttp import web

from bot.keys import SERVICES

log = logging.getLogger(__name__)


async def healthz(_request: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})


async def readyz(request: web.Request) -> web.Response:
    services = request.app[SERVICES]
    checks: dict[str, str] = {}
    for name, probe in (("database", services.db.ping()), ("redis", services.redis.ping())):
        try:
            await asyncio.wait_for(probe, timeout=2)
            checks[name] = "ok"
        except Exception as exc:  # any failure means "not ready"; the kind is in the log
            log.warning("readiness check %s failed: %s", name, type(exc).__name__)
            checks[name] = "unavailable"
    ready = all(value == "ok" for value in checks.values())
    return web.json_response(
        {"status": "ready" if ready else "not ready", **checks}, status=200 if ready else 503
    )
