"""The notice-board page (`propbot report --html`) and the internal per-staff figures."""

from __future__ import annotations

import asyncio
import base64
import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.cli import main
from bot.cli_report import public_places, render
from bot.report_charts import find_cjk_font
from bot.report_html import render_html
from storage.db import Database
from storage.models import Staff, Ticket
from storage.report import Report, build_report, month_bounds
from tests.conftest import Backend
from tests.test_report import _seed

T0 = datetime(2026, 11, 3, 2, 0, tzinfo=UTC)
NAME, ROOM, PHONE = "张伟", "3栋2单元1201", "13812345678"
PRIVATE = (NAME, ROOM, "1201", PHONE)


async def _seed_private(db: Database) -> tuple[int, int]:
    """Two technicians and tickets full of one resident's name, room and phone."""
    async with db.write() as session:
        li, wang = (
            Staff(userid="li", name="李师傅", role="technician"),
            Staff(userid="wang", name="王师傅", role="technician"),
        )
        session.add_all([li, wang])
        await session.flush()
        rows = [
            # location, resolved by, assignee, resolve after (h), rating, comment
            (ROOM, li.id, wang.id, 2, 5, f"很及时，有事打我电话{PHONE}"),
            (f"{NAME}家门口", li.id, None, 6, 3, "来晚了"),
            (f"{NAME} {PHONE}", None, wang.id, 4, 4, "  不错\n谢谢  "),
            ("2栋电梯", None, wang.id, None, None, None),  # still open
            ("东门", None, None, 1, 5, None),  # nobody's: counted nowhere per staff
        ]
        for index, (where, resolver, assignee, hours, rating, comment) in enumerate(rows):
            created = T0 + timedelta(days=index)
            resolved = created + timedelta(hours=hours) if hours else None
            session.add(
                Ticket(
                    idem_key=f"p{index}",
                    kind="repair",
                    category="water",
                    location=where,
                    description=f"{NAME}（{ROOM}，电话 {PHONE}）家里漏水",
                    created_at=created,
                    status="closed" if hours else "assigned",
                    responded_at=created + timedelta(minutes=10),
                    response_due_at=created + timedelta(minutes=30),
                    resolved_at=resolved,
                    resolve_due_at=created + timedelta(hours=24),
                    resolved_by_id=resolver,
                    assignee_id=assignee,
                    rating=rating,
                    rating_comment=comment,
                    rated_at=resolved + timedelta(hours=1) if resolved and rating else None,
                )
            )
    return li.id, wang.id


async def _report(db: Database, **options: object) -> Report:
    start, end = month_bounds("2026-11", UTC)
    async with db.read() as session:
        return await build_report(
            session, start=start, end=end, now=T0 + timedelta(days=30), **options
        )  # type: ignore[arg-type]


async def test_staff_figures_follow_who_resolved_else_the_assignee(db: Database) -> None:
    li_id, wang_id = await _seed_private(db)
    report = await _report(db)
    li, wang = report.staff
    assert (li.staff_id, li.name, wang.staff_id, wang.name) == (li_id, "李师傅", wang_id, "王师傅")
    # 李: resolved #0 (though 王 holds it) and #1; 王: #2 by assignment, #3 still open.
    assert (li.handled, li.resolution_hours_median, li.ratings) == (2, 4.0, 2)
    assert (li.average_rating, li.satisfaction_rate) == (4.0, 0.5)
    assert li.comments == ["来晚了", "很及时，有事打我电话138****5678"]  # latest first, masked
    assert (wang.handled, wang.resolution_hours_median, wang.ratings) == (1, 4.0, 1)
    assert (wang.average_rating, wang.satisfaction_rate, wang.comments) == (4.0, 1.0, ["不错 谢谢"])
    assert report.rating_counts == {1: 0, 2: 0, 3: 1, 4: 1, 5: 2}


async def test_per_kind_limits_and_daily_volume(db: Database) -> None:
    await _seed(db)
    report = await _report(db)
    assert report.on_time_by_kind == {
        "repair": {"respond": round(2 / 3, 4), "arrive": None, "resolve": round(1 / 3, 4)},
        "complaint": {"respond": 1.0, "arrive": None, "resolve": 1.0},
        "consult": {"respond": 1.0, "arrive": None, "resolve": 1.0},
    }
    assert report.response_minutes_by_kind["repair"] == {"median": 20.0, "p90": 40.0}
    assert report.resolution_hours_by_kind["complaint"] == {"median": 30.0, "p90": 30.0}
    assert len(report.daily) == 30 and sum(report.daily.values()) == 5
    assert report.daily["2026-11-03"] == 1 and report.daily["2026-11-01"] == 0


