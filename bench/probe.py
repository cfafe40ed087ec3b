"""Checks around a benchmark run: is the server answering what we think we measure?

python bench/probe.py reply --url http://127.0.0.1:8080 --kind ticket
    sends one fresh request of that kind, decrypts the reply and prints it; exits 1 if
    the reply is not the expected one (menu for a greeting, "工单 #N 已受理" for a repair).
python bench/probe.py count --db /tmp/x/propbot.db
    prints the number of tickets and logged inbound messages in a SQLite database.
"""

from __future__ import annotations

import argparse
import sqlite3
import sys
import time
import urllib.request
from urllib.parse import urlencode

from gen_requests import PROBE_OPENID, SCRIPTS, factory_from_env


def check_reply(url: str, kind: str) -> int:
    """One conversation of `kind` from the probe's resident; each reply must be as expected."""
    factory = factory_from_env()
    steps = SCRIPTS["greeting" if kind == "bare" else kind]
    for texts, expect in steps:
        xml = factory.text(PROBE_OPENID, texts[0], msg_id=time.time_ns() // 1000)
        signed = factory.wrap(xml)
        request = urllib.request.Request(  # noqa: S310 (the URL is the local server under test)
            f"{url}/wechat?{urlencode(signed.query)}",
            data=signed.body.encode(),
            headers={"Content-Type": "text/xml"},
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            status = response.status
            body = response.read().decode()
        reply = factory.read_reply(body, signed.query)
        print(f"probe {kind}: {texts[0]!r} -> HTTP {status}: {reply!r}")
        if status != 200 or not reply:
            return 1
        if kind != "bare" and expect not in reply:
            print(f"probe {kind}: expected a reply containing {expect!r}")
            return 1
    return 0


def count_rows(db: str) -> int:
    with sqlite3.connect(db) as conn:
        tickets = conn.execute("SELECT count(*) FROM tickets").fetchone()[0]
        inbound = conn.execute("SELECT count(*) FROM inbound_messages").fetchone()[0]
    print(f"tickets={tickets} inbound={inbound}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="benchmark sanity checks")
    commands = parser.add_subparsers(dest="command", required=True)
    reply = commands.add_parser("reply")
    reply.add_argument("--url", required=True)
    reply.add_argument("--kind", choices=["bare", *sorted(SCRIPTS)], required=True)
    count = commands.add_parser("count")
    count.add_argument("--db", required=True)
    args = parser.parse_args(argv)
    if args.command == "reply":
        return check_reply(args.url, args.kind)
    return count_rows(args.db)


if __name__ == "__main__":
    sys.exit(main())
