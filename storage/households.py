"""The estate's household register: CSV import, look-up by room, binding a resident by hand."""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Household, Resident

# Header cell (lower-cased, stripped) -> field. Staff export from Excel with either heading.
HEADER_ALIASES: dict[str, str] = {
    "building": "building",
    "楼栋": "building",
    "unit": "unit",
    "单元": "unit",
    "room": "room",
    "房号": "room",
    "owner_name": "owner_name",
    "业主姓名": "owner_name",
    "phone": "phone",
    "手机号": "phone",
}
FIELDS = ("building", "unit", "room", "owner_name", "phone")
_FIELD_NAMES_ZH = {
    "building": "楼栋",
    "unit": "单元",
    "room": "房号",
    "owner_name": "业主姓名",
    "phone": "手机号",
}

# Short codes: "3", "A2", "1201". People also type the unit word after the number ("3栋"),
# which is dropped so "3栋" and "3" name the same building.
_CODE = r"[0-9A-Z]{1,8}"
_PART = re.compile(_CODE)
_SUFFIXES = {
    "building": re.compile(r"(?:号楼|栋|幢|座|号)$"),
    "unit": re.compile(r"(?:单元|号)$"),
    "room": re.compile(r"(?:室|号)$"),
}
# What staff type for --room: 3-2-1201, 3-1201, 3栋2单元1201.
_ROOM_DASHED = re.compile(rf"(?P<b>{_CODE})-(?:(?P<u>{_CODE})-)?(?P<r>{_CODE})")
_ROOM_WORDED = re.compile(
    rf"(?P<b>{_CODE})(?:号楼|栋|幢)(?:(?P<u>{_CODE})单元)?(?P<r>{_CODE})(?:室|号)?"
)
_MOBILE = re.compile(r"1[3-9][0-9]{9}")
_PHONE_NOISE = re.compile(r"[\s\-－—()（）]")
_ANY_MOBILE = re.compile(r"(?<![0-9])(1[3-9][0-9])[0-9]{4}([0-9]{4})(?![0-9])")
_NAME_MAX = 64
# Rows are flushed in chunks so a long import shows progress; still one transaction.
WRITE_CHUNK = 200


class CsvHeaderError(ValueError):
    """The file has no usable header row; the message (Chinese) says what is missing."""


@dataclass(frozen=True)
class HouseholdRow:
    line: int
    building: str
    unit: str
    room: str
    owner_name: str
    phone: str

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.building, self.unit, self.room)


@dataclass(frozen=True)
class RowError:
    line: int
    reason: str


@dataclass
class ParseResult:
    rows: list[HouseholdRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)


def mask_phone(phone: str) -> str:
    """138****8000: enough for staff to recognise a number, never the number itself."""
    if len(phone) >= 8:
        return f"{phone[:3]}****{phone[-4:]}"
    return "****"


def mask_phones(text: str) -> str:
    """Mask every mainland mobile number inside free text (descriptions, notes)."""
    return _ANY_MOBILE.sub(r"\1****\2", text)


def room_label(building: str, unit: str, room: str) -> str:
    """How staff and residents say a room: 3栋2单元1201, or 3栋1201 without units."""
    return f"{building}栋{unit}单元{room}" if unit else f"{building}栋{room}"


def parse_room(text: str) -> tuple[str, str, str] | None:
    """(building, unit, room) from 3-2-1201, 3-1201 or 3栋2单元1201; unit "" when absent."""
    value = unicodedata.normalize("NFKC", text).strip().upper().replace(" ", "")
    match = _ROOM_DASHED.fullmatch(value) or _ROOM_WORDED.fullmatch(value)
    if match is None:
        return None
    return match["b"], match["u"] or "", match["r"]


def normalize_part(raw: str, kind: str) -> str:
    """Canonical form of a building/unit/room code: trimmed, upper-case, no 栋/单元/室."""
    # NFKC turns full-width digits and letters ("１２０１", typed with a Chinese IME) into ASCII.
    value = unicodedata.normalize("NFKC", raw).strip().upper().replace(" ", "")
    return _SUFFIXES[kind].sub("", value)


def normalize_phone(raw: str) -> str | None:
    digits = _PHONE_NOISE.sub("", unicodedata.normalize("NFKC", raw)).removeprefix("+86")
    if len(digits) == 13 and digits.startswith("86"):
        digits = digits[2:]
    return digits if _MOBILE.fullmatch(digits) else None


def map_header(
    header: list[str],
    *,
    aliases: dict[str, str],
    names_zh: dict[str, str],
    required: tuple[str, ...],
    expected: str,
) -> dict[str, int]:
    """Column index of each known field in a CSV header (English or Chinese names).

    Shared by the household and staff imports. Extra columns are allowed and ignored; a
    field named twice or a required one missing raises CsvHeaderError saying what is needed.
    """
    columns: dict[str, int] = {}
    for index, cell in enumerate(header):
        name = aliases.get(cell.strip().lstrip("\ufeff").lower())
        if name is None:
            continue
        if name in columns:
            raise CsvHeaderError(f"表头里“{names_zh[name]}”出现了两次")
        columns[name] = index
    missing = [names_zh[name] for name in required if name not in columns]
    if missing:
        raise CsvHeaderError("表头缺少列：" + "、".join(missing) + f"（需要 {expected}）")
    return columns


