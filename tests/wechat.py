"""Helpers to talk to the test app the way WeChat does."""

from __future__ import annotations

from typing import Any

from aiohttp.test_utils import TestClient

from bot.simulator import RequestFactory, SignedRequest


async def post(client: TestClient, request: SignedRequest) -> tuple[int, str]:  # type: ignore[type-arg]
    response = await client.post("/wechat", params=request.query, data=request.body.encode())
    return response.status, await response.text()


async def say(
    client: TestClient,  # type: ignore[type-arg]
    factory: RequestFactory,
    openid: str,
    text: str,
    **kwargs: Any,
) -> str | None:
    """Send a text message and return the bot's passive reply text (None for `success`)."""
    request = factory.wrap(factory.text(openid, text, **kwargs))
    status, body = await post(client, request)
    assert status == 200, body
    return factory.read_reply(body, request.query)
