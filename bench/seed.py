"""Give the benchmark's residents a verified household, so a repair message makes a ticket.

Tickets need a bound resident (handlers/binding.py): an unbound one is asked for the room
first. This does what staff do before go-live, through storage's own functions: migrate,
import the household register, bind each benchmark openid (and the probe's) to a room.

    python bench/seed.py --database-url sqlite+aiosqlite:////tmp/x/propbot.db --openids 500
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from datetime import UTC, datetime

from gen_requests import PROBE_OPENID, openid
from sqlalchemy import select

from storage.db import Database
from storage.households import bind_resident, parse_households_csv, upsert_households
from storage.models import Household


def register_csv(count: int) -> str:
    lines = ["building,unit,room,owner_name,phone"]
    for i in range(count):
        building, room = divmod(i, 100)
        lines.append(f"{building + 1},1,{1001 + room},业主{i:05d},139{i:08d}")
    return "\n".join(lines) + "\n"


async def seed(database_url: str, count: int, first: int = 0) -> None:
    db = Database(database_url)
    try:
        await db.upgrade()
        parsed = parse_households_csv(register_csv(count + 1))
        if parsed.errors or len(parsed.rows) != count + 1:
            raise SystemExit(f"seed: the generated register has errors: {parsed.errors[:3]}")
        now = datetime.now(UTC)
        async with db.write() as session:
            await upsert_households(session, parsed.rows)
            households = list(await session.scalars(select(Household).order_by(Household.id)))
            openids = [openid(first + i) for i in range(count)] + [PROBE_OPENID]
            for resident, household in zip(openids, households, strict=True):
                await bind_resident(session, resident, household, now=now)
    finally:
        await db.dispose()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--openids", type=int, default=500, help="how many residents")
    parser.add_argument("--first-openid", type=int, default=0, help="openid(first) is the first")
    args = parser.parse_args(argv)
    started = time.monotonic()
    asyncio.run(seed(args.database_url, args.openids, args.first_openid))
    print(
        f"seed: {args.openids} residents bound to households in {time.monotonic() - started:.1f}s",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
