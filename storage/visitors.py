"""Visitor passes: a short code the gate checks, valid for a window around the visit."""

from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import VisitorPass

CODE_DIGITS = 6


async def create_pass(
    session: AsyncSession,
    *,
    idem_key: str,
    resident_id: int,
    household_id: int | None,
    visitor_name: str,
    visit_at: datetime,
    people: int,
    plate: str | None,
    valid_from: datetime,
    valid_until: datetime,
    now: datetime,
) -> VisitorPass:
    """One pass per `idem_key`; the code is random so nobody can guess a neighbour's."""
    existing = await session.scalar(select(VisitorPass).where(VisitorPass.idem_key == idem_key))
    if existing is not None:
        return existing
    code = await _free_code(session)
    visitor_pass = VisitorPass(
        idem_key=idem_key,
        code=code,
        resident_id=resident_id,
        household_id=household_id,
        visitor_name=visitor_name,
        visit_at=visit_at,
        people=people,
        plate=plate,
        valid_from=valid_from,
        valid_until=valid_until,
        created_at=now,
    )
    session.add(visitor_pass)
    await session.flush()
    return visitor_pass


async def _free_code(session: AsyncSession) -> str:
    while True:
        code = f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"
        taken = await session.scalar(select(VisitorPass.id).where(VisitorPass.code == code))
        if taken is None:
            return code


async def expire_passes(session: AsyncSession, *, now: datetime) -> int:
    """Passes whose window has ended become `expired`: through the (status, valid_until)
    index, so a pass that finds nothing costs one index probe."""
    result = await session.execute(
        update(VisitorPass)
        .where(VisitorPass.status == "active", VisitorPass.valid_until < now)
        .values(status="expired")
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)
