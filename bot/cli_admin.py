"""Staff commands at a terminal: households, residents, tickets, visitors.

Phone numbers never reach the output: households show masked numbers and free text
(descriptions, notes, names) goes through `mask_phones` before it is printed.
"""

from __future__ import annotations

import argparse
import json
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import Progress
from rich.table import Table
from rich.text import Text
from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql import ColumnElement

from bot.cli_db import read_csv_text, run_with_db
from handlers.sla import SHANGHAI
from storage.db import Database
from storage.households import (
    CsvHeaderError,
    ParseResult,
    bind_resident,
    find_household,
    mask_phones,
    parse_households_csv,
    parse_room,
    room_label,
    upsert_households,
)
from storage.models import Attachment, Household, Resident, Ticket, TicketFollower, VisitorPass
from storage.ticket_status import OPEN as OPEN_STATUSES
from storage.tickets import get_ticket, list_tickets

# Codes stay as they are in JSON and in --status/--kind; tables show staff the Chinese.
_ZH: dict[str, str] = dict(
    re.findall(
        r"(\w+)=(\S+)",
        "repair=报修 complaint=投诉 consult=咨询 normal=普通 urgent=紧急 new=待受理"
        " assigned=已派单 in_progress=处理中 paused=暂停 reopened=重新打开 resolved=已解决"
        " closed=已关闭 cancelled=已取消 active=有效 used=已使用 expired=已过期",
    )
)


