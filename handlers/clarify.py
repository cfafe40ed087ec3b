"""When the NLU cannot tell a repair from a complaint, ask: "您是要报修还是投诉？".

A wrong guess costs more than a question: a complaint filed as a repair sends a technician
to a noise problem, a repair filed as a complaint waits two hours for customer service.
The first message's text and slots are kept, so the answer "1" starts the chosen request
as if the resident had been clear, without asking again for what they already said.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

from handlers import complaint, repair
from handlers.types import Context, Conversation, Incoming, Outcome
from nlu import Analysis, Intent

FLOW = "clarify"
QUESTION = "您是要报修还是投诉？回复 1 报修（请师傅来处理），2 投诉（反映问题、表达不满）"
PAIR = frozenset({Intent.REPAIR, Intent.COMPLAINT})
# Below this confidence, with the other one of the pair as runner-up, the bot asks.
# Measured (docs/nlu.md, "Asking when unsure"): on the hard emergency/near-miss sets both
# pair guesses under 0.4 were wrong, 7 of 10 right in 0.4-0.5; on the natural-mix sets it
# asks about 2% of repair/complaint messages. Higher would mostly annoy clear residents.
CLARIFY_BELOW = 0.4
_REPAIR = re.compile(r"^\s*(?:1|一|报修|修|维修|派师傅|找师傅)")
_COMPLAINT = re.compile(r"^\s*(?:2|二|投诉|反映|意见)")


def unsure(analysis: Analysis) -> bool:
    return (
        not analysis.urgent
        and analysis.intent in PAIR
        and analysis.runner_up in PAIR
        and analysis.runner_up is not analysis.intent
        and analysis.confidence < CLARIFY_BELOW
    )


def ask(incoming: Incoming, analysis: Analysis) -> Outcome:
    slots: dict[str, Any] = {
        "text": incoming.text,
        # Repair and complaint slots are plain JSON (no visit time), so they keep in Redis.
        "slots": {k: v for k, v in analysis.slots.items() if k != "visit_at"},
        "normalized": analysis.normalized,
    }
    return Outcome(
        reply=QUESTION, conversation=Conversation(flow=FLOW, slots=slots), intent="clarify"
    )


def resume(
    incoming: Incoming, conversation: Conversation, analysis: Analysis, ctx: Context
) -> Outcome | None:
    """Start what the resident chose; None when the answer is a new message instead."""
    answer = incoming.text
    if _REPAIR.match(answer):
        chosen = Intent.REPAIR
    elif _COMPLAINT.match(answer):
        chosen = Intent.COMPLAINT
    else:
        return None
    first = replace(incoming, text=str(conversation.slots.get("text", "")))
    saved = conversation.slots.get("slots")
    known = Analysis(
        intent=chosen,
        confidence=1.0,
        runner_up=None,
        urgent=False,
        slots=dict(saved) if isinstance(saved, dict) else {},
        normalized=str(conversation.slots.get("normalized", "")),
    )
    start = repair.start if chosen is Intent.REPAIR else complaint.start
    return start(first, known, ctx)
