"""The staff roster: storage functions, CSV parsing, and `propbot staff ...` on each backend."""

from __future__ import annotations

import argparse
import asyncio
import json
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.cli_staff import add_staff_commands
from storage.db import Database
from storage.households import CsvHeaderError
from storage.models import Staff
from storage.staff import (
    ROLES,
    active_staff,
    deactivate,
    find_staff,
    import_staff,
    list_staff,
    parse_role,
    parse_staff_csv,
    upsert_staff,
)
from tests.conftest import Backend

ELEVEN_DIGITS = re.compile(r"\d{11}")
HEADER = "userid,name,role,phone\n"


# -- storage ---------------------------------------------------------------------------------


def test_roles() -> None:
    assert set(ROLES) == {"service", "technician", "security", "supervisor", "manager"}
    assert ROLES["technician"] == "维修"
    for typed, role in [
        ("客服", "service"),
        ("维修", "technician"),
        ("门岗", "security"),
        ("保安", "security"),
        ("主管", "supervisor"),
        ("经理", "manager"),
        (" Technician ", "technician"),
        ("ｍａｎａｇｅｒ", "manager"),  # full-width, typed with a Chinese IME
    ]:
        assert parse_role(typed) == role
    assert parse_role("厨师") is None and parse_role("") is None


async def test_upsert_creates_then_updates_and_keeps_the_phone(db: Database) -> None:
    async with db.write() as session:
        staff, created = await upsert_staff(
            session, userid="zhangsan", name="张三", role="维修", phone="138 0013 8000"
        )
        assert created and (staff.role, staff.phone, staff.active) == (
            "technician",
            "13800138000",
            True,
        )
    async with db.write() as session:
        staff, created = await upsert_staff(session, userid="zhangsan", name="张三", role="主管")
        assert not created and (staff.role, staff.phone) == ("supervisor", "13800138000")
    async with db.read() as session:
        assert len(list(await session.scalars(select(Staff)))) == 1


@pytest.mark.parametrize(
    ("values", "problem"),
    [
        ({"userid": "", "name": "张三", "role": "维修"}, "缺少企业微信账号"),
        ({"userid": "张三", "name": "张三", "role": "维修"}, "账号格式"),
        ({"userid": "_x", "name": "张三", "role": "维修"}, "账号格式"),
        ({"userid": "zs", "name": " ", "role": "维修"}, "缺少姓名"),
        ({"userid": "zs", "name": "张三", "role": "厨师"}, "角色不认识"),
        ({"userid": "zs", "name": "张三", "role": "维修", "phone": "12345"}, "手机号不对"),
    ],
)
async def test_upsert_refuses_bad_values(
    db: Database, values: dict[str, str], problem: str
) -> None:
    async with db.write() as session:
        with pytest.raises(ValueError, match=problem):
            await upsert_staff(session, **values)


async def test_find_deactivate_and_reactivate(db: Database) -> None:
    async with db.write() as session:
        for userid, name, role in [
            ("zhangsan", "张三", "technician"),
            ("lisi", "李四", "service"),
            ("li.si2", "李四", "security"),
            ("wangwu", "王五", "manager"),
        ]:
            await upsert_staff(session, userid=userid, name=name, role=role)
    async with db.write() as session:
        assert (await find_staff(session, "zhangsan")).name == "张三"  # type: ignore[union-attr]
        assert (await find_staff(session, " 张三 ")).userid == "zhangsan"  # type: ignore[union-attr]
        assert await find_staff(session, "李四") is None  # two people: ambiguous
        assert (await find_staff(session, "li.si2")).role == "security"  # type: ignore[union-attr]
        assert await find_staff(session, "赵六") is None and await find_staff(session, "") is None
        assert await deactivate(session, "li.si2")
        assert not await deactivate(session, "li.si2") and not await deactivate(session, "nobody")
    async with db.write() as session:
        assert (await find_staff(session, "李四")).userid == "lisi"  # type: ignore[union-attr]
        assert await active_staff(session, "li.si2") is None
        assert await find_staff(session, "li.si2") is None  # work never goes to who has left
        roster = await list_staff(session)
        assert [s.userid for s in roster] == ["lisi", "zhangsan", "wangwu"]  # by role order
        everyone = await list_staff(session, include_inactive=True)
        assert [s.userid for s in everyone][-1] == "li.si2"
        _, created = await upsert_staff(session, userid="li.si2", name="李四", role="保安")
        assert not created and (await active_staff(session, "li.si2")) is not None


