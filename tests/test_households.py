"""The household register: CSV parsing, upsert, room look-up and binding by hand."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError

from storage.db import Database
from storage.households import (
    WRITE_CHUNK,
    CsvHeaderError,
    HouseholdRow,
    bind_resident,
    find_household,
    mask_phone,
    mask_phones,
    parse_households_csv,
    parse_room,
    upsert_households,
)
from storage.models import Household, Resident

SAMPLE = Path(__file__).parent / "data" / "households_sample.csv"
NOW = datetime(2026, 11, 18, 9, 30, tzinfo=UTC)
HEADER = "building,unit,room,owner_name,phone\n"


async def _count(db: Database) -> int:
    async with db.read() as session:
        return int(await session.scalar(select(func.count()).select_from(Household)) or 0)


def test_sample_file_parses_cleanly_with_the_conversation_fixtures() -> None:
    parsed = parse_households_csv(SAMPLE.read_text(encoding="utf-8"))
    assert parsed.errors == []
    assert len(parsed.rows) == 30
    owners = {row.key: (row.owner_name, row.phone) for row in parsed.rows}
    assert owners["3", "2", "1201"] == ("张伟", "13800138000")
    assert owners["5", "1", "702"] == ("李娜", "13912345678")


def test_bom_chinese_headers_any_order_and_loose_cells() -> None:
    content = (
        "\ufeff业主姓名,手机号,楼栋,单元,房号,备注\n"
        "张伟,138 0013 8000,3栋,2单元,1201室,\n"
        "王芳,+86 139-1234-5678,a2,,0301,东边套\n"
        "刘洋,１３７００００００１１,１,１,１０１,\n"
    )
    parsed = parse_households_csv(content)
    assert parsed.errors == []
    assert [(r.line, r.key, r.owner_name, r.phone) for r in parsed.rows] == [
        (2, ("3", "2", "1201"), "张伟", "13800138000"),
        (3, ("A2", "", "0301"), "王芳", "13912345678"),
        (4, ("1", "1", "101"), "刘洋", "13700000011"),
    ]


def test_bad_rows_are_reported_with_line_numbers_and_skipped() -> None:
    content = HEADER + (
        "1,1,101,王芳,13800000001\n"  # line 2: good
        "1,1,102,刘洋,12345\n"  # 3: bad phone
        "1,1,,陈静,13800000003\n"  # 4: no room
        "\n"  # 5: blank, ignored but still counted
        "1,1,101,杨磊,13800000004\n"  # 6: duplicate of line 2
        "1,1,103,,13800000005\n"  # 7: no owner
        "1,1,104,赵,敏,13800000006\n"  # 8: unquoted comma
        "1,1,10-5,黄强,13800000007\n"  # 9: room not a code
        "1,1,106,周杰,12800000008\n"  # 10: eleven digits but not a mobile
        "2,1,101,吴霞,13800000009,,\n"  # 11: good, Excel's trailing empty cells
    )
    parsed = parse_households_csv(content)
    assert [row.line for row in parsed.rows] == [2, 11]
    reasons = {error.line: error.reason for error in parsed.errors}
    assert sorted(reasons) == [3, 4, 6, 7, 8, 9, 10]
    assert "手机号" in reasons[3] and "手机号" in reasons[10]
    assert reasons[4] == "缺少房号"
    assert reasons[6] == "与第 2 行重复（1栋1单元101）"
    assert reasons[7] == "缺少业主姓名"
    assert "列数" in reasons[8]
    assert "房号格式" in reasons[9]
    # Reasons never quote the offending value, which may be a phone number.
    assert not any("1280" in reason for reason in reasons.values())


def test_quoted_name_with_comma_is_fine() -> None:
    parsed = parse_households_csv(HEADER + '1,1,101,"赵,敏",13800000006\n')
    assert parsed.errors == [] and parsed.rows[0].owner_name == "赵,敏"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("", "空"),
        ("\n\n", "空"),
        ("building,room,owner_name,phone\n1,101,王芳,13800000001\n", "单元"),
        ("1,1,101,王芳,13800000001\n", "楼栋"),
        ("building,unit,room,owner_name,phone,楼栋\n", "两次"),
    ],
)
def test_a_file_without_the_header_is_refused(content: str, message: str) -> None:
    with pytest.raises(CsvHeaderError, match=message):
        parse_households_csv(content)


def test_masking() -> None:
    assert mask_phone("13800138000") == "138****8000"
    assert mask_phones("电话13800138000，或 139 1234") == "电话138****8000，或 139 1234"
    assert mask_phones("单号 213800138000") == "单号 213800138000"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("3-2-1201", ("3", "2", "1201")),
        ("3-1201", ("3", "", "1201")),
        ("3栋2单元1201", ("3", "2", "1201")),
        ("3栋1201室", ("3", "", "1201")),
        (" a2-1-301 ", ("A2", "1", "301")),
        ("３－２－１２０１", ("3", "2", "1201")),
        ("3-2-1-1201", None),
        ("1201", None),
        ("三栋二单元", None),
    ],
)
def test_parse_room(raw: str, expected: tuple[str, str, str] | None) -> None:
    assert parse_room(raw) == expected


async def test_upsert_creates_then_updates_corrected_rows(db: Database) -> None:
    parsed = parse_households_csv(SAMPLE.read_text(encoding="utf-8"))
    async with db.write() as session:
        assert await upsert_households(session, parsed.rows) == (30, 0)
    corrected = SAMPLE.read_text(encoding="utf-8").replace("张伟,13800138000", "张伟,13800138001")
    async with db.write() as session:
        assert await upsert_households(session, parse_households_csv(corrected).rows) == (0, 1)
    async with db.write() as session:
        assert await upsert_households(session, parse_households_csv(corrected).rows) == (0, 0)
    async with db.read() as session:
        household = await find_household(session, "3", "2", "1201")
    assert household is not None and household.phone == "13800138001"
    assert await _count(db) == 30


async def test_a_database_failure_part_way_leaves_nothing_written(db: Database) -> None:
    async with db.write() as session:
        await upsert_households(session, [HouseholdRow(1, "9", "", "101", "旧业主", "13800009999")])
        # A real constraint the import knows nothing about, violated only by the last row,
        # after the first chunks have already been flushed to the database.
        await session.execute(text("CREATE UNIQUE INDEX uq_test_phone ON households (phone)"))
    rows = [
        HouseholdRow(i, "8", "1", str(1000 + i), "业主", f"1390000{i:04d}")
        for i in range(WRITE_CHUNK + 100)
    ]
    rows.insert(0, HouseholdRow(0, "9", "", "101", "新业主", "13800000000"))
    rows.append(HouseholdRow(400, "8", "2", "101", "撞号", rows[1].phone))
    with pytest.raises(IntegrityError):
        async with db.write() as session:
            await upsert_households(session, rows)
    assert await _count(db) == 1
    async with db.read() as session:
        kept = await find_household(session, "9", "", "101")
    assert kept is not None and (kept.owner_name, kept.phone) == ("旧业主", "13800009999")


async def test_find_household_matches_units_and_codes_exactly(db: Database) -> None:
    content = HEADER + "A2,,101,王芳,13800000001\n3,2,1201,张伟,13800138000\n"
    async with db.write() as session:
        await upsert_households(session, parse_households_csv(content).rows)
    async with db.read() as session:
        assert await find_household(session, "a2", "", "101") is not None
        assert await find_household(session, "3栋", "2单元", "1201室") is not None
        assert await find_household(session, "A2", "1", "101") is None
        assert await find_household(session, "3", "", "1201") is None


async def test_bind_resident_creates_or_rebinds_and_clears_failures(db: Database) -> None:
    content = HEADER + "3,2,1201,张伟,13800138000\n5,1,702,李娜,13912345678\n"
    async with db.write() as session:
        await upsert_households(session, parse_households_csv(content).rows)
        session.add(
            Resident(
                openid="o_old",
                created_at=NOW,
                bind_failures=3,
                bind_locked_until=NOW + timedelta(hours=1),
            )
        )
    async with db.write() as session:
        first = await find_household(session, "3", "2", "1201")
        second = await find_household(session, "5", "1", "702")
        assert first is not None and second is not None
        new = await bind_resident(session, "o_new", first, now=NOW)
        old = await bind_resident(session, "o_old", first, now=NOW)
        old = await bind_resident(session, "o_old", second, now=NOW)
    async with db.read() as session:
        residents = {r.openid: r for r in await session.scalars(select(Resident))}
    assert residents["o_new"].id == new.id and residents["o_new"].household_id == first.id
    assert residents["o_new"].verified and residents["o_new"].created_at == NOW
    assert residents["o_old"].id == old.id and residents["o_old"].household_id == second.id
    assert residents["o_old"].verified and residents["o_old"].bind_failures == 0
    assert residents["o_old"].bind_locked_until is None
