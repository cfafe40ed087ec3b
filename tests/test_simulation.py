"""A month of traffic (tests/simulation.py) in accelerated time: every ticket ends closed or
escalated, every due reminder fired once, and the report's figures are the simulation's own.

The expected ladder steps are worked out from the simulation's record (when each ticket
was claimed, started, finished, reopened, and when its resident answered), not from the
bot's database; only the time-limit arithmetic (`Policy.deadline`, unit-tested in
tests/test_clocks.py) is shared.
"""

from __future__ import annotations

import statistics
from collections import Counter
from datetime import datetime, timedelta

from redis.asyncio import Redis
from sqlalchemy import func, select

from bot.services import Services
from handlers.sla import Policy
from storage.models import OutboxMessage, ScheduledRun, Ticket, TicketAlert
from storage.report import build_report, month_bounds
from tests.conftest import Backend, make_settings
from tests.simulation import DRAIN_DAYS, SHANGHAI, TRAFFIC_DAYS, Record, Simulation

POLICY = Policy()  # office hours 08:00-18:00 and the shipped limits


def _open_spans(record: Record, end: datetime) -> list[tuple[datetime, datetime]]:
    """When the ticket was open (its clocks could run): until each 完成, again from each
    reopening."""
    starts = [record.created, *record.reopened]
    stops: list[datetime] = [*record.resolved, end]
    return list(zip(starts, stops, strict=False))


def expected_steps(record: Record, repeated: bool, end: datetime) -> set[str]:
    steps: set[str] = set()
    spans = _open_spans(record, end)
    limits = POLICY.limits_for(record.kind, record.priority)
    stop = {"respond": record.claimed, "arrive": record.started, "resolve": None}
    for clock, stopped in stop.items():
        limit = limits.of(clock)
        if limit is None:
            continue
        for rung, factor in POLICY.ladder:
            at = POLICY.deadline(record.created, record.priority, clock, limit * factor)
            if stopped is not None and at > stopped:
                break
            # A step due while the job sat finished fires when it is reopened.
            if any(max(at, start) <= stop_at for start, stop_at in spans):
                steps.add(f"{clock}:{rung}")
    if record.urges >= POLICY.urges_to_escalate:
        steps.add("urges:escalate")
    if repeated:
        steps.add("repeated:escalate")
    for index, resolved in enumerate(record.resolved):
        answer = record.answers[index]
        if answer is None or answer > resolved + POLICY.poll_remind:
            steps.add("poll:remind")
    last_round_open = len(record.resolved) > len(record.reopened)
    unanswered = last_round_open and record.answers[-1] is None
    if unanswered and record.resolved[-1] + POLICY.poll_remind + POLICY.poll_close <= end:
        steps.add("poll:close")
    return steps


async def test_a_month_of_traffic(backend: Backend, redis_prefix: str, redis: Redis) -> None:
    services = Services.build(make_settings(backend, redis_prefix, safe=False), redis=redis)
    services.policy = POLICY
    await services.db.upgrade()
    services.inbound_log.start()
    sim = Simulation(services, residents=240, reports=300, seed=20261121)
    try:
        await sim.setup()
        await sim.run()
        await _check(sim)
    finally:
        await services.drain()
        await services.inbound_log.close()
        await services.db.dispose()


