"""End to end: a resident reports → a card in the repair group → a technician claims it in
the group → the resident is told → the technician finishes → the resident is asked to
confirm. Real webhook, real sender, local fakes of the WeChat API and the WeCom robot."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Callable

import pytest
import xmltodict
from aiohttp.test_utils import TestClient
from redis.asyncio import Redis
from wechatpy.work.crypto import WeChatCrypto as WorkCrypto

from bot.app import create_app
from bot.keys import SERVICES
from bot.simulator import RequestFactory
from bot.wecom_callback import WeComCrypto
from storage.models import Ticket
from storage.staff import upsert_staff
from tests.conftest import AES_KEY, APPID, TOKEN, Backend, make_settings
from tests.dialogue import bind, seed_households
from tests.fakes.wechat_api import FakeWeChatApi
from tests.fakes.wecom import FakeWeComRobot
from tests.wechat import say

SECRET = "flow-secret"
BOT_TOKEN = "wecom-bot-token"
RESIDENT = "o_flow_resident"


@pytest.fixture
async def wechat_fake() -> AsyncIterator[FakeWeChatApi]:
    fake = FakeWeChatApi(appid=APPID, secret=SECRET)
    async with fake.running():
        yield fake


@pytest.fixture
async def world(
    aiohttp_client: Callable[..., object],
    aiohttp_server: Callable[..., object],
    backend: Backend,
    redis_prefix: str,
    redis: Redis,
    wechat_fake: FakeWeChatApi,
) -> tuple[TestClient, FakeWeChatApi, FakeWeComRobot]:  # type: ignore[type-arg]
    robot = FakeWeComRobot()
    server = await aiohttp_server(robot.app)  # type: ignore[misc]
    settings = make_settings(
        backend,
        redis_prefix,
        safe=True,
        wechat_secret=SECRET,
        wechat_api_base=wechat_fake.base_url,
        wecom_webhook_url=robot.url(server),
        wecom_bot_token=BOT_TOKEN,
        wecom_bot_aes_key=AES_KEY,
        outbox_poll_seconds=0.05,
    )
    app = create_app(settings, redis=redis, upgrade_db=True, with_workers=True)
    client: TestClient = await aiohttp_client(app)  # type: ignore[misc,type-arg]
    db = client.app[SERVICES].db
    await seed_households(db)
    await bind(db, RESIDENT, "3-2-1201")
    async with db.write() as session:
        await upsert_staff(session, userid="zhangsf", name="张师傅", role="technician")
    return client, wechat_fake, robot


async def staff_says(client: TestClient, userid: str, text: str) -> str:  # type: ignore[type-arg]
    crypto = WeComCrypto(BOT_TOKEN, AES_KEY, "")
    message = {
        "msgid": f"m{time.time_ns()}",
        "aibotid": "AIBOT",
        "chatid": "CHAT",
        "chattype": "group",
        "from": {"userid": userid},
        "response_url": "http://127.0.0.1/unused",
        "msgtype": "text",
        "text": {"content": f"@物业助手 {text}"},
    }
    sealed = crypto.encrypt_json(message, "12345", int(time.time()))
    query = {
        "msg_signature": sealed["msgsignature"],
        "timestamp": str(sealed["timestamp"]),
        "nonce": sealed["nonce"],
    }
    response = await client.post(
        "/wecom/bot", params=query, data=json.dumps({"encrypt": sealed["encrypt"]})
    )
    assert response.status == 200
    body = await response.json()
    opened = crypto.decrypt_json(
        json.dumps({"encrypt": body["encrypt"]}).encode(),
        body["msgsignature"],
        str(body["timestamp"]),
        body["nonce"],
    )
    return str(opened["markdown"]["content"])


async def eventually(check: Callable[[], bool], seconds: float = 5.0) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.05)


async def test_report_claim_resolve_round_trip(
    world: tuple[TestClient, FakeWeChatApi, FakeWeComRobot],  # type: ignore[type-arg]
) -> None:
    client, wechat, robot = world
    factory = RequestFactory(token=TOKEN, aes_key=AES_KEY, appid=APPID)
    await say(client, factory, RESIDENT, "厨房水龙头一直滴水关不紧")
    await say(client, factory, RESIDENT, "随时")
    reply = await say(client, factory, RESIDENT, "1")
    assert reply is not None and "工单 #1001 已受理" in reply

    await eventually(lambda: any("#1001" in c for c in robot.contents()))
    card = next(c for c in robot.contents() if "#1001" in c)
    assert "水龙头" in card and "3栋2单元1201" in card and "接单 1001" in card
    assert "13800138000" not in card

    assert "没看懂" in await staff_says(client, "zhangsf", "你好")
    refused = await staff_says(client, "stranger", "接单 1001")
    assert "不在物业员工名单" in refused
    assert "1001 已由张师傅负责" in await staff_says(client, "zhangsf", "接单 #1001")
    await eventually(lambda: any("张师傅" in t for _, t in wechat.texts()))

    illegal = await staff_says(client, "zhangsf", "恢复 1001")
    assert "没有暂停" in illegal
    assert "处理中" in await staff_says(client, "zhangsf", "开始 1001")
    assert "已请住户确认" in await staff_says(client, "zhangsf", "完成 1001 已更换阀芯")
    await eventually(lambda: any("问题解决了吗" in t for _, t in wechat.texts()))

    texts = [t for who, t in wechat.texts() if who == RESIDENT]
    assert texts[0].startswith("您的工单 #1001 已安排给张师傅")
    assert "已更换阀芯" in texts[-1]
    async with client.app[SERVICES].db.read() as session:
        ticket = await session.get(Ticket, 1001)
        assert ticket is not None and ticket.status == "resolved"
        assert ticket.responded_at is not None
    # A resolved job cannot be started again: the reason is given, nothing changes.
    assert "不能改为" in await staff_says(client, "zhangsf", "开始 1001")
    history = await staff_says(client, "zhangsf", "查询 1001")
    assert "claimed" in history and "resolved" in history


async def _resolved_ticket(client: TestClient, factory: RequestFactory) -> None:  # type: ignore[type-arg]
    await say(client, factory, RESIDENT, "阳台地漏堵了 水下不去")
    await say(client, factory, RESIDENT, "随时")
    assert "工单 #1001" in (await say(client, factory, RESIDENT, "1") or "")
    await staff_says(client, "zhangsf", "接单 1001")
    await staff_says(client, "zhangsf", "完成 1001 已疏通")


async def test_resident_confirms_and_rates(
    world: tuple[TestClient, FakeWeChatApi, FakeWeComRobot],  # type: ignore[type-arg]
) -> None:
    client, _wechat, _robot = world
    factory = RequestFactory(token=TOKEN, aes_key=AES_KEY, appid=APPID)
    await _resolved_ticket(client, factory)
    answer = await say(client, factory, RESIDENT, "1")
    assert answer is not None and "感谢确认" in answer and "1-5" in answer
    thanks = await say(client, factory, RESIDENT, "5")
    assert thanks is not None and "5 分" in thanks
    async with client.app[SERVICES].db.read() as session:
        ticket = await session.get(Ticket, 1001)
        assert ticket is not None
        assert (ticket.status, ticket.rating) == ("closed", 5)


async def test_not_fixed_reopens_and_tells_supervisors(
    world: tuple[TestClient, FakeWeChatApi, FakeWeComRobot],  # type: ignore[type-arg]
) -> None:
    client, _wechat, robot = world
    factory = RequestFactory(token=TOKEN, aes_key=AES_KEY, appid=APPID)
    await _resolved_ticket(client, factory)
    answer = await say(client, factory, RESIDENT, "2")
    assert answer is not None and "重新打开" in answer and "主管" in answer
    async with client.app[SERVICES].db.read() as session:
        ticket = await session.get(Ticket, 1001)
        assert ticket is not None and ticket.status == "reopened"
        assert ticket.resolved_by_id is not None
    await eventually(lambda: any("未解决" in c for c in robot.contents()))
    # The technician who did the job is told by name, not only the supervisors.
    await eventually(
        lambda: any(
            body.get("text", {}).get("mentioned_list") == ["zhangsf"] for body in robot.accepted()
        )
    )


async def test_low_rating_reopens(
    world: tuple[TestClient, FakeWeChatApi, FakeWeComRobot],  # type: ignore[type-arg]
) -> None:
    client, _wechat, _robot = world
    factory = RequestFactory(token=TOKEN, aes_key=AES_KEY, appid=APPID)
    await _resolved_ticket(client, factory)
    answer = await say(client, factory, RESIDENT, "很不满意 弄得一地脏水")
    assert answer is not None and "重新打开" in answer
    async with client.app[SERVICES].db.read() as session:
        ticket = await session.get(Ticket, 1001)
        assert ticket is not None and (ticket.status, ticket.rating) == ("reopened", 1)


async def test_one_to_one_commands_through_the_self_built_app(
    aiohttp_client: Callable[..., object], backend: Backend, redis_prefix: str, redis: Redis
) -> None:
    corp, app_token = "ww-corp-test", "app-token"
    settings = make_settings(
        backend,
        redis_prefix,
        safe=False,
        wecom_corp_id=corp,
        wecom_app_token=app_token,
        wecom_app_aes_key=AES_KEY,
    )
    client: TestClient = await aiohttp_client(  # type: ignore[misc,type-arg]
        create_app(settings, redis=redis, upgrade_db=True)
    )
    async with client.app[SERVICES].db.write() as session:
        await upsert_staff(session, userid="lizg", name="李主管", role="supervisor")
    work = WorkCrypto(app_token, AES_KEY, corp)
    stamp = str(int(time.time()))
    xml = (
        f"<xml><ToUserName><![CDATA[{corp}]]></ToUserName>"
        "<FromUserName><![CDATA[lizg]]></FromUserName>"
        f"<CreateTime>{stamp}</CreateTime><MsgType><![CDATA[text]]></MsgType>"
        "<Content><![CDATA[待办]]></Content><MsgId>1234567</MsgId><AgentID>1</AgentID></xml>"
    )
    sealed = work.encrypt_message(xml, "98765", stamp)
    fields = xmltodict.parse(sealed)["xml"]
    query = {"msg_signature": fields["MsgSignature"], "timestamp": stamp, "nonce": "98765"}
    body = (
        f"<xml><ToUserName><![CDATA[{corp}]]></ToUserName>"
        f"<Encrypt><![CDATA[{fields['Encrypt']}]]></Encrypt></xml>"
    )
    response = await client.post("/wecom/app", params=query, data=body.encode())
    assert response.status == 200
    reply = await response.text()
    opened = xmltodict.parse(reply)["xml"]
    plain = work.decrypt_message(
        reply, opened["MsgSignature"], opened["TimeStamp"], opened["Nonce"]
    )
    assert "您没有待办工单" in plain
    forged = {**query, "msg_signature": "0" * 40}
    assert (await client.post("/wecom/app", params=forged, data=body.encode())).status == 403
