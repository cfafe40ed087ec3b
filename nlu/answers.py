"""Slots read from an answer to a form question, whatever the message's intent.

When the bot has just asked "什么时候到?", "明天下午三点" is the answer even though, on its
own, it classifies as nothing in particular; `analyze` only reads visit slots for visitor
messages, so forms use this instead.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from nlu.engine import SHANGHAI, get_engine
from nlu.plates import extract_plate
from nlu.rooms import extract_room
from nlu.slots import extract_count, extract_phone, extract_visitor
from nlu.timeparse import parse_visit_time


def read_answer(text: str, now: datetime) -> dict[str, Any]:
    """Every slot the text states: room, plate, phone, count, visitor_name, visit_at."""
    norm = get_engine().normalizer.normalize(text)
    if not norm:
        return {}
    found: dict[str, Any] = {}
    extractors: dict[str, Any] = {
        "room": extract_room(norm),
        "plate": extract_plate(norm),
        "phone": extract_phone(norm),
        "count": extract_count(norm),
        "visitor_name": extract_visitor(norm),
    }
    for name, value in extractors.items():
        if value:
            found[name] = value
    when = parse_visit_time(norm, now.astimezone(SHANGHAI))
    if when is not None:
        found["visit_time"] = when.text
        found["visit_at"] = when.at
    return found
