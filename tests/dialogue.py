"""Dialogue transcripts: what residents say (`>`), what the bot must answer (`<`), and what
the database must hold afterwards (`=`). The same files drive the webhook tests and the
end-to-end `propbot chat --script` test.

    @bound 3-2-1201            the current resident is verified for that household
    @as OPENID 5-1-702         switch to another (verified) resident
    > text                     the resident says this (`/image ID` sends a photo)
    < words                    the bot's reply to the last `>` contains these words
    = tickets 1                database checks: tickets, passes, attachments, followers,
    = ticket 1001 status new   staff_notices (outbox rows for staff groups), bound yes/no
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import func, select

from storage.db import Database
from storage.models import (
    Attachment,
    Household,
    OutboxMessage,
    Resident,
    Ticket,
    TicketFollower,
    VisitorPass,
)

DIALOGUES = Path(__file__).parent / "data" / "dialogues"

HOUSEHOLDS = [
    ("3", "2", "1201", "张伟", "13800138000"),
    ("5", "1", "702", "李娜", "13912345678"),
    ("1", "1", "101", "王芳", "13700001111"),
]


@dataclass
class Turn:
    says: str
    expect: list[str] = field(default_factory=list)
    checks: list[list[str]] = field(default_factory=list)
    directive: list[str] | None = None


def parse(path: Path) -> list[Turn]:
    turns: list[Turn] = []
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        mark, _, rest = line.partition(" ")
        if mark == ">":
            turns.append(Turn(says=rest))
        elif mark == "<":
            turns[-1].expect.append(rest)
        elif mark == "=":
            if not turns:
                turns.append(Turn(says=""))
            turns[-1].checks.append(rest.split())
        elif mark.startswith("@"):
            turns.append(Turn(says="", directive=[mark[1:], *rest.split()]))
        else:
            raise ValueError(f"{path.name}: cannot read line {raw!r}")
    return turns


async def seed_households(db: Database) -> None:
    async with db.write() as session:
        for building, unit, room, name, phone in HOUSEHOLDS:
            session.add(
                Household(building=building, unit=unit, room=room, owner_name=name, phone=phone)
            )


async def bind(db: Database, openid: str, room: str) -> None:
    building, unit, number = room.split("-")
    async with db.write() as session:
        household = await session.scalar(
            select(Household).where(
                Household.building == building, Household.unit == unit, Household.room == number
            )
        )
        assert household is not None, room
        resident = await session.scalar(select(Resident).where(Resident.openid == openid))
        if resident is None:
            resident = Resident(openid=openid)
            session.add(resident)
        resident.household_id = household.id
        resident.verified = True


async def check(db: Database, openid: str, words: list[str]) -> None:
    what = words[0]
    async with db.read() as session:
        if what == "ticket":
            ticket = await session.get(Ticket, int(words[1]))
            assert ticket is not None, f"ticket {words[1]} missing"
            value = getattr(ticket, words[2])
            shown = (
                {True: "yes", False: "no"}.get(value, str(value))
                if isinstance(value, bool)
                else str(value)
            )
            assert shown == words[3], f"ticket {words[1]} {words[2]} = {shown}, not {words[3]}"
            return
        if what == "bound":
            resident = await session.scalar(select(Resident).where(Resident.openid == openid))
            bound = resident is not None and resident.verified
            assert bound == (words[1] == "yes"), f"bound is {bound}"
            return
        models = {
            "tickets": (Ticket, None),
            "passes": (VisitorPass, None),
            "attachments": (Attachment, None),
            "followers": (TicketFollower, None),
            "staff_notices": (OutboxMessage, OutboxMessage.channel == "wecom_group"),
        }
        model, where = models[what]
        query = select(func.count()).select_from(model)
        if where is not None:
            query = query.where(where)
        count = await session.scalar(query)
        assert count == int(words[1]), f"{what}: {count}, expected {words[1]}"
