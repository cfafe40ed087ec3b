"""One message through the bot: dedupe → per-resident lock → state → NLU → handler → storage.

WeChat waits 5 seconds and then retries. The first delivery of a message is handled once;
a retry that arrives meanwhile waits for the same reply; a later retry gets the cached one.
If handling overruns the reply budget, WeChat is answered at once (no passive reply) and
the reply goes to the durable outbox as a customer-service message instead. Before that
answer, the message is held in Redis (`storage/late_jobs.py`) until its handling commits:
if the process dies or the handling fails, `bot/late_jobs.py` handles it again.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import cast

from redis.exceptions import NoScriptError
from sqlalchemy import Table, insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

import nlu
from bot.effects import Applied, apply_effects
from bot.facts import load as load_facts
from bot.services import Services
from bot.wechat_codec import dedupe_key
from handlers.dispatcher import dispatch
from handlers.facts import Facts
from handlers.types import Context, Conversation, Incoming, Kind, Location, Outcome
from nlu import Analysis
from storage.messages import enqueue
from storage.models import InboundMessage

_INSERT_INBOUND = insert(cast(Table, InboundMessage.__table__))

log = logging.getLogger(__name__)

# A message can start at most a binding and the request it was for.
MAX_TURNS = 2
# Each handler asks for a handful of facts at most; more means a bug, not a busy resident.
MAX_LOOKUPS = 4

BUSY_REPLY = "系统有点忙，这条消息没能处理成功，请稍后再发一次。给您添麻烦了。"


@dataclass
class Job:
    incoming: Incoming
    key: str
    # Set when WeChat has already been answered without this job's reply.
    late: bool = False
    received_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    # Handlings of a late job that failed (kept while it is held for another try).
    attempts: int = 0

    def to_json(self) -> str:
        message = {
            name: getattr(self.incoming, name)
            for name in ("user", "msg_id", "text", "media_id", "event", "event_key")
        }
        message["kind"] = self.incoming.kind.value
        message["time"] = self.incoming.time.isoformat()
        where = self.incoming.location
        if where is not None:
            message["location"] = [where.latitude, where.longitude, where.label]
        return json.dumps(
            {
                "incoming": message,
                "key": self.key,
                "received_at": self.received_at.isoformat(),
                "attempts": self.attempts,
            },
            ensure_ascii=False,
        )

    @classmethod
    def from_json(cls, raw: str) -> Job:
        data = json.loads(raw)
        message = dict(data["incoming"])
        where = message.pop("location", None)
        incoming = Incoming(
            **{k: v for k, v in message.items() if k not in ("kind", "time")},
            kind=Kind(message["kind"]),
            time=datetime.fromisoformat(message["time"]),
            location=Location(*where) if where else None,
        )
        return cls(
            incoming=incoming,
            key=data["key"],
            late=True,
            received_at=datetime.fromisoformat(data["received_at"]),
            attempts=int(data.get("attempts", 0)),
        )


@dataclass(frozen=True, slots=True)
class Result:
    reply: str | None
    # True when the reply was put in the outbox in the handling transaction itself.
    queued: bool = False


async def handle(services: Services, incoming: Incoming) -> str | None:
    """Return the passive reply text, or None for "no passive reply" (`success`)."""
    started = time.monotonic()
    budget = services.settings.reply_budget_seconds
    key = dedupe_key(incoming)
    seen = await services.dedupe.claim(key)
    if seen is not None:
        if seen.reply is not None:
            return seen.reply or None
        remaining = budget - (time.monotonic() - started)
        reply = await services.dedupe.wait_reply(key, timeout=max(remaining, 0.0))
        return reply or None

    job = Job(incoming=incoming, key=key)
    task = asyncio.create_task(process(services, job), name=f"process:{key}")
    remaining = budget - (time.monotonic() - started)
    # `wait` leaves the task running at the deadline (no `shield` wrapper needed).
    done, _ = await asyncio.wait((task,), timeout=max(remaining, 0.01))
    if not done:
        job.late = True
        # Held before WeChat hears `success`: from here a crash must not lose the message.
        retry_at = time.time() + services.settings.late_retry_seconds
        try:
            # Held before the release in `_deliver_late` can run, so it cannot come after it.
            await services.late_jobs.hold(key, job.to_json(), retry_at=retry_at)
        except Exception:  # Redis is down too: the handling still runs, just unguarded
            log.exception("could not hold a late message (user=%s)", incoming.user)
        services.spawn(_deliver_late(services, job, task), name=f"late:{key}")
        log.warning("reply budget exceeded; reply goes to the outbox (user=%s)", incoming.user)
        return None
    try:
        result = task.result()
    except Exception:
        log.exception("handling failed (user=%s kind=%s)", incoming.user, incoming.kind)
        # Nothing was committed, so a resend must be handled afresh, not answered from cache.
        await services.dedupe.forget(key)
        return BUSY_REPLY
    return result.reply


async def process(services: Services, job: Job) -> Result:
    """Handle one message under its resident's lock; three Redis round trips in all
    (claim in `handle`, lock + state read, and one pipeline with the turn's last writes)."""
    incoming = job.incoming
    settings = services.settings
    conversations = services.conversations
    token, raw_state = await services.locks.acquire(
        incoming.user,
        wait_seconds=settings.user_lock_seconds,
        read=conversations.key(incoming.user),
    )
    try:
        # State is read only under the lock, so two messages never interleave.
        state = conversations.decode(raw_state)
        result, next_state = await _handle_locked(services, job, state)
    except BaseException:
        await services.locks.release(incoming.user, token)
        raise
    pipe = services.redis.pipeline(transaction=False)
    if next_state is not None and not next_state.empty:
        conversations.stage_save(pipe, incoming.user, next_state.to_json())
    elif raw_state is not None:
        conversations.stage_clear(pipe, incoming.user)
    services.dedupe.stage_finish(pipe, job.key, "" if result.queued else result.reply or "")
    services.locks.stage_release(pipe, incoming.user, token)
    outcomes = await pipe.execute(raise_on_error=False)
    if isinstance(outcomes[-1], NoScriptError):
        await services.locks.release(incoming.user, token)
    for item in outcomes[:-1]:
        if isinstance(item, Exception):
            raise item
    return result


async def _handle_locked(
    services: Services, job: Job, state: dict[str, object] | None
) -> tuple[Result, Conversation | None]:
    """Decide, write what changed, and return the reply and the next conversation state."""
    conversation = Conversation.from_json(state)
    now = services.clock()
    # Once per message: the same analysis serves every decision below.
    analysis = nlu.analyze(job.incoming.text, now=now)
    quick, facts = await _decide_without_writing(services, job, conversation, now, analysis)
    if quick is not None:
        # Nothing to change in the database: no transaction, the log row is batched.
        services.inbound_log.add(_log_row(job, intent=quick.intent))
        return Result(reply=quick.reply), _stamped(services, quick.conversation, now)
    try:
        async with services.db.write() as session:
            outcome, applied = await _decide_and_apply(
                services, session, job, conversation, now, facts=facts, analysis=analysis
            )
            # In the same transaction as the effects: the unique dedupe key makes the
            # database the last word on duplicates, even if Redis lost its keys, and a
            # duplicate's effects roll back with it.
            # A plain Core insert: nothing reads the row back, so no ORM object to track.
            row = _log_row(job, intent=outcome.intent)
            row["ticket_id"] = applied.ticket_no
            await session.execute(_INSERT_INBOUND, row)
            queued = job.late and applied.reply is not None
            if queued:
                await _enqueue_reply(session, job, applied.reply or "", now)
    except IntegrityError:
        log.info("duplicate delivery refused by the database (user=%s)", job.incoming.user)
        return Result(reply=None), conversation
    return Result(reply=applied.reply, queued=queued), _stamped(services, outcome.conversation, now)


def _stamped(
    services: Services, conversation: Conversation | None, now: datetime
) -> Conversation | None:
    if conversation is None:
        return None
    ttl = services.settings.conversation_ttl_seconds
    return replace(conversation, expires_at=now.timestamp() + ttl)


def _log_row(job: Job, *, intent: str | None) -> dict[str, object]:
    incoming = job.incoming
    return {
        "dedupe_key": job.key,
        "openid": incoming.user,
        "kind": str(incoming.kind),
        "created_at": incoming.time,
        "received_at": job.received_at,
        "msg_id": incoming.msg_id,
        "text": incoming.text,
        "media_id": incoming.media_id,
        "event": incoming.event,
        "intent": intent,
    }


async def _decide_without_writing(
    services: Services, job: Job, conversation: Conversation, now: datetime, analysis: Analysis
) -> tuple[Outcome | None, Facts]:
    """The handler's decision when it changes nothing in the database (None otherwise),
    and the facts it needed, which stay true while the resident's lock is held.

    Handlers are pure, so deciding again inside a transaction gives the same outcome.
    """
    facts = Facts()
    if job.late:
        return None, facts
    incoming = job.incoming
    outcome, _ = await _decide(
        services, incoming, conversation, now, facts=facts, session=None, analysis=analysis
    )
    if outcome.needs:
        async with services.db.read() as session:
            outcome, facts = await _decide(
                services,
                incoming,
                conversation,
                now,
                facts=facts,
                session=session,
                analysis=analysis,
            )
    if outcome.effects or outcome.then_text:
        return None, facts
    return outcome, facts


async def _decide(
    services: Services,
    incoming: Incoming,
    conversation: Conversation,
    now: datetime,
    *,
    facts: Facts,
    session: AsyncSession | None,
    analysis: Analysis | None = None,
) -> tuple[Outcome, Facts]:
    """NLU → handler, loading the facts it asks for (when a session is given)."""
    if analysis is None:
        analysis = nlu.analyze(incoming.text, now=now)
    outcome = dispatch(incoming, conversation, analysis, _context(services, now, facts))
    if session is None:
        return outcome, facts
    for _ in range(MAX_LOOKUPS):
        if not outcome.needs:
            return outcome, facts
        facts = await load_facts(session, outcome.needs, facts, openid=incoming.user, now=now)
        outcome = dispatch(incoming, conversation, analysis, _context(services, now, facts))
    raise RuntimeError(f"handler kept asking for facts: {outcome.needs}")


async def _decide_and_apply(
    services: Services,
    session: AsyncSession,
    job: Job,
    conversation: Conversation,
    now: datetime,
    *,
    facts: Facts,
    analysis: Analysis,
) -> tuple[Outcome, Applied]:
    """Decide and carry out the effects in the message's transaction.

    A handler may also hand over a text to handle next (a request made before binding);
    both replies are sent together.
    """
    incoming = job.incoming
    replies: list[str] = []
    applied = Applied(reply=None)
    outcome = Outcome(reply=None)
    first: Analysis | None = analysis
    for turn in range(MAX_TURNS):
        outcome, facts = await _decide(
            services, incoming, conversation, now, facts=facts, session=session, analysis=first
        )
        first = None
        ctx = _context(services, now, facts)
        applied = await apply_effects(session, incoming, outcome, ctx, key=f"{job.key}:{turn}")
        if applied.reply:
            replies.append(applied.reply)
        if not outcome.then_text:
            break
        # The resident is now verified: handle what they asked for before binding.
        await session.flush()
        facts = Facts()
        conversation = outcome.conversation or Conversation()
        incoming = replace(incoming, text=outcome.then_text, kind=Kind.TEXT)
    applied.reply = "\n\n".join(replies) if replies else None
    return outcome, applied


def _context(services: Services, now: datetime, facts: Facts) -> Context:
    settings = services.settings
    return Context(
        now=now,
        facts=facts,
        faq=services.faq,
        conversation_ttl_seconds=settings.conversation_ttl_seconds,
        policy=services.policy,
    )


async def _deliver_late(services: Services, job: Job, task: asyncio.Task[Result]) -> None:
    try:
        result = await task
    except Exception:
        # Still held: `bot/late_jobs.py` tries it again later.
        log.exception("late handling failed; it will be retried (user=%s)", job.incoming.user)
        return
    await finish_late(services, job, result)


async def finish_late(services: Services, job: Job, result: Result) -> None:
    """A late job's handling committed: queue its reply (unless queued already) and let go."""
    if result.reply is not None and not result.queued:
        async with services.db.write() as session:
            await _enqueue_reply(session, job, result.reply, services.clock())
    await services.dedupe.finish(job.key, "")
    await services.late_jobs.release(job.key)


async def _enqueue_reply(session: AsyncSession, job: Job, text: str, now: datetime) -> None:
    await enqueue(
        session,
        idem_key=f"reply:{job.key}",
        channel="wechat_cs",
        recipient=job.incoming.user,
        payload={"msgtype": "text", "text": text},
        now=now,
    )
