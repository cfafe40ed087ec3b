"""The `propbot` command."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import multiprocessing
import sys
from pathlib import Path

from aiohttp import web

from bot.settings import ConfigError, Settings, ensure_token

DEMO_OPENID = "o_demo_resident_0001"


def _settings() -> Settings:
    try:
        settings, generated = ensure_token(Settings())
    except ConfigError as exc:
        raise SystemExit(f"配置错误: {exc}") from None
    if generated:
        print(f"开发模式：已生成 WeChat Token {settings.wechat_token}（保存在 .propbot/dev_token）")
    return settings


def cmd_serve(args: argparse.Namespace) -> int:
    from bot.logs import setup_logging

    settings = _settings()
    host = args.host or settings.propbot_host
    port = args.port or settings.propbot_port
    workers: int = args.workers
    if workers > 1 and settings.uses_memory_redis:
        raise SystemExit(
            "不能在 REDIS_URL=memory:// 上运行多个 worker：memory:// 是进程内的 Redis，"
            "各进程之间无法共享会话和去重记录。请设置 REDIS_URL=redis://127.0.0.1:6379/0。"
        )
    if workers > 1 and settings.uses_sqlite:
        raise SystemExit(
            "多个 worker 需要 PostgreSQL：请设置 DATABASE_URL=postgresql+asyncpg://..."
        )
    setup_logging(args.log_level)
    base = settings.propbot_public_url or f"http://{host}:{port}"
    print(f"回调 URL（填入公众号后台 服务器地址）: {base}/wechat")
    print(f"消息加解密方式: {'安全模式' if settings.safe_mode else '明文模式'}")
    if workers == 1:
        _serve_one(settings, host, port, reuse_port=False)
        return 0
    if not settings.uses_sqlite:
        asyncio.run(_upgrade(settings))
    ctx = multiprocessing.get_context("spawn")
    procs = [
        ctx.Process(target=_serve_one, args=(settings, host, port, True, args.log_level))
        for _ in range(workers)
    ]
    for proc in procs:
        proc.start()
    try:
        for proc in procs:
            proc.join()
    except KeyboardInterrupt:
        for proc in procs:
            proc.terminate()
    return 0


def _serve_one(
    settings: Settings, host: str, port: int, reuse_port: bool, log_level: str | None = None
) -> None:
    from bot.app import create_app
    from bot.logs import setup_logging

    if log_level:
        setup_logging(log_level)
    # Worker processes leave migrations to the parent, which ran them once.
    app = create_app(settings, upgrade_db=None if not reuse_port else False, with_workers=True)
    web.run_app(
        app, host=host, port=port, reuse_port=reuse_port or None, print=None, access_log=None
    )


async def _upgrade(settings: Settings) -> None:
    from storage.db import Database

    db = Database(settings.database_url)
    try:
        await db.upgrade()
    finally:
        await db.dispose()


def cmd_worker(args: argparse.Namespace) -> int:
    """Only the background work (outbox sender), for extra machines or processes."""
    from bot.logs import setup_logging

    settings = _settings()
    if settings.uses_memory_redis or settings.uses_sqlite:
        raise SystemExit(
            "propbot worker 要和 propbot serve 共用 PostgreSQL 和 Redis（单进程时 serve "
            "自己就会发送消息）。请设置 DATABASE_URL=postgresql+asyncpg://... 和 "
            "REDIS_URL=redis://127.0.0.1:6379/0。"
        )
    setup_logging(args.log_level)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_work(settings))
    return 0


async def _work(settings: Settings) -> None:
    import signal

    from bot.services import Services
    from bot.workers import background

    services = Services.build(settings)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    try:
        async with background(services):
            await stop.wait()
    finally:
        await services.close()


def cmd_menu_push(_args: argparse.Namespace) -> int:
    """Create the Official Account menu (报修, 投诉, 咨询, 访客登记, 我的工单) from config."""
    settings = _settings()
    if not (settings.wechat_appid and settings.wechat_secret):
        raise SystemExit("需要 WECHAT_APPID 和 WECHAT_SECRET 才能设置公众号菜单。")
    asyncio.run(_push_menu(settings))
    print("公众号菜单已更新（微信客户端可能需要几分钟才显示）。")
    return 0


async def _push_menu(settings: Settings) -> None:
    import aiohttp

    from bot.menu import menu_from
    from bot.wechat_api import WeChatApi, WeChatApiError
    from storage.redis_conn import connect_redis

    redis = connect_redis(settings.redis_url)
    try:
        async with aiohttp.ClientSession() as http:
            api = WeChatApi(
                http,
                redis,
                base_url=settings.wechat_api_base,
                appid=settings.wechat_appid,
                secret=settings.wechat_secret,
                prefix=settings.redis_prefix,
            )
            try:
                await api.create_menu(menu_from(settings))
            except WeChatApiError as exc:
                raise SystemExit(f"微信拒绝了菜单：{exc.errcode} {exc.errmsg}") from None
    finally:
        await redis.aclose()


def cmd_db_upgrade(_args: argparse.Namespace) -> int:
    settings = Settings()
    asyncio.run(_upgrade(settings))
    print("数据库已升级到最新版本。")
    return 0


def cmd_chat(args: argparse.Namespace) -> int:
    from bot.chat import main_chat

    settings = _settings()
    return main_chat(settings, args.url, args.openid, Path(args.script) if args.script else None)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="propbot", description="物业服务台机器人")
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="start the WeChat webhook server")
    serve.add_argument("--host", default=None)
    serve.add_argument("--port", type=int, default=None)
    serve.add_argument("--workers", type=int, default=1)
    serve.add_argument("--log-level", default="INFO")
    serve.set_defaults(func=cmd_serve)

    worker = commands.add_parser("worker", help="run the outbox sender without the webhook")
    worker.add_argument("--log-level", default="INFO")
    worker.set_defaults(func=cmd_worker)

    menu = commands.add_parser("menu", help="the Official Account menu")
    menu_commands = menu.add_subparsers(dest="menu_command", required=True)
    menu_commands.add_parser("push", help="create the menu from config").set_defaults(
        func=cmd_menu_push
    )

    db = commands.add_parser("db", help="database maintenance")
    db_commands = db.add_subparsers(dest="db_command", required=True)
    db_commands.add_parser("upgrade", help="apply migrations").set_defaults(func=cmd_db_upgrade)

    chat = commands.add_parser("chat", help="chat with the bot as a resident")
    chat.add_argument("--url", default=None, help="a running server; default: in-process")
    chat.add_argument("--openid", default=DEMO_OPENID)
    chat.add_argument("--script", default=None, help="replay a file, one message per line")
    chat.set_defaults(func=cmd_chat)

    from bot.cli_admin import add_admin_commands
    from bot.cli_faq import add_faq_commands
    from bot.cli_nlu import add_nlu_commands

    add_nlu_commands(commands)
    add_admin_commands(commands)
    add_faq_commands(commands)

    from bot.cli_report import add_report_command
    from bot.cli_staff import add_staff_commands

    add_staff_commands(commands)
    add_report_command(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    # jieba announces loading its dictionary on stderr (and sets its own logger to DEBUG
    # when imported); the chat, staff commands and server logs are not the place for it.
    import jieba

    jieba.setLogLevel(logging.WARNING)
    args = build_parser().parse_args(argv)
    code: int = args.func(args)
    return code


if __name__ == "__main__":
    sys.exit(main())
