"""Small pieces several handlers need to build a ticket."""

from __future__ import annotations

from handlers.types import Incoming
from nlu import Analysis


def idem_key(incoming: Incoming) -> str:
    """One ticket per delivered message: WeChat's retries carry the same MsgId."""
    return f"wx:{incoming.user}:{incoming.msg_id or int(incoming.time.timestamp())}"


def location_text(analysis: Analysis) -> str | None:
    """Where the problem is, as staff would write it: a room or a public place."""
    room = analysis.slots.get("room")
    if isinstance(room, dict):
        parts = [
            f"{room['building']}栋" if room.get("building") else "",
            f"{room['unit']}单元" if room.get("unit") else "",
            str(room.get("room", "")),
        ]
        return "".join(parts) or None
    area = analysis.slots.get("area")
    return str(area) if area else None
