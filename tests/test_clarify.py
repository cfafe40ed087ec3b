""" "您是要报修还是投诉?": asked when the NLU cannot tell the two apart, and the answer starts
the chosen request with what the first message said. Pure: the dispatcher and handlers."""

from __future__ import annotations

from datetime import UTC, datetime

from handlers.dispatcher import dispatch
from handlers.facts import Facts, ResidentFacts
from handlers.types import Context, Conversation, Incoming, Kind
from nlu import Analysis, Intent

NOW = datetime(2026, 11, 18, 2, 0, tzinfo=UTC)
CTX = Context(
    now=NOW,
    facts=Facts(
        resident=ResidentFacts(
            loaded=True, id=1, household_id=1, room_label="3栋2单元1201", verified=True
        )
    ),
)
TEXT = "楼道的灯坏了好几天了"


def message(text: str, number: int) -> Incoming:
    return Incoming(user="o_clarify", kind=Kind.TEXT, time=NOW, msg_id=str(number), text=text)


def analysis(intent: Intent, confidence: float, runner_up: Intent | None) -> Analysis:
    return Analysis(
        intent=intent,
        confidence=confidence,
        runner_up=runner_up,
        urgent=False,
        slots={"area": "楼道", "category": "electric"},
        normalized=TEXT,
    )


def test_unsure_between_repair_and_complaint_asks() -> None:
    outcome = dispatch(
        message(TEXT, 1), Conversation(), analysis(Intent.COMPLAINT, 0.05, Intent.REPAIR), CTX
    )
    assert outcome.reply is not None and "报修还是投诉" in outcome.reply
    assert outcome.conversation is not None and outcome.conversation.flow == "clarify"
    assert not outcome.effects
    # "1": the repair form starts with the first message's description and place.
    answer = analysis(Intent.OTHER, 0.3, None)
    chosen = dispatch(message("1", 2), outcome.conversation, answer, CTX)
    assert chosen.conversation is not None and chosen.conversation.flow == "repair"
    assert chosen.conversation.slots["description"] == TEXT
    assert chosen.conversation.slots["location"] == "楼道"
    # "投诉" picks the complaint form instead.
    other = dispatch(message("投诉", 3), outcome.conversation, answer, CTX)
    assert other.conversation is not None and other.conversation.flow == "complaint"


def test_a_clear_message_or_another_runner_up_is_not_questioned() -> None:
    clear = dispatch(
        message(TEXT, 4), Conversation(), analysis(Intent.REPAIR, 0.6, Intent.COMPLAINT), CTX
    )
    assert clear.conversation is not None and clear.conversation.flow == "repair"
    consult = dispatch(
        message(TEXT, 5), Conversation(), analysis(Intent.REPAIR, 0.05, Intent.CONSULT), CTX
    )
    assert consult.conversation is not None and consult.conversation.flow == "repair"


def test_a_new_request_instead_of_an_answer_is_handled_as_such() -> None:
    asked = dispatch(
        message(TEXT, 6), Conversation(), analysis(Intent.COMPLAINT, 0.05, Intent.REPAIR), CTX
    )
    assert asked.conversation is not None
    hello = Analysis(intent=Intent.GREETING, confidence=0.9, runner_up=None, urgent=False)
    outcome = dispatch(message("你好", 7), asked.conversation, hello, CTX)
    assert outcome.conversation is None or outcome.conversation.flow != "clarify"
    assert outcome.reply is not None and "报修还是投诉" not in outcome.reply
