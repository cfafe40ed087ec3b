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
LADDER: tuple[tuple[str, float], ...] = (("remind", 0.8), ("escalate", 1.0), ("manager", 2.0))


@dataclass(frozen=True)
class Limits:
    respond: timedelta | None
    resolve: timedelta | None


def _minutes(value: float) -> timedelta:
    return timedelta(minutes=value)


@dataclass(frozen=True)
class Policy:
    limits: dict[tuple[str, str], Limits] = field(
        default_factory=lambda: {
            ("repair", "urgent"): Limits(_minutes(5), _minutes(4 * 60)),
            ("repair", "normal"): Limits(_minutes(30), _minutes(72 * 60)),
            ("complaint", "normal"): Limits(_minutes(120), _minutes(72 * 60)),
            ("complaint", "urgent"): Limits(_minutes(30), _minutes(24 * 60)),
            ("consult", "normal"): Limits(_minutes(120), _minutes(24 * 60)),
            ("consult", "urgent"): Limits(_minutes(30), _minutes(24 * 60)),
        }
    )
    poll_remind: timedelta = timedelta(hours=24)
    poll_close: timedelta = timedelta(hours=72)
    # Urges on one ticket that send it straight to the supervisors.
    urges_to_escalate: int = 2
    # Non-urgent work starts its clock in working hours: a repair reported at 22:00 is
    # timed from 08:00 the next working day. Urgent work runs around the clock.
    work_start: time = time(8, 0)
    work_end: time = time(18, 0)
    holidays: frozenset[date] = frozenset()

    def clock_start(self, created_at: datetime, priority: str) -> datetime:
        """When the time limits of a ticket created at `created_at` start to run."""
        if priority == "urgent" or self.work_start == self.work_end:
            # Equal start and end mean an office that never closes.
            return created_at
        local = created_at.astimezone(SHANGHAI)
        day = local.date()
        if day not in self.holidays and local.time() < self.work_end:
            if local.time() >= self.work_start:
                return created_at
            return datetime.combine(day, self.work_start, SHANGHAI)
        day += timedelta(days=1)
        while day in self.holidays:
            day += timedelta(days=1)
        return datetime.combine(day, self.work_start, SHANGHAI)

    def limits_for(self, kind: str, priority: str) -> Limits:
        return self.limits.get((kind, priority)) or self.limits.get(
            (kind, "normal"), Limits(None, None)
        )

    @classmethod
    def load(cls, path: str) -> Policy:
        """`[sla]` of the estate's TOML, in minutes (fractions allowed, for demos and tests):

        [sla.repair.normal]   respond = 30   resolve = 4320
        [sla.poll]            remind = 1440  close = 4320
        [sla.hours]           start = "08:00"  end = "18:00"  holidays = ["2026-10-01"]
        """
        if not path:
            return cls()
        data = tomllib.loads(Path(path).read_text(encoding="utf-8")).get("sla", {})
        policy = cls()
        limits = dict(policy.limits)
        for kind, table in data.items():
            if kind in ("poll", "hours") or not isinstance(table, dict):
                continue
            for priority, values in table.items():
                if isinstance(values, dict):
                    limits[(kind, priority)] = Limits(
                        _opt(values.get("respond")), _opt(values.get("resolve"))
                    )
        poll = data.get("poll", {})
        hours = data.get("hours", {})
        return cls(
            limits=limits,
            poll_remind=_opt(poll.get("remind")) or policy.poll_remind,
            poll_close=_opt(poll.get("close")) or policy.poll_close,
            work_start=_clock(hours.get("start")) or policy.work_start,
            work_end=_clock(hours.get("end")) or policy.work_end,
            holidays=frozenset(date.fromisoformat(str(d)) for d in hours.get("holidays", [])),
        )


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
    return time.fromisoformat(value) if isinstance(value, str) else None


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


def due(clock: Clock, policy: Policy, now: datetime) -> tuple[list[str], datetime | None]:
    """The steps due now (not fired yet) and when the next one falls due, if any."""
    steps: list[str] = []
    upcoming: list[datetime] = []
    limits = policy.limits_for(clock.kind, clock.priority)
    ladders = []
    if clock.status in OPEN and clock.responded_at is None and limits.respond:
        ladders.append(("respond", limits.respond))
    if clock.status in OPEN and limits.resolve:
        ladders.append(("resolve", limits.resolve))
    for name, limit in ladders:
        for rung, factor in LADDER:
            step = f"{name}:{rung}"
            if step in clock.fired:
                continue
            at = policy.clock_start(clock.created_at, clock.priority) + limit * factor
            if at <= now:
                steps.append(step)
            else:
                upcoming.append(at)
                break
    if clock.status in OPEN:
        if clock.urge_count >= policy.urges_to_escalate and "urges:escalate" not in clock.fired:
            steps.append("urges:escalate")
        if clock.repeated and "repeated:escalate" not in clock.fired:
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
