"""`propbot report`: the month's figures, for the notice board (信息公示) and the manager."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from dataclasses import asdict
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.cli_db import run_with_db
from bot.report_html import category_name, kind_name, num, pct, write_html
from handlers.sla import SHANGHAI
from storage.db import Database
from storage.report import Report, build_report, month_bounds
from storage.ticket_status import STATUS_NAMES


def add_report_command(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    report = subparsers.add_parser("report", help="the month's service figures")
    report.add_argument("--month", help="YYYY-MM (default: this month)")
    report.add_argument("--from", dest="start", help="YYYY-MM-DD (with --to)")
    report.add_argument("--to", dest="end", help="YYYY-MM-DD, exclusive")
    report.add_argument("--json", action="store_true")
    report.add_argument(
        "--html", metavar="FILE", type=Path, help="also write the public page with charts"
    )
    report.set_defaults(func=cmd_report)


def cmd_report(args: argparse.Namespace) -> int:
    try:
        start, end = _period(args)
    except ValueError:
        print("日期格式不对：--month 2026-11，或 --from 2026-11-01 --to 2026-12-01")
        return 2

    async def work(db: Database) -> int:
        now = datetime.now(UTC)
        async with db.read() as session:
            report = await build_report(
                session, start=start, end=end, now=now, public_places=public_places()
            )
        print(
            json.dumps(_jsonable(report), ensure_ascii=False, indent=2)
            if args.json
            else render(report)
        )
        if args.html is None:
            return 0
        try:
            # Drawing the charts is CPU-bound; a thread keeps the loop (and the pool's
            # connections) responsive, and the session is already closed by now.
            await asyncio.to_thread(
                write_html, report, args.html, generated=now.astimezone(SHANGHAI).date()
            )
        except OSError as error:
            print(f"网页写不进 {args.html}：{error.strerror or error}", file=sys.stderr)
            return 1
        # stderr, so that `--json --html` still prints nothing but JSON on stdout.
        print(f"公示网页已写入 {args.html}", file=sys.stderr)
        return 0

    return run_with_db(work)


def public_places() -> frozenset[str]:
    """The public places the NLU knows (电梯, 东门 …): the only locations a report may name."""
    from nlu.datafiles import rows

    return frozenset(fields[-1] for fields in rows("areas.tsv", 1, 2))


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


def _spread(spread: dict[str, float | None], unit: str) -> str:
    return f"中位 {num(spread.get('median'), unit)}，90% 在 {num(spread.get('p90'), unit)}内"


def render(report: Report) -> str:
    last_day = (report.end - timedelta(days=1)).date()
    lines = [
        f"物业服务情况 {report.start.date()} 至 {last_day}",
        f"受理 {report.total} 件（紧急 {report.urgent} 件）："
        + "，".join(f"{kind_name(k)} {n}" for k, n in report.by_kind.items()),
        "按类别：" + "，".join(f"{category_name(k)} {n}" for k, n in report.by_category.items()),
        f"首次响应：{_spread(report.response_minutes, '分钟')}；按时率 "
        f"{pct(report.response_on_time)}",
        f"到场按时率（报修）：{pct(report.arrival_on_time)}",
        f"办结：{_spread(report.resolution_hours, '小时')}；按时率 "
        f"{pct(report.resolution_on_time)}",
    ]
    for kind in report.by_kind:
        on_time = report.on_time_by_kind.get(kind, {})
        lines.append(
            f"  {kind_name(kind)}：响应{_spread(report.response_minutes_by_kind[kind], '分钟')}，"
            f"按时率 {pct(on_time.get('respond'))}；"
            f"办结{_spread(report.resolution_hours_by_kind[kind], '小时')}，"
            f"按时率 {pct(on_time.get('resolve'))}"
        )
    scores = "，".join(f"{s} 分 {n}" for s, n in report.rating_counts.items())
    lines += [
        f"完成率 {pct(report.completion_rate)}，满意率（4-5 分）{pct(report.satisfaction_rate)}，"
        f"评价率 {pct(report.rating_response_rate)}" + (f"（{scores}）" if scores else ""),
        f"重复投诉 {report.repeated_complaints} 件"
        + (
            "（"
            + "，".join(
                f"{STATUS_NAMES.get(k, k)} {n}" for k, n in report.repeated_by_status.items()
            )
            + "）"
            if report.repeated_by_status
            else ""
        ),
        "报修较多的公共区域：" + ("，".join(f"{p} {n}" for p, n in report.top_places) or "—"),
        "",
        "员工情况（内部，不公示）：" + ("" if report.staff else "本期无"),
    ]
    for staff in report.staff:
        average = "—" if staff.average_rating is None else f"{staff.average_rating:g}"
        lines.append(
            f"  {staff.name}：办结 {staff.handled} 件，用时中位 "
            f"{num(staff.resolution_hours_median, '小时')}；评价 {staff.ratings} 条，"
            f"平均 {average} 分，满意 {pct(staff.satisfaction_rate)}"
        )
        lines += [f"    “{comment}”" for comment in staff.comments]
    return "\n".join(lines)
