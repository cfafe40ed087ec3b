"""Conversation rules that transcripts cannot show: expiry, and the ticket life cycle."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from aiohttp.test_utils import TestClient
from redis.asyncio import Redis
from sqlalchemy import func, select

from bot.keys import SERVICES
from bot.services import Services
from bot.simulator import RequestFactory
from nlu import Intent
from storage.db import Database
from storage.models import Ticket
from storage.ticket_status import TRANSITIONS, IllegalTransition, check, move
from tests.dialogue import bind, seed_households
from tests.doubtful import a_doubtful_message
from tests.wechat import say

USER = "o_rules_resident"


async def _bound_services(client: TestClient) -> Services:  # type: ignore[type-arg]
    services = client.app[SERVICES]
    await seed_households(services.db)
    await bind(services.db, USER, "3-2-1201")
    return services


async def _expire(services: Services) -> dict[str, Any]:
    """Move the resident's conversation past its TTL, as if they had gone quiet."""
    state = await services.conversations.load(USER)
    assert state is not None
    state["expires_at"] = datetime.now(UTC).timestamp() - 1
    await services.conversations.save(USER, state)
    return state


async def test_expired_conversation_is_dropped_with_a_note(
    client: TestClient,
    factory: RequestFactory,
    redis: Redis,  # type: ignore[type-arg]
) -> None:
    services = await _bound_services(client)
    assert "请说说哪里出了什么问题" in (await say(client, factory, USER, "我要报修") or "")
    assert (await _expire(services))["flow"] == "repair"
    reply = await say(client, factory, USER, "你好")
    assert reply is not None and reply.startswith("刚才的报修等太久已自动结束了。")
    assert await services.conversations.load(USER) is None


async def test_a_stale_question_about_a_doubtful_message_is_dropped_silently(
    client: TestClient,
    factory: RequestFactory,
    redis: Redis,  # type: ignore[type-arg]
) -> None:
    services = await _bound_services(client)
    # A message the NLU half-suspects (see tests/data/dialogues/doubtful_emergency.txt).
    reply = await say(client, factory, USER, a_doubtful_message(Intent.OTHER))
    assert reply is not None and "请直接回复“紧急”" in reply
    assert "doubt" in (await _expire(services))["slots"]
    # "紧急" long afterwards is not about that message: no ticket, no note about a form.
    reply = await say(client, factory, USER, "紧急")
    assert reply is not None and "紧急报修" not in reply and "等太久" not in reply
    async with services.db.read() as session:
        assert (await session.execute(select(func.count()).select_from(Ticket))).scalar() == 0


async def test_voice_without_recognition_asks_for_text(
    client: TestClient,
    factory: RequestFactory,  # type: ignore[type-arg]
) -> None:
    xml = factory.message_xml(USER, "voice", {"MediaId": "v1", "Format": "amr"})
    request = factory.wrap(xml)
    response = await client.post("/wechat", params=request.query, data=request.body.encode())
    reply = factory.read_reply(await response.text(), request.query)
    assert reply is not None and "文字" in reply


def test_every_status_has_its_transitions_listed() -> None:
    statuses = {
        "new",
        "assigned",
        "in_progress",
        "resolved",
        "closed",
        "paused",
        "cancelled",
        "reopened",
    }
    assert set(TRANSITIONS) == statuses
    for targets in TRANSITIONS.values():
        assert targets <= statuses


async def test_illegal_transition_is_refused_with_a_reason(tmp_path: object) -> None:
    db = Database(f"sqlite+aiosqlite:///{tmp_path}/t.db")
    await db.upgrade()
    now = datetime.now(UTC)
    async with db.write() as session:
        ticket = Ticket(idem_key="k", kind="repair", description="灯不亮", created_at=now)
        session.add(ticket)
        await session.flush()
        move(session, ticket, "cancelled", actor="resident:o1", action="cancelled", now=now)
        with pytest.raises(IllegalTransition, match="已取消，不能改为处理中"):
            check(ticket, "in_progress")
    await db.dispose()
