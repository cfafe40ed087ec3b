"""The monthly figures a property company publishes (信息公示), computed from the tickets.

Public on purpose: no resident names, rooms or phone numbers — locations are listed only
when they are public places. The per-staff figures are internal: they carry residents'
comments and are for the manager, never for the notice board.
"""

from __future__ import annotations

import re
import statistics
from collections import Counter, defaultdict
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.households import mask_phones
from storage.models import Staff, Ticket

# A home, not a public place: "3栋2单元1201", "1201", "12室", "张家"; any run of three or
# more digits may also be a phone number.
_PRIVATE = re.compile(r"\d+单元|\d{3,}|\d+室|家")
# How a building's public place is written ("2栋电梯"); the rest must be a known place.
_BUILDING = re.compile(r"^[0-9A-Za-z]+栋")
DONE = frozenset({"resolved", "closed"})
COMMENTS_PER_STAFF = 3
COMMENT_CHARS = 60


@dataclass
class StaffFigures:
    """One staff member's month: the jobs they finished and what residents said of them."""

    staff_id: int
    name: str
    handled: int = 0
    resolution_hours_median: float | None = None
    ratings: int = 0
    average_rating: float | None = None
    satisfaction_rate: float | None = None
    comments: list[str] = field(default_factory=list)


@dataclass
class Report:
    start: datetime
    end: datetime
    total: int = 0
    by_kind: dict[str, int] = field(default_factory=dict)
    by_category: dict[str, int] = field(default_factory=dict)
    urgent: int = 0
    daily: dict[str, int] = field(default_factory=dict)
    response_minutes: dict[str, float | None] = field(default_factory=dict)
    resolution_hours: dict[str, float | None] = field(default_factory=dict)
    response_minutes_by_kind: dict[str, dict[str, float | None]] = field(default_factory=dict)
    resolution_hours_by_kind: dict[str, dict[str, float | None]] = field(default_factory=dict)
    response_on_time: float | None = None
    # Repairs: work started on site (开始) within the arrival limit.
    arrival_on_time: float | None = None
    resolution_on_time: float | None = None
    # kind → {"respond": share, "arrive": share, "resolve": share}
    on_time_by_kind: dict[str, dict[str, float | None]] = field(default_factory=dict)
    completion_rate: float | None = None
    satisfaction_rate: float | None = None
    rating_response_rate: float | None = None
    rating_counts: dict[int, int] = field(default_factory=dict)
    repeated_complaints: int = 0
    repeated_by_status: dict[str, int] = field(default_factory=dict)
    top_places: list[tuple[str, int]] = field(default_factory=list)
    staff: list[StaffFigures] = field(default_factory=list)


async def build_report(
    session: AsyncSession,
    *,
    start: datetime,
    end: datetime,
    now: datetime,
    public_places: Collection[str] | None = None,
) -> Report:
    """The figures of tickets created in [start, end).

    `public_places`, when given, are the only place names (optionally after "N栋") listed
    among the top places; without it, anything that does not look like a home is listed.
    """
    tickets = list(
        await session.scalars(
            select(Ticket).where(Ticket.created_at >= start, Ticket.created_at < end)
        )
    )
    report = Report(start=start, end=end)
    live = [t for t in tickets if t.status != "cancelled"]
    report.total = len(live)
    report.by_kind = dict(Counter(t.kind for t in live).most_common())
    report.by_category = dict(Counter(t.category or "other" for t in live).most_common())
    report.urgent = sum(1 for t in live if t.priority == "urgent")
    report.daily = _daily(live, start, end)
    report.response_minutes = _spread(_response_minutes(live))
    report.resolution_hours = _spread(_resolution_hours(live))
    report.response_on_time = _on_time(live, "responded_at", "response_due_at", now)
    report.arrival_on_time = _on_time(live, "started_at", "start_due_at", now)
    report.resolution_on_time = _on_time(live, "resolved_at", "resolve_due_at", now)
    for kind in report.by_kind:
        mine = [t for t in live if t.kind == kind]
        report.response_minutes_by_kind[kind] = _spread(_response_minutes(mine))
        report.resolution_hours_by_kind[kind] = _spread(_resolution_hours(mine))
        report.on_time_by_kind[kind] = {
            "respond": _on_time(mine, "responded_at", "response_due_at", now),
            "arrive": _on_time(mine, "started_at", "start_due_at", now),
            "resolve": _on_time(mine, "resolved_at", "resolve_due_at", now),
        }
    done = [t for t in live if t.status in DONE]
    report.completion_rate = _share(len(done), len(live))
    rated = [t for t in done if t.rating is not None]
    report.rating_response_rate = _share(len(rated), len(done))
    report.satisfaction_rate = _satisfied(rated)
    counts = Counter(t.rating for t in live if t.rating is not None)
    report.rating_counts = {score: counts.get(score, 0) for score in range(1, 6)}
    repeated = [t for t in live if t.kind == "complaint" and t.repeated]
    report.repeated_complaints = len(repeated)
    report.repeated_by_status = dict(Counter(t.status for t in repeated))
    places = Counter(
        t.location for t in live if t.location and _is_public(t.location, public_places)
    )
    report.top_places = places.most_common(5)
    report.staff = await _staff_figures(session, live)
    return report