def add_admin_commands(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    households = subparsers.add_parser("households", help="the estate's household register")
    hh = households.add_subparsers(dest="households_command", required=True)
    imp = hh.add_parser("import", help="load households from a CSV file")
    imp.add_argument("file", type=Path, help="CSV: building,unit,room,owner_name,phone")
    imp.set_defaults(func=cmd_households_import)

    residents = subparsers.add_parser("residents", help="residents (WeChat users)")
    rs = residents.add_subparsers(dest="residents_command", required=True)
    bind = rs.add_parser("bind", help="bind a resident to a room by hand")
    bind.add_argument("openid")
    bind.add_argument("--room", required=True, help="3-2-1201, 3-1201 or 3栋2单元1201")
    bind.set_defaults(func=cmd_residents_bind)

    tickets = subparsers.add_parser("tickets", help="repair, complaint and consult tickets")
    tk = tickets.add_subparsers(dest="tickets_command", required=True)
    tl = tk.add_parser("list", help="newest tickets first")
    tl.add_argument("--status", help="new, assigned, in_progress, resolved, closed, ...")
    tl.add_argument("--kind", help="repair, complaint or consult")
    tl.add_argument("--limit", type=int, default=50)
    tl.set_defaults(func=cmd_tickets_list)
    ts = tk.add_parser("show", help="one ticket with its history")
    ts.add_argument("number", type=_ticket_number, help="ticket number, e.g. 1001 or #1001")
    ts.set_defaults(func=cmd_tickets_show)

    visitors = subparsers.add_parser("visitors", help="visitor passes")
    vs = visitors.add_subparsers(dest="visitors_command", required=True)
    vl = vs.add_parser("list", help="passes still valid (all with --all)")
    vl.add_argument("--all", action="store_true", help="include used and expired passes")
    vl.set_defaults(func=cmd_visitors_list)
    for listing in (tl, ts, vl):
        listing.add_argument("--json", action="store_true", help="machine-readable output")


def _local(moment: datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    return moment.astimezone(SHANGHAI).strftime(fmt) if moment is not None else "-"


def _iso(moment: datetime | None) -> str | None:
    return moment.astimezone(SHANGHAI).isoformat() if moment is not None else None


def _cell(value: str | None, style: str = "") -> Text:
    # Text, not markup: a description with "[...]" must print as typed.
    return Text(mask_phones(value) if value else "-", style=style)


def _print_json(data: Any) -> None:
    print(json.dumps(data, ensure_ascii=False, indent=2))


def _ticket_number(raw: str) -> int:
    if not raw.removeprefix("#").isdigit():
        raise argparse.ArgumentTypeError(f"工单号应为数字，如 1001，而不是 {raw}")
    return int(raw.removeprefix("#"))


def cmd_households_import(args: argparse.Namespace) -> int:
    path: Path = args.file
    text = read_csv_text(path)
    if text is None:
        return 2
    with _progress() as progress:
        task = progress.add_task("校验", total=max(len(text.splitlines()) - 1, 0))
        try:
            parsed = parse_households_csv(text, on_row=lambda: progress.advance(task))
        except CsvHeaderError as exc:
            print(f"无法导入：{exc}")
            return 2
    for error in parsed.errors:
        print(f"第 {error.line} 行：{error.reason}，已跳过")
    if not parsed.rows:
        print(f"没有可导入的行（{len(parsed.errors)} 行有问题）。")
        return 1
    return run_with_db(lambda db: _import_rows(db, parsed))


def _progress() -> Progress:
    # On stderr and transient: the bar is for the person waiting, not for the report.
    return Progress(console=Console(stderr=True), transient=True)


async def _import_rows(db: Database, parsed: ParseResult) -> int:
    try:
        with _progress() as progress:
            task = progress.add_task("写入", total=len(parsed.rows))
            async with db.write() as session:
                created, updated = await upsert_households(
                    session, parsed.rows, on_progress=lambda n: progress.advance(task, n)
                )
    except SQLAlchemyError as exc:
        # Only the error's class: the driver's message may quote the row, phone included.
        print(f"写入数据库失败（{type(exc).__name__}），本次没有导入任何数据。")
        return 1
    unchanged = len(parsed.rows) - created - updated
    summary = f"导入完成：新增 {created} 户，更新 {updated} 户"
    if unchanged:
        summary += f"，{unchanged} 户无变化"
    print(f"{summary}，跳过 {len(parsed.errors)} 行有问题的数据。")
    return 0


def cmd_residents_bind(args: argparse.Namespace) -> int:
    room = parse_room(args.room)
    if room is None:
        print(f"房号格式不对：{args.room}。请写成 3-2-1201、3-1201 或 3栋2单元1201。")
        return 2
    openid: str = args.openid

    async def work(db: Database) -> int:
        async with db.write() as session:
            household = await find_household(session, *room)
            if household is None:
                print(f"没有找到 {room_label(*room)}。请核对房号，或先导入住户名单。")
                return 1
            old = await _resident_room(session, Resident.openid == openid)
            await bind_resident(session, openid, household, now=datetime.now(UTC))
        new = _label(household)
        print(f"已绑定：{openid} → {new}（业主 {mask_phones(household.owner_name)}）")
        if old not in (None, new):
            print(f"（原来绑定的是 {old}，已改绑）")
        return 0

    return run_with_db(work)


def _next_due(ticket: Ticket) -> datetime | None:
    """The deadline staff must meet next: the response, then the resolution."""
    if ticket.status not in OPEN_STATUSES:
        return None
    if ticket.responded_at is None and ticket.response_due_at is not None:
        return ticket.response_due_at
    return ticket.resolve_due_at


_TICKET_FIELDS = (
    *("kind", "category", "status", "priority", "location", "description", "resident_id"),
    *("assignee_id", "created_at", "responded_at", "resolved_at", "closed_at"),
    *("response_due_at", "resolve_due_at", "preferred_time", "linked_ticket_id"),
    *("repeated", "urge_count"),
)


def _jsonable(value: object) -> object:
    if isinstance(value, datetime):
        return _iso(value)
    return mask_phones(value) if isinstance(value, str) else value


def _ticket_dict(ticket: Ticket) -> dict[str, Any]:
    fields = {name: _jsonable(getattr(ticket, name)) for name in _TICKET_FIELDS}
    return {"number": ticket.number, **fields}


def _short(text: str, width: int = 30) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def cmd_tickets_list(args: argparse.Namespace) -> int:
    async def work(db: Database) -> int:
        async with db.read() as session:
            tickets = await list_tickets(
                session, status=args.status, kind=args.kind, limit=args.limit
            )
        if args.json:
            _print_json([_ticket_dict(t) for t in tickets])
            return 0
        if not tickets:
            print("没有符合条件的工单。")
            return 0
        now = datetime.now(UTC)
        urgent = "bold red"  # the column a duty manager scans first
        # No column lines and narrow gaps, so eight columns still fit an 80-column terminal;
        # only location and description wrap (the full text is in `tickets show`).
        table = Table(title=f"工单（{len(tickets)} 张，新的在前）", box=None, pad_edge=False)
        for head in ("编号", "类型", "状态", "优先级", "位置", "创建", "时限", "内容"):
            flexible = head in ("位置", "内容")
            table.add_column(head, no_wrap=not flexible, overflow="fold", ratio=flexible or None)
        for t in tickets:
            due = _next_due(t)
            table.add_row(
                f"#{t.number}",
                _ZH.get(t.kind, t.kind),
                _ZH.get(t.status, t.status),
                _cell(_ZH.get(t.priority, t.priority), urgent if t.priority == "urgent" else ""),
                _cell(t.location),
                _local(t.created_at, "%m-%d %H:%M"),
                _cell(_local(due, "%m-%d %H:%M"), "red" if due is not None and due < now else ""),
                _cell(_short(mask_phones(t.description))),
            )
        Console().print(table)
        return 0

    return run_with_db(work)


def _label(household: Household | None) -> str | None:
    return room_label(household.building, household.unit, household.room) if household else None


async def _resident_room(session: AsyncSession, which: ColumnElement[bool]) -> str | None:
    query = select(Household).join(Resident, Resident.household_id == Household.id)
    return _label(await session.scalar(query.where(which)))


def cmd_tickets_show(args: argparse.Namespace) -> int:
    number: int = args.number

    async def work(db: Database) -> int:
        async with db.read() as session:
            ticket = await get_ticket(session, number)
            if ticket is None:
                print(f"没有工单 #{number}。")
                return 1
            data = _ticket_dict(ticket)
            # The reporter's room, never their phone.
            data["room"] = await _resident_room(session, Resident.id == ticket.resident_id)
            attachments = select(func.count()).where(Attachment.ticket_id == number)
            followers = select(func.count()).where(TicketFollower.ticket_id == number)
            data["attachments"] = await session.scalar(attachments)
            data["followers"] = await session.scalar(followers)
            data["events"] = [
                {name: _jsonable(getattr(e, name)) for name in ("created_at", "actor", "action")}
                | {"note": mask_phones(e.note)}
                for e in ticket.events
            ]
        if args.json:
            _print_json(data)
            return 0
        _print_ticket(ticket, data)
        return 0

    return run_with_db(work)


def _print_ticket(ticket: Ticket, data: dict[str, Any]) -> None:
    console = Console()
    fields = Table.grid(padding=(0, 2))
    fields.add_column(style="bold")
    fields.add_column()
    rows = [
        ("类型", _ZH.get(ticket.kind, ticket.kind) + f"（{ticket.category or '未分类'}）"),
        ("状态", _ZH.get(ticket.status, ticket.status)),
        ("优先级", _ZH.get(ticket.priority, ticket.priority)),
        ("位置", ticket.location),
        ("报告人房号", data["room"]),
        ("内容", ticket.description),
        ("期望时间", ticket.preferred_time),
        ("创建", _local(ticket.created_at)),
        ("响应", f"时限 {_local(ticket.response_due_at)}，实际 {_local(ticket.responded_at)}"),
        ("解决", f"时限 {_local(ticket.resolve_due_at)}，实际 {_local(ticket.resolved_at)}"),
        ("关闭", _local(ticket.closed_at)),
        ("关联工单", f"#{ticket.linked_ticket_id}" if ticket.linked_ticket_id else None),
        ("重复投诉", "是" if ticket.repeated else "否"),
        ("催单次数", str(ticket.urge_count)),
        ("图片", str(data["attachments"])),
        ("同报住户", str(data["followers"])),
    ]
    for name, value in rows:
        fields.add_row(name, _cell(value))
    console.print(Text(f"工单 #{ticket.number}", style="bold"))
    console.print(fields)
    history = Table(title="处理记录")
    for head in ("时间", "操作人", "动作", "备注"):
        history.add_column(head)
    for event in ticket.events:
        history.add_row(
            _local(event.created_at), _cell(event.actor), _cell(event.action), _cell(event.note)
        )
    console.print(history)


def cmd_visitors_list(args: argparse.Namespace) -> int:
    async def work(db: Database) -> int:
        now = datetime.now(UTC)
        # The pass names its household; older passes fall back to the resident's.
        query = (
            select(VisitorPass, Household)
            .join(Resident, Resident.id == VisitorPass.resident_id)
            .outerjoin(
                Household,
                Household.id == func.coalesce(VisitorPass.household_id, Resident.household_id),
            )
            .order_by(VisitorPass.visit_at, VisitorPass.id)
        )
        if not args.all:
            query = query.where(VisitorPass.status == "active", VisitorPass.valid_until >= now)
        async with db.read() as session:
            passes = [(p, h) for p, h in await session.execute(query)]
        if args.json:
            _print_json([_pass_dict(p, h) for p, h in passes])
            return 0
        if not passes:
            print("还没有访客通行证。" if args.all else "没有有效的访客通行证。")
            return 0
        table = Table(title=f"访客通行证（{len(passes)} 张）")
        for head in ("通行码", "访客", "到访时间", "人数", "车牌", "住户房号", "状态"):
            if head != "状态" or args.all:
                table.add_column(head)
        for p, h in passes:
            cells: list[Text | str] = [_cell(p.code), _cell(p.visitor_name)]
            cells += [_local(p.visit_at, "%m-%d %H:%M"), str(p.people), _cell(p.plate)]
            cells += [_cell(_label(h)), *([_ZH.get(p.status, p.status)] if args.all else [])]
            table.add_row(*cells)
        Console().print(table)
        return 0

    return run_with_db(work)


def _pass_dict(visitor_pass: VisitorPass, household: Household | None) -> dict[str, Any]:
    names = ("code", "visitor_name", "visit_at", "people", "plate", "status", "valid_from")
    data = {name: _jsonable(getattr(visitor_pass, name)) for name in (*names, "valid_until")}
    # The resident's room, never their phone.
    return data | {"room": _label(household)}
