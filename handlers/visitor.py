"""Visitor registration (访客登记): who, when, how many, which car; a pass with a short code."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

from handlers import binding
from handlers.common import CONFIRM_PROMPT, form_id, local, wants_cancel, yes_no
from handlers.effects import CreateVisitorPass, NotifyStaff
from handlers.texts import CANCELLED
from handlers.types import Context, Conversation, Incoming, Outcome
from nlu import Analysis, Intent
from nlu.answers import read_answer

FLOW = "visitor"
MAX_AHEAD = timedelta(days=30)
# A visit a few minutes "ago" is someone at the gate now, not a mistake.
PAST_GRACE = timedelta(minutes=30)
PASS_BEFORE = timedelta(hours=1)
PASS_AFTER = timedelta(hours=6)

ASK = {
    "visitor_name": "请问来访人怎么称呼？",
    "visit_at": "请问什么时候到？比如“明天下午三点”。",
    "count": "一共几位？",
    "plate": "开车来吗？开车请回复车牌号，不开车回复“无”。",
}
ASK_EDIT = "要改哪一项？回复 1 来访人，2 时间，3 人数，4 车牌"
_EDIT_CHOICES = {"1": "visitor_name", "2": "visit_at", "3": "count", "4": "plate"}
_NO_CAR = re.compile(r"^\s*(?:无|没有|没|不开车|没车|不开|步行|打车|坐地铁|no)\s*$", re.I)
_PLATE_LIKE = re.compile(
    r"[A-Za-z]|[京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼]"
)


def start(incoming: Incoming, analysis: Analysis, ctx: Context) -> Outcome:
    if not ctx.facts.resident.bound:
        return binding.start(incoming, analysis, ctx, pending=incoming.text)
    slots: dict[str, Any] = {"form": form_id(incoming)}
    found = {**read_answer(incoming.text, ctx.now), **analysis.slots}
    problem = _take(slots, found, ctx)
    return _next(Conversation(flow=FLOW, slots=slots), ctx, problem)


def resume(
    incoming: Incoming, conversation: Conversation, analysis: Analysis, ctx: Context
) -> Outcome:
    text = incoming.text.strip()
    slots = dict(conversation.slots)
    step = conversation.step
    if step == "confirm":
        return _confirm(conversation, ctx, text)
    if step == "edit":
        field = _EDIT_CHOICES.get(text[:1])
        if field is None:
            return Outcome(reply=ASK_EDIT, conversation=conversation, intent=Intent.VISITOR)
        slots.pop(field, None)
        return Outcome(
            reply=ASK[field],
            conversation=Conversation(flow=FLOW, step=field, slots=slots),
            intent=Intent.VISITOR,
        )
    if wants_cancel(text, analysis):
        return Outcome(reply=CANCELLED, conversation=None, intent=Intent.CANCEL)
    found = read_answer(text, ctx.now)
    if step == "plate" and _NO_CAR.match(text):
        found["plate"] = ""
    elif step == "plate" and "plate" not in found and _PLATE_LIKE.search(text):
        return Outcome(
            reply="车牌号格式好像不对，请再核对一下，如“粤B12345”；不开车回复“无”。",
            conversation=conversation,
            intent=Intent.VISITOR,
        )
    elif step == "count" and "count" not in found and text.isdigit():
        found["count"] = int(text)
    elif step == "visitor_name" and "visitor_name" not in found and 0 < len(text) <= 12:
        found["visitor_name"] = text
    problem = _take(slots, found, ctx)
    return _next(Conversation(flow=FLOW, slots=slots), ctx, problem)


def _take(slots: dict[str, Any], found: dict[str, Any], ctx: Context) -> str | None:
    """Copy what the message states into the form; return a question about a bad time."""
    for name in ("visitor_name", "count", "plate"):
        if name in found and name not in slots:
            slots[name] = found[name]
    when = found.get("visit_at")
    if isinstance(when, datetime):
        if when < ctx.now - PAST_GRACE:
            return f"{local(when)} 已经过去了，请重新说一下来访时间。"
        if when > ctx.now + MAX_AHEAD:
            return f"{local(when)} 离现在超过 30 天了，请确认一下日期。"
        slots["visit_at"] = when.isoformat()
    return None


def _next(conversation: Conversation, ctx: Context, problem: str | None) -> Outcome:
    slots = conversation.slots
    for field in ("visitor_name", "visit_at", "count", "plate"):
        if field not in slots:
            question = problem if (problem and field == "visit_at") else ASK[field]
            return Outcome(
                reply=question, conversation=conversation.at(field), intent=Intent.VISITOR
            )
    when = datetime.fromisoformat(slots["visit_at"])
    plate = slots["plate"] or "不开车"
    summary = (
        f"请确认访客信息：\n来访人：{slots['visitor_name']}\n时间：{local(when)}\n"
        f"人数：{slots['count']} 位\n车牌：{plate}\n"
    )
    return Outcome(
        reply=summary + CONFIRM_PROMPT, conversation=conversation.at("confirm"), intent="visitor"
    )


def _confirm(conversation: Conversation, ctx: Context, text: str) -> Outcome:
    answer = yes_no(text)
    if answer == "no":
        return Outcome(reply=CANCELLED, conversation=None, intent=Intent.CANCEL)
    if answer == "edit":
        return Outcome(reply=ASK_EDIT, conversation=conversation.at("edit"), intent="visitor")
    if answer != "yes":
        return Outcome(
            reply="请回复 1 确认，2 修改，0 取消。", conversation=conversation, intent="visitor"
        )
    slots = conversation.slots
    when = datetime.fromisoformat(slots["visit_at"])
    plate = slots["plate"] or None
    effect = CreateVisitorPass(
        idem_key=f"wx:{slots.get('form')}",
        visitor_name=str(slots["visitor_name"]),
        visit_at=when,
        people=int(slots["count"]),
        valid_from=when - PASS_BEFORE,
        valid_until=when + PASS_AFTER,
        plate=plate,
    )
    room = ctx.facts.resident.room_label or ""
    car = f"，车牌 {plate}" if plate else ""
    forward = (
        f"【访客通行】{slots['visitor_name']}，{local(when)} 到访 {room}，"
        f"{slots['count']} 位{car}。到门岗出示通行码 $pass_code 即可进入"
        f"（{local(effect.valid_from)} 至 {local(effect.valid_until)} 有效）。"
    )
    reply = f"登记好了，通行码 $pass_code。可以把下面这段转发给访客：\n{forward}"
    notify = NotifyStaff(
        group="gate",
        event="visitor",
        text=f"访客预约：{slots['visitor_name']} {local(when)} 到 {room}，{slots['count']} 位{car}",
    )
    done = Conversation(flow="done", slots={"ticket_form": slots.get("form")})
    return Outcome(reply=reply, conversation=done, effects=(effect, notify), intent="visitor")
