"""`propbot report`: the month's figures, for the notice board (信息公示) and the manager."""

from __future__ import annotations

import argparse
import json
from dataclasses import asdict
from datetime import UTC, datetime, timedelta

from bot.cli_db import run_with_db
from handlers.sla import SHANGHAI
from storage.db import Database
from storage.report import Report, build_report, month_bounds

KINDS = {"repair": "报修", "complaint": "投诉", "consult": "咨询"}


def add_report_command(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    report = subparsers.add_parser("report", help="the month's service figures")
    report.add_argument("--month", help="YYYY-MM (default: this month)")
    report.add_argument("--from", dest="start", help="YYYY-MM-DD (with --to)")
    report.add_argument("--to", dest="end", help="YYYY-MM-DD, exclusive")
    report.add_argument("--json", action="store_true")
    report.set_defaults(func=cmd_report)


def cmd_report(args: argparse.Namespace) -> int:
    try:
        start, end = _period(args)
    except ValueError:
        print("日期格式不对：--month 2026-11，或 --from 2026-11-01 --to 2026-12-01")
        return 2

    async def work(db: Database) -> int:
        async with db.read() as session:
            report = await build_report(session, start=start, end=end, now=datetime.now(UTC))
        print(
            json.dumps(_jsonable(report), ensure_ascii=False, indent=2)
            if args.json
            else render(report)
        )
        return 0

    return run_with_db(work)


def _period(args: argparse.Namespace) -> tuple[datetime, datetime]:
    if args.start or args.end:
        start = datetime.strptime(args.start, "%Y-%m-%d").replace(tzinfo=SHANGHAI)
        end = datetime.strptime(args.end, "%Y-%m-%d").replace(tzinfo=SHANGHAI)
        if end <= start:
            raise ValueError("empty period")
        return start, end
    month = args.month or datetime.now(SHANGHAI).strftime("%Y-%m")
    return month_bounds(month, SHANGHAI)


def _jsonable(report: Report) -> dict[str, object]:
    data = asdict(report)
    data["start"], data["end"] = report.start.isoformat(), report.end.isoformat()
    return data


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def render(report: Report) -> str:
    last_day = (report.end - timedelta(days=1)).date()
    lines = [
        f"物业服务情况 {report.start.date()} 至 {last_day}",
        f"受理 {report.total} 件（紧急 {report.urgent} 件）："
        + "，".join(f"{KINDS.get(k, k)} {n}" for k, n in report.by_kind.items()),
        "按类别：" + "，".join(f"{k} {n}" for k, n in report.by_category.items()),
        f"首次响应：中位 {report.response_minutes.get('median') or '—'} 分钟，"
        f"90% 在 {report.response_minutes.get('p90') or '—'} 分钟内；按时率 "
        f"{_pct(report.response_on_time)}",
        f"办结：中位 {report.resolution_hours.get('median') or '—'} 小时，"
        f"90% 在 {report.resolution_hours.get('p90') or '—'} 小时内；按时率 "
        f"{_pct(report.resolution_on_time)}",
        f"完成率 {_pct(report.completion_rate)}，满意率（4-5 分）{_pct(report.satisfaction_rate)}，"
        f"评价率 {_pct(report.rating_response_rate)}",
        f"重复投诉 {report.repeated_complaints} 件"
        + (
            "（" + "，".join(f"{k} {n}" for k, n in report.repeated_by_status.items()) + "）"
            if report.repeated_by_status
            else ""
        ),
        "报修较多的公共区域：" + ("，".join(f"{p} {n}" for p, n in report.top_places) or "—"),
    ]
    return "\n".join(lines)
