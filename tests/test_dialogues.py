"""Every transcript in tests/data/dialogues, through the real webhook, on every backend."""

from __future__ import annotations

from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient

from bot.keys import SERVICES
from bot.simulator import RequestFactory
from tests.dialogue import DIALOGUES, bind, check, parse, seed_households
from tests.wechat import post

FILES = sorted(DIALOGUES.glob("*.txt"))
OPENID = "o_dialogue_resident"


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
async def test_dialogue(
    client: TestClient,
    factory: RequestFactory,
    path: Path,  # type: ignore[type-arg]
) -> None:
    db = client.app[SERVICES].db
    await seed_households(db)
    openid = OPENID
    for number, turn in enumerate(parse(path), start=1):
        if turn.directive:
            name, *args = turn.directive
            if name == "as":
                openid = args[0]
                args = args[1:]
            if args:
                await bind(db, openid, args[0])
        elif turn.says:
            reply = await _say(client, factory, openid, turn.says)
            for words in turn.expect:
                assert reply is not None and words in reply, (
                    f"{path.name} turn {number}: {turn.says!r} → {reply!r}; expected {words!r}"
                )
            assert reply is None or "Traceback" not in reply
        for words in turn.checks:
            await check(db, openid, words)


async def _say(
    client: TestClient,
    factory: RequestFactory,
    openid: str,
    text: str,  # type: ignore[type-arg]
) -> str | None:
    if text.startswith("/image"):
        media = text.split()[1] if " " in text else "media"
        xml = factory.message_xml(openid, "image", {"PicUrl": "http://x/p.jpg", "MediaId": media})
    else:
        xml = factory.text(openid, text)
    request = factory.wrap(xml)
    status, body = await post(client, request)
    assert status == 200, body
    return factory.read_reply(body, request.query)
