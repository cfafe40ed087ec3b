"""Time limits (限时办结) and the ladder that chases them. Pure: no I/O, no clock of its own.

Handlers read the limits to tell residents what they may expect; the scheduler (`bot/`)
climbs the ladder.

A ticket has up to three clocks: `respond` (until someone claims it), `resolve` (until it is
done) and `poll` (after it is done, until the resident confirms). Each clock climbs a
ladder: remind the owner's group before the limit, escalate to the supervisors at it, to
the manager at twice it. Every step fires once; the scheduler stores which have fired.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from storage.ticket_status import OPEN as OPEN_STATUSES

SHANGHAI = ZoneInfo("Asia/Shanghai")
# Open and running: a paused ticket's clocks stop, so it gets no alerts.
OPEN = OPEN_STATUSES - {"paused"}
# The default ladder: each rung fires at this fraction of a limit ([sla.ladder] changes it).
LADDER: tuple[tuple[str, float], ...] = (("remind", 0.8), ("escalate", 1.0), ("manager", 2.0))


CLOCKS = ("respond", "arrive", "resolve")


@dataclass(frozen=True)
class Limits:
    """respond: until someone claims it; arrive: until work starts on site (开始);
    resolve: until it is done. None: no such limit for this kind."""

    respond: timedelta | None
    resolve: timedelta | None
    arrive: timedelta | None = None

    def of(self, clock: str) -> timedelta | None:
        limit: timedelta | None = getattr(self, clock)
        return limit


def _minutes(value: float) -> timedelta:
    return timedelta(minutes=value)


def _limits(respond: float, arrive: float | None, resolve: float) -> Limits:
    return Limits(_minutes(respond), _minutes(resolve), _minutes(arrive) if arrive else None)


@dataclass(frozen=True)
class Policy:
    limits: dict[tuple[str, str], Limits] = field(
        default_factory=lambda: {
            ("repair", "urgent"): _limits(5, 30, 4 * 60),
            ("repair", "normal"): _limits(30, 24 * 60, 72 * 60),
            ("complaint", "normal"): _limits(120, None, 72 * 60),
            ("complaint", "urgent"): _limits(30, None, 24 * 60),
            ("consult", "normal"): _limits(120, None, 24 * 60),
            ("consult", "urgent"): _limits(30, None, 24 * 60),
        }
    )
    poll_remind: timedelta = timedelta(hours=24)
    poll_close: timedelta = timedelta(hours=72)
    # Urges on one ticket that send it straight to the supervisors (0: never).
    urges_to_escalate: int = 2
    # The rungs in the order they fire; a rung left out (or set to 0) never fires.
    ladder: tuple[tuple[str, float], ...] = LADDER
    # A repeated complaint goes straight to the supervisors.
    escalate_repeated: bool = True
    # Non-urgent work starts its clock in working hours: a repair reported at 22:00 is
    # timed from 08:00 the next working day. Urgent work runs around the clock.
    work_start: time = time(8, 0)
    work_end: time = time(18, 0)
    holidays: frozenset[date] = frozenset()
    # Clocks that count working time only ("respond within 30 minutes in working hours");
    # the others run by the calendar once started ("on site the same or next day").
    office_clocks: frozenset[str] = frozenset({"respond"})
    # When the day's digest of open and overdue work goes to each group; None: never.
    digest_at: time | None = time(17, 30)

    @property
    def always_open(self) -> bool:
        # Equal start and end mean an office that never closes.
        return self.work_start == self.work_end

    def _closed(self, day: date) -> bool:
        return day in self.holidays

    def clock_start(self, created_at: datetime, priority: str) -> datetime:
        """When the time limits of a ticket created at `created_at` start to run."""
        if priority == "urgent" or self.always_open:
            return created_at
        local = created_at.astimezone(SHANGHAI)
        day = local.date()
        if not self._closed(day) and local.time() < self.work_end:
            if local.time() >= self.work_start:
                return created_at
            return datetime.combine(day, self.work_start, SHANGHAI)
        day += timedelta(days=1)
        while self._closed(day):
            day += timedelta(days=1)
        return datetime.combine(day, self.work_start, SHANGHAI)

    def deadline(
        self,
        created_at: datetime,
        priority: str,
        clock: str,
        limit: timedelta,
        paused: timedelta = timedelta(0),
    ) -> datetime:
        """When `limit` on `clock` runs out. A pause moves every deadline by its length."""
        start = self.clock_start(created_at, priority)
        if priority == "urgent" or self.always_open or clock not in self.office_clocks:
            return start + limit + paused
        return self._add_working_time(start, limit) + paused

    def _add_working_time(self, start: datetime, amount: timedelta) -> datetime:
        # `start` is inside working hours (clock_start makes it so).
        at = start.astimezone(SHANGHAI)
        while True:
            close = datetime.combine(at.date(), self.work_end, SHANGHAI)
            if at + amount <= close:
                return at + amount
            amount -= close - at
            day = at.date() + timedelta(days=1)
            while self._closed(day):
                day += timedelta(days=1)
            at = datetime.combine(day, self.work_start, SHANGHAI)

    def due_times(
        self, created_at: datetime, kind: str, priority: str, paused: timedelta = timedelta(0)
    ) -> dict[str, datetime | None]:
        """Each clock's deadline, as stored on the ticket and promised to the resident."""
        limits = self.limits_for(kind, priority)
        result: dict[str, datetime | None] = {}
        for clock in CLOCKS:
            limit = limits.of(clock)
            result[clock] = (
                self.deadline(created_at, priority, clock, limit, paused) if limit else None
            )
        return result

    def limits_for(self, kind: str, priority: str) -> Limits:
        return self.limits.get((kind, priority)) or self.limits.get(
            (kind, "normal"), Limits(None, None)
        )

    @classmethod
    def load(cls, path: str) -> Policy:
        """`[sla]` of the estate's TOML, in minutes (fractions allowed, for demos and tests):

        [sla.repair.normal]   respond = 30   arrive = 1440   resolve = 4320
        [sla.poll]            remind = 1440  close = 4320
        [sla.hours]           start = "08:00"  end = "18:00"  holidays = ["2026-10-01"]
        [sla.digest]          at = "17:30"     (at = "" turns the daily digest off)
        [sla.ladder]          remind = 0.8   escalate = 1.0   manager = 2.0
                              urges = 2      repeated = true   (0 / false: never)
        """
        if not path:
            return cls()
        data = tomllib.loads(Path(path).read_text(encoding="utf-8")).get("sla", {})
        policy = cls()
        limits = dict(policy.limits)
        for kind, table in data.items():
            if kind in ("poll", "hours", "digest", "ladder") or not isinstance(table, dict):
                continue
            for priority, values in table.items():
                if isinstance(values, dict):
                    limits[(kind, priority)] = Limits(
                        _opt(values.get("respond")),
                        _opt(values.get("resolve")),
                        _opt(values.get("arrive")),
                    )
        poll = data.get("poll", {})
        hours = data.get("hours", {})
        digest = data.get("digest", {})
        rungs = data.get("ladder", {})
        ladder = tuple(
            (rung, float(rungs.get(rung, factor)))
            for rung, factor in LADDER
            if float(rungs.get(rung, factor)) > 0
        )
        loaded = cls(
            limits=limits,
            poll_remind=_opt(poll.get("remind")) or policy.poll_remind,
            poll_close=_opt(poll.get("close")) or policy.poll_close,
            work_start=_clock(hours.get("start")) or policy.work_start,
            work_end=_clock(hours.get("end")) or policy.work_end,
            holidays=frozenset(date.fromisoformat(str(d)) for d in hours.get("holidays", [])),
            office_clocks=frozenset(hours.get("office_clocks", policy.office_clocks)),
            digest_at=_clock(digest["at"]) if "at" in digest else policy.digest_at,
            urges_to_escalate=int(rungs.get("urges", policy.urges_to_escalate)),
            ladder=ladder,
            escalate_repeated=bool(rungs.get("repeated", policy.escalate_repeated)),
        )
        factors = [factor for _, factor in ladder]
        if factors != sorted(factors):
            raise ValueError(f"{path}: [sla.ladder] rungs must rise: remind ≤ escalate ≤ manager")
        if loaded.work_start > loaded.work_end:
            raise ValueError(f"{path}: [sla.hours] start must come before end (equal: always open)")
        return loaded


