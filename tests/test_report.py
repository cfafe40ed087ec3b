"""`propbot report`: the month's figures match what happened, and nothing private shows."""

from __future__ import annotations

import asyncio
import json
import re
from datetime import UTC, datetime, timedelta

import pytest

from bot.cli import main
from storage.db import Database
from storage.models import Ticket
from storage.report import build_report, month_bounds
from tests.conftest import Backend

T0 = datetime(2026, 11, 3, 2, 0, tzinfo=UTC)


async def _seed(db: Database) -> None:
    rows = [
        # kind, category, location, respond after (min), due (min), resolve after (h), rating
        ("repair", "water", "3栋2单元1201", 10, 30, 5, 5),
        ("repair", "lift", "2栋电梯", 40, 30, 80, 2),
        ("repair", "lift", "2栋电梯", 20, 30, None, None),
        ("complaint", None, "东门", 60, 120, 30, 4),
        ("consult", None, None, 30, 120, 1, None),
    ]
    async with db.write() as session:
        for index, (kind, category, where, respond, due, resolve, rating) in enumerate(rows):
            created = T0 + timedelta(days=index)
            session.add(
                Ticket(
                    idem_key=f"r{index}",
                    kind=kind,
                    category=category,
                    location=where,
                    description="x",
                    created_at=created,
                    status="closed" if resolve else "assigned",
                    responded_at=created + timedelta(minutes=respond),
                    response_due_at=created + timedelta(minutes=due),
                    resolved_at=created + timedelta(hours=resolve) if resolve else None,
                    resolve_due_at=created + timedelta(hours=72),
                    rating=rating,
                    repeated=kind == "complaint",
                )
            )
        session.add(
            Ticket(
                idem_key="gone", kind="repair", description="x", created_at=T0, status="cancelled"
            )
        )
        session.add(
            Ticket(
                idem_key="october",
                kind="repair",
                description="x",
                created_at=T0 - timedelta(days=10),
            )
        )


async def test_figures_match_the_tickets(db: Database) -> None:
    await _seed(db)
    start, end = month_bounds("2026-11", UTC)
    async with db.read() as session:
        report = await build_report(session, start=start, end=end, now=T0 + timedelta(days=30))
    assert report.total == 5
    assert report.by_kind == {"repair": 3, "complaint": 1, "consult": 1}
    assert report.response_minutes == {"median": 30.0, "p90": 60.0}  # nearest rank
    assert report.response_on_time == 0.8  # one of five claimed after its 30 minutes
    assert report.resolution_on_time == 0.6  # 80 h > 72 h; one still open and overdue
    assert report.completion_rate == 0.8
    assert report.satisfaction_rate == round(2 / 3, 4)
    assert report.rating_response_rate == 0.75
    assert report.repeated_complaints == 1
    assert report.top_places == [("2栋电梯", 2), ("东门", 1)]


def test_cli_prints_text_and_json_without_private_data(
    backend: Backend, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # The command runs its own event loop, so this test is synchronous.
    async def seed() -> None:
        db = Database(backend.database_url)
        await db.upgrade()
        await _seed(db)
        await db.dispose()

    asyncio.run(seed())
    monkeypatch.setenv("DATABASE_URL", backend.database_url)
    assert main(["report", "--month", "2026-11"]) == 0
    text = capsys.readouterr().out
    assert "受理 5 件" in text and "满意率" in text
    assert "1201" not in text and not re.search(r"1[3-9]\d{9}", text)
    assert main(["report", "--from", "2026-11-01", "--to", "2026-12-01", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["total"] == 5 and data["completion_rate"] == 0.8
    assert main(["report", "--month", "十一月"]) == 2
