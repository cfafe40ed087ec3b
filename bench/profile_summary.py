"""Sort py-spy samples of `propbot serve` into costs per request (see bench/profile.sh).

Input: `py-spy record --threads --full-filenames --format raw` (one collapsed stack a line,
"thread (tid): name;frame;frame;... count", each frame "function (path:line)").
Two views of the same samples:
  by step     the propbot call under the webhook/pipeline that the sample is in
              (envelope.open, dedupe.claim, nlu.analyze, db.write, ...), or the HTTP server
              and event loop when the sample is outside the handler;
  by library  the innermost third-party or propbot package on the stack (fakeredis,
              sqlalchemy, jieba, nlu, cryptography, xmltodict, aiohttp, asyncio, ...).
Figures are CPU milliseconds per request (samples / rate / requests), per thread.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections import Counter, defaultdict
from pathlib import Path

FRAME = re.compile(r"^(?P<func>.*) \((?P<path>.*?)(?::(?P<line>\d+))?\)$")

# Our glue: a sample's step is the callee of the innermost frame in one of these.
GLUE = ("bot/webhook.py", "bot/pipeline.py", "bot/effects.py")
# Frames skipped when looking for that callee (context managers, task plumbing).
PLUMBING = ("/contextlib.py", "/asyncio/tasks.py", "/asyncio/timeouts.py")

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


def step_of(frames: list[tuple[str, str]]) -> str:
    glue_at = -1
    for i, (_func, path) in enumerate(frames):
        if path.endswith(GLUE):
            glue_at = i
    if glue_at < 0:
        # Outside the handler: HTTP parsing and writing, the event loop, other tasks.
        lib = library_of(frames)
        return f"outside handler: {lib}"
    for func, path in frames[glue_at + 1 :]:
        if path.endswith(PLUMBING):
            continue
        return f"{func} ({_short(path)})"
    func, path = frames[glue_at]
    return f"own code: {func} ({_short(path)})"


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
    steps: dict[str, Counter[str]] = defaultdict(Counter)
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
        steps[thread][step_of(frames)] += count
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
    for thread, total in by_thread.most_common():
        busy = total / args.rate / args.seconds * 100
        print(f"\n## {thread}: {total * per_request:.3f} ms/request, busy {busy:.0f}% of the time")
        for title, table in (
            ("by step", steps[thread]),
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