async def test_page_has_figures_and_charts_and_nothing_private(db: Database) -> None:
    await _seed_private(db)
    report = await _report(db, public_places=public_places())
    page = render_html(report, chinese_charts=False)
    assert page.startswith("<!DOCTYPE html>") and page.rstrip().endswith("</html>")
    assert "受理诉求" in page and "5 件" in page and "满意率" in page and "80.0%" in page
    images = re.findall(r'src="data:image/png;base64,([A-Za-z0-9+/=]+)"', page)
    assert len(images) == 6
    assert all(base64.b64decode(data).startswith(b"\x89PNG") for data in images)
    assert "http://" not in page and "https://" not in page  # nothing fetched from outside
    assert "2栋电梯" in page and "东门" in page
    text = render(report)
    for secret in PRIVATE:
        assert secret not in page and secret not in text
    assert not re.search(r"1[3-9]\d{9}", page + text)
    # Staff and residents' comments are internal: in the text, never on the page.
    assert "李师傅" in text and "来晚了" in text
    assert "李师傅" not in page and "来晚了" not in page and "138****" not in page


def test_page_escapes_what_it_shows() -> None:
    start, end = month_bounds("2026-11", UTC)
    report = Report(start=start, end=end, total=2, by_category={"<script>x</script>": 1, "噪音": 1})
    page = render_html(report, chinese_charts=False)
    assert "<script>" not in page and "&lt;script&gt;x&lt;/script&gt;" in page
    assert "本期无诉求" in page or "分类型情况" in page


@pytest.mark.skipif(find_cjk_font() is None, reason="no CJK font installed")
def test_chinese_chart_labels_when_a_cjk_font_exists() -> None:
    # Runs under warnings-as-errors: a glyph missing from the font would fail it.
    start, end = month_bounds("2026-11", UTC)
    spread: dict[str, float | None] = {"median": 12.5, "p90": 40.0}
    report = Report(
        start=start,
        end=end,
        total=3,
        by_kind={"repair": 2, "complaint": 1},
        by_category={"lift": 2, "噪音": 1},  # a category outside the table, drawn as is
        daily={"2026-11-01": 1, "2026-11-02": 2},
        response_minutes_by_kind={"repair": spread, "complaint": spread},
        resolution_hours_by_kind={"repair": spread, "complaint": spread},
        on_time_by_kind={"repair": {"respond": 0.5, "resolve": None}},
        rating_counts={1: 0, 2: 1, 3: 0, 4: 0, 5: 2},
    )
    page = render_html(report)
    assert page.count("data:image/png;base64,") == 6 and "噪音" in page


def test_cli_writes_the_page(
    backend: Backend,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    async def seed() -> None:
        db = Database(backend.database_url)
        await db.upgrade()
        await _seed_private(db)
        await db.dispose()

    asyncio.run(seed())
    monkeypatch.setenv("DATABASE_URL", backend.database_url)
    out = tmp_path / "out.html"
    assert main(["report", "--month", "2026-11", "--html", str(out)]) == 0
    printed = capsys.readouterr()
    assert "受理 5 件" in printed.out and "李师傅：办结 2 件" in printed.out
    assert str(out) in printed.err
    page = out.read_text(encoding="utf-8")
    assert '<meta charset="utf-8">' in page and "data:image/png;base64," in page
    assert "2026 年 11 月" in page
    for secret in PRIVATE:
        assert secret not in page and secret not in printed.out
    assert "李师傅" not in page
    # A page that cannot be written fails the command; stdout stays pure JSON either way.
    nowhere = str(tmp_path / "missing" / "out.html")
    assert main(["report", "--month", "2026-11", "--json", "--html", nowhere]) == 1
    printed = capsys.readouterr()
    data = json.loads(printed.out)
    assert [s["name"] for s in data["staff"]] == ["李师傅", "王师傅"]
    assert data["staff"][0]["comments"][1].endswith("138****5678")
    assert "网页写不进" in printed.err
