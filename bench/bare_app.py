"""Baseline for bench/webhook.sh: the least a safe-mode `POST /wechat` handler can do.

Check the signature, decrypt with wechatpy's WeChatCrypto, parse the message, answer with an
encrypted text reply. No dedupe, no lock, no state, no NLU, no database. Settings come from
the same environment variables propbot reads (WECHAT_TOKEN, WECHAT_AES_KEY, WECHAT_APPID).

    python bench/bare_app.py --port 8081
"""

from __future__ import annotations

import argparse
import os
import secrets
import time

from aiohttp import web
from wechatpy import parse_message
from wechatpy.crypto import WeChatCrypto
from wechatpy.exceptions import InvalidSignatureException
from wechatpy.replies import TextReply

CRYPTO = web.AppKey("crypto", WeChatCrypto)
REPLY = "您好，这里是物业服务台。"


async def receive(request: web.Request) -> web.Response:
    crypto = request.app[CRYPTO]
    query = request.query
    timestamp = query.get("timestamp", "")
    nonce = query.get("nonce", "")
    body = await request.text()
    try:
        # Verifies msg_signature over the ciphertext, then decrypts and checks the appid.
        plain = crypto.decrypt_message(body, query.get("msg_signature", ""), timestamp, nonce)
    except InvalidSignatureException:
        raise web.HTTPForbidden(text="forbidden") from None
    message = parse_message(plain)
    reply = TextReply(source=message.target, target=message.source, content=REPLY).render()
    sealed = crypto.encrypt_message(reply, str(secrets.randbelow(10**10)), str(int(time.time())))
    return web.Response(text=sealed, content_type="application/xml")


async def healthz(_request: web.Request) -> web.Response:
    return web.Response(text="ok")


def create_app() -> web.Application:
    app = web.Application()
    app[CRYPTO] = WeChatCrypto(
        os.environ["WECHAT_TOKEN"], os.environ["WECHAT_AES_KEY"], os.environ["WECHAT_APPID"]
    )
    app.router.add_post("/wechat", receive)
    app.router.add_get("/healthz", healthz)
    return app


def main() -> None:
    parser = argparse.ArgumentParser(description="bare safe-mode WeChat webhook (baseline)")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8081)
    args = parser.parse_args()
    # Same server set-up as `propbot serve`: one process, default event loop, no access log.
    web.run_app(create_app(), host=args.host, port=args.port, print=None, access_log=None)


if __name__ == "__main__":
    main()