async def _check(sim: Simulation) -> None:
    db = sim.services.db
    async with db.read() as session:
        tickets = {t.id: t for t in await session.scalars(select(Ticket))}
        fired: dict[int, list[str]] = {number: [] for number in tickets}
        for number, step in (
            await session.execute(select(TicketAlert.ticket_id, TicketAlert.step))
        ).all():
            fired[number].append(step)
        alert_messages = await session.scalar(
            select(func.count())
            .select_from(OutboxMessage)
            .where(OutboxMessage.idem_key.like("alert:%"))
        )
        digests = await session.scalar(
            select(func.count())
            .select_from(OutboxMessage)
            .where(OutboxMessage.idem_key.like("digest:%"))
        )
        runs = await session.scalar(select(func.count()).select_from(ScheduledRun))
    records = sim.records
    assert len(records) == len(tickets) == 300

    # Every ticket ends closed or escalated; the month had every kind of ending.
    escalated = {n for n, steps in fired.items() if any(s.endswith("escalate") for s in steps)}
    unfinished = {n for n, t in tickets.items() if t.status != "closed" and n not in escalated}
    assert not unfinished, {n: tickets[n].status for n in unfinished}
    endings = Counter(
        "auto" if "poll:close" in fired[n] else "rated" if r.rating else "other"
        for n, r in records.items()
        if tickets[n].status == "closed"
    )
    assert endings["auto"] >= 20 and endings["rated"] >= 100, endings
    assert sum(1 for r in records.values() if r.reopened) >= 10
    assert sum(1 for r in records.values() if r.owner == "wang") >= 5
    assert sum(1 for r in records.values() if r.urges >= 2) >= 3

    # Every due reminder fired, once (the unique row makes "once"; equality makes "every").
    for number, record in records.items():
        want = expected_steps(record, tickets[number].repeated, sim.end)
        assert sorted(fired[number]) == sorted(want), (number, record)
    steps = Counter(step for all_steps in fired.values() for step in all_steps)
    assert steps["respond:remind"] > 0 and steps["arrive:escalate"] > 0
    assert steps["resolve:manager"] > 0 and steps["poll:remind"] > 0
    # Each step told somebody, except closing a poll (a status change, not a message) and
    # poll reminders to nobody (all residents here are active).
    assert alert_messages == sum(steps.values()) - steps["poll:close"]
    # One digest per day to each of three groups, however many passes ran at that hour.
    days = TRAFFIC_DAYS + DRAIN_DAYS
    assert runs == days and digests == 3 * days and sim.digest_passes == days

    # The report says what the simulation counted.
    start, end = month_bounds("2026-11", SHANGHAI)
    async with db.read() as session:
        report = await build_report(session, start=start, end=end, now=sim.end)
    assert report.total == len(records)
    assert report.by_kind == dict(Counter(r.kind for r in records.values()).most_common())
    assert report.urgent == sum(1 for r in records.values() if r.priority == "urgent")
    done = [r for r in records.values() if len(r.resolved) > len(r.reopened)]
    rated = [r for r in done if r.rating is not None]
    assert report.completion_rate == round(len(done) / len(records), 4)
    assert report.rating_response_rate == round(len(rated) / len(done), 4)
    happy = sum(1 for r in rated if (r.rating or 0) >= 4)
    assert report.satisfaction_rate == round(happy / len(rated), 4)
    waits = [(r.claimed - r.created) / timedelta(minutes=1) for r in records.values() if r.claimed]
    assert report.response_minutes["median"] == round(statistics.median(waits), 1)
    fixes = [
        (r.resolved[-1] - r.created) / timedelta(hours=1) for r in records.values() if r.resolved
    ]
    assert report.resolution_hours["median"] == round(statistics.median(fixes), 1)
    for clock, figure, done_at in (
        ("respond", report.response_on_time, lambda r: r.claimed),
        ("arrive", report.arrival_on_time, lambda r: r.started),
    ):
        on_time = decided = 0
        for record in records.values():
            due = POLICY.due_times(record.created, record.kind, record.priority)[clock]
            at = done_at(record)
            if due is not None and (at is not None or sim.end > due):
                decided += 1
                on_time += at is not None and at <= due
        assert figure == round(on_time / decided, 4), clock
    # Per staff member: the jobs they finished and the ratings those earned.
    by_name = {figures.name: figures for figures in report.staff}
    for userid, name in (
        ("zhang", "张师傅"),
        ("li", "李师傅"),
        ("wang", "王师傅"),
        ("chen", "陈客服"),
    ):
        mine = [r for r in records.values() if r.owner == userid]
        figures = by_name[name]
        assert figures.handled == sum(1 for r in mine if len(r.resolved) > len(r.reopened))
        assert figures.ratings == sum(1 for r in mine if r.rating is not None)
    assert by_name["王师傅"].handled == 0
