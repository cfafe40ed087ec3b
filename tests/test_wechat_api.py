"""The WeChat API client against the local fake; Redis is memory:// and, in CI, a real server."""

from __future__ import annotations

import asyncio
import logging
import socket
import time
from collections.abc import AsyncIterator, Callable

import aiohttp
import pytest
from redis.asyncio import Redis

from bot.wechat_api import ErrorKind, WeChatApi, WeChatApiError, classify
from storage.redis_conn import connect_redis
from tests.conftest import Backend
from tests.fakes.wechat_api import (
    CUSTOM_SEND,
    MENU_CREATE,
    STABLE_TOKEN,
    TEMPLATE_SEND,
    FakeWeChatApi,
    Reply,
)

SECRET = "s3cr3t-8f2a-must-never-be-logged"
APPID = "wx-test-appid"

MakeApi = Callable[..., WeChatApi]


@pytest.fixture
async def fake() -> AsyncIterator[FakeWeChatApi]:
    fake = FakeWeChatApi(appid=APPID, secret=SECRET)
    async with fake.running():
        yield fake


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


@pytest.fixture
def make_api(
    http: aiohttp.ClientSession, redis: Redis, redis_prefix: str, fake: FakeWeChatApi
) -> MakeApi:
    def make(
        *,
        timeout: float = 1.0,
        secret: str = SECRET,
        base_url: str = "",
        redis_client: Redis = redis,
    ) -> WeChatApi:
        return WeChatApi(
            http,
            redis_client,
            base_url=base_url or fake.base_url,
            appid=APPID,
            secret=secret,
            prefix=redis_prefix,
            timeout=timeout,
        )

    return make


def token_key(prefix: str) -> str:
    return f"{prefix}:wx:access_token"


async def test_token_fetched_once_and_shared_by_two_clients(
    make_api: MakeApi, fake: FakeWeChatApi, backend: Backend, redis: Redis, redis_prefix: str
) -> None:
    # A second "process": its own Redis connection when Redis is real and shareable.
    real = not backend.redis_url.startswith("memory://")
    other_redis = connect_redis(backend.redis_url) if real else redis
    try:
        first = await make_api().access_token()
        second = await make_api(redis_client=other_redis).access_token()
    finally:
        if real:
            await other_redis.aclose()
    assert first == second == fake.tokens_issued[0]
    assert fake.token_fetches == 1
    fetch = fake.calls(STABLE_TOKEN)[0]
    assert fetch.body == {
        "grant_type": "client_credential",
        "appid": APPID,
        "secret": SECRET,
        "force_refresh": False,
    }
    assert fetch.query == {}
    # Cached for expires_in less five minutes.
    ttl = await redis.pttl(token_key(redis_prefix))
    assert (7200 - 300 - 5) * 1000 < ttl <= (7200 - 300) * 1000


async def test_concurrent_calls_near_expiry_fetch_once(
    make_api: MakeApi, fake: FakeWeChatApi, redis: Redis, redis_prefix: str
) -> None:
    apis = [make_api() for _ in range(4)]
    await apis[0].access_token()
    await redis.pexpire(token_key(redis_prefix), 20)
    await asyncio.sleep(0.06)
    tokens = await asyncio.gather(*(apis[i % 4].access_token() for i in range(8)))
    assert len(set(tokens)) == 1
    assert fake.token_fetches == 2


async def test_token_errors_on_many_calls_force_one_refresh(
    make_api: MakeApi, fake: FakeWeChatApi
) -> None:
    apis = [make_api() for _ in range(4)]
    await apis[0].access_token()
    # WeChat drops the token (another fetch elsewhere): all eight calls get 40001 at once.
    fake.invalidate_tokens()
    await asyncio.gather(*(apis[i % 4].send_text(f"o-{i}", "好的") for i in range(8)))
    assert fake.token_fetches == 2
    assert [c.body["force_refresh"] for c in fake.calls(STABLE_TOKEN)] == [False, True]
    assert len(fake.delivered()) == 8
    # Calls with the old token were refused, every call with the new one went through.
    old, new = fake.tokens_issued
    assert all(c.ok == (c.query["access_token"] == new) for c in fake.calls(CUSTOM_SEND))
    assert len([c for c in fake.calls(CUSTOM_SEND) if c.query["access_token"] == old]) <= 8


async def test_concurrent_forced_access_token_fetches_once(
    make_api: MakeApi, fake: FakeWeChatApi, redis: Redis, redis_prefix: str
) -> None:
    apis = [make_api() for _ in range(4)]
    old = await apis[0].access_token()
    tokens = await asyncio.gather(*(apis[i % 4].access_token(force=True) for i in range(8)))
    assert set(tokens) == {fake.tokens_issued[-1]} != {old}
    assert fake.token_fetches == 2
    # Forcing long after the last fetch does fetch again.
    await redis.delete(f"{redis_prefix}:wx:access_token:forced")
    assert await apis[0].access_token(force=True) not in (old, tokens[0])
    assert [c.body["force_refresh"] for c in fake.calls(STABLE_TOKEN)] == [False, True, True]


