"""A local fake of the WeChat Official Account API, as an aiohttp app.

It issues stable access tokens, checks them on every call, records every request in order, and
answers what a test programs it to: errors, HTTP failures, slow answers, an outage.

    fake = FakeWeChatApi()
    async with fake.running() as base_url:          # or the pytest-aiohttp fixture, see below
        api = WeChatApi(..., base_url=base_url, appid=fake.appid, secret=fake.secret)
        fake.script(CUSTOM_SEND, Reply.http(502), Reply.error(40001))  # the next two calls
        fake.on(CUSTOM_SEND, Reply.error(45015), openid="o-gone")    # always, for one resident
        fake.down(seconds=0.5)                                        # every path, for a while

Rules are tried in the order they were added; the first that matches answers the request and
uses up one of its `times`. Requests no rule answers get WeChat's normal behaviour: a token
check (40001 unknown token, 42001 expired token) and then `{"errcode": 0, "errmsg": "ok"}`.
A slow reply decides its answer first and then waits: a message the client timed out on still
counts in `delivered()`, as it may with WeChat. With pytest-aiohttp instead of `running()`:
`server = await aiohttp_server(fake.app); fake.base_url = str(server.make_url("")).rstrip("/")`.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web
from aiohttp.test_utils import TestServer

STABLE_TOKEN = "/cgi-bin/stable_token"
CUSTOM_SEND = "/cgi-bin/message/custom/send"
TEMPLATE_SEND = "/cgi-bin/message/template/send"
MENU_CREATE = "/cgi-bin/menu/create"
ANY_PATH = "*"

_OK = {"errcode": 0, "errmsg": "ok"}
_ERRMSG = {
    -1: "system error",
    40001: "invalid credential, access_token is invalid or not latest",
    40003: "invalid openid",
    40013: "invalid appid",
    40037: "invalid template_id",
    40125: "invalid appsecret",
    42001: "access_token expired",
    43004: "require subscribe",
    45009: "reach max api daily quota limit",
    45011: "api minute-quota reach limit",
    45015: "response out of time limit or subscription is canceled",
    45047: "out of response count limit",
}


@dataclass(frozen=True)
class Reply:
    """One programmed answer. `body` None means the normal answer for the path (a token for
    stable_token, "ok" elsewhere), so `Reply(delay=2)` is a slow but successful answer: the
    message counts as delivered even when the client gave up waiting."""

    status: int = 200
    body: dict[str, Any] | None = None
    text: str | None = None
    delay: float = 0.0

    @classmethod
    def error(cls, errcode: int, errmsg: str | None = None) -> Reply:
        return cls(body={"errcode": errcode, "errmsg": errmsg or _ERRMSG.get(errcode, "error")})

    @classmethod
    def http(cls, status: int = 502, text: str = "<html>Bad Gateway</html>") -> Reply:
        return cls(status=status, text=text)

    @classmethod
    def slow(cls, seconds: float) -> Reply:
        return cls(delay=seconds)


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, str]
    body: Any
    raw: bytes
    content_type: str
    status: int = 0
    answer: dict[str, Any] | None = None

    @property
    def openid(self) -> str | None:
        touser = self.body.get("touser") if isinstance(self.body, dict) else None
        return touser if isinstance(touser, str) else None

    @property
    def ok(self) -> bool:
        """Answered with success: for a message, WeChat accepted it for delivery."""
        return self.status == 200 and self.answer is not None and self.answer.get("errcode") == 0


@dataclass
class _Rule:
    path: str
    reply: Reply
    remaining: int | None
    match: Callable[[Request], bool] | None
    until: float | None
    outage: bool = False

    def applies(self, request: Request, now: float) -> bool:
        if self.remaining == 0 or (self.until is not None and now >= self.until):
            return False
        if self.path not in (ANY_PATH, request.path):
            return False
        return self.match is None or self.match(request)


@dataclass
class FakeWeChatApi:
    appid: str = "wx-fake-appid"
    secret: str = "fake-app-secret-do-not-log"
    expires_in: int = 7200
    base_url: str = ""
    requests: list[Request] = field(default_factory=list)
    tokens_issued: list[str] = field(default_factory=list)
    _rules: list[_Rule] = field(default_factory=list)
    _tokens: dict[str, float] = field(default_factory=dict)  # valid token -> expiry (monotonic)
    _expired: set[str] = field(default_factory=set)
    _current: str | None = None
    _serial: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _wake: asyncio.Event = field(default_factory=asyncio.Event)

    def __post_init__(self) -> None:
        self.app = web.Application()
        self.app.router.add_route("*", "/{tail:.*}", self._handle)
        # Slow answers end when the server shuts down, so a test never waits them out.
        self.app.on_startup.append(self._reset_wake)
        self.app.on_shutdown.append(self._wake_sleepers)

    # -- running -------------------------------------------------------------------------

    @asynccontextmanager
    async def running(self) -> AsyncIterator[str]:
        """Serve on a free local port; yields the base URL (for `WECHAT_API_BASE`)."""
        # No access log: its request lines carry the token, and tests assert logs never do.
        server = TestServer(self.app)
        await server.start_server(access_log=None)
        self.base_url = str(server.make_url("")).rstrip("/")
        try:
            yield self.base_url
        finally:
            await server.close()

    # -- programming -----------------------------------------------------------------------

    def script(self, path: str, *replies: Reply) -> None:
        """Answer the next calls to `path` with `replies`, one each, in order."""
        for reply in replies:
            self.on(path, reply, times=1)

    def on(
        self,
        path: str,
        reply: Reply,
        *,
        times: int | None = None,
        openid: str | None = None,
        match: Callable[[Request], bool] | None = None,
        seconds: float | None = None,
    ) -> None:
        """Answer calls to `path` (or ANY_PATH) with `reply`: `times` times (None: always),
        only those for `openid` / where `match` holds, only for the next `seconds`."""
        if openid is not None:
            inner = match
            match = lambda r: r.openid == openid and (inner is None or inner(r))  # noqa: E731
        until = None if seconds is None else time.monotonic() + seconds
        self._rules.append(_Rule(path, reply, times, match, until))

    def down(self, status: int = 502, *, seconds: float | None = None) -> None:
        """Every path answers HTTP `status` until `up()` (or for `seconds`)."""
        until = None if seconds is None else time.monotonic() + seconds
        self._rules.append(_Rule(ANY_PATH, Reply.http(status), None, None, until, outage=True))

    def up(self) -> None:
        """End an outage started with `down()`; other rules stay."""
        self._rules = [r for r in self._rules if not r.outage]

    def clear(self) -> None:
        self._rules.clear()

    def invalidate_tokens(self) -> None:
        """Every issued token is rejected with 40001 from now on (e.g. fetched elsewhere)."""
        self._tokens.clear()
        self._current = None

    def expire_tokens(self) -> None:
        """Every issued token is rejected with 42001 from now on."""
        self._expired.update(self._tokens)
        self.invalidate_tokens()

    # -- inspection ------------------------------------------------------------------------

    def calls(self, path: str) -> list[Request]:
        return [r for r in self.requests if r.path == path]

    @property
    def token_fetches(self) -> int:
        """stable_token requests received, whatever they were answered."""
        return len(self.calls(STABLE_TOKEN))

    def delivered(self, path: str = CUSTOM_SEND) -> list[Request]:
        """Calls to `path` that WeChat accepted, in order."""
        return [r for r in self.calls(path) if r.ok]

    def texts(self) -> list[tuple[str | None, str]]:
        """(openid, content) of every customer-service text accepted, in order."""
        return [
            (r.openid, r.body["text"]["content"])
            for r in self.delivered(CUSTOM_SEND)
            if r.body.get("msgtype") == "text"
        ]

    # -- serving ---------------------------------------------------------------------------

    async def _reset_wake(self, _app: web.Application) -> None:
        self._wake = asyncio.Event()

    async def _wake_sleepers(self, _app: web.Application) -> None:
        self._wake.set()

    async def _handle(self, http: web.Request) -> web.StreamResponse:
        raw = await http.read()
        try:
            body: Any = json.loads(raw.decode("utf-8")) if raw else None
        except (UnicodeDecodeError, ValueError):
            body = None
        request = Request(
            method=http.method,
            path=http.path,
            query=dict(http.query),
            body=body,
            raw=raw,
            content_type=http.headers.get("Content-Type", ""),
        )
        self.requests.append(request)
        reply = self._take_rule(request) or Reply()
        # The answer is decided (a message delivered) before any delay: a client that times
        # out cannot know whether WeChat delivered, exactly as with the real API.
        if reply.text is not None:
            request.status = reply.status
            response = web.Response(status=reply.status, text=reply.text, content_type="text/html")
        else:
            answer = reply.body if reply.body is not None else self._normal(request)
            request.status, request.answer = reply.status, answer
            # WeChat answers JSON with a text/plain content type; the client must cope.
            text = json.dumps(answer, ensure_ascii=False)
            response = web.Response(status=reply.status, text=text, content_type="text/plain")
        if reply.delay:
            # Waiting on the event, not a bare sleep, lets shutdown end the wait.
            with suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=reply.delay)
        return response

    def _take_rule(self, request: Request) -> Reply | None:
        now = time.monotonic()
        for rule in self._rules:
            if rule.applies(request, now):
                if rule.remaining is not None:
                    rule.remaining -= 1
                return rule.reply
        return None

    def _normal(self, request: Request) -> dict[str, Any]:
        if request.path == STABLE_TOKEN:
            return self._stable_token(request.body)
        if request.path not in (CUSTOM_SEND, TEMPLATE_SEND, MENU_CREATE):
            return {"errcode": 48001, "errmsg": "api unauthorized (unknown to the fake)"}
        token = request.query.get("access_token", "")
        if token in self._expired or (
            token in self._tokens and self._tokens[token] <= time.monotonic()
        ):
            return {"errcode": 42001, "errmsg": _ERRMSG[42001]}
        if token not in self._tokens:
            return {"errcode": 40001, "errmsg": _ERRMSG[40001]}
        if not isinstance(request.body, dict):
            return {"errcode": 47001, "errmsg": "data format error"}
        if request.path == TEMPLATE_SEND:
            return {**_OK, "msgid": next(self._serial)}
        return dict(_OK)

    def _stable_token(self, body: Any) -> dict[str, Any]:
        if not isinstance(body, dict) or body.get("grant_type") != "client_credential":
            return {"errcode": 40002, "errmsg": "invalid grant_type"}
        if body.get("appid") != self.appid:
            return {"errcode": 40013, "errmsg": _ERRMSG[40013]}
        if body.get("secret") != self.secret:
            return {"errcode": 40125, "errmsg": _ERRMSG[40125]}
        now = time.monotonic()
        current = self._current
        if body.get("force_refresh") is not True and current and self._tokens[current] > now:
            # Normal mode: every caller gets the same token until it expires.
            return {"access_token": current, "expires_in": int(self._tokens[current] - now)}
        # Forced (or none valid): a new token; the one it replaces stops working, which is
        # why a forced refresh by one process breaks every other process's cached token.
        if current is not None:
            self._tokens.pop(current, None)
        token = f"fake-token-{len(self.tokens_issued) + 1}-{next(self._serial)}"
        self.tokens_issued.append(token)
        self._tokens[token] = now + self.expires_in
        self._current = token
        return {"access_token": token, "expires_in": self.expires_in}
