"""The monthly figures a property company publishes (信息公示), computed from the tickets.

Public on purpose: no resident names, rooms or phone numbers — locations are listed only
when they are public places.
"""

from __future__ import annotations

import re
import statistics
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Ticket

# "3栋2单元1201" or "1201" is somebody's home, not a public place.
_PRIVATE = re.compile(r"\d+单元|\d{3,4}$|\d+室")
DONE = frozenset({"resolved", "closed"})


@dataclass
class Report:
    start: datetime
    end: datetime
    total: int = 0
    by_kind: dict[str, int] = field(default_factory=dict)
    by_category: dict[str, int] = field(default_factory=dict)
    urgent: int = 0
    response_minutes: dict[str, float | None] = field(default_factory=dict)
    resolution_hours: dict[str, float | None] = field(default_factory=dict)
    response_on_time: float | None = None
    resolution_on_time: float | None = None
    completion_rate: float | None = None
    satisfaction_rate: float | None = None
    rating_response_rate: float | None = None
    repeated_complaints: int = 0
    repeated_by_status: dict[str, int] = field(default_factory=dict)
    top_places: list[tuple[str, int]] = field(default_factory=list)


async def build_report(
    session: AsyncSession, *, start: datetime, end: datetime, now: datetime
) -> Report:
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
    responses = [
        (t.responded_at - t.created_at).total_seconds() / 60 for t in live if t.responded_at
    ]
    resolutions = [
        (t.resolved_at - t.created_at).total_seconds() / 3600 for t in live if t.resolved_at
    ]
    report.response_minutes = _spread(responses)
    report.resolution_hours = _spread(resolutions)
    report.response_on_time = _on_time(live, "responded_at", "response_due_at", now)
    report.resolution_on_time = _on_time(live, "resolved_at", "resolve_due_at", now)
    done = [t for t in live if t.status in DONE]
    report.completion_rate = _share(len(done), len(live))
    rated = [t for t in done if t.rating is not None]
    report.rating_response_rate = _share(len(rated), len(done))
    report.satisfaction_rate = _share(sum(1 for t in rated if (t.rating or 0) >= 4), len(rated))
    repeated = [t for t in live if t.kind == "complaint" and t.repeated]
    report.repeated_complaints = len(repeated)
    report.repeated_by_status = dict(Counter(t.status for t in repeated))
    places = Counter(t.location for t in live if t.location and not _PRIVATE.search(t.location))
    report.top_places = places.most_common(5)
    return report


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
