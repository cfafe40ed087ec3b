"""`propbot staff ...`: the roster of staff who work tickets from WeCom.

Phone numbers never reach the output: they are shown masked (138****8000), and names and
userids go through `mask_phones` too (some companies use the mobile number as the userid).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from rich.console import Console
from rich.table import Table
from rich.text import Text
from sqlalchemy.exc import SQLAlchemyError

from bot.cli_db import read_csv_text, run_with_db
from storage.db import Database
from storage.households import CsvHeaderError, mask_phone, mask_phones
from storage.models import Staff
from storage.staff import (
    ROLE_HINT,
    StaffParseResult,
    active_staff,
    check_staff,
    deactivate,
    import_staff,
    list_staff,
    parse_staff_csv,
    role_name,
    upsert_staff,
)


def add_staff_commands(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    staff = subparsers.add_parser("staff", help="the staff roster (WeCom accounts and roles)")
    commands = staff.add_subparsers(dest="staff_command", required=True)

    add = commands.add_parser("add", help="add a staff member, or update one")
    add.add_argument("userid", help="the WeCom account (企业微信账号)")
    add.add_argument("name")
    add.add_argument("--role", required=True, help=f"one of: {ROLE_HINT}")
    add.add_argument("--phone", default="", help="mobile number (kept if omitted)")
    add.set_defaults(func=cmd_staff_add)

    imp = commands.add_parser("import", help="load the roster from a CSV file")
    imp.add_argument("file", type=Path, help="CSV: userid,name,role,phone")
    imp.set_defaults(func=cmd_staff_import)

    listing = commands.add_parser("list", help="staff on duty (all with --all)")
    listing.add_argument("--all", action="store_true", help="include staff who have left")
    listing.add_argument("--json", action="store_true", help="machine-readable output")
    listing.set_defaults(func=cmd_staff_list)

    remove = commands.add_parser("remove", help="mark a staff member as gone")
    remove.add_argument("userid")
    remove.set_defaults(func=cmd_staff_remove)


def _who(staff: Staff) -> str:
    return f"{mask_phones(staff.name)}（{mask_phones(staff.userid)}，{role_name(staff.role)}）"


def cmd_staff_add(args: argparse.Namespace) -> int:
    # Checked before touching the database, so a typo costs nothing.
    row, problem = check_staff(args.userid, args.name, args.role, args.phone)
    if row is None:
        print(f"无法添加：{problem}")
        return 2

    async def work(db: Database) -> int:
        try:
            async with db.write() as session:
                staff, created = await upsert_staff(
                    session, userid=row.userid, name=row.name, role=row.role, phone=row.phone
                )
        except SQLAlchemyError as exc:
            print(f"写入数据库失败（{type(exc).__name__}）。")
            return 1
        phone = f"，手机 {mask_phone(staff.phone)}" if staff.phone else ""
        print(f"{'已添加' if created else '已更新'}：{_who(staff)}{phone}")
        return 0

    return run_with_db(work)


def cmd_staff_import(args: argparse.Namespace) -> int:
    path: Path = args.file
    text = read_csv_text(path)
    if text is None:
        return 2
    try:
        parsed = parse_staff_csv(text)
    except CsvHeaderError as exc:
        print(f"无法导入：{exc}")
        return 2
    for error in parsed.errors:
        print(f"第 {error.line} 行：{error.reason}，已跳过")
    if not parsed.rows:
        print(f"没有可导入的行（{len(parsed.errors)} 行有问题）。")
        return 1
    return run_with_db(lambda db: _import(db, parsed))


async def _import(db: Database, parsed: StaffParseResult) -> int:
    try:
        async with db.write() as session:
            created, updated = await import_staff(session, parsed.rows)
    except SQLAlchemyError as exc:
        # Only the error's class: the driver's message may quote the row, phone included.
        print(f"写入数据库失败（{type(exc).__name__}），本次没有导入任何数据。")
        return 1
    summary = f"导入完成：新增 {created} 人，更新 {updated} 人"
    if unchanged := len(parsed.rows) - created - updated:
        summary += f"，{unchanged} 人无变化"
    print(f"{summary}，跳过 {len(parsed.errors)} 行有问题的数据。")
    return 0


def cmd_staff_list(args: argparse.Namespace) -> int:
    async def work(db: Database) -> int:
        async with db.read() as session:
            roster = await list_staff(session, include_inactive=args.all)
        if args.json:
            data = [
                {
                    "userid": mask_phones(s.userid),
                    "name": mask_phones(s.name),
                    "role": s.role,
                    "role_name": role_name(s.role),
                    "phone": mask_phone(s.phone) if s.phone else "",
                    "active": s.active,
                }
                for s in roster
            ]
            print(json.dumps(data, ensure_ascii=False, indent=2))
            return 0
        if not roster:
            print("还没有员工。请用 propbot staff add 或 propbot staff import 添加。")
            return 0
        table = Table(title=f"员工（{len(roster)} 人）")
        for head in ("企业微信账号", "姓名", "角色", "手机", *(["状态"] if args.all else [])):
            table.add_column(head)
        for s in roster:
            # Text, not markup: a name with "[...]" must print as typed.
            cells: list[Text | str] = [Text(mask_phones(s.userid)), Text(mask_phones(s.name))]
            cells.append(role_name(s.role))
            cells.append(mask_phone(s.phone) if s.phone else "-")
            if args.all:
                cells.append("在职" if s.active else "已停用")
            table.add_row(*cells)
        Console().print(table)
        return 0

    return run_with_db(work)


def cmd_staff_remove(args: argparse.Namespace) -> int:
    userid: str = args.userid.strip()

    async def work(db: Database) -> int:
        async with db.write() as session:
            staff = await active_staff(session, userid)
            if staff is None:
                print(f"没有在职的员工 {mask_phones(userid)}。可以用 propbot staff list 查看。")
                return 1
            await deactivate(session, userid)
        print(f"已停用：{_who(staff)}。以后不会再给 TA 派单。")
        return 0

    return run_with_db(work)
