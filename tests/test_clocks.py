"""Working-time clocks, pauses, the arrival limit, reminders by name, the daily digest and
visitor passes running out: all in accelerated time (the clock is an argument)."""

from __future__ import annotations

import asyncio
from datetime import datetime, time, timedelta
from pathlib import Path

from sqlalchemy import select

from bot.scheduler import Scheduler
from bot.staff_actions import run
from handlers.sla import SHANGHAI, Policy, due
from handlers.staff_commands import parse
from handlers.types import Context
from storage.db import Database
from storage.models import OutboxMessage, Resident, Staff, Ticket, TicketAlert, VisitorPass
from storage.ticket_status import move
from storage.tickets import create_ticket
from tests.test_scheduler import clock

WED = datetime(2026, 11, 18, 9, 0, tzinfo=SHANGHAI)  # a Wednesday, office open
POLICY = Policy()


def local(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=SHANGHAI)


def test_the_response_clock_counts_working_time_only() -> None:
    # 10 minutes before closing: 20 minutes are left for the next morning.
    late = local(18, 17, 50)
    assert POLICY.due_times(late, "repair", "normal")["respond"] == local(19, 8, 20)
    # Arrival and resolution run by the calendar once started.
    assert POLICY.due_times(late, "repair", "normal")["arrive"] == local(19, 17, 50)
    assert POLICY.due_times(late, "repair", "normal")["resolve"] == local(21, 17, 50)
    # The reminder at 80% (24 working minutes) falls the next morning too.
    steps, nxt = due(clock(created_at=late), POLICY, local(18, 19, 0))
    assert steps == [] and nxt == local(19, 8, 14)
    # Urgent work never waits for the office.
    urgent = POLICY.due_times(late, "repair", "urgent")
    assert urgent["respond"] == late + timedelta(minutes=5)
    assert urgent["arrive"] == late + timedelta(minutes=30)


def test_holidays_are_skipped_by_the_working_clock() -> None:
    policy = Policy(holidays=frozenset({local(19, 0).date(), local(20, 0).date()}))
    assert policy.due_times(local(18, 17, 50), "repair", "normal")["respond"] == local(21, 8, 20)


def test_residents_are_promised_the_next_morning_just_before_closing() -> None:
    assert Context(now=local(18, 17, 50)).promise("repair") == "明天 08:20 前"
    assert Context(now=local(18, 10, 0)).promise("repair") == "30 分钟内"


def test_a_pause_moves_every_running_deadline() -> None:
    paused = clock(status="paused", created_at=WED)
    assert due(paused, POLICY, WED + timedelta(days=9)) == ([], None)
    resumed = clock(status="new", created_at=WED, paused=timedelta(hours=2))
    steps, nxt = due(resumed, POLICY, WED + timedelta(minutes=30))
    assert steps == [] and nxt == WED + timedelta(hours=2, minutes=24)


def test_policy_reads_arrival_office_clocks_and_digest(tmp_path: Path) -> None:
    path = tmp_path / "estate.toml"
    path.write_text(
        "[sla.repair.normal]\nrespond = 1\narrive = 2\nresolve = 3\n"
        '[sla.hours]\nstart = "09:00"\nend = "17:00"\noffice_clocks = []\n'
        '[sla.digest]\nat = ""\n',
        encoding="utf-8",
    )
    policy = Policy.load(str(path))
    limits = policy.limits_for("repair", "normal")
    assert limits.arrive == timedelta(minutes=2)
    assert policy.office_clocks == frozenset() and policy.digest_at is None
    assert policy.work_start == time(9, 0)
    path.write_text('[sla.digest]\nat = "20:15"\n', encoding="utf-8")
    assert Policy.load(str(path)).digest_at == time(20, 15)
    path.write_text('[sla.hours]\nstart = "18:00"\nend = "08:00"\n', encoding="utf-8")
    try:
        Policy.load(str(path))
    except ValueError as exc:
        assert "start" in str(exc)
    else:  # pragma: no cover - the night-shift office must be refused, not misread
        raise AssertionError("start after end was accepted")


