"""Load the facts handlers ask for (`Need`s) from the database, one small query each."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from handlers.facts import (
    ComplaintHistory,
    EventFacts,
    Facts,
    HouseholdFacts,
    Need,
    NeedComplaintHistory,
    NeedHousehold,
    NeedMyTickets,
    NeedPublicDuplicate,
    NeedResident,
    NeedTicket,
    ResidentFacts,
    TicketFacts,
)
from storage.models import Household, Resident, Ticket
from storage.tickets import (
    complaint_counts,
    open_public_duplicate,
    ticket_of_resident,
    tickets_of_resident,
)

RECENT = timedelta(days=30)


def household_label(household: Household) -> str:
    unit = f"{household.unit}单元" if household.unit else ""
    return f"{household.building}栋{unit}{household.room}"


async def resident_facts(session: AsyncSession, openid: str) -> ResidentFacts:
    row = (
        await session.execute(
            select(Resident, Household)
            .outerjoin(Household, Household.id == Resident.household_id)
            .where(Resident.openid == openid)
        )
    ).first()
    if row is None:
        return ResidentFacts(loaded=True)
    resident, household = row
    return ResidentFacts(
        loaded=True,
        id=resident.id,
        household_id=resident.household_id,
        room_label=household_label(household) if household is not None else None,
        verified=resident.verified,
        bind_failures=resident.bind_failures,
        bind_locked_until=resident.bind_locked_until,
    )


async def load(
    session: AsyncSession, needs: tuple[Need, ...], facts: Facts, *, openid: str, now: datetime
) -> Facts:
    resident = facts.resident
    if not resident.loaded:
        # Every other fact is about this resident, so they are looked up first.
        resident = await resident_facts(session, openid)
    resident_id = resident.id
    found = Facts(resident=resident)
    for need in needs:
        match need:
            case NeedResident():
                pass
            case NeedHousehold():
                found.households[need] = await _household(session, need)
            case NeedMyTickets():
                rows = (
                    await tickets_of_resident(session, resident_id, since=now - RECENT)
                    if resident_id is not None
                    else []
                )
                found = replace(found, my_tickets=tuple(_ticket_facts(t, n) for t, n in rows))
            case NeedTicket():
                row = (
                    await ticket_of_resident(session, need.number, resident_id)
                    if resident_id is not None
                    else None
                )
                found.tickets[need.number] = (
                    _ticket_facts(row[0], row[1], with_events=True) if row else None
                )
            case NeedPublicDuplicate():
                found.public_duplicates[need] = await open_public_duplicate(
                    session, area=need.area, category=need.category, since=now - timedelta(hours=72)
                )
            case NeedComplaintHistory():
                same, others = (
                    await complaint_counts(
                        session,
                        resident_id=resident_id,
                        topic=need.topic,
                        place=need.place,
                        now=now,
                    )
                    if resident_id is not None
                    else (0, 0)
                )
                found.complaint_history[need] = ComplaintHistory(same, others)
    return facts.merged(found)


async def _household(session: AsyncSession, need: NeedHousehold) -> HouseholdFacts | None:
    query = select(Household).where(
        Household.building == need.building, Household.room == need.room
    )
    candidates = list(await session.scalars(query))
    # "3栋1201" names a household whose unit the resident left out, if only one matches.
    exact = [h for h in candidates if h.unit == need.unit]
    chosen = exact or (candidates if not need.unit and len(candidates) == 1 else [])
    if not chosen:
        return None
    household = chosen[0]
    return HouseholdFacts(
        id=household.id, label=household_label(household), phone_last4=household.phone[-4:]
    )


def _ticket_facts(
    ticket: Ticket, assignee: str | None, *, with_events: bool = False
) -> TicketFacts:
    events = (
        tuple(EventFacts(e.action, e.note, e.created_at) for e in ticket.events)
        if with_events
        else ()
    )
    return TicketFacts(
        number=ticket.id,
        kind=ticket.kind,
        status=ticket.status,
        priority=ticket.priority,
        category=ticket.category,
        location=ticket.location,
        description=ticket.description,
        created_at=ticket.created_at,
        response_due_at=ticket.response_due_at,
        resolve_due_at=ticket.resolve_due_at,
        assignee=assignee,
        events=events,
    )
