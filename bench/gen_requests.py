"""Write pre-signed, pre-encrypted `POST /wechat` requests for bench/post.lua.

One request per line: the path with its query string, a TAB, the body, a TAB, and "T" if
the message creates a ticket (else nothing). Every request has
its own MsgId (the server answers a repeated MsgId from its dedupe cache, which is not what
we want to measure) and the senders rotate over many openids (the server holds one lock per
resident, so a single openid would measure queueing on that lock). Timestamps are "now": the
server refuses requests more than REPLAY_WINDOW_SECONDS old, so generate right before a run.

A kind is a conversation of one or more steps (SCRIPTS). The file is cut into one slice per
wrk thread (post.lua gives thread t the t-th slice); each slice has its own openids and is a
series of rounds: step 1 from every openid of the slice, then step 2 from every one, ...
so a resident's next step is sent only after ~len(openids)/threads other requests, long
after the previous one was answered.

    python bench/gen_requests.py --kind greeting -n 20000 --threads 2 --out /tmp/g.tsv
"""

from __future__ import annotations

import argparse
import math
import os
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

from bot.simulator import RequestFactory

# kind -> steps; each step is (texts to rotate over, a substring its reply must contain).
SCRIPTS: dict[str, tuple[tuple[tuple[str, ...], str], ...]] = {
    # A greeting: the bot answers with its menu; no ticket, no conversation state.
    "greeting": ((("你好", "在吗", "您好"), "可以帮您"),),
    # An urgent repair report: one message creates a ticket (and a staff notification in
    # the outbox) at once, without questions.
    "ticket": (
        (
            ("厨房水管爆了，水喷得到处都是", "电梯困人了，快来人", "楼道里有很重的煤气味"),
            "工单 #",
        ),
    ),
    # The ordinary repair form: describe, give a time, confirm; the third message creates
    # the ticket (the same database work as "ticket"), the first two save conversation state.
    "form": (
        (
            ("厨房水龙头一直滴水关不紧", "卫生间的灯不亮了，麻烦来看看", "阳台的窗户关不上了"),
            "上门",
        ),
        (("随时",), "确认提交"),
        (("1",), "已受理"),
    ),
}
# How many of a kind's messages create a ticket, per conversation.
TICKETS_PER_CONVERSATION = {"greeting": 0, "ticket": 1, "form": 1}

# The sender of bench/probe.py's sample requests; bench/seed.py binds it too.
PROBE_OPENID = "o_bench_probe"


def settings_from_env() -> tuple[str, str, str]:
    token = os.environ.get("WECHAT_TOKEN", "")
    aes_key = os.environ.get("WECHAT_AES_KEY", "")
    appid = os.environ.get("WECHAT_APPID", "")
    if not token or len(aes_key) != 43 or not appid:
        raise SystemExit("set WECHAT_TOKEN, WECHAT_AES_KEY (43 chars) and WECHAT_APPID")
    return token, aes_key, appid


def factory_from_env() -> RequestFactory:
    token, aes_key, appid = settings_from_env()
    return RequestFactory(token=token, aes_key=aes_key, appid=appid)


def openid(index: int) -> str:
    return f"o_bench_resident_{index:05d}"


def request_line(factory: RequestFactory, xml: str, timestamp: int, *, ticket: bool) -> str:
    signed = factory.wrap(xml, timestamp=timestamp)
    # The third column marks messages that create a ticket; post.lua counts those it sends.
    return f"/wechat?{urlencode(signed.query)}\t{signed.body}\t{'T' if ticket else ''}\n"


def slice_plan(kind: str, count: int, openids: range, threads: int) -> list[tuple[int, str, bool]]:
    """(openid index, text, creates a ticket) for a file of at least `count` requests."""
    steps = SCRIPTS[kind]
    creates = TICKETS_PER_CONVERSATION[kind] > 0
    plan: list[tuple[int, str, bool]] = []
    per_thread = math.ceil(count / threads)
    for thread in range(threads):
        mine = openids[thread::threads]
        if not mine:
            raise SystemExit("need at least as many openids as wrk threads")
        rounds = math.ceil(per_thread / (len(mine) * len(steps)))
        for round_no in range(rounds):
            for step, (texts, _expect) in enumerate(steps):
                last = step == len(steps) - 1
                for position, index in enumerate(mine):
                    text = texts[(round_no + position) % len(texts)]
                    plan.append((index, text, creates and last))
    return plan


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--kind", choices=sorted(SCRIPTS), required=True)
    parser.add_argument("-n", "--count", type=int, default=20000, help="at least this many")
    parser.add_argument("--openids", type=int, default=500, help="distinct senders")
    parser.add_argument(
        "--first-openid",
        type=int,
        default=0,
        help="senders are openid(first) ... openid(first + openids - 1); a run on fresh "
        "senders starts from no conversation state (bench/seed.py must have bound them)",
    )
    parser.add_argument("--threads", type=int, default=2, help="wrk threads (-t)")
    parser.add_argument(
        "--first-msg-id",
        type=int,
        default=None,
        help="MsgId of the first request (then +1 each); default: derived from the clock",
    )
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)

    if args.openids % args.threads:
        raise SystemExit("--openids must be a multiple of --threads (equal slices)")
    factory = factory_from_env()
    senders = range(args.first_openid, args.first_openid + args.openids)
    plan = slice_plan(args.kind, args.count, senders, args.threads)
    # Microseconds since the epoch keep MsgIds of successive runs apart by default.
    first = args.first_msg_id if args.first_msg_id is not None else time.time_ns() // 1000
    started = time.monotonic()
    timestamp = int(time.time())
    with args.out.open("w", encoding="utf-8") as out:
        for number, (index, text, ticket) in enumerate(plan):
            xml = factory.text(openid(index), text, msg_id=first + number, create_time=timestamp)
            out.write(request_line(factory, xml, timestamp, ticket=ticket))
    print(
        f"gen: {len(plan)} {args.kind} requests from {args.openids} openids "
        f"-> {args.out} in {time.monotonic() - started:.1f}s",
        file=sys.stderr,
    )
    # The number written, for the caller's MsgId bookkeeping.
    print(len(plan))
    return 0


if __name__ == "__main__":
    sys.exit(main())