async def _setup(db: Database) -> tuple[int, int]:
    """A resident's repair and a technician on the roster."""
    async with db.write() as session:
        resident = Resident(openid="o_clock", created_at=WED)
        staff = Staff(userid="zhang", name="张师傅", role="technician")
        session.add_all([resident, staff])
        await session.flush()
        due_at = POLICY.due_times(WED, "repair", "normal")
        ticket, _ = await create_ticket(
            session,
            idem_key="clock-1",
            kind="repair",
            description="卫生间水管渗水",
            actor="resident:o_clock",
            now=WED,
            resident_id=resident.id,
            response_due_at=due_at["respond"],
            start_due_at=due_at["arrive"],
            resolve_due_at=due_at["resolve"],
            next_alert_at=WED,
        )
        return ticket.id, staff.id


async def _alerts(db: Database, number: int) -> list[str]:
    async with db.read() as session:
        rows = await session.scalars(
            select(TicketAlert.step).where(TicketAlert.ticket_id == number).order_by(TicketAlert.id)
        )
        return list(rows)


async def test_pause_stops_alerts_and_moves_the_stored_deadlines(db: Database) -> None:
    number, _ = await _setup(db)
    scheduler = Scheduler(db, POLICY)
    async with db.write() as session:
        ticket = await session.get(Ticket, number)
        assert ticket is not None
        move(session, ticket, "paused", actor="staff:zhang", action="paused", now=WED)
    # Two hours paused: nothing fires although the response limit has long passed.
    for minutes in range(0, 120, 10):
        await scheduler.run_once(WED + timedelta(minutes=minutes))
    assert await _alerts(db, number) == []
    resumed_at = WED + timedelta(hours=2)
    async with db.write() as session:
        ticket = await session.get(Ticket, number)
        assert ticket is not None
        move(session, ticket, "new", actor="staff:zhang", action="resumed", now=resumed_at)
    async with db.read() as session:
        ticket = await session.get(Ticket, number)
        assert ticket is not None
        assert ticket.paused_seconds == 7200 and ticket.paused_at is None
        assert ticket.response_due_at == WED + timedelta(hours=2, minutes=30)
        assert ticket.resolve_due_at == WED + timedelta(hours=74)
    await scheduler.run_once(resumed_at + timedelta(minutes=23))
    assert await _alerts(db, number) == []
    await scheduler.run_once(resumed_at + timedelta(minutes=24))
    assert await _alerts(db, number) == ["respond:remind"]


async def test_reminders_name_the_owner_and_start_stops_the_arrival_clock(db: Database) -> None:
    number, _ = await _setup(db)
    scheduler = Scheduler(db, POLICY)
    await scheduler.run_once(WED + timedelta(minutes=24))
    key = "wecom:t1"
    assert "已由张师傅负责" in await run(db, "zhang", parse(f"接单 {number}"), key=key, now=WED)
    await scheduler.run_once(WED + timedelta(hours=20))  # 80% of the 24 h arrival limit
    async with db.read() as session:
        rows = list(
            await session.scalars(
                select(OutboxMessage)
                .where(OutboxMessage.idem_key.like("alert:%"))
                .order_by(OutboxMessage.id)
            )
        )
    assert [row.payload.get("mention") for row in rows] == [["@all"], ["zhang"]]
    assert "到场" in str(rows[1].payload["text"])
    answer = await run(db, "zhang", parse(f"开始 {number}"), key="wecom:t2", now=WED)
    assert "处理中" in answer
    await scheduler.run_once(WED + timedelta(hours=25))
    assert "arrive:escalate" not in await _alerts(db, number)
    async with db.read() as session:
        ticket = await session.get(Ticket, number)
        assert ticket is not None and ticket.started_at == WED


