"""The group-robot sender against a local fake webhook: limits, digests, errors, secrecy."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator, Awaitable, Callable

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from hypothesis import given, settings
from hypothesis import strategies as st
from redis.asyncio import Redis

from bot.wecom_robot import (
    DIGEST_RULE,
    MARKDOWN_LIMIT,
    TEXT_LIMIT,
    GroupRobot,
    RobotRateLimit,
    WeComError,
    merge_digest,
    truncate_utf8,
    webhook_id,
)
from tests.conftest import SAMPLES
from tests.fakes.wecom import FakeWeComRobot, RobotAnswer

ServerFactory = Callable[[web.Application], Awaitable[TestServer]]
SAMPLE_MARKDOWN = json.loads(
    (SAMPLES / "wecom" / "group_robot_webhook_markdown.json").read_text(encoding="utf-8")
)["markdown"]["content"]


@pytest.fixture
def fake() -> FakeWeComRobot:
    return FakeWeComRobot()


@pytest.fixture
async def url(fake: FakeWeComRobot, aiohttp_server: ServerFactory) -> str:
    return fake.url(await aiohttp_server(fake.app))


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


@pytest.fixture
def robot(http: aiohttp.ClientSession, redis: Redis, redis_prefix: str) -> GroupRobot:
    return GroupRobot(http, redis, prefix=redis_prefix, timeout=5.0)


def card(n: int) -> str:
    return f"**新工单 #{1000 + n}**\n>位置：3栋2单元1201\n>内容：卫生间地漏返水"


# -- sending ---------------------------------------------------------------------------------


async def test_markdown_is_posted_as_utf8_json(
    robot: GroupRobot, fake: FakeWeComRobot, url: str
) -> None:
    await robot.send_markdown(url, SAMPLE_MARKDOWN)
    [request] = fake.requests
    assert request.body == {"msgtype": "markdown", "markdown": {"content": SAMPLE_MARKDOWN}}
    assert "实时新增用户反馈".encode() in request.raw  # ensure_ascii=False: no \\u escapes
    assert request.content_type.startswith("application/json")


async def test_text_with_mentions(robot: GroupRobot, fake: FakeWeComRobot, url: str) -> None:
    await robot.send_text(url, "3栋电梯困人，请立即处理", mentioned=["zhangsan", "@all"])
    await robot.send_text(url, "日报已生成")
    assert fake.accepted() == [
        {
            "msgtype": "text",
            "text": {"content": "3栋电梯困人，请立即处理", "mentioned_list": ["zhangsan", "@all"]},
        },
        {"msgtype": "text", "text": {"content": "日报已生成"}},
    ]


async def test_long_messages_are_cut_on_a_character_boundary(
    robot: GroupRobot, fake: FakeWeComRobot, url: str
) -> None:
    await robot.send_markdown(url, "报修" * 1000)  # 6000 bytes
    await robot.send_text(url, "a" + "水" * 1000)  # 3001 bytes: every cut is mid-character
    markdown, text = fake.contents()
    assert len(markdown.encode()) <= MARKDOWN_LIMIT and markdown.endswith("…")
    assert len(text.encode()) <= TEXT_LIMIT and text.endswith("…")
    assert set(markdown[:-1]) == {"报", "修"} and set(text[1:-1]) == {"水"}


@pytest.mark.parametrize(
    ("text", "limit", "expected"),
    [
        ("abc", 3, "abc"),
        ("abcd", 3, "…"),
        ("水水", 6, "水水"),
        ("水水水", 7, "水…"),  # 4 bytes for text: one 水 and one byte of the next, dropped
        ("水水水", 8, "水…"),
        ("😀😀", 6, "…"),  # 3 bytes left for text: not even one 4-byte emoji
        ("😀😀😀", 11, "😀😀…"),
    ],
)
def test_truncate_utf8_examples(text: str, limit: int, expected: str) -> None:
    assert truncate_utf8(text, limit) == expected


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet="a水é😀\n", max_size=60), st.integers(min_value=3, max_value=120))
def test_truncate_utf8_never_breaks_a_character(text: str, limit: int) -> None:
    cut = truncate_utf8(text, limit)
    assert len(cut.encode()) <= limit
    if cut != text:
        assert cut.endswith("…") and text.startswith(cut[:-1])


# -- errors ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("answer", "errcode", "retryable"),
    [
        (RobotAnswer.error(-1), -1, True),
        (RobotAnswer.error(45009), 45009, True),
        (RobotAnswer.http(502), -1, True),
        (RobotAnswer.http(404), -1, False),
        (RobotAnswer(text="<html>proxy</html>"), -1, True),
        (RobotAnswer.error(93000), 93000, False),
        (RobotAnswer.error(40058), 40058, False),
    ],
)
async def test_errors_are_sorted_into_retryable_or_not(
    robot: GroupRobot,
    fake: FakeWeComRobot,
    url: str,
    answer: RobotAnswer,
    errcode: int,
    retryable: bool,
) -> None:
    fake.answer_next(answer)
    with pytest.raises(WeComError) as caught:
        await robot.send_markdown(url, card(1))
    assert (caught.value.errcode, caught.value.retryable) == (errcode, retryable)
    await robot.flush(url)
    # Retryable: still queued, delivered by the next flush. Permanent: gone, never re-sent.
    assert fake.contents() == ([card(1)] if retryable else [])


async def test_a_timeout_is_retryable(
    http: aiohttp.ClientSession, redis: Redis, redis_prefix: str, fake: FakeWeComRobot, url: str
) -> None:
    robot = GroupRobot(http, redis, prefix=redis_prefix, timeout=0.1)
    fake.answer_next(RobotAnswer.slow(0.3))
    with pytest.raises(WeComError) as caught:
        await robot.send_markdown(url, card(1))
    assert caught.value.retryable and caught.value.errmsg == "timeout"


async def test_an_unknown_webhook_key_is_permanent(
    robot: GroupRobot, fake: FakeWeComRobot, aiohttp_server: ServerFactory
) -> None:
    server = await aiohttp_server(fake.app)
    with pytest.raises(WeComError) as caught:
        await robot.send_markdown(fake.url(server, "revoked-key"), card(1))
    assert caught.value.errcode == 93000 and not caught.value.retryable


async def test_an_unreachable_webhook_is_retryable(robot: GroupRobot) -> None:
    with pytest.raises(WeComError) as caught:
        await robot.send_markdown("http://127.0.0.1:9/cgi-bin/webhook/send?key=k", card(1))
    assert caught.value.retryable


async def test_resending_a_card_still_queued_does_not_duplicate_it(
    robot: GroupRobot, fake: FakeWeComRobot, url: str
) -> None:
    fake.answer_next(RobotAnswer.error(45009))
    with pytest.raises(WeComError):
        await robot.send_markdown(url, card(1))
    await robot.send_markdown(url, card(1))  # e.g. the outbox retrying
    await robot.send_markdown(url, card(1))
    assert fake.contents() == [card(1), card(1)]


# -- rate limit ------------------------------------------------------------------------------


async def test_a_burst_of_25_gets_20_slots(redis: Redis, redis_prefix: str) -> None:
    limit = RobotRateLimit(redis, prefix=redis_prefix)
    waits = await asyncio.gather(*(limit.acquire("https://x/send?key=a") for _ in range(25)))
    assert waits.count(0) == 20
    assert all(0 < wait <= 60 for wait in waits if wait)
    # Another webhook has its own window.
    assert await limit.acquire("https://x/send?key=b") == 0


async def test_slots_come_back_after_the_window(redis: Redis, redis_prefix: str) -> None:
    limit = RobotRateLimit(redis, prefix=redis_prefix, per_minute=2, window_seconds=0.2)
    assert [await limit.acquire("u") for _ in range(2)] == [0, 0]
    wait = await limit.acquire("u")
    assert 0 < wait <= 0.2
    await asyncio.sleep(wait + 0.02)
    assert await limit.acquire("u") == 0


async def test_a_burst_is_merged_and_every_card_arrives(
    http: aiohttp.ClientSession, redis: Redis, redis_prefix: str, aiohttp_server: ServerFactory
) -> None:
    # 3 messages per 0.3 s on both sides, so the test does not wait a minute.
    fake = FakeWeComRobot(per_minute=3, window=0.3)
    url = fake.url(await aiohttp_server(fake.app))
    limit = RobotRateLimit(redis, prefix=redis_prefix, per_minute=3, window_seconds=0.3)
    robot = GroupRobot(http, redis, prefix=redis_prefix, limiter=limit)
    await asyncio.gather(*(robot.send_markdown(url, card(n)) for n in range(30)))
    delivered = fake.contents()
    assert all(r.errcode == 0 for r in fake.requests)  # WeCom's limit never hit
    assert len(delivered) < 30 and any("条新消息" in c for c in delivered)
    joined = "\n".join(delivered)
    assert all(joined.count(card(n)) == 1 for n in range(30))


async def test_text_keeps_its_place_and_is_never_merged(
    http: aiohttp.ClientSession, redis: Redis, redis_prefix: str, aiohttp_server: ServerFactory
) -> None:
    fake = FakeWeComRobot()
    url = fake.url(await aiohttp_server(fake.app))
    limit = RobotRateLimit(redis, prefix=redis_prefix, per_minute=1, window_seconds=0.2)
    robot = GroupRobot(http, redis, prefix=redis_prefix, limiter=limit)
    sends = [robot.send_markdown(url, card(n)) for n in range(6)]
    sends.insert(5, robot.send_text(url, "紧急", mentioned=["lisi"]))
    tasks = []
    for send in sends:  # queued in this order: the first send drains, the others just queue
        tasks.append(asyncio.create_task(send))
        await asyncio.sleep(0.01)
    await asyncio.gather(*tasks)
    assert not await redis.llen(f"{redis_prefix}:wecom:queue:{webhook_id(url)}")
    # card 0 at once; 1-4 waited for the next slot and went as one digest; then the text.
    assert [body["msgtype"] for body in fake.accepted()] == ["markdown"] * 2 + ["text", "markdown"]
    assert fake.contents() == [
        card(0),
        *merge_digest([card(n) for n in range(1, 5)]),
        "紧急",
        card(5),
    ]


async def test_the_webhook_key_stays_out_of_redis_and_logs(
    robot: GroupRobot,
    fake: FakeWeComRobot,
    url: str,
    redis: Redis,
    redis_prefix: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    await robot.send_markdown(url, card(1))
    fake.answer_next(RobotAnswer.error(40058))
    with pytest.raises(WeComError) as caught:
        await robot.send_markdown(url, card(2))
    found = await redis.keys(f"{redis_prefix}*")
    keys = [k.decode() if isinstance(k, bytes) else str(k) for k in found]
    assert keys and not any(fake.key in k for k in keys)
    # The fake server's own access log shows its URLs; everything of ours must not.
    ours = [r.getMessage() for r in caplog.records if r.name != "aiohttp.access"]
    assert ours and not any(fake.key in line for line in ours)
    assert fake.key not in str(caught.value)


# -- digests ---------------------------------------------------------------------------------


def test_a_digest_has_a_header_and_every_card() -> None:
    [digest] = merge_digest([card(1), card(2), card(3)])
    assert digest.startswith("**3 条新消息**\n")
    assert digest.split("\n", 1)[1].split(DIGEST_RULE) == [card(1), card(2), card(3)]


def test_one_card_needs_no_header() -> None:
    assert merge_digest([card(1)]) == [card(1)]
    assert merge_digest([]) == []


def test_too_many_cards_become_several_digests() -> None:
    cards = [f"**工单 #{n}**\n" + "描述" * 150 for n in range(20)]  # ~900 bytes each
    digests = merge_digest(cards)
    assert len(digests) == 5
    assert all(len(d.encode()) <= MARKDOWN_LIMIT for d in digests)
    assert [c for d in digests for c in d.split("\n", 1)[1].split(DIGEST_RULE)] == cards


def test_a_card_too_big_for_any_message_is_shortened_not_dropped() -> None:
    digests = merge_digest([card(1), "长" * 2000, card(2)])
    assert digests[0] == card(1)
    assert digests[1].endswith("…") and len(digests[1].encode()) <= MARKDOWN_LIMIT
    assert digests[2] == card(2)


@settings(max_examples=80, deadline=None)
@given(
    st.lists(st.text(alphabet="ab水😀\n", min_size=1, max_size=45), max_size=40),
    st.integers(min_value=200, max_value=MARKDOWN_LIMIT),
)
def test_digests_keep_every_card_in_order(cards: list[str], limit: int) -> None:
    digests = merge_digest(cards, limit_bytes=limit)
    assert all(len(d.encode()) <= limit for d in digests)
    found: list[str] = []
    for digest in digests:
        if digest.startswith("**") and "条新消息**\n" in digest:
            found.extend(digest.split("\n", 1)[1].split(DIGEST_RULE))
        else:
            found.append(digest)
    assert found == cards
