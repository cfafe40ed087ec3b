"""The daily digest: at the estate's configured time each staff group gets the day's open
and overdue work, and the supervisors the whole picture. Sent once a day however many
schedulers run (a unique `scheduled_runs` row decides who sends it)."""

from __future__ import annotations

from collections import Counter
from datetime import datetime

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.cards import KINDS, ticket_line
from bot.estate import group_for_kind
from handlers.sla import SHANGHAI
from storage.alerts import claim_run, overdue_clause, overdue_tickets
from storage.messages import enqueue
from storage.models import Ticket
from storage.ticket_status import OPEN, STATUS_NAMES

# Work groups and the kinds they own (group_for_kind decides; these are the ones it names).
WORK_GROUPS = ("repair", "service")
LISTED = 10


async def send_daily_digest(session: AsyncSession, *, now: datetime) -> bool:
    """Queue today's digests unless another scheduler already did; True if this one did."""
    day = now.astimezone(SHANGHAI).date()
    if not await claim_run(session, f"digest:{day.isoformat()}", now=now):
        return False
    for group, text in (await build_digests(session, now=now)).items():
        await enqueue(
            session,
            idem_key=f"digest:{day.isoformat()}:{group}",
            channel="wecom_group",
            recipient=group,
            payload={"event": "digest", "text": text},
            now=now,
        )
    return True


async def build_digests(session: AsyncSession, *, now: datetime) -> dict[str, str]:
    """Group name -> digest text. Counts come from grouped queries (the status/kind index),
    listings from the overdue query, so the cost does not grow with closed history."""
    midnight = now.astimezone(SHANGHAI).replace(hour=0, minute=0, second=0, microsecond=0)
    open_by: Counter[tuple[str, str]] = Counter()
    rows = await session.execute(
        select(Ticket.kind, Ticket.status, func.count())
        .where(Ticket.status.in_(OPEN))
        .group_by(Ticket.kind, Ticket.status)
    )
    for kind, status, count in rows.all():
        open_by[(group_for_kind(kind), status)] += count
    late = await _by_group(session, overdue_clause(now))
    new = await _by_group(session, Ticket.created_at >= midnight)
    done = await _by_group(session, Ticket.resolved_at >= midnight)

    texts: dict[str, str] = {}
    summary = [f"{midnight:%m月%d日} 汇总"]
    for group in WORK_GROUPS:
        kinds = [kind for kind in KINDS if group_for_kind(kind) == group]
        statuses = {s: n for (g, s), n in open_by.items() if g == group and n}
        total = sum(statuses.values())
        today = f"今天新增 {new[group]} 件，完成 {done[group]} 件"
        lines = [f"{today}；未完结 {total} 件，超时 {late[group]} 件。"]
        if statuses:
            lines.append(
                "未完结："
                + "，".join(f"{STATUS_NAMES.get(s, s)} {n}" for s, n in sorted(statuses.items()))
            )
        overdue = await overdue_tickets(session, now=now, kinds=kinds, limit=LISTED)
        if overdue:
            lines.append("超时工单：")
            lines += [ticket_line(ticket) for ticket in overdue]
            if late[group] > len(overdue):
                lines.append(f"……另有 {late[group] - len(overdue)} 件，发“超时”查看")
        texts[group] = "\n".join(lines)
        name = "维修" if group == "repair" else "客服"
        summary.append(
            f"{name}：新增 {new[group]}，完成 {done[group]}，未完结 {total}，超时 {late[group]}"
        )
    texts["supervisors"] = "\n".join(summary)
    return texts


async def _by_group(session: AsyncSession, clause: ColumnElement[bool]) -> Counter[str]:
    counts: Counter[str] = Counter()
    rows = await session.execute(
        select(Ticket.kind, func.count()).where(clause).group_by(Ticket.kind)
    )
    for kind, count in rows.all():
        counts[group_for_kind(kind)] += count
    return counts