# -- CSV -------------------------------------------------------------------------------------


def test_csv_with_chinese_headers_roles_and_no_phone_column() -> None:
    content = "\ufeff姓名,企业微信账号,角色,部门\n张三,zhangsan,维修,工程部\n李四,lisi,保安,\n"
    rows, errors = parse_staff_csv(content)
    assert errors == []
    assert [(r.line, r.userid, r.name, r.role, r.phone) for r in rows] == [
        (2, "zhangsan", "张三", "technician", ""),
        (3, "lisi", "李四", "security", ""),
    ]


def test_csv_bad_rows_are_reported_by_line() -> None:
    content = HEADER + (
        "zhangsan,张三,technician,13800138000\n"  # 2: good
        "lisi,李四,厨师,\n"  # 3: unknown role
        ",王五,客服,\n"  # 4: no userid
        "\n"  # 5: blank, still counted
        "zhangsan,张三丰,主管,\n"  # 6: duplicate userid
        "zhaoliu,赵六,经理,1380013800\n"  # 7: bad phone
        "sunqi,孙,七,客服,13800000008\n"  # 8: unquoted comma
        "zhouba,周八,客服,,,\n"  # 9: good, Excel's trailing empty cells
    )
    parsed = parse_staff_csv(content)
    assert [r.line for r in parsed.rows] == [2, 9]
    reasons = {e.line: e.reason for e in parsed.errors}
    assert sorted(reasons) == [3, 4, 6, 7, 8]
    assert "角色不认识" in reasons[3] and reasons[4] == "缺少企业微信账号"
    assert reasons[6] == "与第 2 行是同一个企业微信账号"
    assert "手机号" in reasons[7] and "列数" in reasons[8]
    assert not any("1380013800" in reason for reason in reasons.values())


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("", "空"),
        ("userid,name,phone\nzs,张三,\n", "角色"),
        ("zhangsan,张三,维修\n", "企业微信账号"),
        ("userid,name,role,账号\n", "两次"),
    ],
)
def test_csv_without_a_usable_header_is_refused(content: str, message: str) -> None:
    with pytest.raises(CsvHeaderError, match=message):
        parse_staff_csv(content)


async def test_import_counts_and_is_one_transaction(db: Database) -> None:
    parsed = parse_staff_csv(HEADER + "zs,张三,维修,13800138000\nls,李四,客服,\n")
    async with db.write() as session:
        assert await import_staff(session, parsed.rows) == (2, 0)
    again = parse_staff_csv(HEADER + "zs,张三,维修,\nls,李四,主管,\nww,王五,经理,\n")
    async with db.write() as session:
        assert await import_staff(session, again.rows) == (1, 1)  # zs unchanged, phone kept
        assert (await active_staff(session, "zs")).phone == "13800138000"  # type: ignore[union-attr]
    with pytest.raises(RuntimeError):
        async with db.write() as session:
            await import_staff(session, parse_staff_csv(HEADER + "new1,新人,客服,\n").rows)
            raise RuntimeError("the write fails part-way")
    async with db.read() as session:
        assert await active_staff(session, "new1") is None


# -- CLI -------------------------------------------------------------------------------------

Cli = Callable[..., tuple[int, str]]


