"""Write pre-signed, pre-encrypted `POST /wechat` requests for bench/post.lua.

One request per line: the path with its query string, a TAB, the body. Every request has
its own MsgId (the server answers a repeated MsgId from its dedupe cache, which is not what
we want to measure) and the senders rotate over many openids (the server holds one lock per
resident, so a single openid would measure queueing on that lock). Timestamps are "now": the
server refuses requests more than REPLAY_WINDOW_SECONDS old, so generate right before a run.

    python bench/gen_requests.py --kind greeting -n 20000 --out /tmp/greeting.tsv
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

from bot.simulator import RequestFactory

# What each kind of message says, cycled over the requests.
MESSAGES: dict[str, tuple[str, ...]] = {
    # Greetings: the bot answers with its menu and creates nothing.
    "greeting": ("你好", "在吗", "您好"),
    # Repair descriptions: each creates a ticket ("工单 #N 已受理…").
    "ticket": (
        "厨房水龙头一直滴水关不紧",
        "卫生间的灯不亮了，麻烦来看看",
        "阳台的窗户关不上了",
    ),
}


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


def request_line(factory: RequestFactory, xml: str, timestamp: int) -> str:
    signed = factory.wrap(xml, timestamp=timestamp)
    return f"/wechat?{urlencode(signed.query)}\t{signed.body}\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--kind", choices=sorted(MESSAGES), required=True)
    parser.add_argument("-n", "--count", type=int, default=20000)
    parser.add_argument("--openids", type=int, default=500, help="distinct senders")
    parser.add_argument(
        "--first-msg-id",
        type=int,
        default=None,
        help="MsgId of the first request (then +1 each); default: derived from the clock",
    )
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)

    factory = factory_from_env()
    texts = MESSAGES[args.kind]
    # Nanoseconds since the epoch keep MsgIds of successive runs apart without bookkeeping.
    first = args.first_msg_id if args.first_msg_id is not None else time.time_ns() // 1000
    started = time.monotonic()
    timestamp = int(time.time())
    with args.out.open("w", encoding="utf-8") as out:
        for i in range(args.count):
            xml = factory.text(
                openid(i % args.openids),
                texts[i % len(texts)],
                msg_id=first + i,
                create_time=timestamp,
            )
            out.write(request_line(factory, xml, timestamp))
    elapsed = time.monotonic() - started
    print(
        f"gen: {args.count} {args.kind} requests from {args.openids} openids "
        f"-> {args.out} in {elapsed:.1f}s",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
