"""Consultation (咨询): answer from the FAQ on the spot; otherwise hand over to customer service."""

from __future__ import annotations

import re

from handlers.common import idem_key, yes_no
from handlers.effects import CreateTicket, NotifyStaff, TicketKind
from handlers.types import Context, Conversation, Incoming, Outcome
from nlu import Analysis, Intent

FLOW = "faq"
ASK_SOLVED = "是否解决了您的问题？回复 1 已解决，2 没解决（转人工）"
_HUMAN = re.compile(r"转人工|人工|真人|客服")
_UNSOLVED = re.compile(r"没解决|没有解决|不是|不对|没用|没懂|还是不|答非所问")


def start(incoming: Incoming, analysis: Analysis, ctx: Context) -> Outcome:
    text = incoming.text.strip()
    if _HUMAN.search(text) or ctx.faq is None:
        return hand_over(incoming, ctx, question=text)
    match = ctx.faq.best(text)
    if match is None:
        return hand_over(incoming, ctx, question=text)
    return Outcome(
        reply=f"{match.entry.answer}\n\n{ASK_SOLVED}",
        conversation=Conversation(flow=FLOW, step="solved", slots={"question": text}),
        intent=Intent.CONSULT,
    )


def resume(
    incoming: Incoming, conversation: Conversation, analysis: Analysis, ctx: Context
) -> Outcome | None:
    """The answer to "是否解决了"; None when the message is about something else."""
    text = incoming.text.strip()
    answer = yes_no(text)
    if answer == "yes" or re.search(r"解决了|明白了|知道了|懂了|谢谢|好的", text):
        return Outcome(reply="好的，很高兴帮到您，有事随时找我。", conversation=None, intent="faq")
    if answer in ("edit", "no") or _UNSOLVED.search(text) or _HUMAN.search(text):
        question = str(conversation.slots.get("question") or text)
        return hand_over(incoming, ctx, question=question)
    return None


def hand_over(incoming: Incoming, ctx: Context, *, question: str) -> Outcome:
    effect = CreateTicket(
        kind=TicketKind.CONSULT,
        description=question or "住户要求人工客服",
        idem_key=idem_key(incoming),
    )
    notify = NotifyStaff(group="service", event="new_ticket", text=f"住户咨询：{question}")
    reply = f"已转给客服（工单 #$ticket_no），{ctx.promise('consult')}给您答复。"
    return Outcome(reply=reply, conversation=None, effects=(effect, notify), intent=Intent.CONSULT)
