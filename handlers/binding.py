"""Binding (住户认证): room number, then the last four digits of the registered phone.

Tickets need a verified household. The message that needed it is kept and handled as soon
as binding succeeds, so the resident does not have to repeat it.
"""

from __future__ import annotations

import hmac
import re
from datetime import timedelta

from handlers.common import idem_key, room_label, wants_cancel
from handlers.effects import BindFailed, BindResident, CreateTicket, NotifyStaff, TicketKind
from handlers.facts import NeedHousehold
from handlers.texts import CANCELLED
from handlers.types import Context, Conversation, Incoming, Outcome
from nlu import Analysis
from nlu.answers import read_answer

FLOW = "bind"
MAX_FAILURES = 3
LOCK = timedelta(hours=1)

ASK_ROOM = "请回复您的房号，如 3栋2单元1201"
ASK_PHONE = "请回复该房屋登记手机号的后四位，用于核实身份。"
_FOUR_DIGITS = re.compile(r"^\s*(\d{4})\s*$")
_HUMAN = re.compile(r"人工|客服|转人")


def start(incoming: Incoming, analysis: Analysis, ctx: Context, *, pending: str) -> Outcome:
    """Ask for the room; `pending` is the text to handle once the resident is verified."""
    locked = _locked_reply(ctx)
    if locked:
        return Outcome(reply=locked, conversation=None, intent="bind")
    conversation = Conversation(flow=FLOW, step="room", slots={"pending": pending})
    room = analysis.slots.get("room")
    if isinstance(room, dict) and room.get("building") and room.get("room"):
        return _room_given(conversation, room, ctx)
    return Outcome(
        reply="办理前需要先确认您的住户身份。" + ASK_ROOM,
        conversation=conversation,
        intent="bind",
    )


def resume(
    incoming: Incoming, conversation: Conversation, analysis: Analysis, ctx: Context
) -> Outcome:
    text = incoming.text
    if wants_cancel(text, analysis):
        return Outcome(reply=CANCELLED, conversation=None, intent="cancel")
    if _HUMAN.search(text):
        room = conversation.slots.get("room") or conversation.slots.get("tried") or "未说明"
        note = f"住户身份验证需要人工协助（房号：{room_text(room)}）"
        return Outcome(
            reply=(
                f"好的，已转给客服（工单 #$ticket_no），{ctx.promise('consult')}"
                "联系您核实房屋信息。"
            ),
            conversation=None,
            effects=(
                CreateTicket(
                    kind=TicketKind.CONSULT, description=note, idem_key=idem_key(incoming)
                ),
                NotifyStaff(group="service", event="new_ticket", text=note),
            ),
            intent="bind",
        )
    locked = _locked_reply(ctx)
    if locked:
        return Outcome(reply=locked, conversation=None, intent="bind")
    if conversation.step == "phone":
        return _phone_given(conversation, text, ctx)
    room = analysis.slots.get("room") or read_answer(text, ctx.now).get("room")
    if not (isinstance(room, dict) and room.get("building") and room.get("room")):
        return Outcome(
            reply="没认出房号。" + ASK_ROOM + "（回复“取消”可以退出）",
            conversation=conversation,
            intent="bind",
        )
    return _room_given(conversation, room, ctx)


def _room_given(conversation: Conversation, room: dict[str, str], ctx: Context) -> Outcome:
    need = NeedHousehold(room["building"], room.get("unit", ""), room["room"])
    if not ctx.facts.has(need):
        return Outcome(reply=None, conversation=conversation, needs=(need,))
    household = ctx.facts.households[need]
    if household is None:
        return Outcome(
            reply=(
                f"登记表里没有找到 {room_label(room)}。请核对后重新回复房号，"
                "或回复“人工”由客服帮您登记。"
            ),
            conversation=Conversation(
                flow=FLOW, step="room", slots={**conversation.slots, "tried": dict(room)}
            ),
            intent="bind",
        )
    slots = {**conversation.slots, "room": dict(room)}
    return Outcome(
        reply=ASK_PHONE,
        conversation=Conversation(flow=FLOW, step="phone", slots=slots),
        intent="bind",
    )


def _phone_given(conversation: Conversation, text: str, ctx: Context) -> Outcome:
    match = _FOUR_DIGITS.match(text)
    if match is None:
        return Outcome(reply="请回复 4 位数字，比如 8000。", conversation=conversation)
    room = conversation.slots.get("room") or {}
    need = NeedHousehold(room.get("building", ""), room.get("unit", ""), room.get("room", ""))
    if not ctx.facts.has(need):
        return Outcome(reply=None, conversation=conversation, needs=(need,))
    household = ctx.facts.households[need]
    if household is None:
        return Outcome(reply=ASK_ROOM, conversation=conversation.at("room"), intent="bind")
    if hmac.compare_digest(match.group(1), household.phone_last4):
        pending = str(conversation.slots.get("pending") or "")
        return Outcome(
            reply=f"验证成功，已绑定 {household.label}。",
            conversation=None,
            effects=(BindResident(household.id),),
            intent="bind",
            then_text=pending or None,
        )
    resident = ctx.facts.resident
    lock_over = resident.bind_locked_until is not None and resident.bind_locked_until <= ctx.now
    failures = (0 if lock_over else resident.bind_failures) + 1
    if failures >= MAX_FAILURES:
        return Outcome(
            reply="手机号后四位连续三次不对，为保护住户信息，1 小时内暂停验证。"
            "如有疑问请联系物业服务中心。",
            conversation=None,
            effects=(BindFailed(failures, locked_until=ctx.now + LOCK),),
            intent="bind",
        )
    left = MAX_FAILURES - failures
    return Outcome(
        reply=f"手机号后四位不对，还可以再试 {left} 次。",
        conversation=conversation,
        effects=(BindFailed(failures),),
        intent="bind",
    )


def room_text(room: object) -> str:
    return room_label(room) if isinstance(room, dict) else str(room)


def _locked_reply(ctx: Context) -> str | None:
    until = ctx.facts.resident.bind_locked_until
    if until is None or until <= ctx.now:
        return None
    minutes = max(1, int((until - ctx.now).total_seconds() // 60) + 1)
    return f"验证失败次数过多，请 {minutes} 分钟后再试，或联系物业服务中心。"
