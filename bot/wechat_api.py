"""An async client for the few Official Account API endpoints propbot needs.

wechatpy's HTTP client is synchronous and its token refresh has neither a lock nor a retry cap,
so propbot talks to the API itself: one access token shared by every process through Redis, its
refresh serialised by a Redis lock, and every error sorted into a kind the caller can act on.
"""

from __future__ import annotations

import asyncio
import enum
import json
import logging
import secrets
import time
from typing import Any

import aiohttp
from redis.asyncio import Redis

log = logging.getLogger(__name__)

# Cache the token this long less than WeChat says it lives, so a cached token is never one that
# WeChat is about to drop in the middle of a call.
EXPIRY_MARGIN_SECONDS = 300

# A caller forcing a refresh this soon after a forced fetch gets that token: it was almost
# surely looking at the one that fetch replaced.
RECENT_SECONDS = 30

# Token invalid (40001), not a valid token (40014), token expired (42001): worth exactly one
# forced refresh and one retry; never more (wechatpy issue 629 burned the token quota that way).
TOKEN_ERRORS = frozenset({40001, 40014, 42001})
# Outside the 48-hour window: retrying cannot help until the resident writes again.
WINDOW_ERRORS = frozenset({45015})
# Too many messages in the window (45047) or the daily quota (45009): retrying makes it worse.
LIMIT_ERRORS = frozenset({45009, 45047})
# System busy (-1) and API call frequency (45011): the same call may succeed later.
RETRYABLE_ERRORS = frozenset({-1, 45011})

# Compare-and-delete: release the lock only if it is still ours; after its TTL another process
# may hold it.
_RELEASE = """
if redis.call('get', KEYS[1]) == ARGV[1] then
    return redis.call('del', KEYS[1])
end
return 0
"""

_JSON_HEADERS = {"Content-Type": "application/json; charset=utf-8"}


def _text(value: bytes | str) -> str:
    # Redis answers bytes unless the client was made with decode_responses.
    return value.decode() if isinstance(value, bytes) else value


class ErrorKind(enum.Enum):
    WINDOW_CLOSED = "window_closed"
    OVER_LIMIT = "over_limit"
    TOKEN = "token"  # noqa: S105 (a kind of error, not a credential)
    RETRYABLE = "retryable"
    FATAL = "fatal"


def classify(errcode: int) -> ErrorKind:
    """What a WeChat `errcode` means for the caller."""
    for codes, kind in _KINDS:
        if errcode in codes:
            return kind
    return ErrorKind.FATAL


_KINDS = (
    (WINDOW_ERRORS, ErrorKind.WINDOW_CLOSED),
    (LIMIT_ERRORS, ErrorKind.OVER_LIMIT),
    (TOKEN_ERRORS, ErrorKind.TOKEN),
    (RETRYABLE_ERRORS, ErrorKind.RETRYABLE),
)


class WeChatApiError(Exception):
    """A call failed. Transport failures (timeouts, connection errors, HTTP errors) have
    errcode -1, WeChat's own "system busy", and carry the HTTP status when there was one."""

    def __init__(
        self, errcode: int, errmsg: str, kind: ErrorKind, *, http_status: int | None = None
    ) -> None:
        super().__init__(errcode, errmsg, kind)
        self.errcode = errcode
        self.errmsg = errmsg
        self.kind = kind
        self.http_status = http_status

    def __str__(self) -> str:
        return f"WeChat API error {self.errcode} ({self.kind.value}): {self.errmsg}"

    @property
    def retryable(self) -> bool:
        return self.kind is ErrorKind.RETRYABLE


