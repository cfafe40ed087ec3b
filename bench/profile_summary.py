"""Sort py-spy samples of `propbot serve` into costs per request (see bench/profile.sh).

Input: `py-spy record --gil --threads --full-filenames --format raw` (one collapsed stack a
line, "thread (tid): name;frame;frame;... count", each frame "function (path:line)").
With --gil only the thread holding the GIL is sampled, so the samples are where Python's
CPU time goes, and their share of the wall time is how busy the interpreter was.
Views: by library (the innermost third-party or propbot package on the stack: fakeredis,
sqlalchemy, aiosqlite, jieba, nlu, cryptography, xmltodict, aiohttp, asyncio, ...) and the
hottest functions (self time). Figures are CPU milliseconds per request.

py-spy does not see the whole chain of awaiting coroutines on Python 3.11 (a resumed
coroutine often shows without its callers), so there is no "by propbot step" view here:
bench/trace_one.py times the steps instead.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections import Counter, defaultdict
from pathlib import Path

FRAME = re.compile(r"^(?P<func>.*) \((?P<path>.*?)(?::(?P<line>\d+))?\)$")

# Innermost match wins; more specific first.
LIBRARIES: tuple[tuple[str, str], ...] = (
    ("/fakeredis/", "fakeredis (memory:// Redis)"),
    ("/lupa/", "fakeredis Lua (lupa)"),
    ("/redis/", "redis client"),
    ("/aiosqlite/", "aiosqlite"),
    ("/sqlite3/", "sqlite3"),
    ("/sqlalchemy/", "sqlalchemy"),
    ("/asyncpg/", "asyncpg"),
    ("/jieba/", "jieba"),
    ("/opencc/", "opencc"),
    ("/cn2an/", "cn2an"),
    ("/pypinyin/", "pypinyin"),
    ("/nlu/", "propbot nlu/"),
    ("/handlers/", "propbot handlers/"),
    ("/storage/", "propbot storage/"),
    ("/bot/", "propbot bot/"),
    ("/wechatpy/", "wechatpy"),
    ("/cryptography/", "cryptography (AES)"),
    ("/xmltodict", "xmltodict (XML)"),
    ("/xml/", "stdlib xml"),
    ("/aiohttp/", "aiohttp"),
    ("/multidict/", "aiohttp"),
    ("/yarl/", "aiohttp"),
    ("/pydantic", "pydantic"),
    ("/logging/", "logging"),
    ("/asyncio/", "asyncio"),
    ("/json/", "json"),
)


def parse_frame(text: str) -> tuple[str, str]:
    match = FRAME.match(text)
    if not match:
        return text, ""
    return match["func"], match["path"]


def library_of(frames: list[tuple[str, str]]) -> str:
    for _func, path in reversed(frames):
        for needle, name in LIBRARIES:
            if needle in path:
                return name
    return "python/other"


def _short(path: str) -> str:
    for marker in ("site-packages/", "/work/main/", "/lib/python3.11/"):
        if marker in path:
            return path.split(marker, 1)[1]
    return path.rsplit("/", 2)[-1]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("raw", type=Path)
    parser.add_argument("--rate", type=int, default=200, help="py-spy samples per second")
    parser.add_argument("--seconds", type=float, required=True, help="profiled seconds")
    parser.add_argument("--requests", type=float, required=True, help="requests/s meanwhile")
    parser.add_argument("--title", default="")
    parser.add_argument("--top", type=int, default=18)
    args = parser.parse_args(argv)

    by_thread: Counter[str] = Counter()
    libs: dict[str, Counter[str]] = defaultdict(Counter)
    leaves: dict[str, Counter[str]] = defaultdict(Counter)
    for line in args.raw.read_text(encoding="utf-8").splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not stack or not count_text.isdigit():
            continue
        count = int(count_text)
        parts = stack.split(";")
        thread = parts[0].split(": ", 1)[-1]
        thread = "main (event loop)" if thread == "MainThread" else f"thread {thread}"
        frames = [parse_frame(part) for part in parts[1:]]
        if not frames:
            continue
        by_thread[thread] += count
        libs[thread][library_of(frames)] += count
        func, path = frames[-1]
        leaves[thread][f"{func} ({_short(path)})"] += count

    requests = args.requests * args.seconds
    per_request = 1000.0 / args.rate / requests  # ms of CPU per sample per request

    print(f"# profile: {args.title}")
    print(
        f"{args.requests:.0f} req/s under the profiler, {args.seconds:.0f} s, "
        f"{args.rate} samples/s; figures are CPU ms per request"
    )
    every = sum(by_thread.values())
    print(
        f"GIL held {every / args.rate / args.seconds * 100:.0f}% of the time: "
        f"{every * per_request:.3f} ms of Python CPU per request"
    )
    for thread, total in by_thread.most_common():
        busy = total / args.rate / args.seconds * 100
        print(
            f"\n## {thread}: {total * per_request:.3f} ms/request, "
            f"holding the GIL {busy:.0f}% of the time"
        )
        for title, table in (
            ("by library (innermost)", libs[thread]),
            ("hottest functions (self time)", leaves[thread]),
        ):
            print(f"\n{title}:")
            for name, count in table.most_common(args.top):
                share = count / total * 100
                print(f"  {count * per_request:7.3f} ms  {share:5.1f}%  {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
