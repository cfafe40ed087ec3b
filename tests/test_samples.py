"""Every Official Account sample from Tencent's documentation parses and is answered."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient

from bot.simulator import RequestFactory
from bot.wechat_codec import dedupe_key, parse
from handlers.types import Kind
from tests.conftest import SAMPLES
from tests.wechat import post

OA = SAMPLES / "oa"
MESSAGES = sorted(p for p in OA.glob("*.xml") if not p.name.startswith("encrypted_"))

EXPECTED_KINDS = {
    "text.xml": Kind.TEXT,
    "image.xml": Kind.IMAGE,
    "voice.xml": Kind.VOICE,
    "voice_recognition.xml": Kind.VOICE,
    "video.xml": Kind.VIDEO,
    "location.xml": Kind.LOCATION,
    "link.xml": Kind.LINK,
    "passive_reply_text.xml": Kind.TEXT,
}


def test_samples_are_present() -> None:
    assert len(MESSAGES) >= 17, f"samples missing under {OA}"


@pytest.mark.parametrize("path", MESSAGES, ids=lambda p: p.name)
def test_sample_parses(path: Path) -> None:
    incoming = parse(path.read_text(encoding="utf-8")).incoming
    assert incoming.user
    expected = EXPECTED_KINDS.get(path.name, Kind.EVENT)
    assert incoming.kind is expected
    if expected is Kind.EVENT:
        assert incoming.event
        assert dedupe_key(incoming).startswith(f"e:{incoming.user}:")
    elif incoming.msg_id is None:
        # Some documented samples carry MsgId 0: keyed by sender and time, like events.
        assert dedupe_key(incoming).startswith(f"e:{incoming.user}:")
    else:
        assert dedupe_key(incoming) == f"m:{incoming.user}:{incoming.msg_id}"


def test_sample_fields() -> None:
    voice = parse((OA / "voice_recognition.xml").read_text(encoding="utf-8")).incoming
    assert voice.text == "腾讯微信团队" and voice.media_id == "media_id"
    silent = parse((OA / "voice.xml").read_text(encoding="utf-8")).incoming
    assert silent.text == ""
    location = parse((OA / "location.xml").read_text(encoding="utf-8")).incoming
    assert location.location is not None
    assert (location.location.latitude, location.location.label) == (23.134521, "位置信息")
    scan = parse((OA / "event_subscribe_qrscene.xml").read_text(encoding="utf-8")).incoming
    assert (scan.event, scan.event_key) == ("subscribe", "123123")
    click = parse((OA / "event_click.xml").read_text(encoding="utf-8")).incoming
    assert (click.event, click.event_key) == ("click", "EVENTKEY")


@pytest.mark.parametrize("path", MESSAGES, ids=lambda p: p.name)
async def test_sample_through_the_webhook(
    client: TestClient,
    factory: RequestFactory,
    path: Path,  # type: ignore[type-arg]
) -> None:
    # Tencent's samples carry old CreateTimes; the request timestamp is what the replay
    # check reads, so they are posted as WeChat would post them today.
    xml = path.read_text(encoding="utf-8")
    request = factory.wrap(xml, timestamp=int(time.time()))
    status, body = await post(client, request)
    assert status == 200
    reply = factory.read_reply(body, request.query)
    if path.name in (
        "event_unsubscribe.xml",
        "event_templatesendjobfinish.xml",
        "event_templatesendjobfinish_userblock.xml",
        "event_location.xml",
        "event_view.xml",
        "event_scan.xml",
    ):
        assert reply is None
    else:
        assert reply, path.name
        assert "Traceback" not in reply
