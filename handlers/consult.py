"""Consultation (咨询): until the FAQ answers on the spot, customer service replies in person."""

from __future__ import annotations

from handlers.common import idem_key
from handlers.types import Context, CreateTicket, Incoming, Outcome, TicketKind
from nlu import Analysis

CONSULT_RESPONSE_HOURS = 2


def start(incoming: Incoming, analysis: Analysis, ctx: Context) -> Outcome:
    effect = CreateTicket(
        kind=TicketKind.CONSULT,
        description=incoming.text.strip(),
        idem_key=idem_key(incoming),
    )
    reply = (
        f"您的问题已转给客服（工单 #$ticket_no），工作时间内 {CONSULT_RESPONSE_HOURS} 小时内"
        "给您答复。"
    )
    return Outcome(reply=reply, conversation=None, effects=(effect,), intent=analysis.intent)