@pytest.mark.parametrize("errcode", [40001, 42001])
async def test_token_error_refreshes_once_and_retries_once(
    make_api: MakeApi, fake: FakeWeChatApi, errcode: int
) -> None:
    fake.script(CUSTOM_SEND, Reply.error(errcode))
    await make_api().send_text("o-1", "水管修好了")
    assert fake.token_fetches == 2
    assert fake.calls(STABLE_TOKEN)[1].body["force_refresh"] is True
    first, retry = fake.calls(CUSTOM_SEND)
    assert first.query["access_token"] == fake.tokens_issued[0]
    assert retry.query["access_token"] == fake.tokens_issued[1]
    assert fake.texts() == [("o-1", "水管修好了")]


async def test_expired_token_is_replaced(make_api: MakeApi, fake: FakeWeChatApi) -> None:
    api = make_api()
    await api.send_text("o-1", "一")
    fake.expire_tokens()  # WeChat now answers 42001 to the cached token
    await api.send_text("o-1", "二")
    assert fake.texts() == [("o-1", "一"), ("o-1", "二")]
    assert [c.answer["errcode"] for c in fake.calls(CUSTOM_SEND) if c.answer] == [0, 42001, 0]
    assert fake.token_fetches == 2


@pytest.mark.parametrize("errcode", [40001, 42001, 40014])
async def test_token_error_twice_gives_up(
    make_api: MakeApi, fake: FakeWeChatApi, errcode: int
) -> None:
    fake.on(CUSTOM_SEND, Reply.error(errcode))
    with pytest.raises(WeChatApiError) as caught:
        await make_api().send_text("o-1", "hi")
    assert caught.value.kind is ErrorKind.TOKEN
    assert caught.value.errcode == errcode
    assert fake.token_fetches == 2
    assert len(fake.calls(CUSTOM_SEND)) == 2


@pytest.mark.parametrize(
    ("errcode", "kind"),
    [
        (45015, ErrorKind.WINDOW_CLOSED),
        (45047, ErrorKind.OVER_LIMIT),
        (45009, ErrorKind.OVER_LIMIT),
        (-1, ErrorKind.RETRYABLE),
        (45011, ErrorKind.RETRYABLE),
        (40003, ErrorKind.FATAL),
        (43004, ErrorKind.FATAL),
    ],
)
async def test_errors_are_classified_and_not_retried(
    make_api: MakeApi, fake: FakeWeChatApi, errcode: int, kind: ErrorKind
) -> None:
    fake.on(CUSTOM_SEND, Reply.error(errcode), openid="o-x")
    api = make_api()
    with pytest.raises(WeChatApiError) as caught:
        await api.send_text("o-x", "hi")
    assert (caught.value.errcode, caught.value.kind) == (errcode, kind)
    assert classify(errcode) is kind
    assert len(fake.calls(CUSTOM_SEND)) == 1
    assert fake.token_fetches == 1
    # Only that resident is affected.
    await api.send_text("o-y", "hi")
    assert fake.texts() == [("o-y", "hi")]


@pytest.mark.parametrize("status", [500, 502, 503, 429])
async def test_http_errors_are_retryable(
    make_api: MakeApi, fake: FakeWeChatApi, status: int
) -> None:
    api = make_api()
    await api.access_token()
    fake.script(CUSTOM_SEND, Reply.http(status))
    with pytest.raises(WeChatApiError) as caught:
        await api.send_text("o-1", "hi")
    assert caught.value.kind is ErrorKind.RETRYABLE
    assert caught.value.http_status == status
    await api.send_text("o-1", "hi")  # the next call goes through
    assert len(fake.delivered()) == 1


async def test_client_error_status_and_non_json(make_api: MakeApi, fake: FakeWeChatApi) -> None:
    api = make_api()
    fake.script(CUSTOM_SEND, Reply.http(404, "not found"), Reply(text="<html>proxy</html>"))
    with pytest.raises(WeChatApiError) as caught:
        await api.send_text("o-1", "hi")
    assert (caught.value.kind, caught.value.http_status) == (ErrorKind.FATAL, 404)
    with pytest.raises(WeChatApiError) as caught:
        await api.send_text("o-1", "hi")
    assert caught.value.kind is ErrorKind.RETRYABLE


async def test_timeout_is_retryable(make_api: MakeApi, fake: FakeWeChatApi) -> None:
    api = make_api(timeout=0.5)
    await api.access_token()
    fake.script(CUSTOM_SEND, Reply.slow(5))
    started = time.monotonic()
    with pytest.raises(WeChatApiError) as caught:
        await api.send_text("o-1", "hi")
    assert caught.value.kind is ErrorKind.RETRYABLE
    assert time.monotonic() - started < 3
    # WeChat may have delivered it anyway: the fake models that ambiguity.
    assert len(fake.delivered()) == 1