def duration_text(limit: timedelta | None) -> str:
    if limit is None:
        return "尽快"
    minutes = int(limit.total_seconds() // 60)
    if minutes >= 24 * 60 and minutes % (24 * 60) == 0:
        return f"{minutes // (24 * 60)} 天"
    if minutes >= 60 and minutes % 60 == 0:
        return f"{minutes // 60} 小时"
    return f"{max(minutes, 1)} 分钟"


def _clock(value: object) -> time | None:
    return time.fromisoformat(value) if isinstance(value, str) and value else None


def _opt(value: object) -> timedelta | None:
    return _minutes(float(value)) if isinstance(value, int | float) else None


@dataclass(frozen=True)
class Clock:
    """What the ladder needs to know about one ticket."""

    kind: str
    priority: str
    status: str
    created_at: datetime
    responded_at: datetime | None
    resolved_at: datetime | None
    urge_count: int
    repeated: bool
    fired: frozenset[str]
    started_at: datetime | None = None
    # Time spent paused so far: every deadline moves by it.
    paused: timedelta = timedelta(0)

    def running(self, clock: str) -> bool:
        if self.status not in OPEN:
            return False
        if clock == "respond":
            return self.responded_at is None
        if clock == "arrive":
            return self.started_at is None
        return True


def due(clock: Clock, policy: Policy, now: datetime) -> tuple[list[str], datetime | None]:
    """The steps due now (not fired yet) and when the next one falls due, if any."""
    steps: list[str] = []
    upcoming: list[datetime] = []
    limits = policy.limits_for(clock.kind, clock.priority)
    for name in CLOCKS:
        limit = limits.of(name)
        if limit is None or not clock.running(name):
            continue
        for rung, factor in policy.ladder:
            step = f"{name}:{rung}"
            if step in clock.fired:
                continue
            at = policy.deadline(
                clock.created_at, clock.priority, name, limit * factor, clock.paused
            )
            if at <= now:
                steps.append(step)
            else:
                upcoming.append(at)
                break
    if clock.status in OPEN:
        urges = policy.urges_to_escalate
        if urges and clock.urge_count >= urges and "urges:escalate" not in clock.fired:
            steps.append("urges:escalate")
        if policy.escalate_repeated and clock.repeated and "repeated:escalate" not in clock.fired:
            steps.append("repeated:escalate")
    if clock.status == "resolved" and clock.resolved_at is not None:
        for step, at in (
            ("poll:remind", clock.resolved_at + policy.poll_remind),
            ("poll:close", clock.resolved_at + policy.poll_remind + policy.poll_close),
        ):
            if step in clock.fired:
                continue
            if at <= now:
                steps.append(step)
            else:
                upcoming.append(at)
                break
    return steps, min(upcoming) if upcoming else None
