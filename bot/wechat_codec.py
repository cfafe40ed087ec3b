"""WeChat message XML ⇄ our own values. Nothing below `bot/` sees wechatpy objects or XML."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from wechatpy import parse_message
from wechatpy.replies import TextReply

from bot.wechat_crypto import strip_illegal
from handlers.types import Incoming, Kind, Location

# WeChat's own event names differ in case ("CLICK", "subscribe"); we use lower case.
_EVENT_ALIASES = {"subscribe_scan": "subscribe"}


class NotAMessage(Exception):
    """The XML is not a WeChat message (no sender, bad structure, ...)."""


@dataclass(frozen=True, slots=True)
class Parsed:
    incoming: Incoming
    # The Official Account's own id (ToUserName): the sender of a passive reply.
    account: str


def parse(xml: str) -> Parsed:
    try:
        msg: Any = parse_message(strip_illegal(xml))
    except Exception as exc:  # xmltodict/expat raise several types for bad bodies
        raise NotAMessage(type(exc).__name__) from None
    data: dict[str, Any] = getattr(msg, "_data", {}) or {}
    user = data.get("FromUserName")
    if not isinstance(user, str) or not user:
        raise NotAMessage("no FromUserName")
    created = _time(data.get("CreateTime"))
    kind = _kind(str(data.get("MsgType", "")))
    msg_id = data.get("MsgId") or data.get("MsgID")
    text = ""
    media_id = _str(data.get("MediaId"))
    location = None
    event = event_key = None
    if kind is Kind.TEXT:
        text = _str(data.get("Content")) or ""
    elif kind is Kind.VOICE:
        text = _str(data.get("Recognition")) or ""
    elif kind is Kind.LINK:
        text = _str(data.get("Title")) or ""
    elif kind is Kind.LOCATION:
        location = _location(data.get("Location_X"), data.get("Location_Y"), data.get("Label"))
    elif kind is Kind.EVENT:
        raw_event = (_str(data.get("Event")) or "").lower()
        event = _EVENT_ALIASES.get(raw_event, raw_event)
        event_key = _str(data.get("EventKey"))
        if event == "location":
            location = _location(data.get("Latitude"), data.get("Longitude"), None)
    incoming = Incoming(
        user=user,
        kind=kind,
        time=created,
        msg_id=str(msg_id) if msg_id not in (None, "", 0, "0") else None,
        text=text,
        media_id=media_id,
        location=location,
        event=event,
        event_key=event_key,
    )
    return Parsed(incoming=incoming, account=_str(data.get("ToUserName")) or "")


def dedupe_key(incoming: Incoming) -> str:
    """Messages by sender + MsgId (MsgId alone has collided); events by sender + time + event."""
    if incoming.msg_id is not None and incoming.kind is not Kind.EVENT:
        return f"m:{incoming.user}:{incoming.msg_id}"
    stamp = int(incoming.time.timestamp())
    return f"e:{incoming.user}:{stamp}:{incoming.event or incoming.kind}"


def render_text(account: str, user: str, text: str) -> str:
    """A passive text reply from the Official Account to the resident."""
    reply = TextReply(source=account, target=user, content=text)
    rendered: str = reply.render()
    return rendered


def _kind(msg_type: str) -> Kind:
    if msg_type == "shortvideo":
        return Kind.VIDEO
    try:
        return Kind(msg_type)
    except ValueError:
        return Kind.UNKNOWN


def _time(value: Any) -> datetime:
    try:
        return datetime.fromtimestamp(int(value), UTC)
    except (TypeError, ValueError, OverflowError, OSError):
        return datetime.now(UTC)


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _location(lat: Any, lng: Any, label: Any) -> Location | None:
    try:
        return Location(float(lat), float(lng), _str(label) or "")
    except (TypeError, ValueError):
        return None
