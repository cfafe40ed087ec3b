"""The Official Account webhook: verification, modes, bad input, dedupe, deadline."""

from __future__ import annotations

import asyncio
import time

from aiohttp.test_utils import TestClient
from redis.asyncio import Redis
from sqlalchemy import func, select

from bot.keys import SERVICES
from bot.settings import Settings
from bot.simulator import RequestFactory
from bot.wechat_crypto import sign
from storage.models import InboundMessage, OutboxMessage, Resident, Ticket
from tests.conftest import TOKEN
from tests.wechat import post, say

USER = "o_resident_webhook_1"


async def count(client: TestClient, model: type) -> int:  # type: ignore[type-arg]
    db = client.app[SERVICES].db
    async with db.read() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def test_url_verification(client: TestClient) -> None:  # type: ignore[type-arg]
    stamp, nonce = str(int(time.time())), "123456"
    good = {
        "signature": sign(TOKEN, stamp, nonce),
        "timestamp": stamp,
        "nonce": nonce,
        "echostr": "echo-1234",
    }
    response = await client.get("/wechat", params=good)
    assert response.status == 200
    assert await response.text() == "echo-1234"

    forged = {**good, "signature": sign("wrong-token", stamp, nonce)}
    assert (await client.get("/wechat", params=forged)).status == 403
    old = str(int(time.time()) - 301)
    stale = {**good, "timestamp": old, "signature": sign(TOKEN, old, nonce)}
    assert (await client.get("/wechat", params=stale)).status == 403


# Emergencies open a ticket at once (no binding, no questions): the simplest way to see
# the webhook create something. The conversations themselves are in test_dialogues.py.
BURST = "厨房水管爆了，水喷得到处都是"


async def test_urgent_report_creates_ticket_and_replies_with_number(
    client: TestClient,
    factory: RequestFactory,  # type: ignore[type-arg]
) -> None:
    reply = await say(client, factory, USER, BURST)
    assert reply is not None
    assert "工单 #1001" in reply and "关闭进户水阀" in reply
    async with client.app[SERVICES].db.read() as session:
        ticket = await session.scalar(select(Ticket))
        assert ticket is not None
        assert (ticket.kind, ticket.status, ticket.priority) == ("repair", "new", "urgent")
        assert ticket.description == BURST
        assert ticket.response_due_at is not None
        logged = await session.scalar(select(InboundMessage))
        assert logged is not None and logged.ticket_id == 1001 and logged.openid == USER
        assert logged.intent == "repair"


async def test_forged_and_replayed_posts_are_refused(
    client: TestClient,
    factory: RequestFactory,  # type: ignore[type-arg]
) -> None:
    request = factory.wrap(factory.text(USER, "报修 门锁坏了"))
    forged = dict(request.query)
    key = "msg_signature" if "msg_signature" in forged else "signature"
    forged[key] = "0" * 40
    response = await client.post("/wechat", params=forged, data=request.body.encode())
    assert response.status == 403
    assert "门锁" not in await response.text()

    stale = factory.wrap(factory.text(USER, "报修 门锁坏了"), timestamp=int(time.time()) - 400)
    assert (await post(client, stale))[0] == 403
    future = factory.wrap(factory.text(USER, "报修 门锁坏了"), timestamp=int(time.time()) + 400)
    assert (await post(client, future))[0] == 403
    assert await count(client, Ticket) == 0
    assert await count(client, InboundMessage) == 0


async def test_oversized_body_is_413(
    client: TestClient,
    factory: RequestFactory,  # type: ignore[type-arg]
) -> None:
    request = factory.wrap(factory.text(USER, "漏" * 40_000))
    status, _ = await post(client, request)
    assert status == 413
    assert await count(client, InboundMessage) == 0


async def test_garbage_bodies_answer_success_not_5xx(
    client: TestClient,
    factory: RequestFactory,  # type: ignore[type-arg]
) -> None:
    bodies = [
        "not xml at all",
        "<xml><ToUserName>x</ToUserName>",
        "",
        '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
        "<xml><FromUserName>&e;</FromUserName><MsgType>text</MsgType></xml>",
        "<xml><MsgType><![CDATA[text]]></MsgType><Content>没有发送者</Content></xml>",
    ]
    for body in bodies:
        status, text = await post(client, factory.wrap(body))
        assert status == 200, body
        assert text == "success"
        assert "root:" not in text


async def test_garbage_inside_a_valid_envelope(
    client: TestClient,
    factory: RequestFactory,  # type: ignore[type-arg]
) -> None:
    request = factory.wrap("<xml><Encrypt><![CDATA[bm90IHJlYWxseSBlbmNyeXB0ZWQ=]]></Encrypt></xml>")
    status, text = await post(client, request)
    assert status == 200
    assert text == "success"


