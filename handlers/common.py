"""Small pieces several handlers share: keys, places, answers to yes/no questions, times."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Literal

from handlers.sla import SHANGHAI
from handlers.types import Incoming
from nlu import Analysis

CONFIRM_PROMPT = "确认提交吗？回复 1 确认，2 修改，0 取消"

_YES = re.compile(
    r"^\s*(?:1|一|确认|确定|对|是|是的|好|好的|可以|没问题|ok|yes|y|提交|嗯)\s*[。.!！]*\s*$", re.I
)
_EDIT = re.compile(r"^\s*(?:2|二|修改|改|改一下|不对|有误|重新填|更改)\s*[。.!！]*\s*$")
_NO = re.compile(r"^\s*(?:0|零|取消|不用了|算了|不要了|不提交|否|不|no|n)\s*[。.!！]*\s*$", re.I)
_CANCEL_WORDS = re.compile(r"^\s*(?:取消|算了|不用了|不要了|不报了|先不了|唔使|唔使喇|撤销)")

Answer = Literal["yes", "edit", "no"]


def yes_no(text: str) -> Answer | None:
    if _YES.match(text):
        return "yes"
    if _EDIT.match(text):
        return "edit"
    if _NO.match(text):
        return "no"
    return None


def wants_cancel(text: str, analysis: Analysis) -> bool:
    from nlu import Intent

    return analysis.intent is Intent.CANCEL or bool(_CANCEL_WORDS.match(text))


def form_id(incoming: Incoming) -> str:
    """Identifies one filled form: the message that started it. WeChat retries keep MsgId."""
    return f"{incoming.user}:{incoming.msg_id or int(incoming.time.timestamp())}"


def idem_key(incoming: Incoming) -> str:
    return f"wx:{form_id(incoming)}"


def room_label(room: dict[str, str]) -> str:
    parts = [
        f"{room['building']}栋" if room.get("building") else "",
        f"{room['unit']}单元" if room.get("unit") else "",
        room.get("room", ""),
    ]
    return "".join(parts)


def location_text(analysis: Analysis) -> str | None:
    """Where the problem is, as staff would write it: a room or a public place."""
    room = analysis.slots.get("room")
    area = analysis.slots.get("area")
    if isinstance(room, dict) and room.get("building") and room.get("room"):
        return room_label(room)
    if area and isinstance(room, dict) and room.get("building"):
        # "2号楼电梯": the public place of one building, not the whole estate's.
        return f"{room['building']}栋{area}"
    return str(area) if area else None


def local(moment: datetime) -> str:
    """A time as residents read it: 11月20日 10:00."""
    at = moment.astimezone(SHANGHAI)
    return f"{at.month}月{at.day}日 {at:%H:%M}"


def category_of(analysis: Analysis) -> str | None:
    category = analysis.slots.get("category")
    return category if isinstance(category, str) and category != "other" else None


def what_and_where(analysis: Analysis) -> dict[str, str]:
    """The form slots a message states about a problem: `category` and `location`, each
    only when known."""
    found: dict[str, str] = {}
    where = location_text(analysis)
    if where:
        found["location"] = where
    category = category_of(analysis)
    if category:
        found["category"] = category
    return found