def _header_map(header: list[str]) -> dict[str, int]:
    return map_header(
        header,
        aliases=HEADER_ALIASES,
        names_zh=_FIELD_NAMES_ZH,
        required=FIELDS,
        expected="building,unit,room,owner_name,phone 或 楼栋,单元,房号,业主姓名,手机号",
    )


def _check_row(values: dict[str, str]) -> tuple[dict[str, str], str | None]:
    """The cleaned values, or the first problem with the row. Values are never echoed
    back in the reason: a shifted column could put a phone number into any field."""
    clean: dict[str, str] = {}
    for kind in ("building", "unit", "room"):
        value = normalize_part(values[kind], kind)
        if not value and kind != "unit":
            return clean, f"缺少{_FIELD_NAMES_ZH[kind]}"
        if value and not _PART.fullmatch(value):
            return clean, f"{_FIELD_NAMES_ZH[kind]}格式不对（应为数字或字母，如 3、A2、1201）"
        clean[kind] = value
    name = values["owner_name"].strip()
    if not name:
        return clean, "缺少业主姓名"
    if len(name) > _NAME_MAX:
        return clean, "业主姓名太长"
    clean["owner_name"] = name
    if not values["phone"].strip():
        return clean, "缺少手机号"
    phone = normalize_phone(values["phone"])
    if phone is None:
        return clean, "手机号不对（应为 11 位手机号，1 开头）"
    clean["phone"] = phone
    return clean, None


def parse_households_csv(text: str, *, on_row: Callable[[], None] | None = None) -> ParseResult:
    """Validate a household CSV. Line numbers are the file's lines as an editor shows them
    (the header is line 1), so staff can find and fix each reported row.

    Raises CsvHeaderError when there is no header row with the five columns.
    """
    reader = csv.reader(io.StringIO(text.removeprefix("\ufeff")))
    columns: dict[str, int] | None = None
    header_len = 0
    result = ParseResult()
    seen: dict[tuple[str, str, str], int] = {}
    for cells in reader:
        if not any(cell.strip() for cell in cells):
            continue  # blank lines, including the ones Excel leaves at the end
        if columns is None:
            columns, header_len = _header_map(cells), len(cells)
            continue
        if on_row is not None:
            on_row()
        line = reader.line_num
        # Cells past the header are usually a name or note with an unquoted comma; trailing
        # empty cells are just Excel padding.
        if any(cell.strip() for cell in cells[header_len:]):
            result.errors.append(RowError(line, "列数比表头多（姓名里有逗号？请加引号）"))
            continue
        values = {name: cells[i] if i < len(cells) else "" for name, i in columns.items()}
        clean, problem = _check_row(values)
        if problem is not None:
            result.errors.append(RowError(line, problem))
            continue
        row = HouseholdRow(line=line, **clean)
        if row.key in seen:
            label = room_label(*row.key)
            result.errors.append(RowError(line, f"与第 {seen[row.key]} 行重复（{label}）"))
            continue
        seen[row.key] = line
        result.rows.append(row)
    if columns is None:
        raise CsvHeaderError("文件是空的，没有表头")
    return result


async def upsert_households(
    session: AsyncSession,
    rows: Sequence[HouseholdRow],
    *,
    on_progress: Callable[[int], None] | None = None,
) -> tuple[int, int]:
    """Insert new households and correct the owner/phone of existing ones.

    Returns (created, updated); a row identical to the register counts as neither.
    Runs in the caller's transaction, so a failure part-way leaves nothing behind.
    """
    # One estate is a few thousand households at most: reading them all once is cheaper
    # than a query per row, and keeps the import to a handful of round trips.
    existing = {(h.building, h.unit, h.room): h for h in await session.scalars(select(Household))}
    created = updated = 0
    for start in range(0, len(rows), WRITE_CHUNK):
        chunk = rows[start : start + WRITE_CHUNK]
        for row in chunk:
            household = existing.get(row.key)
            if household is None:
                household = Household(
                    building=row.building,
                    unit=row.unit,
                    room=row.room,
                    owner_name=row.owner_name,
                    phone=row.phone,
                )
                session.add(household)
                existing[row.key] = household
                created += 1
            elif (household.owner_name, household.phone) != (row.owner_name, row.phone):
                household.owner_name = row.owner_name
                household.phone = row.phone
                updated += 1
        await session.flush()
        if on_progress is not None:
            on_progress(len(chunk))
    return created, updated


async def find_household(
    session: AsyncSession, building: str, unit: str, room: str
) -> Household | None:
    """The household at a room, matched on the same canonical form the import stores."""
    return await session.scalar(
        select(Household).where(
            Household.building == normalize_part(building, "building"),
            Household.unit == normalize_part(unit, "unit"),
            Household.room == normalize_part(room, "room"),
        )
    )


async def bind_resident(
    session: AsyncSession, openid: str, household: Household, *, now: datetime
) -> Resident:
    """Bind `openid` to `household` as verified, creating the resident if they never wrote.

    Staff vouch for the resident, so earlier wrong-phone attempts and any lock are cleared.
    """
    resident = await session.scalar(select(Resident).where(Resident.openid == openid))
    if resident is None:
        resident = Resident(openid=openid, created_at=now)
        session.add(resident)
    resident.household_id = household.id
    resident.verified = True
    resident.bind_failures = 0
    resident.bind_locked_until = None
    await session.flush()
    return resident
