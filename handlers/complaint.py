"""Complaint (投诉): recorded as a ticket for customer service with the promised reply time."""

from __future__ import annotations

from handlers.common import idem_key, location_text
from handlers.types import Context, CreateTicket, Incoming, Outcome, TicketKind
from nlu import Analysis, Intent

COMPLAINT_RESPONSE_HOURS = 24


def start(incoming: Incoming, analysis: Analysis, ctx: Context) -> Outcome:
    effect = CreateTicket(
        kind=TicketKind.COMPLAINT,
        description=incoming.text.strip(),
        idem_key=idem_key(incoming),
        category=_category(analysis),
        location=location_text(analysis),
    )
    reply = (
        f"您反映的情况已登记（工单 #$ticket_no），客服会在 {COMPLAINT_RESPONSE_HOURS} 小时内"
        "联系您并跟进处理结果。给您添麻烦了。"
    )
    return Outcome(reply=reply, conversation=None, effects=(effect,), intent=Intent.COMPLAINT)


def _category(analysis: Analysis) -> str | None:
    category = analysis.slots.get("category")
    return category if isinstance(category, str) else None
