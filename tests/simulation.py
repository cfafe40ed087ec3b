"""A month of an estate's traffic in accelerated time, through the real handlers, staff
commands and scheduler (everything but HTTP and crypto, which other tests cover).

Residents report repairs and complaints at random hours; a handful of staff answer with
realistic delays in working hours, one technician never does anything he is given; the
supervisor dispatches what nobody claimed; residents confirm and rate, say it is not fixed,
rate badly, urge, or never answer. The simulation keeps its own record of what happened,
so a test can compare the bot's reminders and report with it.

The clock jumps from event to event, and to every moment a ticket asks the scheduler to
look (`next_alert_at`), so each ladder step fires exactly at its due time.
"""

from __future__ import annotations

import heapq
import itertools
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

from sqlalchemy import func, select

from bot import pipeline
from bot.scheduler import Scheduler
from bot.services import Services
from bot.staff_actions import run as staff_run
from handlers.sla import SHANGHAI
from handlers.staff_commands import Usage, parse
from handlers.types import Incoming, Kind
from storage.models import Household, Resident, Ticket
from storage.staff import upsert_staff

START = datetime(2026, 11, 1, 0, 0, tzinfo=SHANGHAI)
TRAFFIC_DAYS = 30
# After the month: no new reports, but staff and residents carry on, so that every
# ticket can reach its end (polls close 4 days after the work is done).
DRAIN_DAYS = 8

REPAIRS = (
    "厨房水龙头一直滴水关不紧",
    "阳台地漏堵了 水下不去",
    "报修 卫生间水管漏水",
    "客厅的灯不亮了 开关按了没反应",
    "卧室空调不制冷 吹的都是热风",
    "入户门锁不好用 钥匙拧不动",
    "马桶水箱一直在响 水停不下来",
    "卫生间墙面渗水 墙皮都鼓起来了",
    "暖气片不热 屋里冷得很",
    "窗户关不严 晚上风呼呼往里灌",
)
COMPLAINTS = (
    "楼上天天半夜拖椅子 吵得睡不着",
    "隔壁装修早上七点就开始砸墙 太影响休息了",
    "有人把电动车推进楼道充电 很危险也没人管",
    "保洁这周都没来拖过我们这层的地",
    "门口的快递柜坏了好几天了都没人理 态度太差",
)
URGENT = ("厨房里燃气味很重 我已经开窗了 快来人", "卫生间水管爆了 水哗哗往外喷 快来人")
RATINGS = ("5", "4", "非常满意", "3", "还行吧", "5", "4")
TECHNICIANS = ("zhang", "li", "wang")
OFFICE_OPEN, OFFICE_CLOSE = time(8, 0), time(18, 0)


@dataclass
class Record:
    """What the simulation itself knows about one ticket."""

    number: int
    kind: str
    priority: str
    resident: str
    created: datetime
    claimed: datetime | None = None
    owner: str | None = None
    started: datetime | None = None
    resolved: list[datetime] = field(default_factory=list)
    reopened: list[datetime] = field(default_factory=list)
    # When the resident answers the poll after each 完成; None: never.
    answers: list[datetime | None] = field(default_factory=list)
    closed: datetime | None = None
    rating: int | None = None
    urges: int = 0


@dataclass(order=True)
class _Event:
    at: datetime
    seq: int
    action: Callable[[], Awaitable[None]] = field(compare=False)