@pytest.fixture
def database_url(backend: Backend, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    monkeypatch.setenv("DATABASE_URL", backend.database_url)
    if not backend.database_url.startswith("sqlite"):
        # The commands migrate SQLite themselves; PostgreSQL is migrated at deploy time.
        asyncio.run(_upgrade(backend.database_url))
    monkeypatch.setenv("COLUMNS", "160")  # rich sizes tables to the terminal
    yield backend.database_url


async def _upgrade(url: str) -> None:
    database = Database(url)
    try:
        await database.upgrade()
    finally:
        await database.dispose()


@pytest.fixture
def cli(database_url: str, capsys: pytest.CaptureFixture[str]) -> Cli:
    parser = argparse.ArgumentParser(prog="propbot")
    add_staff_commands(parser.add_subparsers(dest="command", required=True))

    def run(*argv: str) -> tuple[int, str]:
        capsys.readouterr()
        args = parser.parse_args(list(argv))
        code: int = args.func(args)
        captured = capsys.readouterr()
        output = captured.out + captured.err
        assert not ELEVEN_DIGITS.search(output), output  # no phone number, ever
        return code, captured.out

    return run


def test_cli_add_list_remove(cli: Cli) -> None:
    code, out = cli("staff", "add", "zhangsan", "张三", "--role", "维修", "--phone", "13800138000")
    assert code == 0 and "已添加：张三（zhangsan，维修），手机 138****8000" in out
    code, out = cli("staff", "add", "zhangsan", "张三", "--role", "supervisor")
    assert code == 0 and "已更新：张三（zhangsan，主管），手机 138****8000" in out
    assert cli("staff", "add", "13900139000", "李四", "--role", "客服")[0] == 0

    code, out = cli("staff", "list")
    assert code == 0 and "张三" in out and "主管" in out and "138****8000" in out
    assert "139****9000" in out  # a mobile number used as userid is masked too
    code, out = cli("staff", "list", "--json")
    data = json.loads(out)
    assert [d["userid"] for d in data] == ["139****9000", "zhangsan"]
    assert data[1] | {"phone": "138****8000"} == data[1] and data[1]["role_name"] == "主管"

    code, out = cli("staff", "remove", "zhangsan")
    assert code == 0 and "已停用：张三（zhangsan，主管）" in out
    code, out = cli("staff", "remove", "zhangsan")
    assert code == 1 and "没有在职的员工 zhangsan" in out
    assert "zhangsan" not in cli("staff", "list")[1]
    code, out = cli("staff", "list", "--all")
    assert "已停用" in out and "在职" in out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["bad id", "张三", "--role", "维修"], "企业微信账号格式不对"),
        (["zs", "张三", "--role", "厨师"], "角色不认识"),
        (["zs", "张三", "--role", "维修", "--phone", "1380013800"], "手机号不对"),
    ],
)
def test_cli_add_refuses_bad_values(cli: Cli, argv: list[str], message: str) -> None:
    code, out = cli("staff", "add", *argv)
    assert code == 2 and message in out


def test_cli_empty_list(cli: Cli) -> None:
    code, out = cli("staff", "list")
    assert code == 0 and "还没有员工" in out
    assert json.loads(cli("staff", "list", "--json")[1]) == []


def test_cli_import(cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / "staff.csv"
    path.write_text(
        "企业微信账号,姓名,角色,手机号\r\nzs,张三,维修,13800138000\r\nls,李四,厨师,\r\n",
        encoding="utf-8-sig",
    )
    code, out = cli("staff", "import", str(path))
    assert code == 0
    assert "第 3 行：角色不认识" in out
    assert "新增 1 人，更新 0 人，跳过 1 行有问题的数据" in out
    code, out = cli("staff", "import", str(path))
    assert "新增 0 人，更新 0 人，1 人无变化" in out

    path.write_text(HEADER + "ls,李四,厨师,\n", encoding="utf-8")
    assert cli("staff", "import", str(path))[0] == 1
    path.write_text("姓名\n张三\n", encoding="utf-8")
    code, out = cli("staff", "import", str(path))
    assert code == 2 and "表头缺少列" in out
    path.write_bytes("userid,name,role\nzs,张三,维修\n".encode("gbk"))
    code, out = cli("staff", "import", str(path))
    assert code == 2 and "UTF-8" in out
    code, out = cli("staff", "import", str(tmp_path / "missing.csv"))
    assert code == 2 and "读不到文件" in out
