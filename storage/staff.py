"""The staff roster: who works tickets from WeCom, under which WeCom account and in which role."""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import NamedTuple

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.households import CsvHeaderError, RowError, map_header, normalize_phone
from storage.models import Staff

# Role id -> how staff say it. The ids are what the database and the code use.
ROLES: dict[str, str] = {
    "service": "客服",
    "technician": "维修",
    "security": "门岗/保安",
    "supervisor": "主管",
    "manager": "经理",
}
# Whatever people type in a spreadsheet or on the command line -> role id.
ROLE_ALIASES: dict[str, str] = {
    **{role: role for role in ROLES},
    "客服": "service",
    "维修": "technician",
    "维修工": "technician",
    "门岗": "security",
    "保安": "security",
    "门岗/保安": "security",
    "安保": "security",
    "主管": "supervisor",
    "经理": "manager",
}
ROLE_HINT = (
    "客服、维修、门岗、保安、主管、经理（或 service、technician、security、supervisor、manager）"
)

# WeCom's rule for a userid: 1-64 of letters, digits and _-@., starting with a letter or digit.
_USERID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.@-]{0,63}")
_NAME_MAX = 64

HEADER_ALIASES: dict[str, str] = {
    "userid": "userid",
    "企业微信账号": "userid",
    "账号": "userid",
    "name": "name",
    "姓名": "name",
    "role": "role",
    "角色": "role",
    "phone": "phone",
    "手机号": "phone",
    "手机": "phone",
}
_REQUIRED = ("userid", "name", "role")  # a phone number is optional
_FIELD_NAMES_ZH = {"userid": "企业微信账号", "name": "姓名", "role": "角色", "phone": "手机号"}


@dataclass(frozen=True)
class StaffRow:
    line: int
    userid: str
    name: str
    role: str
    phone: str


class StaffParseResult(NamedTuple):
    rows: list[StaffRow]
    errors: list[RowError]


def parse_role(raw: str) -> str | None:
    """The role id for "维修", "Technician", "保安", ...; None when it is no known role."""
    value = unicodedata.normalize("NFKC", raw).strip().lower().replace(" ", "")
    return ROLE_ALIASES.get(value)


def role_name(role: str) -> str:
    return ROLES.get(role, role)


def check_staff(userid: str, name: str, role: str, phone: str) -> tuple[StaffRow | None, str]:
    """The cleaned values, or None and the first problem (Chinese, for staff to read).
    Values are never quoted back: a shifted column could put a phone number anywhere."""
    userid, name = userid.strip(), name.strip()
    if not userid:
        return None, "缺少企业微信账号"
    if not _USERID.fullmatch(userid):
        return None, "企业微信账号格式不对（字母、数字和 _-@.，字母或数字开头，不超过 64 位）"
    if not name:
        return None, "缺少姓名"
    if len(name) > _NAME_MAX:
        return None, "姓名太长"
    if not role.strip():
        return None, "缺少角色"
    role_id = parse_role(role)
    if role_id is None:
        return None, f"角色不认识，可以填：{ROLE_HINT}"
    clean_phone = normalize_phone(phone) if phone.strip() else ""
    if clean_phone is None:
        return None, "手机号不对（应为 11 位手机号，1 开头）"
    return StaffRow(0, userid, name, role_id, clean_phone), ""


def _header_map(header: list[str]) -> dict[str, int]:
    return map_header(
        header,
        aliases=HEADER_ALIASES,
        names_zh=_FIELD_NAMES_ZH,
        required=_REQUIRED,
        expected="userid,name,role,phone 或 企业微信账号,姓名,角色,手机号；手机号可以不填",
    )


