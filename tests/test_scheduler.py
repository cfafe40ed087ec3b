"""The ladder and the scheduler, in accelerated time: the clock is an argument."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from bot.scheduler import Scheduler
from handlers.sla import Clock, Policy, due
from storage.db import Database
from storage.models import OutboxMessage, Resident, Ticket, TicketAlert
from storage.tickets import create_ticket

T0 = datetime(2026, 11, 18, 1, 0, tzinfo=UTC)
POLICY = Policy()


def clock(**changes: object) -> Clock:
    values: dict[str, object] = {
        "kind": "repair",
        "priority": "normal",
        "status": "new",
        "created_at": T0,
        "responded_at": None,
        "resolved_at": None,
        "urge_count": 0,
        "repeated": False,
        "fired": frozenset(),
    }
    values.update(changes)
    return Clock(**values)  # type: ignore[arg-type]


def test_ladder_of_an_unclaimed_repair() -> None:
    assert due(clock(), POLICY, T0 + timedelta(minutes=23)) == ([], T0 + timedelta(minutes=24))
    steps, nxt = due(clock(), POLICY, T0 + timedelta(minutes=24))
    assert steps == ["respond:remind"] and nxt == T0 + timedelta(minutes=30)
    steps, _ = due(clock(fired=frozenset(steps)), POLICY, T0 + timedelta(minutes=61))
    assert steps == ["respond:escalate", "respond:manager"]


def test_claiming_stops_the_response_clock_not_the_others() -> None:
    claimed = clock(status="assigned", responded_at=T0 + timedelta(minutes=5))
    steps, nxt = due(claimed, POLICY, T0 + timedelta(hours=2))
    # Next: the arrival limit (on site within 24 h) at 80%.
    assert steps == [] and nxt == T0 + timedelta(hours=24) * 0.8
    started = clock(status="in_progress", responded_at=T0, started_at=T0 + timedelta(hours=3))
    steps, nxt = due(started, POLICY, T0 + timedelta(hours=30))
    assert steps == [] and nxt == T0 + timedelta(hours=72) * 0.8


def test_urgent_repairs_run_on_minutes() -> None:
    steps, _ = due(clock(priority="urgent"), POLICY, T0 + timedelta(minutes=10))
    assert steps == ["respond:remind", "respond:escalate", "respond:manager"]


def test_urges_and_repeats_escalate() -> None:
    steps, _ = due(clock(urge_count=2, repeated=True), POLICY, T0)
    assert steps == ["urges:escalate", "repeated:escalate"]


def test_poll_reminds_then_closes() -> None:
    done = clock(status="resolved", responded_at=T0, resolved_at=T0 + timedelta(hours=1))
    assert due(done, POLICY, T0 + timedelta(hours=2))[0] == []
    assert due(done, POLICY, T0 + timedelta(hours=25))[0] == ["poll:remind"]
    late = clock(status="resolved", resolved_at=T0, fired=frozenset({"poll:remind"}))
    assert due(late, POLICY, T0 + timedelta(hours=96))[0] == ["poll:close"]


def test_policy_from_the_estate_file(tmp_path: object) -> None:
    from pathlib import Path

    path = Path(str(tmp_path)) / "estate.toml"
    path.write_text(
        "[sla.repair.normal]\nrespond = 0.5\nresolve = 2\n[sla.poll]\nremind = 1\n",
        encoding="utf-8",
    )
    policy = Policy.load(str(path))
    limits = policy.limits_for("repair", "normal")
    assert (limits.respond, limits.resolve) == (timedelta(seconds=30), timedelta(minutes=2))
    assert policy.poll_remind == timedelta(minutes=1)


async def _ticket(db: Database, key: str, *, resident: str | None = None) -> int:
    async with db.write() as session:
        resident_id = None
        if resident:
            row = Resident(openid=resident, created_at=T0)
            session.add(row)
            await session.flush()
            resident_id = row.id
        ticket, _ = await create_ticket(
            session,
            idem_key=key,
            kind="repair",
            description="水龙头滴水",
            actor="system",
            now=T0,
            resident_id=resident_id,
        )
        ticket.next_alert_at = T0
        return ticket.id


async def _count(db: Database, model: type, *where: object) -> int:
    async with db.read() as session:
        query = select(func.count()).select_from(model)
        for clause in where:
            query = query.where(clause)  # type: ignore[arg-type]
        return int(await session.scalar(query) or 0)


async def test_each_step_fires_once_in_accelerated_time(db: Database) -> None:
    number = await _ticket(db, "a")
    scheduler = Scheduler(db, POLICY)
    fired = 0
    for minute in range(0, 24 * 60, 7):  # a day in 7-minute passes
        fired += await scheduler.run_once(T0 + timedelta(minutes=minute))
    assert fired == 4
    async with db.read() as session:
        steps = set(await session.scalars(select(TicketAlert.step)))
        ticket = await session.get(Ticket, number)
    assert steps == {"respond:remind", "respond:escalate", "respond:manager", "arrive:remind"}
    assert ticket is not None and ticket.next_alert_at == T0 + timedelta(hours=24)
    groups = await _count(
        db,
        OutboxMessage,
        OutboxMessage.channel == "wecom_group",
        OutboxMessage.idem_key.like("alert:%"),
    )
    assert groups == 4


async def test_two_schedulers_fire_every_step_once(db: Database) -> None:
    for index in range(30):
        await _ticket(db, f"k{index}")
    second_db = db if db.is_sqlite else Database(db.url)
    first, second = Scheduler(db, POLICY, batch=7), Scheduler(second_db, POLICY, batch=7)
    at = T0 + timedelta(minutes=31)
    for _ in range(6):
        await asyncio.gather(first.run_once(at), second.run_once(at))
    if second_db is not db:
        await second_db.dispose()
    assert await _count(db, TicketAlert) == 60  # remind + escalate for each of 30 tickets
    assert await _count(db, OutboxMessage) == 60


async def test_poll_reminder_then_auto_close(db: Database) -> None:
    number = await _ticket(db, "p", resident="o_poll")
    async with db.write() as session:
        ticket = await session.get(Ticket, number)
        assert ticket is not None
        ticket.status, ticket.responded_at = "resolved", T0
        ticket.resolved_at = ticket.next_alert_at = T0 + timedelta(hours=1)
    scheduler = Scheduler(db, POLICY)
    await scheduler.run_once(T0 + timedelta(hours=26))
    assert await _count(db, OutboxMessage, OutboxMessage.recipient == "o_poll") == 1
    await scheduler.run_once(T0 + timedelta(hours=98))
    async with db.read() as session:
        ticket = await session.get(Ticket, number)
        assert ticket is not None and ticket.status == "closed" and ticket.next_alert_at is None


def test_ordinary_work_reported_at_night_is_timed_from_opening() -> None:
    from datetime import date, time
    from zoneinfo import ZoneInfo

    shanghai = ZoneInfo("Asia/Shanghai")
    policy = Policy(holidays=frozenset({date(2026, 11, 19)}))
    night = datetime(2026, 11, 17, 22, 0, tzinfo=shanghai)
    assert policy.clock_start(night, "normal") == datetime(2026, 11, 18, 8, 0, tzinfo=shanghai)
    assert policy.clock_start(night, "urgent") == night
    early = datetime(2026, 11, 18, 6, 30, tzinfo=shanghai)
    assert policy.clock_start(early, "normal") == datetime(2026, 11, 18, 8, 0, tzinfo=shanghai)
    office = datetime(2026, 11, 18, 10, 0, tzinfo=shanghai)
    assert policy.clock_start(office, "normal") == office
    # The evening before a holiday: the clock starts the working day after it.
    eve = datetime(2026, 11, 18, 19, 0, tzinfo=shanghai)
    assert policy.clock_start(eve, "normal") == datetime(2026, 11, 20, 8, 0, tzinfo=shanghai)
    steps, nxt = due(clock(created_at=night), policy, night + timedelta(hours=2))
    assert steps == [] and nxt == datetime(2026, 11, 18, 8, 24, tzinfo=shanghai)
    always = Policy(work_start=time(0, 0), work_end=time(0, 0))
    assert always.clock_start(night, "normal") == night


def test_residents_are_promised_the_opening_time_at_night() -> None:
    from zoneinfo import ZoneInfo

    from handlers.types import Context

    shanghai = ZoneInfo("Asia/Shanghai")
    night = Context(now=datetime(2026, 11, 17, 22, 0, tzinfo=shanghai))
    assert night.promise("repair") == "明天 08:30 前"
    assert night.promise("repair", "urgent") == "5 分钟内"
    day = Context(now=datetime(2026, 11, 17, 10, 0, tzinfo=shanghai))
    assert day.promise("complaint") == "2 小时内"
