"""The outbox sender against local fakes of the WeChat API and the WeCom group robot."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import aiohttp
import pytest
from redis.asyncio import Redis
from sqlalchemy import select

from bot.estate import EstateConfig
from bot.sender import OutboxSender
from bot.settings import Settings
from bot.wechat_api import WeChatApi
from bot.wecom_robot import GroupRobot
from storage.db import Database
from storage.messages import enqueue, log_inbound
from storage.models import OutboxMessage
from storage.tickets import create_ticket
from tests.conftest import Backend, make_settings
from tests.fakes.wechat_api import CUSTOM_SEND, FakeWeChatApi, Reply
from tests.fakes.wecom import FakeWeComRobot

APPID, SECRET = "wx-sender-test", "sender-secret"
RESIDENT = "o_sender_resident"


@pytest.fixture
async def wechat_fake() -> AsyncIterator[FakeWeChatApi]:
    fake = FakeWeChatApi(appid=APPID, secret=SECRET)
    async with fake.running():
        yield fake


@pytest.fixture
async def robot_fake(aiohttp_server: object) -> tuple[FakeWeComRobot, str]:
    fake = FakeWeComRobot()
    server = await aiohttp_server(fake.app)  # type: ignore[operator]
    return fake, fake.url(server)


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


@pytest.fixture
def settings(backend: Backend, redis_prefix: str) -> Settings:
    return make_settings(backend, redis_prefix, safe=False, wechat_secret=SECRET)


def make_sender(
    db: Database,
    settings: Settings,
    http: aiohttp.ClientSession,
    redis: Redis,
    wechat_fake: FakeWeChatApi,
    webhook: str,
) -> OutboxSender:
    wechat = WeChatApi(
        http,
        redis,
        base_url=wechat_fake.base_url,
        appid=APPID,
        secret=SECRET,
        prefix=settings.redis_prefix,
        timeout=1.0,
    )
    robot = GroupRobot(http, redis, prefix=settings.redis_prefix, timeout=1.0)
    return OutboxSender(
        db, settings, wechat=wechat, robot=robot, estate=EstateConfig(default_webhook=webhook)
    )


async def resident_wrote(db: Database, openid: str, when: datetime) -> None:
    async with db.write() as session:
        log_inbound(
            session,
            dedupe_key=f"m:{openid}:{when.timestamp()}",
            openid=openid,
            kind="text",
            created_at=when,
            received_at=when,
            text="你好",
        )


async def queue_texts(db: Database, openid: str, texts: list[str]) -> None:
    now = datetime.now(UTC)
    async with db.write() as session:
        for index, text in enumerate(texts):
            await enqueue(
                session,
                idem_key=f"t:{openid}:{index}",
                channel="wechat_cs",
                recipient=openid,
                payload={"msgtype": "text", "text": text},
                now=now,
            )


async def statuses(db: Database) -> list[tuple[str, str]]:
    async with db.read() as session:
        rows = await session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))
        return [(row.recipient, row.status) for row in rows]


async def drain(sender: OutboxSender, *, passes: int = 30) -> None:
    """Run passes with the clock moved past every backoff, as a long-running sender would."""
    later = datetime.now(UTC)
    for _ in range(passes):
        later += timedelta(minutes=11)
        await sender.run_once(now=later)


async def test_resident_messages_survive_an_outage_and_arrive_once_in_order(
    db: Database,
    settings: Settings,
    http: aiohttp.ClientSession,
    redis: Redis,
    wechat_fake: FakeWeChatApi,
    robot_fake: tuple[FakeWeComRobot, str],
) -> None:
    sender = make_sender(db, settings, http, redis, wechat_fake, robot_fake[1])
    await resident_wrote(db, RESIDENT, datetime.now(UTC))
    await resident_wrote(db, "o_other", datetime.now(UTC))
    await queue_texts(db, RESIDENT, ["已派单给张师傅", "师傅已出发", "已完成，请确认"])
    await queue_texts(db, "o_other", ["您的访客已登记"])
    wechat_fake.down(503)
    for _ in range(3):
        await sender.run_once()
    assert wechat_fake.texts() == []
    async with db.read() as session:
        first = await session.get(OutboxMessage, 1)
        assert first is not None and first.status == "pending" and first.attempts >= 1
        assert "503" in first.last_error
    wechat_fake.up()
    await drain(sender)
    delivered = wechat_fake.texts()
    assert [t for who, t in delivered if who == RESIDENT] == [
        "已派单给张师傅",
        "师傅已出发",
        "已完成，请确认",
    ]
    assert [t for who, t in delivered if who == "o_other"] == ["您的访客已登记"]
    assert {status for _, status in await statuses(db)} == {"sent"}


async def test_closed_window_is_understood_and_staff_are_told(
    db: Database,
    settings: Settings,
    http: aiohttp.ClientSession,
    redis: Redis,
    wechat_fake: FakeWeChatApi,
    robot_fake: tuple[FakeWeComRobot, str],
) -> None:
    robot, webhook = robot_fake
    sender = make_sender(db, settings, http, redis, wechat_fake, webhook)
    # The resident last wrote three days ago: WeChat's 48-hour window is closed.
    await resident_wrote(db, RESIDENT, datetime.now(UTC) - timedelta(days=3))
    await queue_texts(db, RESIDENT, ["工单已完成"])
    await drain(sender, passes=3)
    assert wechat_fake.texts() == []
    assert (RESIDENT, "undeliverable") in await statuses(db)
    assert any("住户消息未送达" in c and "48 小时" in c for c in robot.contents())


async def test_45015_from_wechat_is_not_retried(
    db: Database,
    settings: Settings,
    http: aiohttp.ClientSession,
    redis: Redis,
    wechat_fake: FakeWeChatApi,
    robot_fake: tuple[FakeWeComRobot, str],
) -> None:
    sender = make_sender(db, settings, http, redis, wechat_fake, robot_fake[1])
    await resident_wrote(db, RESIDENT, datetime.now(UTC))
    wechat_fake.on(CUSTOM_SEND, Reply.error(45015))
    await queue_texts(db, RESIDENT, ["工单已完成"])
    await drain(sender, passes=3)
    assert len(wechat_fake.calls(CUSTOM_SEND)) == 1
    assert (RESIDENT, "undeliverable") in await statuses(db)


async def test_ticket_card_reaches_the_group_without_phone_numbers(
    db: Database,
    settings: Settings,
    http: aiohttp.ClientSession,
    redis: Redis,
    wechat_fake: FakeWeChatApi,
    robot_fake: tuple[FakeWeComRobot, str],
) -> None:
    robot, webhook = robot_fake
    sender = make_sender(db, settings, http, redis, wechat_fake, webhook)
    now = datetime.now(UTC)
    async with db.write() as session:
        ticket, _ = await create_ticket(
            session,
            idem_key="k1",
            kind="repair",
            description="燃气味很重 电话13800138000",
            actor="resident:o1",
            now=now,
            priority="urgent",
            location="3栋2单元1201",
            response_due_at=now + timedelta(minutes=5),
        )
        await enqueue(
            session,
            idem_key="staff:1",
            channel="wecom_group",
            recipient="repair",
            payload={"event": "urgent", "text": "紧急", "ticket": ticket.id},
            now=now,
        )
    await sender.run_once()
    card, alarm = robot.contents()
    assert "@all" in str(robot.accepted()[1]) and f"#{ticket.id}" in alarm
    assert "紧急" in card and f"#{ticket.id}" in card and "3栋2单元1201" in card
    assert f"接单 {ticket.id}" in card
    assert not re.search(r"1[3-9]\d{9}", card)


async def test_two_senders_never_send_a_message_twice(
    db: Database,
    settings: Settings,
    http: aiohttp.ClientSession,
    redis: Redis,
    wechat_fake: FakeWeChatApi,
    robot_fake: tuple[FakeWeComRobot, str],
) -> None:
    residents = [f"o_many_{i}" for i in range(12)]
    for openid in residents:
        await resident_wrote(db, openid, datetime.now(UTC))
        await queue_texts(db, openid, ["第一条", "第二条"])
    first = make_sender(db, settings, http, redis, wechat_fake, robot_fake[1])
    # Two workers: on PostgreSQL two engines, as two processes would have (SKIP LOCKED);
    # SQLite is single-process only, where the engine's write lock is the guard.
    second_db = db if db.is_sqlite else Database(db.url)
    second = make_sender(second_db, settings, http, redis, wechat_fake, robot_fake[1])
    for _ in range(4):
        await asyncio.gather(first.run_once(), second.run_once())
    if second_db is not db:
        await second_db.dispose()
    delivered = wechat_fake.texts()
    assert len(delivered) == 24
    for openid in residents:
        assert [t for who, t in delivered if who == openid] == ["第一条", "第二条"]