async def test_control_characters_and_unknown_kinds_get_polite_answers(
    client: TestClient,
    factory: RequestFactory,  # type: ignore[type-arg]
) -> None:
    reply = await say(client, factory, USER, "你好\x01\x02\x1f在吗")
    assert reply is not None and "报修" in reply
    xml = factory.message_xml(USER, "miniprogrampage", {"Title": "x"})
    request = factory.wrap(xml)
    status, body = await post(client, request)
    assert status == 200
    answer = factory.read_reply(body, request.query)
    assert answer is not None and "没太明白" in answer


async def test_concurrent_retries_are_handled_once_with_the_same_reply(
    client: TestClient,
    factory: RequestFactory,  # type: ignore[type-arg]
) -> None:
    xml = factory.text(USER, BURST, msg_id=88001)
    requests = [factory.wrap(xml) for _ in range(3)]
    results = await asyncio.gather(*(post(client, r) for r in requests))
    pairs = zip(results, requests, strict=True)
    replies = {factory.read_reply(body, r.query) for (_, body), r in pairs}
    assert len(replies) == 1
    (reply,) = replies
    assert reply is not None and "工单 #1001" in reply
    # A retry after the first finished gets the cached reply.
    late = factory.wrap(xml)
    _, body = await post(client, late)
    assert factory.read_reply(body, late.query) == reply
    assert await count(client, Ticket) == 1
    assert await count(client, InboundMessage) == 1


async def test_database_refuses_a_duplicate_when_redis_forgot(
    client: TestClient,
    factory: RequestFactory,
    redis: Redis,
    redis_prefix: str,  # type: ignore[type-arg]
) -> None:
    xml = factory.text(USER, BURST, msg_id=88002)
    assert "工单" in (await say_xml(client, factory, xml) or "")
    async for key in redis.scan_iter(match=f"{redis_prefix}:seen:*"):
        await redis.delete(key)
    assert await say_xml(client, factory, xml) is None
    assert await count(client, Ticket) == 1


async def say_xml(client: TestClient, factory: RequestFactory, xml: str) -> str | None:  # type: ignore[type-arg]
    request = factory.wrap(xml)
    status, body = await post(client, request)
    assert status == 200
    return factory.read_reply(body, request.query)


async def test_events_are_deduplicated_by_sender_time_and_event(
    client: TestClient,
    factory: RequestFactory,  # type: ignore[type-arg]
) -> None:
    stamp = int(time.time())
    xml = factory.event(USER, "subscribe", create_time=stamp)
    first = await say_xml(client, factory, xml)
    assert first is not None and "欢迎关注" in first
    assert await say_xml(client, factory, xml) == first
    assert await count(client, InboundMessage) == 1
    assert (
        await say_xml(client, factory, factory.event(USER, "unsubscribe", create_time=stamp))
        is None
    )
    async with client.app[SERVICES].db.read() as session:
        resident = await session.scalar(select(Resident).where(Resident.openid == USER))
        assert resident is not None and resident.active is False


async def test_slow_handling_answers_success_and_queues_the_reply(
    client: TestClient,
    factory: RequestFactory,  # type: ignore[type-arg]
) -> None:
    services = client.app[SERVICES]
    services.settings = services.settings.model_copy(update={"reply_budget_seconds": 0.3})
    locks = services.locks
    # Another message of the same resident holds the lock longer than the budget.
    async with locks.hold(USER, wait_seconds=1):
        started = time.monotonic()
        reply = await say(client, factory, USER, BURST)
        assert time.monotonic() - started < 1.0
        assert reply is None
        assert await count(client, Ticket) == 0
    resident_replies = select(OutboxMessage).where(OutboxMessage.channel == "wechat_cs")
    for _ in range(100):
        await asyncio.sleep(0.02)
        async with services.db.read() as session:
            if await session.scalar(resident_replies) is not None:
                break
    async with services.db.read() as session:
        queued = await session.scalar(resident_replies)
        assert queued is not None
        assert queued.channel == "wechat_cs" and queued.recipient == USER
        assert "工单 #1001" in queued.payload["text"]
    assert await count(client, Ticket) == 1


async def test_health_and_readiness(client: TestClient) -> None:  # type: ignore[type-arg]
    assert (await client.get("/healthz")).status == 200
    ready = await client.get("/readyz")
    assert ready.status == 200
    assert (await ready.json())["database"] == "ok"


async def test_readiness_fails_when_redis_is_down(
    aiohttp_client: object, settings: Settings
) -> None:
    from bot.app import create_app

    broken = settings.model_copy(update={"redis_url": "redis://127.0.0.1:1/0"})
    test_client = await aiohttp_client(create_app(broken, upgrade_db=True))  # type: ignore[operator]
    response = await test_client.get("/readyz")
    assert response.status == 503
    assert (await response.json())["redis"] == "unavailable"


async def test_lock_is_released_even_after_redis_forgot_its_scripts(
    client: TestClient,
    factory: RequestFactory,
    redis: Redis,
    redis_prefix: str,  # type: ignore[type-arg]
) -> None:
    assert await say(client, factory, USER, "你好")
    await redis.script_flush()
    assert await say(client, factory, USER, "你好")
    assert await redis.exists(f"{redis_prefix}:lock:{USER}") == 0