class WeChatApi:
    def __init__(
        self,
        http: aiohttp.ClientSession,
        redis: Redis,
        *,
        base_url: str,
        appid: str,
        secret: str,
        prefix: str,
        timeout: float = 5.0,
    ) -> None:
        self._http = http
        self._redis = redis
        self._base = base_url.rstrip("/")
        self._appid = appid
        self._secret = secret
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        self._key = f"{prefix}:wx:access_token"
        self._lock_key = f"{prefix}:wx:access_token:lock"
        self._forced_key = f"{prefix}:wx:access_token:forced"
        # The lock outlives the holder's slowest possible fetch, so it only expires by itself
        # when the holder died; a waiter gives up a little after that.
        self._lock_ms = int((timeout + 2) * 1000)
        self._wait_seconds = timeout + 3
        self._release = redis.register_script(_RELEASE)

    def __repr__(self) -> str:  # never shows the secret, whatever gets printed
        return f"WeChatApi(base_url={self._base!r}, appid={self._appid!r})"

    # -- access token --------------------------------------------------------------------

    async def access_token(self, *, force: bool = False) -> str:
        """The shared access token. `force` asks WeChat for a new one unless one was forced in
        the last RECENT_SECONDS (by any process): callers forcing at the same moment share one
        fetch. A token still rejected after that is refreshed by `_call`."""
        cached, _ = await self._read()
        if cached is not None and not force:
            return cached
        return await self._refresh(stale=cached if force else None, force=force, recent_ok=True)

    async def _read(self) -> tuple[str | None, bool]:
        """The cached token, and whether a forced fetch got it in the last RECENT_SECONDS."""
        values = await self._redis.mget(self._key, self._forced_key)
        token, forced = (None if v is None else _text(v) for v in values)
        return token, token is not None and forced == token

    async def _refresh(self, *, stale: str | None, force: bool, recent_ok: bool) -> str:
        """Fetch a token under the lock, unless the cache already holds a good one: any token
        other than `stale` (someone else refreshed it) or, with `recent_ok`, a just-forced one.
        Fetching anyway would be a stampede, and a forced fetch invalidates the token every
        other process is using."""
        deadline = time.monotonic() + self._wait_seconds
        delay = 0.01
        while True:
            mine = secrets.token_hex(8)
            holder = await self._redis.set(self._lock_key, mine, nx=True, px=self._lock_ms)
            try:
                cached, recent = await self._read()
                if cached is not None and (cached != stale or (recent_ok and recent)):
                    return cached
                if holder:
                    return await self._fetch_and_store(force=force)
            finally:
                if holder:
                    await self._release(keys=[self._lock_key], args=[mine])
            if time.monotonic() >= deadline:
                raise WeChatApiError(
                    -1, "timed out waiting for the token refresh", ErrorKind.RETRYABLE
                )
            await asyncio.sleep(delay)
            delay = min(delay * 2, 0.1)

    async def _fetch_and_store(self, *, force: bool) -> str:
        body = {
            "grant_type": "client_credential",
            "appid": self._appid,
            "secret": self._secret,
            "force_refresh": force,
        }
        data = await self._post("/cgi-bin/stable_token", None, body)
        token = data.get("access_token")
        expires_in = data.get("expires_in")
        if not isinstance(token, str) or not token or not isinstance(expires_in, int):
            raise WeChatApiError(-1, "stable_token answered without a token", ErrorKind.RETRYABLE)
        # stable_token reports what is left of the current token's life, which can be short;
        # cache such a token for half of it rather than not at all.
        margin = (
            EXPIRY_MARGIN_SECONDS if expires_in > 2 * EXPIRY_MARGIN_SECONDS else expires_in // 2
        )
        ttl = max(expires_in - margin, 1)
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.set(self._key, token, ex=ttl)
            if force:
                pipe.set(self._forced_key, token, ex=RECENT_SECONDS)
            await pipe.execute()
        log.info("WeChat access token refreshed (force=%s), cached for %d s", force, ttl)
        return token

    # -- messages --------------------------------------------------------------------------

    async def send_text(self, openid: str, text: str) -> None:
        """Customer-service text message: only within 48 h of the resident's last message."""
        await self._custom(openid, "text", {"content": text})

    async def send_image(self, openid: str, media_id: str) -> None:
        await self._custom(openid, "image", {"media_id": media_id})

    async def send_news(
        self, openid: str, *, title: str, description: str, url: str, picurl: str = ""
    ) -> None:
        """A one-article link card (customer-service news carries a single article)."""
        article = {"title": title, "description": description, "url": url, "picurl": picurl}
        await self._custom(openid, "news", {"articles": [article]})

    async def _custom(self, openid: str, msgtype: str, content: dict[str, Any]) -> None:
        body = {"touser": openid, "msgtype": msgtype, msgtype: content}
        await self._call("/cgi-bin/message/custom/send", body)

    async def send_template(
        self, openid: str, template_id: str, data: dict[str, str], url: str | None = None
    ) -> None:
        """Template message: not bound to the 48-hour window (verified service accounts)."""
        body: dict[str, Any] = {
            "touser": openid,
            "template_id": template_id,
            "data": {name: {"value": value} for name, value in data.items()},
        }
        if url:
            body["url"] = url
        await self._call("/cgi-bin/message/template/send", body)

    async def create_menu(self, menu: dict[str, Any]) -> None:
        await self._call("/cgi-bin/menu/create", menu)

    # -- HTTP --------------------------------------------------------------------------------

    async def _call(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        """POST with the token; on a token error refresh once and retry once, never more."""
        token = await self.access_token()
        try:
            return await self._post(path, token, body)
        except WeChatApiError as exc:
            if exc.errcode not in TOKEN_ERRORS:
                raise
            log.warning(
                "WeChat rejected the access token (%d) on %s; refreshing", exc.errcode, path
            )
        token = await self._refresh(stale=token, force=True, recent_ok=False)
        return await self._post(path, token, body)

    async def _post(self, path: str, token: str | None, body: dict[str, Any]) -> dict[str, Any]:
        # ensure_ascii=False: WeChat shows \uXXXX escapes literally instead of the characters.
        payload = json.dumps(body, ensure_ascii=False).encode("utf-8")
        params = {"access_token": token} if token is not None else None
        try:
            async with self._http.post(
                self._base + path,
                params=params,
                data=payload,
                headers=_JSON_HEADERS,
                timeout=self._timeout,
            ) as resp:
                status = resp.status
                raw = await resp.read()
        except TimeoutError:
            raise self._fail(path, WeChatApiError(-1, "timeout", ErrorKind.RETRYABLE)) from None
        except aiohttp.ClientError as exc:
            # `from None` and only the class name: aiohttp's messages can include the URL,
            # and the URL carries the token.
            error = WeChatApiError(
                -1, f"connection error: {type(exc).__name__}", ErrorKind.RETRYABLE
            )
            raise self._fail(path, error) from None
        if status >= 400:
            # A gateway failure or rate limit passes; any other 4xx is a bug on our side.
            kind = ErrorKind.RETRYABLE if status >= 500 or status == 429 else ErrorKind.FATAL
            raise self._fail(path, WeChatApiError(-1, f"HTTP {status}", kind, http_status=status))
        try:
            data = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            data = None
        if not isinstance(data, dict):
            # A proxy's HTML page in front of WeChat: treat like a gateway error.
            error = WeChatApiError(
                -1, "answer is not JSON", ErrorKind.RETRYABLE, http_status=status
            )
            raise self._fail(path, error)
        errcode = data.get("errcode", 0)
        if isinstance(errcode, int) and errcode != 0:
            errmsg = str(data.get("errmsg", ""))
            raise self._fail(path, WeChatApiError(errcode, errmsg, classify(errcode)))
        return data

    def _fail(self, path: str, error: WeChatApiError) -> WeChatApiError:
        # Log the path only: the query string holds the token, the token request the secret.
        log.warning("WeChat API %s failed: %s", path, error)
        return error
