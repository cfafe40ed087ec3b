"""Resident records, keyed by the WeChat openid."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Resident


async def touch_resident(session: AsyncSession, openid: str, *, now: datetime) -> Resident:
    """The resident for `openid`, created on first contact; records when they last wrote."""
    resident = await session.scalar(select(Resident).where(Resident.openid == openid))
    if resident is None:
        resident = Resident(openid=openid, created_at=now)
        session.add(resident)
    resident.last_message_at = now
    await session.flush()
    return resident


async def set_active(session: AsyncSession, openid: str, *, active: bool, now: datetime) -> None:
    """Unfollowing marks the resident inactive; nothing they told us is deleted."""
    resident = await touch_resident(session, openid, now=now)
    resident.active = active