def parse_staff_csv(text: str) -> StaffParseResult:
    """Validate a roster CSV. Line numbers are the file's as an editor shows them (header = 1).

    Raises CsvHeaderError when there is no header row with at least userid, name and role.
    """
    reader = csv.reader(io.StringIO(text.removeprefix("\ufeff")))
    columns: dict[str, int] | None = None
    header_len = 0
    result = StaffParseResult([], [])
    seen: dict[str, int] = {}
    for cells in reader:
        if not any(cell.strip() for cell in cells):
            continue  # blank lines, including the ones Excel leaves at the end
        if columns is None:
            columns, header_len = _header_map(cells), len(cells)
            continue
        line = reader.line_num
        if any(cell.strip() for cell in cells[header_len:]):
            result.errors.append(RowError(line, "列数比表头多（姓名里有逗号？请加引号）"))
            continue
        values = {name: cells[i] if i < len(cells) else "" for name, i in columns.items()}
        row, problem = check_staff(
            values["userid"], values["name"], values["role"], values.get("phone", "")
        )
        if row is None:
            result.errors.append(RowError(line, problem))
            continue
        if row.userid in seen:
            result.errors.append(RowError(line, f"与第 {seen[row.userid]} 行是同一个企业微信账号"))
            continue
        seen[row.userid] = line
        result.rows.append(replace(row, line=line))
    if columns is None:
        raise CsvHeaderError("文件是空的，没有表头")
    return result


def _apply(staff: Staff, row: StaffRow) -> bool:
    """Bring `staff` in line with `row`; True if anything changed. An empty phone keeps the
    number on record: a sheet without the column must not wipe everyone's phone."""
    wanted = (row.name, row.role, row.phone or staff.phone, True)
    if (staff.name, staff.role, staff.phone, staff.active) == wanted:
        return False
    staff.name, staff.role, staff.phone, staff.active = wanted
    return True


async def upsert_staff(
    session: AsyncSession, *, userid: str, name: str, role: str, phone: str = ""
) -> tuple[Staff, bool]:
    """Add a staff member, or update (and reactivate) the one with this userid.

    Returns (staff, created). `role` may be an id or its Chinese name; an empty `phone`
    keeps the number on record. Raises ValueError (Chinese message) on bad values.
    """
    row, problem = check_staff(userid, name, role, phone)
    if row is None:
        raise ValueError(problem)
    staff = await session.scalar(select(Staff).where(Staff.userid == row.userid))
    created = staff is None
    if staff is None:
        staff = Staff(userid=row.userid, name=row.name, role=row.role, phone=row.phone, active=True)
        session.add(staff)
    _apply(staff, row)
    await session.flush()
    return staff, created


async def import_staff(session: AsyncSession, rows: Sequence[StaffRow]) -> tuple[int, int]:
    """Upsert parsed rows in the caller's transaction; returns (created, updated).

    A row identical to the roster counts as neither. A failure part-way leaves nothing behind.
    """
    # A roster is tens or hundreds of people: one read beats a query per row.
    existing = {s.userid: s for s in await session.scalars(select(Staff))}
    created = updated = 0
    for row in rows:
        staff = existing.get(row.userid)
        if staff is None:
            staff = Staff(
                userid=row.userid, name=row.name, role=row.role, phone=row.phone, active=True
            )
            session.add(staff)
            existing[row.userid] = staff
            created += 1
        elif _apply(staff, row):
            updated += 1
    await session.flush()
    return created, updated


async def active_staff(session: AsyncSession, userid: str) -> Staff | None:
    """The active staff member with this WeCom userid: who may act on tickets."""
    query = select(Staff).where(Staff.userid == userid, Staff.active.is_(True))
    return await session.scalar(query)


async def find_staff(session: AsyncSession, name_or_userid: str) -> Staff | None:
    """An active staff member by exact userid, else by name when exactly one has it.

    Inactive staff are never found: work must not go to someone who has left.
    """
    value = name_or_userid.strip()
    if not value:
        return None
    by_id = await active_staff(session, value)
    if by_id is not None:
        return by_id
    query = select(Staff).where(Staff.name == value, Staff.active.is_(True)).limit(2)
    named = list(await session.scalars(query))
    return named[0] if len(named) == 1 else None


async def list_staff(session: AsyncSession, *, include_inactive: bool = False) -> list[Staff]:
    """The roster by role (客服 first, 经理 last), then name."""
    query = select(Staff)
    if not include_inactive:
        query = query.where(Staff.active.is_(True))
    rank = {role: index for index, role in enumerate(ROLES)}
    staff = await session.scalars(query)
    return sorted(staff, key=lambda s: (not s.active, rank.get(s.role, len(rank)), s.name))


async def deactivate(session: AsyncSession, userid: str) -> bool:
    """Mark a staff member as gone (the row stays for ticket history); False if not active."""
    staff = await active_staff(session, userid)
    if staff is None:
        return False
    staff.active = False
    await session.flush()
    return True