class Simulation:
    def __init__(self, services: Services, *, residents: int, reports: int, seed: int) -> None:
        self.services = services
        self.scheduler = Scheduler(services.db, services.policy)
        self.rng = random.Random(seed)
        self.now = START
        self.end = START + timedelta(days=TRAFFIC_DAYS + DRAIN_DAYS)
        self.residents = [f"o_sim_{index:04d}" for index in range(residents)]
        self.reports = reports
        self.records: dict[int, Record] = {}
        self.busy: set[str] = set()  # residents with a ticket not yet closed
        self.digest_passes = 0
        self._queue: list[_Event] = []
        self._seq = itertools.count()
        services.clock = lambda: self.now

    # -- set-up ---------------------------------------------------------------------------

    async def setup(self) -> None:
        async with self.services.db.write() as session:
            for index, openid in enumerate(self.residents):
                household = Household(
                    building=str(index // 24 + 1),
                    unit=str(index // 12 % 2 + 1),
                    room=f"{index % 12 // 2 + 1}0{index % 2 + 1}",
                    owner_name="",
                    phone=f"1380000{index:04d}",
                )
                session.add(household)
                await session.flush()
                session.add(Resident(openid=openid, household_id=household.id, verified=True))
            for userid, name, role in (
                ("zhang", "张师傅", "technician"),
                ("li", "李师傅", "technician"),
                ("wang", "王师傅", "technician"),
                ("chen", "陈客服", "service"),
                ("zhao", "赵主管", "supervisor"),
            ):
                await upsert_staff(session, userid=userid, name=name, role=role)
        for index in range(self.reports):
            day = self.rng.random() * TRAFFIC_DAYS
            # Most reports come in the day, some at night (when only urgent work runs).
            hour = self.rng.choice((7, 8, 9, 10, 11, 13, 14, 15, 16, 17, 19, 20, 21, 23))
            at = START + timedelta(days=int(day), hours=hour, minutes=self.rng.random() * 60)
            self._at(at, lambda index=index: self._report(index))
        for day in range(TRAFFIC_DAYS + DRAIN_DAYS):
            # The digest needs a pass at its hour even on a quiet day.
            self._at(START + timedelta(days=day, hours=17, minutes=31), self._pass)

    # -- the loop -------------------------------------------------------------------------

    async def run(self) -> None:
        stuck = 0
        while True:
            wake = await self._next_alert()
            event_at = self._queue[0].at if self._queue else None
            if wake is not None and (event_at is None or wake < event_at) and wake <= self.end:
                stuck = stuck + 1 if wake <= self.now else 0
                assert stuck < 5, f"the scheduler does not move on from {wake}"
                self.now = max(self.now, wake)
                await self.scheduler.run_once(self.now)
                continue
            if event_at is None or event_at > self.end:
                break
            event = heapq.heappop(self._queue)
            stuck = 0
            self.now = max(self.now, event.at)
            await event.action()
        self.now = self.end

    async def _next_alert(self) -> datetime | None:
        async with self.services.db.read() as session:
            wake: datetime | None = await session.scalar(select(func.min(Ticket.next_alert_at)))
        return wake

    async def _pass(self) -> None:
        self.digest_passes += 1
        await self.scheduler.run_once(self.now)

    def _at(self, at: datetime, action: Callable[[], Awaitable[None]]) -> None:
        heapq.heappush(self._queue, _Event(at, next(self._seq), action))

    def _office(self, at: datetime) -> datetime:
        """Staff do ordinary work in office hours: later work waits for the next morning."""
        local = at.astimezone(SHANGHAI)
        if OFFICE_OPEN <= local.time() < OFFICE_CLOSE:
            return at
        day = local.date() + timedelta(days=1 if local.time() >= OFFICE_CLOSE else 0)
        opening = datetime.combine(day, OFFICE_OPEN, SHANGHAI)
        return opening + timedelta(minutes=self.rng.random() * 40)

    def _minutes(self, low: float, high: float) -> timedelta:
        return timedelta(minutes=self.rng.uniform(low, high))

    # -- residents ------------------------------------------------------------------------

    async def say(self, openid: str, text: str) -> str:
        incoming = Incoming(
            user=openid,
            kind=Kind.TEXT,
            time=self.now,
            msg_id=str(next(self._seq) + 10**9),
            text=text,
        )
        return await pipeline.handle(self.services, incoming) or ""

    async def _report(self, index: int) -> None:
        free = [r for r in self.residents if r not in self.busy]
        openid = self.rng.choice(free)
        roll = self.rng.random()
        if roll < 0.05:
            kind, priority, text = "repair", "urgent", self.rng.choice(URGENT)
        elif roll < 0.80:
            kind, priority, text = "repair", "normal", self.rng.choice(REPAIRS)
        else:
            kind, priority, text = "complaint", "normal", self.rng.choice(COMPLAINTS)
        reply = await self.say(openid, text)
        # Answer the form's questions the way residents do until the ticket is opened.
        for _ in range(4):
            if "工单 #" in reply:
                break
            if "回复 1" in reply:
                answer = "1"
            elif "希望" in reply:
                answer = "尽快处理"
            else:
                answer = "随时"
            reply = await self.say(openid, answer)
        number = int(reply.split("工单 #", 1)[1][:4])
        async with self.services.db.read() as session:
            ticket = await session.get(Ticket, number)
        assert ticket is not None and (ticket.kind, ticket.priority) == (kind, priority), (
            f"{text!r} made {ticket and (ticket.kind, ticket.priority)}"
        )
        record = Record(number, kind, priority, openid, ticket.created_at)
        self.records[number] = record
        self.busy.add(openid)
        self._plan_response(record, ticket.response_due_at)

    async def _answer_poll(self, record: Record, answer: str) -> None:
        reply = await self.say(record.resident, answer)
        if "重新打开" in reply:
            record.reopened.append(self.now)
            if answer not in ("1", "2"):
                record.rating = 1  # 很差 / 非常不满意: a rating, and a bad one
            if record.owner in ("zhang", "li", "chen"):
                self._plan_work(record, again=True)
            return
        if answer == "1":
            score = self.rng.choice(RATINGS)
            self._at(self.now + self._minutes(1, 5), lambda: self._rate(record, score))
            return
        await self._rate_reply(record, reply)

    async def _rate(self, record: Record, score: str) -> None:
        await self._rate_reply(record, await self.say(record.resident, score))

    async def _rate_reply(self, record: Record, reply: str) -> None:
        if "重新打开" in reply:  # a rating of 2 or less (the words used mean 1)
            record.reopened.append(self.now)
            record.rating = 1
            if record.owner in ("zhang", "li", "chen"):
                self._plan_work(record, again=True)
            return
        assert "谢谢您的评价" in reply, reply
        record.rating = int(reply.split("（", 1)[1][0])
        record.closed = self.now
        self.busy.discard(record.resident)

    async def _urge(self, record: Record) -> None:
        if record.claimed is None:
            reply = await self.say(record.resident, "怎么还没人来")
            assert "催办" in reply, reply
            record.urges += 1

    # -- staff ----------------------------------------------------------------------------

    def _plan_response(self, record: Record, due: datetime | None) -> None:
        if record.priority == "urgent":
            # On duty around the clock; now and then a few minutes late.
            self._at(self.now + self._minutes(1, 8), lambda: self._claim(record, "zhang"))
            return
        roll = self.rng.random()
        if record.kind == "complaint":
            delay, who = self._minutes(20, 200), "chen"
        elif roll < 0.45:
            delay, who = self._minutes(3, 25), "zhang"
        elif roll < 0.80:
            delay, who = self._minutes(10, 70), "li"
        else:
            # Nobody picks it up: the supervisor dispatches once it is escalated.
            assert due is not None
            delay, who = due - self.now + self._minutes(5, 40), ""
        if self.rng.random() < 0.15:
            self._at(self.now + timedelta(hours=3), lambda: self._urge(record))
            self._at(self.now + timedelta(hours=5), lambda: self._urge(record))
        if who:
            self._at(self._office(self.now + delay), lambda: self._claim(record, who))
        else:
            self._at(self._office(self.now + delay), lambda: self._dispatch(record))

    async def _claim(self, record: Record, who: str) -> None:
        answer = await self.staff(who, f"接单 {record.number}")
        assert "负责" in answer, answer
        self._claimed(record, who)

    async def _dispatch(self, record: Record) -> None:
        who = self.rng.choice(("zhang", "li", "wang", "wang"))
        name = {"zhang": "张师傅", "li": "李师傅", "wang": "王师傅"}[who]
        answer = await self.staff("zhao", f"派单 {record.number} {name}")
        assert "负责" in answer, answer
        self._claimed(record, who)

    def _claimed(self, record: Record, who: str) -> None:
        record.claimed = record.claimed or self.now
        record.owner = who
        if who != "wang":  # never answers: his work waits until it is escalated
            self._plan_work(record, again=False)

    def _plan_work(self, record: Record, *, again: bool) -> None:
        urgent = record.priority == "urgent" and not again
        if record.kind == "repair":
            start = self.now + (self._minutes(5, 25) if urgent else self._minutes(30, 20 * 60))
            start = start if urgent else self._office(start)
            self._at(start, lambda: self._start(record))
        else:
            done = self._office(self.now + self._minutes(4 * 60, 60 * 60))
            self._at(done, lambda: self._resolve(record))

    async def _start(self, record: Record) -> None:
        assert record.owner is not None
        assert "处理中" in await self.staff(record.owner, f"开始 {record.number}")
        record.started = record.started or self.now
        done = self.now + self._minutes(30, 5 * 60)
        done = done if record.priority == "urgent" else self._office(done)
        self._at(done, lambda: self._resolve(record))

    async def _resolve(self, record: Record) -> None:
        assert record.owner is not None
        answer = await self.staff(record.owner, f"完成 {record.number} 已处理")
        assert "已请住户确认" in answer, answer
        record.resolved.append(self.now)
        roll = self.rng.random()
        later = self.now + self._minutes(10, 30 * 60)
        answer: str | None = None
        if record.reopened:
            # Second time round, residents who answer are satisfied.
            answer = "1" if roll < 0.7 else None
        elif roll < 0.55:
            answer = "1"
        elif roll < 0.65:
            answer = "2"
        elif roll < 0.73:
            answer = self.rng.choice(("很差", "非常不满意"))
        # The rest never answer: reminded after a day, closed three days later.
        record.answers.append(later if answer is not None else None)
        if answer is not None:
            self._at(later, lambda: self._answer_poll(record, answer))

    async def staff(self, userid: str, text: str) -> str:
        command = parse(text)
        assert not isinstance(command, Usage), f"{text!r}: {command.message}"
        key = f"sim:{next(self._seq)}"
        return await staff_run(self.services.db, userid, command, key=key, now=self.now)