def _is_public(location: str, known: Collection[str] | None) -> bool:
    if _PRIVATE.search(location):
        return False
    return known is None or _BUILDING.sub("", location) in known


def _response_minutes(tickets: list[Ticket]) -> list[float]:
    return [(t.responded_at - t.created_at).total_seconds() / 60 for t in tickets if t.responded_at]


def _resolution_hours(tickets: list[Ticket]) -> list[float]:
    return [(t.resolved_at - t.created_at).total_seconds() / 3600 for t in tickets if t.resolved_at]


def _daily(tickets: list[Ticket], start: datetime, end: datetime) -> dict[str, int]:
    """Requests per local day (the period's own time zone), every day present, zeros too."""
    counts = Counter(t.created_at.astimezone(start.tzinfo).date() for t in tickets)
    days: dict[str, int] = {}
    day, last = start.date(), (end - timedelta(microseconds=1)).date()
    while day <= last:
        days[day.isoformat()] = counts.get(day, 0)
        day += timedelta(days=1)
    return days


def credited_staff(ticket: Ticket) -> int | None:
    """Whose work a ticket was: who marked it done, else who holds it (tickets finished
    before `resolved_by_id` existed have it empty)."""
    return ticket.resolved_by_id if ticket.resolved_by_id is not None else ticket.assignee_id


async def _staff_figures(session: AsyncSession, tickets: list[Ticket]) -> list[StaffFigures]:
    mine: dict[int, list[Ticket]] = defaultdict(list)
    for ticket in tickets:
        staff_id = credited_staff(ticket)
        if staff_id is not None:
            mine[staff_id].append(ticket)
    if not mine:
        return []
    rows = await session.execute(select(Staff.id, Staff.name).where(Staff.id.in_(mine)))
    names: dict[int, str] = {staff_id: name for staff_id, name in rows}
    figures = []
    for staff_id, own in mine.items():
        rated = [t for t in own if t.rating is not None]
        hours = _resolution_hours([t for t in own if t.status in DONE])
        latest = sorted(
            (t for t in rated if t.rating_comment and t.rating_comment.strip()),
            key=lambda t: t.rated_at or t.resolved_at or t.created_at,
            reverse=True,
        )
        figures.append(
            StaffFigures(
                staff_id=staff_id,
                name=names.get(staff_id, f"#{staff_id}"),
                handled=sum(1 for t in own if t.status in DONE),
                resolution_hours_median=_spread(hours)["median"],
                ratings=len(rated),
                average_rating=(
                    round(statistics.fmean(t.rating or 0 for t in rated), 2) if rated else None
                ),
                satisfaction_rate=_satisfied(rated),
                comments=[_comment(t.rating_comment or "") for t in latest[:COMMENTS_PER_STAFF]],
            )
        )
    figures.sort(key=lambda f: (-f.handled, -f.ratings, f.name))
    return figures


def _comment(text: str) -> str:
    # Residents' own words: a phone number in them is masked before anyone reads it.
    flat = " ".join(mask_phones(text).split())
    return flat if len(flat) <= COMMENT_CHARS else flat[: COMMENT_CHARS - 1] + "…"


def _satisfied(rated: list[Ticket]) -> float | None:
    return _share(sum(1 for t in rated if (t.rating or 0) >= 4), len(rated))


def _spread(values: list[float]) -> dict[str, float | None]:
    if not values:
        return {"median": None, "p90": None}
    ordered = sorted(values)
    p90 = ordered[min(len(ordered) - 1, round(0.9 * (len(ordered) - 1)))]
    return {"median": round(statistics.median(ordered), 1), "p90": round(p90, 1)}


def _on_time(tickets: list[Ticket], done_field: str, due_field: str, now: datetime) -> float | None:
    """Share met in time among tickets whose limit has been decided (met, or passed)."""
    met = decided = 0
    for ticket in tickets:
        due: datetime | None = getattr(ticket, due_field)
        done: datetime | None = getattr(ticket, done_field)
        if due is None:
            continue
        if done is not None:
            decided += 1
            met += done <= due
        elif now > due:
            decided += 1
    return _share(met, decided)


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def month_bounds(month: str, tz: object) -> tuple[datetime, datetime]:
    """ "2026-11" → [2026-11-01 00:00, 2026-12-01 00:00) in the estate's time zone."""
    year, number = (int(part) for part in month.split("-"))
    start = datetime(year, number, 1, tzinfo=tz)  # type: ignore[arg-type]
    following = (start + timedelta(days=32)).replace(day=1)
    return start, following
