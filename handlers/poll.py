"""验收与评价: after staff finish a job the resident confirms it and rates it (1-5).

"未解决" or a rating of 2 or less reopens the job and tells staff; the resident is told who
will call them.
"""

from __future__ import annotations

import re

from handlers.common import yes_no
from handlers.effects import ConfirmResolved, Effect, NotifyStaff, RateTicket, Reopen
from handlers.facts import NeedMyTickets, TicketFacts
from handlers.types import Context, Conversation, Incoming, Outcome
from nlu import Analysis, Intent

FLOW = "rate"
ASK_RATING = "请为这次服务打个分：回复 1-5（5 分最满意），也可以说说您的意见。"
_NOT_FIXED = re.compile(r"未解决|没解决|没有解决|没修好|还是不行|还是坏|没好|又坏")
_FIXED = re.compile(r"已解决|解决了|修好了|好了|可以了|没问题")
_WORDS = (
    (re.compile(r"非常满意|很满意|特别满意|超级满意|满分|好评|五星"), 5),
    (re.compile(r"非常不满意|很不满意|很差|太差|差评|垃圾"), 1),
    (re.compile(r"不太满意|不满意|不咋地"), 2),
    (re.compile(r"一般|还行|还可以|凑合"), 3),
    (re.compile(r"满意|不错|蛮好|挺好|很好"), 4),
)


def awaiting(ctx: Context) -> TicketFacts | None:
    """The resident's newest job that staff finished and they have not confirmed yet."""
    for ticket in ctx.facts.my_tickets or ():
        if ticket.status == "resolved":
            return ticket
    return None


def looks_like_answer(text: str, analysis: Analysis) -> bool:
    return (
        analysis.intent is Intent.RATING
        or yes_no(text) in ("yes", "edit")
        or bool(_NOT_FIXED.search(text) or _FIXED.search(text))
    )


def confirm(incoming: Incoming, analysis: Analysis, ctx: Context) -> Outcome | None:
    """The answer to "问题解决了吗"; None when there is no finished job to confirm."""
    need = NeedMyTickets()
    if not ctx.facts.has(need):
        return Outcome(reply=None, needs=(need,))
    ticket = awaiting(ctx)
    if ticket is None:
        return None
    text = incoming.text.strip()
    # "1 已解决 / 2 未解决" is what was asked, so 1 and 2 answer that, not a rating.
    answer = yes_no(text)
    if _NOT_FIXED.search(text) or answer == "edit":
        return reopen(ticket.number, "住户反馈未解决", [])
    if answer == "yes" or _FIXED.search(text):
        return Outcome(
            reply="好的，感谢确认！" + ASK_RATING,
            conversation=Conversation(flow=FLOW, slots={"number": ticket.number}),
            effects=(ConfirmResolved(ticket.number),),
            intent="confirm",
        )
    score = _score(text, analysis)
    if score is None:
        return None
    # A rating alone also says the job is done.
    return rate(ticket.number, score, text, confirmed=False)


def resume(
    incoming: Incoming, conversation: Conversation, analysis: Analysis, ctx: Context
) -> Outcome:
    number = int(conversation.slots["number"])
    text = incoming.text.strip()
    score = _score(text, analysis)
    if score is None:
        if len(text) >= 4:
            # A comment without a number: keep it and ask for the score once more.
            return Outcome(
                reply="收到您的意见。请再回复 1-5 打个分（5 分最满意）。",
                conversation=conversation.with_slots(comment=text),
                intent=Intent.RATING,
            )
        return Outcome(reply=ASK_RATING, conversation=conversation, intent=Intent.RATING)
    comment = str(conversation.slots.get("comment") or text)
    return rate(number, score, comment, confirmed=True)


def rate(number: int, score: int, comment: str, *, confirmed: bool) -> Outcome:
    effects: list[Effect] = [] if confirmed else [ConfirmResolved(number)]
    effects.append(RateTicket(number, score, comment[:200]))
    effects.append(
        NotifyStaff(group="repair", event="rated", text=f"{score} 分 {comment[:60]}", ticket=number)
    )
    if score <= 2:
        return reopen(number, f"住户评分 {score} 分：{comment[:60]}", effects)
    return Outcome(
        reply=f"谢谢您的评价（{score} 分）！有需要随时找我。",
        conversation=None,
        effects=tuple(effects),
        intent=Intent.RATING,
    )


def reopen(number: int, reason: str, effects: list[Effect]) -> Outcome:
    reply = f"非常抱歉这次没让您满意，工单 #{number} 已重新打开，主管会尽快给您回电话跟进。"
    return Outcome(
        reply=reply,
        conversation=None,
        effects=(
            *effects,
            Reopen(number, reason),
            NotifyStaff(group="supervisors", event="reopened", text=reason, ticket=number),
        ),
        intent="reopen",
    )


def _score(text: str, analysis: Analysis) -> int | None:
    slot = analysis.slots.get("rating")
    if isinstance(slot, int) and 1 <= slot <= 5:
        return slot
    stripped = text.strip(" 分星。.!！")
    if stripped in {"1", "2", "3", "4", "5"}:
        return int(stripped)
    for pattern, score in _WORDS:
        if pattern.search(text):
            return score
    return None
