"""A local fake of WeCom's group-robot webhook (`POST /cgi-bin/webhook/send?key=KEY`).

It behaves like the real one where propbot depends on it: unknown keys get 93000, bodies over
the byte limits get 40058, more than `per_minute` messages a window get 45009. It records every
request, and answers what a test queues up instead:

    fake = FakeWeComRobot()
    server = await aiohttp_server(fake.app)
    url = fake.url(server)                       # the webhook URL for fake.key
    fake.answer_next(RobotAnswer.error(45009))   # the next request gets this, then normal again
    fake.answer_next(RobotAnswer.http(502), RobotAnswer.slow(1.0))
    fake.accepted()                              # bodies WeCom would have shown in the group
"""

from __future__ import annotations

import asyncio
import json
import time
from collections import deque
from dataclasses import dataclass
from typing import Any

from aiohttp import web
from aiohttp.test_utils import TestServer

WEBHOOK_PATH = "/cgi-bin/webhook/send"
LIMITS = {"markdown": 4096, "text": 2048}
_ERRMSG = {
    -1: "system busy",
    40008: "invalid message type",
    40058: "content exceed max length",
    45009: "api freq out of limit",
    93000: "invalid webhook url",
}


@dataclass(frozen=True)
class RobotAnswer:
    """A programmed answer; `body` None means the normal one (checks, then "ok")."""

    status: int = 200
    body: dict[str, Any] | None = None
    text: str | None = None
    delay: float = 0.0

    @classmethod
    def error(cls, errcode: int) -> RobotAnswer:
        return cls(body={"errcode": errcode, "errmsg": _ERRMSG.get(errcode, "error")})

    @classmethod
    def http(cls, status: int = 502) -> RobotAnswer:
        return cls(status=status, text="<html>Bad Gateway</html>")

    @classmethod
    def slow(cls, seconds: float) -> RobotAnswer:
        return cls(delay=seconds)


@dataclass(frozen=True)
class RobotRequest:
    key: str
    raw: bytes
    content_type: str
    body: Any  # the parsed JSON, or None when the body was not JSON
    errcode: int | None  # what the fake answered; None for an HTTP error or no answer
    at: float


class FakeWeComRobot:
    def __init__(
        self, *, key: str = "fake-robot-key-0001", per_minute: int = 20, window: float = 60.0
    ) -> None:
        self.key = key
        self.keys = {key}
        self.per_minute = per_minute
        self.window = window
        self.requests: list[RobotRequest] = []
        self._answers: deque[RobotAnswer] = deque()
        self._accepted_at: dict[str, list[float]] = {}
        self.app = web.Application()
        self.app.router.add_post(WEBHOOK_PATH, self._handle)

    def url(self, server: TestServer, key: str | None = None) -> str:
        return str(server.make_url(WEBHOOK_PATH).with_query(key=key or self.key))

    def answer_next(self, *answers: RobotAnswer) -> None:
        self._answers.extend(answers)

    def accepted(self, key: str | None = None) -> list[dict[str, Any]]:
        """The bodies answered with errcode 0, in order."""
        key = key or self.key
        return [r.body for r in self.requests if r.key == key and r.errcode == 0]

    def contents(self, key: str | None = None) -> list[str]:
        """The accepted messages' text (markdown or text content), in order."""
        return [body[body["msgtype"]]["content"] for body in self.accepted(key)]

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        raw = await request.read()
        key = request.query.get("key", "")
        answer = self._answers.popleft() if self._answers else RobotAnswer()
        try:
            body: Any = json.loads(raw)
        except ValueError:
            body = None
        if answer.delay:
            await asyncio.sleep(answer.delay)
        if answer.text is not None:
            self._record(request, key, raw, body, None)
            return web.Response(status=answer.status, text=answer.text, content_type="text/html")
        reply = answer.body or self._normal(key, body)
        self._record(request, key, raw, body, int(reply["errcode"]))
        return web.json_response(reply, status=answer.status)

    def _record(
        self, request: web.Request, key: str, raw: bytes, body: Any, errcode: int | None
    ) -> None:
        content_type = request.headers.get("Content-Type", "")
        self.requests.append(RobotRequest(key, raw, content_type, body, errcode, time.monotonic()))

    def _normal(self, key: str, body: Any) -> dict[str, Any]:
        if key not in self.keys:
            return RobotAnswer.error(93000).body or {}
        msgtype = body.get("msgtype") if isinstance(body, dict) else None
        if msgtype not in LIMITS or not isinstance(body.get(msgtype), dict):
            return RobotAnswer.error(40008).body or {}
        content = body[msgtype].get("content", "")
        if len(str(content).encode()) > LIMITS[msgtype]:
            return RobotAnswer.error(40058).body or {}
        now = time.monotonic()
        recent = [t for t in self._accepted_at.get(key, []) if now - t < self.window]
        if len(recent) >= self.per_minute:
            return RobotAnswer.error(45009).body or {}
        self._accepted_at[key] = [*recent, now]
        return {"errcode": 0, "errmsg": "ok"}