async def test_the_daily_digest_goes_out_once_at_its_time(db: Database) -> None:
    number, _ = await _setup(db)
    first, second = (
        Scheduler(db, POLICY),
        Scheduler(db if db.is_sqlite else Database(db.url), POLICY),
    )
    await first.run_once(local(18, 17, 29))
    digest = OutboxMessage.idem_key.like("digest:%")
    async with db.read() as session:
        assert list(await session.scalars(select(OutboxMessage).where(digest))) == []
    await asyncio.gather(first.run_once(local(18, 17, 31)), second.run_once(local(18, 17, 31)))
    await first.run_once(local(18, 21, 0))
    async with db.read() as session:
        rows = list(await session.scalars(select(OutboxMessage).where(digest)))
    if second._db is not db:
        await second._db.dispose()
    by_group = {row.recipient: str(row.payload["text"]) for row in rows}
    assert sorted(by_group) == ["repair", "service", "supervisors"]
    assert f"#{number}" in by_group["repair"] and "超时 1 件" in by_group["repair"]
    assert "今天新增 1 件" in by_group["repair"]
    assert "维修：新增 1，完成 0，未完结 1，超时 1" in by_group["supervisors"]
    # The next day has its own digest.
    await first.run_once(local(19, 17, 45))
    async with db.read() as session:
        assert len(list(await session.scalars(select(OutboxMessage).where(digest)))) == 6


async def test_visitor_passes_expire_and_the_gate_is_told(db: Database) -> None:
    async with db.write() as session:
        resident = Resident(openid="o_visit", created_at=WED)
        session.add_all([resident, Staff(userid="gate1", name="门岗小李", role="security")])
        await session.flush()
        session.add(
            VisitorPass(
                idem_key="v1",
                code="123456",
                resident_id=resident.id,
                visitor_name="王先生",
                visit_at=WED,
                valid_from=WED - timedelta(hours=1),
                valid_until=WED + timedelta(hours=3),
                created_at=WED,
            )
        )
    scheduler = Scheduler(db, POLICY)
    await scheduler.run_once(WED + timedelta(hours=1))
    ok = await run(db, "gate1", parse("核验 123456"), key="g1", now=WED + timedelta(hours=1))
    assert "通行码有效" in ok
    await scheduler.run_once(WED + timedelta(hours=4))
    async with db.read() as session:
        status = await session.scalar(select(VisitorPass.status))
    assert status == "expired"
    late = await run(db, "gate1", parse("核验 123456"), key="g2", now=WED + timedelta(hours=4))
    assert "已过期" in late and "12:00" in late
    assert "不存在" in await run(db, "gate1", parse("核验 654321"), key="g3", now=WED)


def test_each_rung_of_the_ladder_is_configurable(tmp_path: Path) -> None:
    path = tmp_path / "estate.toml"
    path.write_text(
        "[sla.ladder]\nremind = 0.5\nmanager = 0\nurges = 0\nrepeated = false\n", encoding="utf-8"
    )
    policy = Policy.load(str(path))
    assert policy.ladder == (("remind", 0.5), ("escalate", 1.0))
    steps, nxt = due(clock(created_at=WED), policy, WED + timedelta(minutes=15))
    assert steps == ["respond:remind"] and nxt == WED + timedelta(minutes=30)
    fired = frozenset({"respond:remind", "respond:escalate"})
    late = clock(created_at=WED, fired=fired, urge_count=5, repeated=True)
    # No manager rung, and neither urges nor repeats jump the ladder.
    steps, _ = due(late, policy, WED + timedelta(hours=2))
    assert steps == []
    path.write_text("[sla.ladder]\nremind = 1.5\n", encoding="utf-8")
    try:
        Policy.load(str(path))
    except ValueError as exc:
        assert "rise" in str(exc)
    else:  # pragma: no cover - a reminder after the escalation must be refused
        raise AssertionError("a falling ladder was accepted")
