"""`/wechat`: the Official Account callback. Verify, open, parse, handle, answer in time."""

from __future__ import annotations

import logging

from aiohttp import web

from bot.keys import SERVICES
from bot.pipeline import handle
from bot.wechat_codec import NotAMessage, parse, render_text
from bot.wechat_crypto import BadEnvelope, Forbidden, check_timestamp

log = logging.getLogger(__name__)


def success() -> web.Response:
    """`success` tells WeChat there is no passive reply and stops its retries."""
    return web.Response(text="success")


async def verify_url(request: web.Request) -> web.Response:
    services = request.app[SERVICES]
    query = request.query
    try:
        check_timestamp(
            query.get("timestamp", ""), window_seconds=services.settings.replay_window_seconds
        )
        services.envelope.verify_url(
            query.get("signature", ""), query.get("timestamp", ""), query.get("nonce", "")
        )
    except Forbidden as exc:
        log.warning("refused URL verification from %s: %s", request.remote, exc)
        raise web.HTTPForbidden(text="forbidden") from None
    return web.Response(text=query.get("echostr", ""))


async def receive(request: web.Request) -> web.Response:
    services = request.app[SERVICES]
    query = dict(request.query)
    # aiohttp answers 413 by itself once the body passes client_max_size.
    raw = await request.read()
    try:
        check_timestamp(
            query.get("timestamp", ""), window_seconds=services.settings.replay_window_seconds
        )
        body = raw.decode("utf-8", errors="replace")
        opened = services.envelope.open(body, query)
    except Forbidden as exc:
        # The body is not logged: it may be anything, and it is not ours to keep.
        log.warning("refused POST /wechat from %s: %s", request.remote, exc)
        raise web.HTTPForbidden(text="forbidden") from None
    except BadEnvelope as exc:
        log.warning("unusable envelope (%d bytes): %s", len(raw), exc)
        return success()
    try:
        parsed = parse(opened.xml)
    except NotAMessage as exc:
        log.warning("not a WeChat message (%d bytes): %s", len(raw), exc)
        return success()
    reply = await handle(services, parsed.incoming)
    if not reply:
        return success()
    xml = render_text(parsed.account, parsed.incoming.user, reply)
    if opened.encrypted:
        xml = services.envelope.seal(xml)
    return web.Response(text=xml, content_type="application/xml")
