"""`propbot households|residents|tickets|visitors`, called in-process on each backend.

The tests are synchronous because each command runs its own `asyncio.run`; database set-up
and checks go through `asyncio.run` too.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
from collections.abc import Awaitable, Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from bot.cli_admin import add_admin_commands
from storage.db import Database
from storage.households import WRITE_CHUNK, find_household
from storage.models import Household, Resident, TicketEvent, VisitorPass
from storage.tickets import create_ticket
from tests.conftest import Backend

SAMPLE = Path(__file__).parent / "data" / "households_sample.csv"
ELEVEN_DIGITS = re.compile(r"\d{11}")
NOW = datetime.now(UTC).replace(microsecond=0)


@pytest.fixture
def database_url(backend: Backend, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    monkeypatch.setenv("DATABASE_URL", backend.database_url)
    if not backend.database_url.startswith("sqlite"):
        # The commands migrate SQLite themselves (tested here); PostgreSQL is migrated by
        # `propbot db upgrade` at deploy time.
        asyncio.run(_upgrade(backend.database_url))
    # Rich sizes tables to the terminal; a fixed width keeps assertions stable.
    monkeypatch.setenv("COLUMNS", "160")
    yield backend.database_url


async def _upgrade(url: str) -> None:
    db = Database(url)
    try:
        await db.upgrade()
    finally:
        await db.dispose()


Cli = Callable[..., tuple[int, str]]


@pytest.fixture
def cli(database_url: str, capsys: pytest.CaptureFixture[str]) -> Cli:
    parser = argparse.ArgumentParser(prog="propbot")
    add_admin_commands(parser.add_subparsers(dest="command", required=True))

    def run(*argv: str) -> tuple[int, str]:
        capsys.readouterr()
        args = parser.parse_args(list(argv))
        code: int = args.func(args)
        captured = capsys.readouterr()
        output = captured.out + captured.err
        # Whatever the command, no phone number (or any 11-digit run) reaches the screen.
        assert not ELEVEN_DIGITS.search(output), output
        return code, captured.out

    return run


def in_db(url: str, work: Callable[[AsyncSession], Awaitable[Any]]) -> Any:
    async def main() -> Any:
        db = Database(url)
        try:
            await db.upgrade()
            async with db.write() as session:
                return await work(session)
        finally:
            await db.dispose()

    return asyncio.run(main())


def household_count(url: str) -> int:
    async def count(session: AsyncSession) -> int:
        return int(await session.scalar(select(func.count()).select_from(Household)) or 0)

    return int(in_db(url, count))


def write_csv(tmp_path: Path, content: str, *, encoding: str = "utf-8") -> str:
    path = tmp_path / "households.csv"
    path.write_text(content, encoding=encoding)
    return str(path)


def test_import_sample_then_reimport_a_corrected_file(
    cli: Cli, database_url: str, tmp_path: Path
) -> None:
    code, out = cli("households", "import", str(SAMPLE))
    assert code == 0
    assert "新增 30 户，更新 0 户，跳过 0 行" in out
    corrected = SAMPLE.read_text(encoding="utf-8").replace("13912345678", "13912345679")
    code, out = cli("households", "import", write_csv(tmp_path, corrected))
    assert code == 0
    assert "新增 0 户，更新 1 户，29 户无变化，跳过 0 行" in out
    assert household_count(database_url) == 30


def test_bom_and_chinese_headers(cli: Cli, tmp_path: Path) -> None:
    content = "楼栋,单元,房号,业主姓名,手机号\r\n3,2,1201,张伟,13800138000\r\n"
    code, out = cli("households", "import", write_csv(tmp_path, content, encoding="utf-8-sig"))
    assert code == 0 and "新增 1 户" in out


def test_bad_rows_are_listed_by_line_and_the_rest_imported(
    cli: Cli, database_url: str, tmp_path: Path
) -> None:
    content = (
        "building,unit,room,owner_name,phone\n"
        "1,1,101,王芳,13800000001\n"
        "1,1,102,刘洋,1380000000\n"
        "1,1,,陈静,13800000003\n"
        "1,1,101,杨磊,13800000004\n"
        "1,1,104,赵敏,13800000005\n"
    )
    code, out = cli("households", "import", write_csv(tmp_path, content))
    assert code == 0
    assert "第 3 行：手机号不对" in out
    assert "第 4 行：缺少房号" in out
    assert "第 5 行：与第 2 行重复（1栋1单元101）" in out
    assert "新增 2 户，更新 0 户，跳过 3 行有问题的数据" in out
    assert household_count(database_url) == 2


def test_only_bad_rows_exits_1_and_unreadable_files_exit_2(
    cli: Cli, database_url: str, tmp_path: Path
) -> None:
    only_bad = "building,unit,room,owner_name,phone\n1,1,101,王芳,12345\n"
    assert cli("households", "import", write_csv(tmp_path, only_bad))[0] == 1
    code, out = cli("households", "import", write_csv(tmp_path, "楼栋,房号\n1,101\n"))
    assert code == 2 and "表头缺少列：单元、业主姓名、手机号" in out
    gbk = "楼栋,单元,房号,业主姓名,手机号\n3,2,1201,张伟,13800138000\n"
    code, out = cli("households", "import", write_csv(tmp_path, gbk, encoding="gbk"))
    assert code == 2 and "UTF-8" in out
    assert cli("households", "import", str(tmp_path / "missing.csv"))[0] == 2
    assert household_count(database_url) == 0


def test_a_database_failure_imports_nothing(cli: Cli, database_url: str, tmp_path: Path) -> None:
    async def unique_phones(session: AsyncSession) -> None:
        # Provoke a real constraint that only the file's last row violates.
        await session.execute(text("CREATE UNIQUE INDEX uq_test_phone ON households (phone)"))

    in_db(database_url, unique_phones)
    lines = [f"8,1,{1000 + i},业主,1390000{i:04d}" for i in range(WRITE_CHUNK + 50)]
    lines.append("8,2,101,撞号,13900000001")
    content = "building,unit,room,owner_name,phone\n" + "\n".join(lines) + "\n"
    code, out = cli("households", "import", write_csv(tmp_path, content))
    assert code == 1
    assert "没有导入任何数据" in out
    assert household_count(database_url) == 0


@pytest.mark.parametrize("room", ["3-2-1201", "3栋2单元1201"])
def test_bind_a_resident_by_hand(cli: Cli, database_url: str, room: str) -> None:
    assert cli("households", "import", str(SAMPLE))[0] == 0
    code, out = cli("residents", "bind", "o_staff_bound", "--room", room)
    assert code == 0
    assert "已绑定：o_staff_bound → 3栋2单元1201（业主 张伟）" in out

    async def resident(session: AsyncSession) -> tuple[bool, str]:
        row = await session.scalar(select(Resident).where(Resident.openid == "o_staff_bound"))
        assert row is not None and row.household_id is not None
        household = await session.get(Household, row.household_id)
        assert household is not None
        return row.verified, household.owner_name

    assert in_db(database_url, resident) == (True, "张伟")
    code, out = cli("residents", "bind", "o_staff_bound", "--room", "5-1-702")
    assert code == 0 and "（原来绑定的是 3栋2单元1201，已改绑）" in out


def test_bind_to_an_unknown_or_malformed_room(cli: Cli) -> None:
    assert cli("households", "import", str(SAMPLE))[0] == 0
    code, out = cli("residents", "bind", "o1", "--room", "9-9-999")
    assert code == 1 and "没有找到 9栋9单元999" in out
    code, out = cli("residents", "bind", "o1", "--room", "楼上那家")
    assert code == 2 and "房号格式不对" in out


async def _seed_tickets(session: AsyncSession) -> None:
    household = await find_household(session, "3", "2", "1201")
    assert household is not None
    resident = Resident(openid="o_t", household_id=household.id, phone="13800138000")
    session.add(resident)
    await session.flush()
    await create_ticket(
        session,
        idem_key="t1",
        kind="repair",
        description="厨房水管漏水，电话13800138000，[急]",
        actor="resident:o_t",
        now=NOW - timedelta(hours=1),
        priority="urgent",
        location="3栋2单元1201",
        resident_id=resident.id,
        response_due_at=NOW - timedelta(minutes=30),
    )
    complaint, _ = await create_ticket(
        session,
        idem_key="t2",
        kind="complaint",
        description="楼下夜里装修太吵",
        actor="resident:o_t",
        now=NOW,
        resident_id=resident.id,
    )
    complaint.status = "closed"
    session.add(
        TicketEvent(ticket_id=complaint.id, actor="staff:w1", action="closed", note="已协调")
    )


def test_tickets_list_and_show(cli: Cli, database_url: str) -> None:
    assert cli("households", "import", str(SAMPLE))[0] == 0
    in_db(database_url, _seed_tickets)

    code, out = cli("tickets", "list")
    assert code == 0
    assert "#1001" in out and "#1002" in out and "报修" in out and "紧急" in out
    assert out.index("#1002") < out.index("#1001")  # newest first

    code, out = cli("tickets", "list", "--kind", "repair", "--json")
    items = json.loads(out)
    assert [item["number"] for item in items] == [1001]
    assert items[0]["status"] == "new" and items[0]["priority"] == "urgent"
    assert datetime.fromisoformat(items[0]["created_at"]) == NOW - timedelta(hours=1)
    assert items[0]["created_at"].endswith("+08:00")
    assert "138****8000" in items[0]["description"]

    code, out = cli("tickets", "list", "--status", "closed", "--json")
    assert [item["number"] for item in json.loads(out)] == [1002]
    assert cli("tickets", "list", "--status", "paused")[1].strip() == "没有符合条件的工单。"

    code, out = cli("tickets", "show", "#1001")
    assert code == 0
    assert "工单 #1001" in out and "厨房水管漏水" in out and "[急]" in out
    assert "3栋2单元1201" in out and "created" in out

    code, out = cli("tickets", "show", "1002", "--json")
    data = json.loads(out)
    assert data["number"] == 1002 and data["room"] == "3栋2单元1201"
    assert [e["action"] for e in data["events"]] == ["created", "closed"]
    assert data["events"][1]["note"] == "已协调"

    code, out = cli("tickets", "show", "4242")
    assert code == 1 and "没有工单 #4242" in out
    with pytest.raises(SystemExit):
        cli("tickets", "show", "abc")


async def _seed_passes(session: AsyncSession) -> None:
    household = await find_household(session, "5", "1", "702")
    assert household is not None
    resident = Resident(openid="o_v", household_id=household.id, phone="13912345678")
    session.add(resident)
    await session.flush()
    for code, name, offset, status in [
        ("A1B2C3", "李四", timedelta(hours=2), "active"),
        ("D4E5F6", "王五", timedelta(days=-2), "active"),
        ("G7H8J9", "赵六", timedelta(hours=3), "cancelled"),
    ]:
        session.add(
            VisitorPass(
                idem_key=code,
                code=code,
                resident_id=resident.id,
                visitor_name=name,
                visit_at=NOW + offset,
                people=2,
                plate="沪A12345" if code == "A1B2C3" else None,
                valid_from=NOW + offset - timedelta(hours=1),
                valid_until=NOW + offset + timedelta(hours=4),
                status=status,
            )
        )


def test_visitors_list(cli: Cli, database_url: str) -> None:
    assert cli("visitors", "list")[1].strip() == "没有有效的访客通行证。"
    assert cli("households", "import", str(SAMPLE))[0] == 0
    in_db(database_url, _seed_passes)

    code, out = cli("visitors", "list")
    assert code == 0
    assert "A1B2C3" in out and "李四" in out and "沪A12345" in out
    assert "D4E5F6" not in out and "G7H8J9" not in out

    code, out = cli("visitors", "list", "--all", "--json")
    items = json.loads(out)
    assert [item["code"] for item in items] == ["D4E5F6", "A1B2C3", "G7H8J9"]
    assert {item["room"] for item in items} == {"5栋1单元702"}
    assert items[1]["people"] == 2 and items[1]["plate"] == "沪A12345"
    assert not any("phone" in item for item in items)
