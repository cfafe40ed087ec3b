"""Typed keys for what the aiohttp application holds."""

from __future__ import annotations

from aiohttp import web

from bot.services import Services

SERVICES = web.AppKey("services", Services)
