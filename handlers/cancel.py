"""Cancel (取消): a form in progress at once; an open ticket only after a confirmation."""

from __future__ import annotations

from handlers.common import yes_no
from handlers.effects import CancelTicket, NotifyStaff
from handlers.facts import NeedMyTickets
from handlers.texts import CANCELLED
from handlers.types import Context, Conversation, Incoming, Outcome
from nlu import Analysis, Intent

FLOW = "cancel_ticket"
# Only tickets nobody has started on can be withdrawn by the resident.
CANCELLABLE = frozenset({"new", "assigned", "reopened", "paused"})


def start(incoming: Incoming, analysis: Analysis, ctx: Context) -> Outcome:
    need = NeedMyTickets()
    if not ctx.facts.has(need):
        return Outcome(reply=None, needs=(need,))
    raw = analysis.slots.get("ticket_no")
    number = int(raw) if isinstance(raw, str) and raw.isdigit() else None
    mine = [t for t in ctx.facts.my_tickets or () if t.status in CANCELLABLE]
    if number is not None:
        mine = [t for t in mine if t.number == number]
    if not mine:
        return Outcome(reply="好的。您目前没有可以取消的工单。", intent=Intent.CANCEL)
    if len(mine) > 1:
        listed = "、".join(f"#{t.number}" for t in mine[:5])
        return Outcome(
            reply=f"您有这些进行中的工单：{listed}。要取消哪一个？请回复“取消 #单号”。",
            intent=Intent.CANCEL,
        )
    ticket = mine[0]
    question = f"确认取消工单 #{ticket.number}（{ticket.description[:20]}）吗？"
    return Outcome(
        reply=question + "回复 1 确认，0 不取消",
        conversation=Conversation(flow=FLOW, step="confirm", slots={"number": ticket.number}),
        intent=Intent.CANCEL,
    )


def resume(
    incoming: Incoming, conversation: Conversation, analysis: Analysis, ctx: Context
) -> Outcome:
    answer = yes_no(incoming.text)
    number = int(conversation.slots["number"])
    if answer == "yes":
        return Outcome(
            reply=f"工单 #{number} 已取消。还有需要随时找我。",
            conversation=None,
            effects=(
                CancelTicket(number, reason="住户取消"),
                NotifyStaff(
                    group="repair",
                    event="cancelled",
                    text=f"住户取消了工单 #{number}",
                    ticket=number,
                ),
            ),
            intent=Intent.CANCEL,
        )
    if answer in ("no", "edit"):
        return Outcome(reply=f"好的，工单 #{number} 继续处理。", conversation=None)
    return Outcome(
        reply="请回复 1 确认取消，0 不取消。", conversation=conversation, intent=Intent.CANCEL
    )


def nothing_to_cancel() -> Outcome:
    return Outcome(reply=CANCELLED, intent=Intent.CANCEL)
