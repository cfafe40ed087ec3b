"""Route one incoming message to the handler that decides what happens.

`dispatch` is pure: it reads the message, the conversation, the NLU's analysis and the
facts `bot/` loaded, and returns an Outcome; `bot/` carries out the effects.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from handlers import (
    binding,
    cancel,
    clarify,
    complaint,
    consult,
    poll,
    repair,
    status,
    visitor,
    welcome,
)
from handlers.common import what_and_where, yes_no
from handlers.facts import NeedResident
from handlers.texts import CANCELLED, URGENT_DOUBT, VOICE_UNHEARD
from handlers.types import Context, Conversation, Incoming, Kind, Outcome
from nlu import Analysis, Intent

Resume = Callable[[Incoming, Conversation, Analysis, Context], Outcome]
Start = Callable[[Incoming, Analysis, Context], Outcome]

FORMS: dict[str, Resume] = {
    repair.FLOW: repair.resume,
    complaint.FLOW: complaint.resume,
    visitor.FLOW: visitor.resume,
    binding.FLOW: binding.resume,
    cancel.FLOW: cancel.resume,
    poll.FLOW: poll.resume,
}
FORM_NAMES = {"repair": "报修", "complaint": "投诉", "visitor": "访客登记", "bind": "身份验证"}
STARTS: dict[Intent, Start] = {
    Intent.REPAIR: repair.start,
    Intent.COMPLAINT: complaint.start,
    Intent.VISITOR: visitor.start,
    Intent.CONSULT: consult.start,
}
# Menu buttons (CLICK event keys) and the request they start.
MENU_KEYS: dict[str, Intent] = {
    "REPAIR": Intent.REPAIR,
    "COMPLAINT": Intent.COMPLAINT,
    "CONSULT": Intent.CONSULT,
    "VISITOR": Intent.VISITOR,
    "MY_TICKETS": Intent.STATUS,
}
MENU_PROMPTS = {
    Intent.REPAIR: repair.ASK_DESCRIPTION,
    Intent.COMPLAINT: "请说说发生了什么事，在哪里。",
    Intent.CONSULT: "请问想咨询什么？比如物业费怎么交、门禁卡怎么办。",
    Intent.VISITOR: "请告诉我来访人、时间和人数，比如“明天下午三点我表哥来，两个人”。",
}
RESUME_FLOW = "resume_prompt"
FREE_TEXT_STEPS = frozenset({"description", "want", "time", "location"})
# A message interrupts a form only when the NLU is this sure it is about something else.
INTERRUPT_CONFIDENCE = 0.5
# A fresh message of these intents that might be an emergency (`Analysis.urgent_doubt`) gets
# its normal reply plus the question `URGENT_DOUBT`; the message is remembered in the `doubt`
# slot of whatever conversation follows, until the next message answers it.
DOUBT_INTENTS = frozenset(
    {Intent.REPAIR, Intent.COMPLAINT, Intent.CONSULT, Intent.STATUS, Intent.OTHER}
)
DOUBT = "doubt"


def dispatch(
    incoming: Incoming, conversation: Conversation, analysis: Analysis, ctx: Context
) -> Outcome:
    note = ""
    if (
        not conversation.empty
        and conversation.expires_at
        and conversation.expires_at < ctx.now.timestamp()
    ):
        # A stale question about a doubtful message goes silently: "紧急" an hour later is
        # not about that message any more.
        name = FORM_NAMES.get(conversation.flow or "")
        note = f"刚才的{name}等太久已自动结束了。" if name else ""
        conversation = Conversation()
    if not ctx.facts.resident.loaded and _about_the_resident(incoming, conversation, analysis):
        return Outcome(reply=None, needs=(NeedResident(),))
    outcome = _route(incoming, conversation, analysis, ctx)
    if note and outcome.reply and not outcome.needs:
        outcome = replace(outcome, reply=note + outcome.reply)
    return outcome


# Requests whose handling depends on who the resident is (binding, their tickets).
_PERSONAL = frozenset(
    {Intent.REPAIR, Intent.COMPLAINT, Intent.VISITOR, Intent.STATUS, Intent.CANCEL}
)


def _about_the_resident(incoming: Incoming, conversation: Conversation, analysis: Analysis) -> bool:
    if conversation.flow is not None or conversation.paused is not None:
        return True
    if incoming.kind is Kind.EVENT:
        return incoming.event in ("subscribe", "click")
    return (
        analysis.urgent or analysis.intent in _PERSONAL or _confirms_doubt(incoming, conversation)
    )


def _route(
    incoming: Incoming, conversation: Conversation, analysis: Analysis, ctx: Context
) -> Outcome:
    if incoming.kind is Kind.EVENT:
        return _event(incoming, conversation, analysis, ctx)
    if incoming.kind is Kind.VOICE and not incoming.text:
        if conversation.flow == repair.FLOW and incoming.media_id:
            conversation = conversation.with_slots(
                media_ids=[*conversation.slots.get("media_ids", []), incoming.media_id]
            )
        return Outcome(reply=VOICE_UNHEARD, conversation=_keep(conversation))
    text = incoming.text.strip()
    doubt = conversation.slots.get(DOUBT)
    if doubt is not None:
        # This message answers the question about the last one, whatever it says.
        confirmed = _confirms_doubt(incoming, conversation)
        conversation = replace(
            conversation, slots={k: v for k, v in conversation.slots.items() if k != DOUBT}
        )
        if confirmed:
            return _doubt_confirmed(incoming, conversation, analysis, ctx, doubt)
    if analysis.urgent:
        outcome = repair.urgent(incoming, analysis, ctx)
        return _offer_resume(outcome, _pausable(conversation))
    if conversation.flow == "done":
        if yes_no(text) == "yes":
            # Staff may have finished the job already: then "1" confirms it.
            answered = poll.confirm(incoming, analysis, ctx)
            if answered is not None:
                return answered
            return Outcome(reply="这张单已经提交过了，不用重复确认。我们会尽快处理。")
        conversation = Conversation(paused=conversation.paused)
    if conversation.flow == RESUME_FLOW:
        return _resume_prompt(incoming, conversation, analysis, ctx)
    if conversation.flow == consult.FLOW:
        answered = consult.resume(incoming, conversation, analysis, ctx)
        if answered is not None:
            return _offer_resume(answered, conversation.paused)
        conversation = Conversation(paused=conversation.paused)
    if conversation.flow == clarify.FLOW:
        chosen = clarify.resume(incoming, conversation, analysis, ctx)
        if chosen is not None:
            return _offer_resume(chosen, conversation.paused)
        conversation = Conversation(paused=conversation.paused)
    resume = FORMS.get(conversation.flow or "")
    if resume is not None:
        if _interrupts(conversation, analysis, text):
            fresh = _start(incoming, analysis, ctx)
            return _offer_resume(fresh, _pausable(conversation))
        outcome = resume(incoming, conversation, analysis, ctx)
        return _offer_resume(outcome, conversation.paused)
    if incoming.kind is Kind.IMAGE:
        return Outcome(reply="照片收到了。请用文字说说需要帮您做什么，比如“卫生间漏水”。")
    if incoming.kind is Kind.LOCATION:
        return Outcome(reply="位置收到了。请再说说需要帮您做什么。")
    if incoming.kind not in (Kind.TEXT, Kind.VOICE, Kind.LINK):
        return welcome.not_understood()
    return _offer_resume(_start(incoming, analysis, ctx), conversation.paused)


def _start(incoming: Incoming, analysis: Analysis, ctx: Context) -> Outcome:
    outcome = _fresh(incoming, analysis, ctx)
    if (
        analysis.urgent_doubt
        and analysis.intent in DOUBT_INTENTS
        and outcome.reply
        and not outcome.needs
    ):
        return _ask_if_urgent(incoming, analysis, outcome)
    return outcome


def _fresh(incoming: Incoming, analysis: Analysis, ctx: Context) -> Outcome:
    text = incoming.text.strip()
    intent = analysis.intent
    if poll.looks_like_answer(text, analysis):
        answered = poll.confirm(incoming, analysis, ctx)
        if answered is not None:
            return answered
    if intent in (Intent.STATUS, Intent.COMPLAINT) and status.is_urge(text):
        urged = status.urge(incoming, analysis, ctx)
        if urged is not None:
            return urged
    if clarify.unsure(analysis):
        return clarify.ask(incoming, analysis)
    starter = STARTS.get(intent)
    if starter is not None:
        return starter(incoming, analysis, ctx)
    match intent:
        case Intent.STATUS:
            return status.show(incoming, analysis, ctx)
        case Intent.CANCEL:
            return cancel.start(incoming, analysis, ctx)
        case Intent.RATING:
            return Outcome(reply="收到，谢谢您的反馈！", intent=Intent.RATING)
        case Intent.GREETING:
            return welcome.greeting(text)
    return welcome.not_understood()


def _ask_if_urgent(incoming: Incoming, analysis: Analysis, outcome: Outcome) -> Outcome:
    """The normal reply, and "is it dangerous right now?"; the message is remembered (with
    what broke and where) so that "紧急" reports it at once."""
    doubt: dict[str, Any] = {"text": incoming.text.strip(), **what_and_where(analysis)}
    conversation = (outcome.conversation or Conversation()).with_slots(**{DOUBT: doubt})
    return replace(outcome, reply=f"{outcome.reply}\n\n{URGENT_DOUBT}", conversation=conversation)


def _confirms_doubt(incoming: Incoming, conversation: Conversation) -> bool:
    """ "紧急" (the repair form's urgent answers) to the question about a doubtful message."""
    return (
        DOUBT in conversation.slots
        and incoming.kind in (Kind.TEXT, Kind.VOICE)
        and repair.SAYS_URGENT.match(incoming.text) is not None
    )


def _doubt_confirmed(
    incoming: Incoming,
    conversation: Conversation,
    analysis: Analysis,
    ctx: Context,
    doubt: object,
) -> Outcome:
    """The remembered message goes out as an emergency. The form it started, if any, ends
    with it; a form it interrupted is offered back afterwards."""
    said: dict[str, Any] = doubt if isinstance(doubt, dict) else {}
    text = str(said.get("text") or "") or "住户报紧急情况"
    more = repair.SAYS_URGENT.sub("", incoming.text, count=1).strip(" ，,。.!！")
    if more:
        text = f"{text}；{more}"
    category = said.get("category")
    known = replace(
        analysis,
        urgent=True,
        urgent_doubt=False,
        slots={"category": category} if isinstance(category, str) else {},
    )
    described = replace(incoming, text=text)
    outcome = repair.urgent(described, known, ctx, location=said.get("location"))
    return _offer_resume(outcome, conversation.paused)


def _interrupts(conversation: Conversation, analysis: Analysis, text: str) -> bool:
    """A clear request for something else in the middle of a form (not an answer to it)."""
    if conversation.flow in (binding.FLOW, cancel.FLOW) or yes_no(text) is not None:
        return False
    # Free-text answers ("尽快派人来修") read like new requests; they are answers here.
    if conversation.step in FREE_TEXT_STEPS:
        return False
    if analysis.intent in (Intent.CANCEL, Intent.OTHER, Intent.RATING, Intent.GREETING):
        return False
    if analysis.intent.value == conversation.flow or len(text) < 4:
        return False
    return analysis.confidence >= INTERRUPT_CONFIDENCE


def _pausable(conversation: Conversation) -> dict[str, object] | None:
    if conversation.flow in FORM_NAMES and conversation.flow != binding.FLOW:
        return {"flow": conversation.flow, "step": conversation.step, "slots": conversation.slots}
    return conversation.paused


def _offer_resume(outcome: Outcome, paused: dict[str, object] | None) -> Outcome:
    """Carry an interrupted form along; once the new request is done, offer it back."""
    if paused is None or outcome.needs:
        return outcome
    current = outcome.conversation
    if current is not None and current.flow not in (None, "done"):
        return replace(outcome, conversation=replace(current, paused=paused))
    name = FORM_NAMES.get(str(paused.get("flow")), "事项")
    question = f"刚才的{name}还要继续吗？回复 1 继续，0 不用了"
    reply = f"{outcome.reply}\n\n{question}" if outcome.reply else question
    # A question about a doubtful message stays open beside the offer.
    kept = {DOUBT: current.slots[DOUBT]} if current and DOUBT in current.slots else {}
    prompt = Conversation(flow=RESUME_FLOW, paused=paused, slots=kept)
    return replace(outcome, reply=reply, conversation=prompt)


def _resume_prompt(
    incoming: Incoming, conversation: Conversation, analysis: Analysis, ctx: Context
) -> Outcome:
    paused = conversation.paused or {}
    answer = yes_no(incoming.text)
    if answer == "yes":
        form = Conversation.from_json(paused)
        resume = FORMS[form.flow or repair.FLOW]
        # Ask the paused form's question again by replaying an empty answer to it.
        blank = replace(incoming, text="", kind=Kind.TEXT, media_id=None)
        outcome = resume(blank, form, analysis, ctx)
        return replace(outcome, reply="好的，我们接着来。" + (outcome.reply or ""))
    if answer == "no":
        return Outcome(reply=CANCELLED, conversation=None)
    return _route(incoming, Conversation(), analysis, ctx)


def _keep(conversation: Conversation) -> Conversation | None:
    return None if conversation.empty else conversation


def _event(
    incoming: Incoming, conversation: Conversation, analysis: Analysis, ctx: Context
) -> Outcome:
    match incoming.event:
        case "subscribe":
            outcome = welcome.subscribed()
            if ctx.facts.resident.bound:
                return outcome
            # New residents are asked for their room right away; tickets need it.
            return replace(
                outcome,
                reply=f"{outcome.reply}\n\n先认识一下您：{binding.ASK_ROOM}",
                conversation=Conversation(flow=binding.FLOW, step="room", slots={"pending": ""}),
            )
        case "unsubscribe":
            return welcome.unsubscribed()
        case "click":
            intent = MENU_KEYS.get(incoming.event_key or "")
            if intent is Intent.STATUS:
                return status.show(incoming, analysis, ctx)
            if intent is None:
                # A menu button this version does not know: show what the bot can do.
                return welcome.greeting()
            return Outcome(reply=MENU_PROMPTS[intent], conversation=_keep(conversation))
        case _:
            # Scans, location reports, delivery receipts and menu views need no answer.
            return Outcome(reply=None, conversation=_keep(conversation))
