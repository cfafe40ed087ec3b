"""`propbot chat`: talk to the bot as a resident, without a WeChat account."""

from __future__ import annotations

import asyncio
import contextlib
import shlex
import sys
from collections.abc import AsyncIterator, Iterable
from pathlib import Path

import aiohttp
from aiohttp import web

from bot.app import create_app
from bot.settings import Settings
from bot.simulator import RequestFactory
from storage.db import Database
from storage.messages import pending_for

HELP = """在这里输入文字，就像在公众号里给物业发消息。特殊命令：
  /subscribe  /unsubscribe     关注、取消关注
  /click KEY                   点菜单（如 /click REPAIR）
  /image [MEDIA_ID]            发一张图片
  /voice [识别出的文字]         发一条语音
  /location LAT LNG [地址]      发位置
  /help  /quit"""


class ChatSession:
    def __init__(self, settings: Settings, url: str, openid: str) -> None:
        self.settings = settings
        self.url = url.rstrip("/")
        self.openid = openid
        self.factory = RequestFactory(
            token=settings.wechat_token,
            aes_key=settings.wechat_aes_key,
            appid=settings.wechat_appid,
        )
        self._db = Database(settings.database_url)
        self._shown: set[int] = set()

    def build(self, line: str) -> str | None:
        """The message XML for one line of input; None for commands handled locally."""
        if not line.startswith("/"):
            return self.factory.text(self.openid, line)
        try:
            words = shlex.split(line)
        except ValueError:
            words = line.split()
        command, args = words[0].lower(), words[1:]
        user = self.openid
        match command:
            case "/subscribe" | "/unsubscribe":
                return self.factory.event(user, command[1:])
            case "/click" if args:
                return self.factory.event(user, "CLICK", args[0])
            case "/image":
                media = args[0] if args else "demo_media_id"
                fields = {"PicUrl": "http://127.0.0.1/demo.jpg", "MediaId": media}
                return self.factory.message_xml(user, "image", fields)
            case "/voice":
                voice = {"MediaId": "demo_voice", "Format": "amr", "Recognition": " ".join(args)}
                return self.factory.message_xml(user, "voice", voice)
            case "/location" if len(args) >= 2:
                fields = {
                    "Location_X": args[0],
                    "Location_Y": args[1],
                    "Scale": "16",
                    "Label": " ".join(args[2:]),
                }
                return self.factory.message_xml(user, "location", fields)
        return None

    async def send(self, http: aiohttp.ClientSession, xml: str) -> str | None:
        request = self.factory.wrap(xml)
        async with http.post(
            f"{self.url}/wechat", params=request.query, data=request.body.encode()
        ) as response:
            body = await response.text()
            if response.status != 200:
                return f"[HTTP {response.status}] {body[:200]}"
        return self.factory.read_reply(body, request.query)

    async def queued(self) -> list[str]:
        """Customer-service messages waiting for this resident (sent later by the sender)."""
        try:
            async with self._db.read() as session:
                rows = await pending_for(session, self.openid)
        except Exception:  # a remote server's database may not be reachable from here
            return []
        fresh = [row for row in rows if row.id not in self._shown]
        self._shown.update(row.id for row in fresh)
        return [str(row.payload.get("text", row.payload)) for row in fresh]

    async def close(self) -> None:
        await self._db.dispose()


async def run_chat(settings: Settings, *, url: str | None, openid: str, script: Path | None) -> int:
    async with _server(settings, url) as base:
        session = ChatSession(settings, base, openid)
        try:
            lines = _script_lines(script) if script else None
            async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10)) as http:
                if lines is None:
                    print(HELP)
                    await _interactive(session, http)
                else:
                    for line in lines:
                        print(f"我> {line}")
                        await _exchange(session, http, line)
        finally:
            await session.close()
    return 0


async def _interactive(session: ChatSession, http: aiohttp.ClientSession) -> None:
    loop = asyncio.get_running_loop()
    while True:
        try:
            line = await loop.run_in_executor(None, input, "我> ")
        except EOFError:
            return
        line = line.strip()
        if line in ("/quit", "/exit"):
            return
        if line == "/help":
            print(HELP)
        elif line:
            await _exchange(session, http, line)


async def _exchange(session: ChatSession, http: aiohttp.ClientSession, line: str) -> None:
    xml = session.build(line)
    if xml is None:
        print("（不认识的命令，输入 /help 查看）")
        return
    reply = await session.send(http, xml)
    print(f"物业> {reply}" if reply else "物业> （没有直接回复）")
    for text in await session.queued():
        print(f"物业（稍后推送）> {text}")


def _script_lines(path: Path) -> Iterable[str]:
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        # "# note" is a comment; "#1024" is a resident asking about ticket 1024.
        if line and line != "#" and not line.startswith("# "):
            yield line


@contextlib.asynccontextmanager
async def _server(settings: Settings, url: str | None) -> AsyncIterator[str]:
    """A remote server's URL, or an in-process one on a free loopback port."""
    if url:
        yield url
        return
    runner = web.AppRunner(create_app(settings), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        await runner.cleanup()


def main_chat(settings: Settings, url: str | None, openid: str, script: Path | None) -> int:
    try:
        return asyncio.run(run_chat(settings, url=url, openid=openid, script=script))
    except KeyboardInterrupt:
        print(file=sys.stderr)
        return 130
