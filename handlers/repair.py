"""Repair (报修): a description becomes a ticket; an urgent one skips every question."""

from __future__ import annotations

import re

from handlers.common import idem_key, location_text
from handlers.texts import CANCELLED, minutes_text
from handlers.types import (
    Context,
    Conversation,
    CreateTicket,
    Incoming,
    Outcome,
    Priority,
    TicketKind,
)
from nlu import Analysis, Intent

FLOW = "repair"

# Words that only say "I want a repair" and describe nothing.
_LEAD_IN = re.compile(
    r"^\s*(?:你好|您好)?[，,\s]*(?:我要|我想|想|需要|申请|帮我)?(?:报修|维修|修理)[:：，,\s]*"
)

ASK_DESCRIPTION = "好的，请描述一下哪里出了什么问题，比如“厨房水龙头一直滴水”。也可以发照片。"

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
    """First message of a repair: create at once if it already says what is wrong."""
    if analysis.urgent:
        return urgent(incoming, analysis, ctx)
    description = description_from(incoming.text)
    if len(description) < 2:
        return Outcome(
            reply=ASK_DESCRIPTION,
            conversation=Conversation(flow=FLOW, step="describe"),
            intent=Intent.REPAIR,
        )
    return _create(incoming, analysis, ctx, description, media=())


def resume(
    incoming: Incoming, conversation: Conversation, analysis: Analysis, ctx: Context
) -> Outcome:
    """The resident answers the description question (text or photo)."""
    if analysis.intent is Intent.CANCEL:
        return Outcome(reply=CANCELLED, conversation=None, intent=Intent.CANCEL)
    media = tuple(conversation.slots.get("media_ids", ()))
    if incoming.media_id is not None and not incoming.text:
        return Outcome(
            reply="照片收到了。再用一句话说说是什么问题吧。",
            conversation=Conversation(
                flow=FLOW, step="describe", slots={"media_ids": [*media, incoming.media_id]}
            ),
            intent=Intent.REPAIR,
        )
    if analysis.urgent:
        return urgent(incoming, analysis, ctx)
    description = description_from(incoming.text)
    if len(description) < 2:
        return Outcome(reply=ASK_DESCRIPTION, conversation=conversation, intent=Intent.REPAIR)
    return _create(incoming, analysis, ctx, description, media=media)


def urgent(incoming: Incoming, analysis: Analysis, ctx: Context) -> Outcome:
    category = analysis.slots.get("category")
    advice = _SAFETY.get(str(category), _SAFETY_DEFAULT)
    effect = CreateTicket(
        kind=TicketKind.REPAIR,
        description=incoming.text.strip() or "紧急情况",
        idem_key=idem_key(incoming),
        category=category if isinstance(category, str) else None,
        priority=Priority.URGENT,
        location=location_text(analysis),
    )
    reply = f"已收到紧急报修（工单 #$ticket_no），值班人员已接到通知，马上处理。{advice}"
    return Outcome(reply=reply, conversation=None, effects=(effect,), intent=Intent.REPAIR)


def _create(
    incoming: Incoming,
    analysis: Analysis,
    ctx: Context,
    description: str,
    *,
    media: tuple[str, ...],
) -> Outcome:
    category = analysis.slots.get("category")
    effect = CreateTicket(
        kind=TicketKind.REPAIR,
        description=description,
        idem_key=idem_key(incoming),
        category=category if isinstance(category, str) else None,
        location=location_text(analysis),
        media_ids=media,
    )
    limit = minutes_text(ctx.repair_response_minutes)
    reply = f"工单 #$ticket_no 已受理，维修人员将在 {limit}内联系您。"
    return Outcome(reply=reply, conversation=None, effects=(effect,), intent=Intent.REPAIR)
