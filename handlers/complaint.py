"""Complaint (投诉): what happened, where, what the resident wants; linked and weighed.

A complaint about an earlier repair (nobody came, came late, bad work) links to it. The same
resident on the same topic within 30 days, or three residents about one place within 7
days, marks the ticket as repeated (重复投诉) for escalation.
"""

from __future__ import annotations

import re
from typing import Any

from handlers import binding
from handlers.common import (
    CONFIRM_PROMPT,
    form_id,
    wants_cancel,
    what_and_where,
    yes_no,
)
from handlers.effects import CreateTicket, NotifyStaff, TicketKind
from handlers.facts import NeedComplaintHistory, NeedMyTickets
from handlers.texts import CANCELLED
from handlers.types import Context, Conversation, Incoming, Outcome
from nlu import Analysis, Intent

FLOW = "complaint"
ASK_WANT = "您希望我们怎么处理？比如“尽快派人来修”“给个说法”，没有特别要求请回复“无”。"
ASK_DESCRIPTION = "请说说发生了什么事，在哪里。"
ASK_EDIT = "要改哪一项？回复 1 事情经过，2 处理诉求"
# Words that say the complaint is about an earlier repair or its technician.
_ABOUT_REPAIR = re.compile(r"修|师傅|维修|没来|没人来|没见|人影|上门|报了|报修|又坏|又漏|返工")
_NOTHING = re.compile(r"^\s*(?:无|没有|没了|没|不用|随便|都行)\s*$")


def start(incoming: Incoming, analysis: Analysis, ctx: Context) -> Outcome:
    if not ctx.facts.resident.bound:
        return binding.start(incoming, analysis, ctx, pending=incoming.text)
    slots: dict[str, Any] = {"form": form_id(incoming)}
    text = incoming.text.strip()
    if len(text) >= 4:
        slots["description"] = text
    slots.update(what_and_where(analysis))
    if _ABOUT_REPAIR.search(text):
        slots["about_repair"] = True
    return _next(Conversation(flow=FLOW, slots=slots), ctx)


def resume(
    incoming: Incoming, conversation: Conversation, analysis: Analysis, ctx: Context
) -> Outcome:
    text = incoming.text.strip()
    slots = dict(conversation.slots)
    if conversation.step == "confirm":
        return _confirm(conversation, ctx, text)
    if conversation.step == "edit":
        field = {"1": "description", "2": "want"}.get(text[:1])
        if field is None:
            return Outcome(reply=ASK_EDIT, conversation=conversation, intent=Intent.COMPLAINT)
        slots.pop(field, None)
        question = ASK_DESCRIPTION if field == "description" else ASK_WANT
        return Outcome(
            reply=question,
            conversation=Conversation(flow=FLOW, step=field, slots=slots),
            intent=Intent.COMPLAINT,
        )
    if wants_cancel(text, analysis):
        return Outcome(reply=CANCELLED, conversation=None, intent=Intent.CANCEL)
    if conversation.step == "want":
        slots["want"] = "无" if _NOTHING.match(text) else text
    elif text:
        slots["description"] = text
        if _ABOUT_REPAIR.search(text):
            slots["about_repair"] = True
    return _next(Conversation(flow=FLOW, slots=slots), ctx)


def _next(conversation: Conversation, ctx: Context) -> Outcome:
    slots = conversation.slots
    if "description" not in slots:
        return Outcome(
            reply=ASK_DESCRIPTION,
            conversation=conversation.at("description"),
            intent=Intent.COMPLAINT,
        )
    if "want" not in slots:
        return Outcome(
            reply="明白，给您添麻烦了。" + ASK_WANT,
            conversation=conversation.at("want"),
            intent=Intent.COMPLAINT,
        )
    summary = f"请确认：\n情况：{slots['description']}\n诉求：{slots['want']}\n"
    return Outcome(
        reply=summary + CONFIRM_PROMPT,
        conversation=conversation.at("confirm"),
        intent=Intent.COMPLAINT,
    )


def _confirm(conversation: Conversation, ctx: Context, text: str) -> Outcome:
    answer = yes_no(text)
    if answer == "no":
        return Outcome(reply=CANCELLED, conversation=None, intent=Intent.CANCEL)
    if answer == "edit":
        return Outcome(
            reply=ASK_EDIT, conversation=conversation.at("edit"), intent=Intent.COMPLAINT
        )
    if answer != "yes":
        return Outcome(
            reply="请回复 1 确认提交，2 修改，0 取消。",
            conversation=conversation,
            intent=Intent.COMPLAINT,
        )
    slots = conversation.slots
    needs: list[Any] = []
    if slots.get("about_repair") and not ctx.facts.has(NeedMyTickets()):
        needs.append(NeedMyTickets())
    topic = slots.get("category") or slots.get("location")
    history_need = (
        NeedComplaintHistory(topic=str(topic), place=slots.get("location")) if topic else None
    )
    if history_need is not None and not ctx.facts.has(history_need):
        needs.append(history_need)
    if needs:
        return Outcome(reply=None, conversation=conversation, needs=tuple(needs))
    linked = _linked_repair(ctx) if slots.get("about_repair") else None
    repeated = False
    if history_need is not None:
        history = ctx.facts.complaint_history[history_need]
        repeated = history.same_resident >= 1 or history.residents_at_place >= 2
    description = str(slots["description"])
    if slots.get("want") and slots["want"] != "无":
        description += f"\n诉求：{slots['want']}"
    effect = CreateTicket(
        kind=TicketKind.COMPLAINT,
        description=description,
        idem_key=f"wx:{slots.get('form')}",
        category=slots.get("category"),
        location=slots.get("location"),
        linked_ticket=linked,
        repeated=repeated,
    )
    reply = (
        f"您反映的情况已登记（工单 #$ticket_no），客服会在 {ctx.promise('complaint')}"
        "联系您并跟进处理结果。"
    )
    if linked is not None:
        reply += f"已关联您之前的工单 #{linked}。"
    if repeated:
        reply += "这个问题之前也有反映，我们会升级处理。"
    label = "重复投诉" if repeated else "新投诉"
    notify = NotifyStaff(
        group="service", event="new_ticket", text=f"{label}：{slots['description']}"
    )
    done = Conversation(flow="done", slots={"ticket_form": slots.get("form")})
    return Outcome(
        reply=reply, conversation=done, effects=(effect, notify), intent=Intent.COMPLAINT
    )


def _linked_repair(ctx: Context) -> int | None:
    for ticket in ctx.facts.my_tickets or ():
        if ticket.kind == "repair":
            return ticket.number
    return None
