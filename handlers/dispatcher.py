"""Route one incoming message to the handler that decides what happens.

`dispatch` is pure: it reads the message, the conversation and the NLU's analysis and
returns an Outcome; `bot/` carries out the effects and sends the reply.
"""

from __future__ import annotations

from handlers import complaint, consult, repair, welcome
from handlers.texts import CANCELLED, VOICE_UNHEARD
from handlers.types import Context, Conversation, Incoming, Kind, Outcome
from nlu import Analysis, Intent

# Menu buttons (CLICK event keys) and the text they stand for.
MENU_KEYS = {"REPAIR": "我要报修", "COMPLAINT": "我要投诉", "CONSULT": "我要咨询"}


def dispatch(
    incoming: Incoming, conversation: Conversation, analysis: Analysis, ctx: Context
) -> Outcome:
    if incoming.kind is Kind.EVENT:
        return _event(incoming, conversation, analysis, ctx)
    if incoming.kind is Kind.VOICE and not incoming.text:
        return Outcome(reply=VOICE_UNHEARD, conversation=conversation)
    if conversation.flow == repair.FLOW:
        return repair.resume(incoming, conversation, analysis, ctx)
    if incoming.kind is Kind.IMAGE:
        return Outcome(
            reply="照片收到了。请用文字说说需要帮您做什么，比如“卫生间漏水”。",
            conversation=conversation,
        )
    if incoming.kind is Kind.LOCATION:
        return Outcome(reply="位置收到了。请再说说需要帮您做什么。", conversation=conversation)
    if incoming.kind not in (Kind.TEXT, Kind.VOICE):
        return welcome.not_understood()
    return _text(incoming, analysis, ctx)


def _text(incoming: Incoming, analysis: Analysis, ctx: Context) -> Outcome:
    # An emergency is a repair whatever else the message sounds like.
    if analysis.urgent:
        return repair.urgent(incoming, analysis, ctx)
    match analysis.intent:
        case Intent.REPAIR:
            return repair.start(incoming, analysis, ctx)
        case Intent.COMPLAINT:
            return complaint.start(incoming, analysis, ctx)
        case Intent.CONSULT | Intent.VISITOR | Intent.STATUS:
            return consult.start(incoming, analysis, ctx)
        case Intent.CANCEL:
            return Outcome(reply=CANCELLED, intent=Intent.CANCEL)
        case Intent.RATING:
            return Outcome(reply="收到，谢谢您的反馈！", intent=Intent.RATING)
        case Intent.GREETING:
            return welcome.greeting()
        case _:
            return welcome.not_understood()


def _event(
    incoming: Incoming, conversation: Conversation, analysis: Analysis, ctx: Context
) -> Outcome:
    match incoming.event:
        case "subscribe":
            return welcome.subscribed()
        case "unsubscribe":
            return welcome.unsubscribed()
        case "click" if incoming.event_key in MENU_KEYS:
            text = MENU_KEYS[incoming.event_key or ""]
            if text == MENU_KEYS["REPAIR"]:
                return repair.start(incoming, analysis, ctx)
            return Outcome(reply="好的，请直接说说具体情况。", conversation=conversation)
        case "click":
            # A menu button this version does not know: show what the bot can do.
            return welcome.greeting()
        case _:
            # Scans, location reports, delivery receipts and menu views need no answer.
            return Outcome(reply=None, conversation=conversation)
