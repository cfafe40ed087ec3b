"""Repair (报修): where, what, photos, a convenient time, confirm, ticket.

An urgent report skips every question, binding included: staff are alerted at once and the
resident is told what to do in the meantime.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

from handlers import binding
from handlers.common import (
    CONFIRM_PROMPT,
    form_id,
    idem_key,
    location_text,
    wants_cancel,
    what_and_where,
    yes_no,
)
from handlers.effects import CreateTicket, NotifyStaff, Priority, TicketKind
from handlers.facts import NeedPublicDuplicate
from handlers.texts import CANCELLED
from handlers.types import Context, Conversation, Incoming, Kind, Outcome
from nlu import Analysis, Intent

FLOW = "repair"

_LEAD_IN = re.compile(
    r"^\s*(?:你好|您好)?[，,\s]*(?:我要|我想|想|需要|申请|帮我)?(?:报修|维修|修理)[:：，,\s]*"
)
# The resident says it cannot wait: the form stops and the report goes out as an emergency
# (the dispatcher reads the same answer after it asked about a doubtful message).
SAYS_URGENT = re.compile(
    r"^\s*(?:很|特别|非常|十分|挺)?(?:紧急|急|着急|危险|急急急)(?:的|啊|呀|了)?[!！。.\s]*$|^\s*快来人"
)
_ANY_TIME = re.compile(r"随时|都行|都可以|都方便|无所谓|不限|任何时间|尽快|越快越好")

ASK_DESCRIPTION = "请说说哪里出了什么问题，比如“厨房水龙头一直滴水”。也可以发照片。"
ASK_LOCATION = "请问是在哪里？回复房号（如 3栋2单元1201）或公共区域（如 2号楼电梯、地库）。"
ASK_TIME = "师傅什么时候上门方便？比如“明天上午”，随时都行请回复“随时”；情况紧急请回复“紧急”。"
ASK_EDIT = "要改哪一项？回复 1 位置，2 问题描述，3 上门时间"

_QUESTIONS = {"location": ASK_LOCATION, "description": ASK_DESCRIPTION, "time": ASK_TIME}
_EDIT_CHOICES = {"1": "location", "2": "description", "3": "time"}

# What to do in the minutes before staff arrive, by category; residents act on these.
_SAFETY = {
    "gas": "请不要开关任何电器、不要用明火，马上开窗通风，尽快离开房间，关闭燃气总阀。",
    "lift": "请保持冷静，按电梯里的警铃或拨打轿厢电话，不要扒门，救援人员马上到。",
    "water": "请先关闭进户水阀，把贵重物品和电器挪开，注意用电安全。",
    "drain": "请暂停用水，把物品挪离积水处。",
    "electric": (
        "请不要触碰，远离冒火花或裸露的电线；能安全操作的话先拉下总闸。有明火请立即拨打 119。"
    ),
}
_SAFETY_DEFAULT = "请先远离危险区域，注意安全。有人受伤请立即拨打 120，有明火请拨打 119。"


def description_from(text: str) -> str:
    return _LEAD_IN.sub("", text, count=1).strip(" ，,。.!！")


def start(incoming: Incoming, analysis: Analysis, ctx: Context) -> Outcome:
    if analysis.urgent:
        return urgent(incoming, analysis, ctx)
    if not ctx.facts.resident.bound:
        return binding.start(incoming, analysis, ctx, pending=incoming.text or "我要报修")
    slots: dict[str, Any] = {"form": form_id(incoming), "media_ids": []}
    if incoming.media_id and incoming.kind is Kind.IMAGE:
        slots["media_ids"] = [incoming.media_id]
    slots.update(_read(incoming.text, analysis, ctx, first=True))
    return _next(Conversation(flow=FLOW, slots=slots), ctx)


def resume(
    incoming: Incoming, conversation: Conversation, analysis: Analysis, ctx: Context
) -> Outcome:
    text = incoming.text.strip()
    slots = dict(conversation.slots)
    if incoming.kind is Kind.IMAGE and incoming.media_id:
        slots["media_ids"] = [*slots.get("media_ids", []), incoming.media_id]
        reply_more = "照片收到了。"
        return _next(Conversation(flow=FLOW, slots=slots), ctx, prefix=reply_more)
    if incoming.kind is Kind.LOCATION and incoming.location is not None:
        slots["location"] = incoming.location.label or "发送的位置"
        return _next(Conversation(flow=FLOW, slots=slots), ctx)
    step = conversation.step
    if SAYS_URGENT.match(text):
        described = replace(incoming, text=str(slots.get("description") or "住户报紧急情况"))
        category = slots.get("category")
        known = replace(analysis, urgent=True, slots={"category": category} if category else {})
        return urgent(described, known, ctx, location=slots.get("location"))
    if step == "confirm":
        return _confirm(incoming, conversation, ctx, text)
    if step == "edit":
        field = _EDIT_CHOICES.get(text[:1])
        if field is None:
            return Outcome(reply=ASK_EDIT, conversation=conversation, intent=Intent.REPAIR)
        slots.pop(field, None)
        return Outcome(
            reply=_QUESTIONS[field],
            conversation=Conversation(flow=FLOW, step=field, slots=slots),
            intent=Intent.REPAIR,
        )
    if wants_cancel(text, analysis):
        return Outcome(reply=CANCELLED, conversation=None, intent=Intent.CANCEL)
    if step == "time":
        slots["time"] = "随时" if _ANY_TIME.search(text) else text
    elif step == "location":
        slots["location"] = location_text(analysis) or text
    elif step == "description" and text:
        slots["description"] = description_from(text) or text
    slots.update({k: v for k, v in _read(text, analysis, ctx).items() if k not in slots})
    return _next(Conversation(flow=FLOW, slots=slots), ctx)


def urgent(
    incoming: Incoming, analysis: Analysis, ctx: Context, *, location: object = None
) -> Outcome:
    category = analysis.slots.get("category")
    category = category if isinstance(category, str) else None
    advice = _SAFETY.get(category or "", _SAFETY_DEFAULT)
    if not isinstance(location, str) or not location:
        location = location_text(analysis) or ctx.facts.resident.room_label
    text = incoming.text.strip() or "紧急情况"
    effects = (
        CreateTicket(
            kind=TicketKind.REPAIR,
            description=text,
            idem_key=idem_key(incoming),
            category=category,
            priority=Priority.URGENT,
            location=location,
        ),
        NotifyStaff(
            group="repair", event="urgent", text=f"紧急报修：{text}（{location or '位置待确认'}）"
        ),
    )
    reply = f"已收到紧急报修（工单 #$ticket_no），值班人员已接到通知，马上处理。{advice}"
    if location is None:
        reply += "请回复具体位置（房号或楼栋、区域）。"
    return Outcome(reply=reply, conversation=None, effects=effects, intent=Intent.REPAIR)


def _read(text: str, analysis: Analysis, ctx: Context, *, first: bool = False) -> dict[str, Any]:
    """Whatever this message says about the repair, in any order."""
    found: dict[str, Any] = dict(what_and_where(analysis))
    description = description_from(text)
    has_problem = "category" in found or analysis.intent is Intent.REPAIR
    if description and len(description) >= 2 and (has_problem or not first):
        found["description"] = description
    if analysis.slots.get("area"):
        found["area"] = analysis.slots["area"]
    return found


def _next(conversation: Conversation, ctx: Context, *, prefix: str = "") -> Outcome:
    slots = dict(conversation.slots)
    if "location" not in slots and ctx.facts.resident.room_label and "area" not in slots:
        slots["location"] = ctx.facts.resident.room_label
    for field in ("description", "location", "time"):
        if field not in slots:
            return Outcome(
                reply=prefix + _QUESTIONS[field],
                conversation=Conversation(flow=FLOW, step=field, slots=slots),
                intent=Intent.REPAIR,
            )
    summary = (
        f"请确认报修信息：\n位置：{slots['location']}\n问题：{slots['description']}\n"
        f"上门时间：{slots['time']}\n"
    )
    photos = len(slots.get("media_ids", []))
    if photos:
        summary += f"照片：{photos} 张\n"
    return Outcome(
        reply=prefix + summary + CONFIRM_PROMPT,
        conversation=Conversation(flow=FLOW, step="confirm", slots=slots),
        intent=Intent.REPAIR,
    )


def _confirm(incoming: Incoming, conversation: Conversation, ctx: Context, text: str) -> Outcome:
    answer = yes_no(text)
    if answer == "no":
        return Outcome(reply=CANCELLED, conversation=None, intent=Intent.CANCEL)
    if answer == "edit":
        return Outcome(reply=ASK_EDIT, conversation=conversation.at("edit"), intent=Intent.REPAIR)
    if answer != "yes":
        return Outcome(
            reply="请回复 1 确认提交，2 修改，0 取消。",
            conversation=conversation,
            intent=Intent.REPAIR,
        )
    slots = conversation.slots
    area, category = slots.get("area"), slots.get("category")
    follow: int | None = None
    if area and category:
        # Keyed by the full place ("3栋电梯"), so one building's lift is not another's.
        need = NeedPublicDuplicate(str(slots["location"]), str(category))
        if not ctx.facts.has(need):
            return Outcome(reply=None, conversation=conversation, needs=(need,))
        follow = ctx.facts.public_duplicates[need]
    effect = CreateTicket(
        kind=TicketKind.REPAIR,
        description=str(slots["description"]),
        idem_key=f"wx:{slots.get('form') or incoming.user}",
        category=str(category) if category else None,
        location=str(slots["location"]),
        media_ids=tuple(slots.get("media_ids", [])),
        preferred_time=str(slots.get("time")),
        follow=follow,
    )
    done = Conversation(flow="done", slots={"ticket_form": slots.get("form")})
    if follow is not None:
        reply = f"这个问题已经有邻居报修了（工单 #{follow}），处理好后会一并通知您。"
        return Outcome(reply=reply, conversation=done, effects=(effect,), intent=Intent.REPAIR)
    reply = f"工单 #$ticket_no 已受理，维修人员将在 {ctx.promise('repair')}联系您。"
    notify = NotifyStaff(
        group="repair",
        event="new_ticket",
        text=f"新报修：{slots['description']}（{slots['location']}）",
    )
    return Outcome(reply=reply, conversation=done, effects=(effect, notify), intent=Intent.REPAIR)
