"""`/wecom/bot` (smart robot, group @mentions) and `/wecom/app` (self-built app, 1:1): staff
commands in, one-line answers out. Verified and decrypted before anything else runs."""

from __future__ import annotations

import json
import logging
import secrets
import time
from collections.abc import Awaitable, Callable

from aiohttp import web
from wechatpy.work.crypto import WeChatCrypto as WorkCrypto

from bot.keys import SERVICES
from bot.staff_actions import run
from bot.wechat_crypto import Forbidden, check_timestamp
from bot.wecom_callback import (
    StaffMessage,
    WeComBadRequest,
    WeComCrypto,
    WeComForbidden,
    parse_app_message,
    parse_robot_message,
)
from handlers.staff_commands import Usage, parse

log = logging.getLogger(__name__)

BOT_CRYPTO = web.AppKey("wecom_bot_crypto", WeComCrypto)
APP_CRYPTO = web.AppKey("wecom_app_crypto", WeComCrypto)


def add_routes(app: web.Application) -> None:
    settings = app[SERVICES].settings
    if settings.wecom_bot_token and settings.wecom_bot_aes_key:
        app[BOT_CRYPTO] = WeComCrypto(settings.wecom_bot_token, settings.wecom_bot_aes_key, "")
        app.router.add_get("/wecom/bot", _verify(BOT_CRYPTO))
        app.router.add_post("/wecom/bot", robot_message)
    if settings.wecom_app_token and settings.wecom_app_aes_key and settings.wecom_corp_id:
        app[APP_CRYPTO] = WeComCrypto(
            settings.wecom_app_token, settings.wecom_app_aes_key, settings.wecom_corp_id
        )
        app.router.add_get("/wecom/app", _verify(APP_CRYPTO))
        app.router.add_post("/wecom/app", app_message)


def _verify(
    key: web.AppKey[WeComCrypto],
) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
    async def handler(request: web.Request) -> web.StreamResponse:
        query = request.query
        try:
            _fresh(request)
            echo = request.app[key].verify_url(
                query.get("msg_signature", ""),
                query.get("timestamp", ""),
                query.get("nonce", ""),
                query.get("echostr", ""),
            )
        except (WeComForbidden, Forbidden):
            raise web.HTTPForbidden(text="forbidden") from None
        except WeComBadRequest:
            raise web.HTTPBadRequest(text="bad request") from None
        return web.Response(text=echo)

    return handler


async def robot_message(request: web.Request) -> web.StreamResponse:
    crypto = request.app[BOT_CRYPTO]
    query = request.query
    try:
        _fresh(request)
        data = crypto.decrypt_json(
            await request.read(),
            query.get("msg_signature", ""),
            query.get("timestamp", ""),
            query.get("nonce", ""),
        )
    except (WeComForbidden, Forbidden):
        log.warning("refused /wecom/bot from %s", request.remote)
        raise web.HTTPForbidden(text="forbidden") from None
    except WeComBadRequest:
        raise web.HTTPBadRequest(text="bad request") from None
    message = parse_robot_message(data)
    if message is None:
        return web.Response(text="")
    answer = await _answer(request, message)
    if answer is None:
        return web.Response(text="")
    payload = {"msgtype": "markdown", "markdown": {"content": answer}}
    sealed = crypto.encrypt_json(payload, secrets.token_hex(8), int(time.time()))
    return web.Response(text=json.dumps(sealed), content_type="application/json")


async def app_message(request: web.Request) -> web.StreamResponse:
    crypto = request.app[APP_CRYPTO]
    settings = request.app[SERVICES].settings
    query = request.query
    try:
        _fresh(request)
        xml = crypto.decrypt_xml(
            await request.text(),
            query.get("msg_signature", ""),
            query.get("timestamp", ""),
            query.get("nonce", ""),
        )
        message = parse_app_message(xml)
    except (WeComForbidden, Forbidden):
        log.warning("refused /wecom/app from %s", request.remote)
        raise web.HTTPForbidden(text="forbidden") from None
    except WeComBadRequest:
        raise web.HTTPBadRequest(text="bad request") from None
    if message is None:
        return web.Response(text="")
    answer = await _answer(request, message)
    if answer is None:
        return web.Response(text="")
    stamp = str(int(time.time()))
    reply = (
        f"<xml><ToUserName><![CDATA[{message.userid}]]></ToUserName>"
        f"<FromUserName><![CDATA[{settings.wecom_corp_id}]]></FromUserName>"
        f"<CreateTime>{stamp}</CreateTime><MsgType><![CDATA[text]]></MsgType>"
        f"<Content><![CDATA[{answer.replace(']]>', '')}]]></Content></xml>"
    )
    work = WorkCrypto(settings.wecom_app_token, settings.wecom_app_aes_key, settings.wecom_corp_id)
    sealed: str = work.encrypt_message(reply, secrets.token_hex(8), stamp)
    return web.Response(text=sealed, content_type="application/xml")


def _fresh(request: web.Request) -> None:
    window = request.app[SERVICES].settings.replay_window_seconds
    check_timestamp(request.query.get("timestamp", ""), window_seconds=window)


async def _answer(request: web.Request, message: StaffMessage) -> str | None:
    """The group answer; None for a WeCom retry of a message already handled."""
    services = request.app[SERVICES]
    key = f"wecom:{message.msgid or message.userid + ':' + message.text}"
    seen = await services.dedupe.claim(key)
    if seen is not None:
        return seen.reply or None
    command = parse(message.text)
    if isinstance(command, Usage):
        answer = command.message
    else:
        try:
            answer = await run(services.db, message.userid, command, key=key, now=services.clock())
        except Exception:
            await services.dedupe.forget(key)
            log.exception("staff command failed (user=%s)", message.userid)
            return "系统有点忙，这条命令没有执行，请稍后再发一次。"
        log.info("staff %s ran %s", message.userid, command.name)
    await services.dedupe.finish(key, answer)
    return answer