async def test_connection_refused_is_retryable(make_api: MakeApi) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    api = make_api(base_url=f"http://127.0.0.1:{port}")
    with pytest.raises(WeChatApiError) as caught:
        await api.send_text("o-1", "hi")
    assert caught.value.kind is ErrorKind.RETRYABLE


async def test_token_fetch_failure_does_not_block_waiters(
    make_api: MakeApi, fake: FakeWeChatApi
) -> None:
    fake.down(429)
    apis = [make_api(timeout=0.3) for _ in range(3)]
    started = time.monotonic()
    results = await asyncio.gather(*(a.access_token() for a in apis), return_exceptions=True)
    assert all(isinstance(r, WeChatApiError) and r.retryable for r in results)
    assert time.monotonic() - started < 2
    # Back up: the lock was released, the next call fetches at once.
    fake.up()
    assert await apis[0].access_token() == fake.tokens_issued[0]


async def test_api_down_for_a_while_then_back(make_api: MakeApi, fake: FakeWeChatApi) -> None:
    api = make_api()
    await api.access_token()
    fake.down(503, seconds=0.15)
    with pytest.raises(WeChatApiError):
        await api.send_text("o-1", "第一次")
    await asyncio.sleep(0.2)
    await api.send_text("o-1", "第二次")
    assert fake.texts() == [("o-1", "第二次")]


async def test_chinese_text_arrives_unescaped(make_api: MakeApi, fake: FakeWeChatApi) -> None:
    await make_api().send_text("o-1", "您好，工单 #1001 已受理 🔧")
    sent = fake.calls(CUSTOM_SEND)[0]
    assert "您好，工单 #1001 已受理 🔧".encode() in sent.raw
    assert b"\\u" not in sent.raw
    assert sent.content_type == "application/json; charset=utf-8"
    assert sent.body == {
        "touser": "o-1",
        "msgtype": "text",
        "text": {"content": "您好，工单 #1001 已受理 🔧"},
    }


async def test_template_image_news_and_menu_bodies(make_api: MakeApi, fake: FakeWeChatApi) -> None:
    api = make_api()
    await api.send_template(
        "o-1", "TPL", {"thing1": "维修完成", "time2": "10:30"}, url="https://x/1"
    )
    await api.send_template("o-1", "TPL", {"thing1": "a"})
    await api.send_image("o-1", "MEDIA")
    await api.send_news("o-1", title="停水通知", description="明天 9-12 点", url="https://x/n")
    menu = {"button": [{"type": "click", "name": "报修", "key": "REPAIR"}]}
    await api.create_menu(menu)
    first, second = (c.body for c in fake.calls(TEMPLATE_SEND))
    assert first == {
        "touser": "o-1",
        "template_id": "TPL",
        "url": "https://x/1",
        "data": {"thing1": {"value": "维修完成"}, "time2": {"value": "10:30"}},
    }
    assert "url" not in second
    image, news = (c.body for c in fake.calls(CUSTOM_SEND))
    assert image["image"] == {"media_id": "MEDIA"}
    assert news["news"]["articles"][0]["title"] == "停水通知"
    assert fake.calls(MENU_CREATE)[0].body == menu
    fake.on(TEMPLATE_SEND, Reply.error(40037))
    with pytest.raises(WeChatApiError) as caught:
        await api.send_template("o-1", "BAD", {})
    assert caught.value.kind is ErrorKind.FATAL


async def test_short_lived_token_is_cached_for_half_its_life(
    make_api: MakeApi, fake: FakeWeChatApi, redis: Redis, redis_prefix: str
) -> None:
    fake.expires_in = 400
    await make_api().access_token()
    assert 190_000 < await redis.pttl(token_key(redis_prefix)) <= 200_000


async def test_secret_and_token_never_logged(
    make_api: MakeApi, fake: FakeWeChatApi, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    errors: list[WeChatApiError] = []
    with pytest.raises(WeChatApiError) as caught:
        await make_api(secret=SECRET + "-wrong").access_token()  # 40125: bad secret
    errors.append(caught.value)
    api = make_api(timeout=1.0)
    fake.script(CUSTOM_SEND, Reply.error(40001))
    await api.send_text("o-1", "hi")
    fake.script(CUSTOM_SEND, Reply.http(502), Reply.slow(3))
    for _ in range(2):
        with pytest.raises(WeChatApiError) as caught:
            await api.send_text("o-1", "hi")
        errors.append(caught.value)
    assert caught.value.kind is ErrorKind.RETRYABLE
    assert fake.token_fetches == 3 and len(fake.tokens_issued) == 2
    secrets = [SECRET, *fake.tokens_issued]
    logged = "\n".join(caplog.text.splitlines() + [r.getMessage() for r in caplog.records])
    assert "refreshed" in logged
    shown = [logged, repr(api), *(str(e) for e in errors), *(repr(e.args) for e in errors)]
    for secret in secrets:
        assert all(secret not in text for text in shown)
