"""Where one `POST /wechat` spends its time: Redis commands, SQL statements, steps.

Runs propbot in-process (aiohttp's test server, the real app from `create_app`), sends
messages one at a time (no concurrency, so each step's time is its own, not queueing) and
reports, per message kind:
  - every Redis command and SQL statement of one message, in order;
  - mean wall time per message of each step (decrypt, parse, Redis, DB, NLU, dispatch, seal).

Nothing in bot/ or storage/ is changed: the timers wrap the objects the app holds.

    python bench/trace_one.py                  # SQLite in a temp dir + memory://
    python bench/trace_one.py --redis redis://127.0.0.1:6379/14 -n 300
"""

from __future__ import annotations

import argparse
import asyncio
import inspect
import itertools
import os
import re
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import aiosqlite.core
from aiohttp.test_utils import TestClient, TestServer
from gen_requests import SCRIPTS, factory_from_env, openid
from redis.asyncio import client as redis_client
from redis.asyncio import connection as redis_connection
from seed import seed
from sqlalchemy import event

import bot.pipeline
import bot.webhook
import nlu
from bot.app import create_app
from bot.keys import SERVICES
from bot.settings import Settings


class Timers:
    def __init__(self) -> None:
        self.total: dict[str, float] = defaultdict(float)
        self.calls: dict[str, int] = defaultdict(int)

    def add(self, name: str, seconds: float) -> None:
        self.total[name] += seconds
        self.calls[name] += 1


class Sink:
    """Where the wrappers record: switched to the timers of the step being sent."""

    def __init__(self, timers: Timers) -> None:
        self.timers = timers

    def add(self, name: str, seconds: float) -> None:
        self.timers.add(name, seconds)

    def wrap_sync(self, name: str, func: Callable[..., Any]) -> Callable[..., Any]:
        def timed(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return func(*args, **kwargs)
            finally:
                self.add(name, time.perf_counter() - started)

        return timed

    def wrap_async(self, name: str, func: Callable[..., Awaitable[Any]]) -> Callable[..., Any]:
        async def timed(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return await func(*args, **kwargs)
            finally:
                self.add(name, time.perf_counter() - started)

        return timed


def instrument(app: Any, timers: Sink, log: list[str]) -> None:
    services = app[SERVICES]
    redis = services.redis
    execute = redis.execute_command

    async def counted(*args: Any, **kwargs: Any) -> Any:
        log.append("redis " + " ".join(_short(a) for a in args[:3]))
        started = time.perf_counter()
        try:
            return await execute(*args, **kwargs)
        finally:
            timers.add("redis (each command)", time.perf_counter() - started)

    redis.execute_command = counted

    # Pipelines: their commands, sent together (execute_command above does not see them).
    pipeline_execute = redis_client.Pipeline.execute

    async def counted_pipeline(self: Any, *args: Any, **kwargs: Any) -> Any:
        names = [" ".join(_short(a) for a in command[0][:2]) for command in self.command_stack]
        log.append(f"redis PIPELINE of {len(names)}: " + "; ".join(names))
        started = time.perf_counter()
        try:
            return await pipeline_execute(self, *args, **kwargs)
        finally:
            timers.add("redis pipeline (each)", time.perf_counter() - started)

    redis_client.Pipeline.execute = counted_pipeline  # type: ignore[method-assign]

    # Round trips: every send on a connection (single commands, pipelines, and the
    # SCRIPT EXISTS a pipeline carrying a Lua script sends first).
    send = redis_connection.AbstractConnection.send_packed_command

    async def counted_send(self: Any, *args: Any, **kwargs: Any) -> Any:
        timers.add("redis round trip (count)", 0.0)
        return await send(self, *args, **kwargs)

    redis_connection.AbstractConnection.send_packed_command = counted_send  # type: ignore[method-assign]
    instrument_database(services, timers, log)
    instrument_steps(services, timers)


def instrument_database(services: Any, timers: Sink, log: list[str]) -> None:
    def on_sql(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        log.append("sql   " + " ".join(statement.split())[:90])

    event.listen(services.db.engine.sync_engine, "before_cursor_execute", on_sql)

    # aiosqlite runs every cursor/execute/fetch/commit in its worker thread: one hop each.
    hop = aiosqlite.core.Connection._execute

    async def timed_hop(self: Any, fn: Any, *args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return await hop(self, fn, *args, **kwargs)
        finally:
            timers.add("aiosqlite thread hop (each)", time.perf_counter() - started)

    aiosqlite.core.Connection._execute = timed_hop  # type: ignore[method-assign]


def instrument_steps(services: Any, timers: Sink) -> None:
    """Time the steps that exist in this version of the code; skip the ones that do not."""
    steps: tuple[tuple[Any, str, str], ...] = (
        (services.envelope, "open", "envelope.open (sig+AES decrypt)"),
        (services.envelope, "seal", "envelope.seal (AES encrypt reply)"),
        (bot.webhook, "parse", "parse (wechatpy XML)"),
        (bot.webhook, "render_text", "render_text (reply XML)"),
        (bot.webhook, "handle", "pipeline.handle (whole)"),
        (nlu, "analyze", "nlu.analyze"),
        (bot.pipeline, "dispatch", "handlers.dispatch"),
        (services.dedupe, "claim", "dedupe.claim"),
        (services.dedupe, "finish", "dedupe.finish"),
        (services.conversations, "load", "conversations.load"),
    )
    for owner, name, label in steps:
        func = getattr(owner, name, None)
        if func is None:
            continue
        wrap = timers.wrap_async if inspect.iscoroutinefunction(func) else timers.wrap_sync
        setattr(owner, name, wrap(label, func))
    db = services.db
    write = db.write

    class TimedWrite:
        def __init__(self) -> None:
            self._cm = write()

        async def __aenter__(self) -> Any:
            self._started = time.perf_counter()
            return await self._cm.__aenter__()

        async def __aexit__(self, *exc: Any) -> Any:
            try:
                return await self._cm.__aexit__(*exc)
            finally:
                timers.add(
                    "db.write (lock wait + txn + commit)", time.perf_counter() - self._started
                )

    db.write = TimedWrite


def _short(value: Any) -> str:
    text = value.decode(errors="replace") if isinstance(value, bytes) else str(value)
    return text if len(text) <= 40 else text[:37] + "..."


async def run(kind: str, count: int, redis_url: str, workdir: Path) -> None:
    factory = factory_from_env()
    settings = Settings(
        wechat_token=factory.token,
        wechat_aes_key=os.environ["WECHAT_AES_KEY"],
        wechat_appid=factory.appid,
        database_url=f"sqlite+aiosqlite:///{workdir / (kind + '.db')}",
        redis_url=redis_url,
        redis_prefix=f"propbot_trace_{os.getpid()}",
    )
    await seed(settings.database_url, 500)
    app = create_app(settings)
    steps = SCRIPTS[kind]
    timers = [Timers() for _ in steps]
    sink = Sink(timers[0])
    log: list[str] = []
    msg_ids = itertools.count(10**16)
    async with TestClient(TestServer(app)) as client:
        instrument(app, sink, log)

        async def send(resident: int, step: int) -> float:
            texts, expect = steps[step]
            xml = factory.text(openid(resident), texts[0], msg_id=next(msg_ids))
            signed = factory.wrap(xml)
            sink.timers = timers[step]
            started = time.perf_counter()
            response = await client.post(
                f"/wechat?{urlencode(signed.query)}",
                data=signed.body,
                headers={"Content-Type": "text/xml"},
            )
            body = await response.text()
            elapsed = time.perf_counter() - started
            reply = factory.read_reply(body, signed.query)
            if response.status != 200 or not reply or expect not in reply:
                raise SystemExit(f"unexpected answer to {texts[0]!r}: {response.status} {reply!r}")
            return elapsed

        # Warm up: first-use costs (script load, statement compilation, NLU caches).
        for resident in range(20):
            for step in range(len(steps)):
                await send(resident, step)
        print(f"\n=== {kind}: one conversation, every Redis command and SQL statement")
        counts = []
        for step, (texts, _expect) in enumerate(steps):
            log.clear()
            await send(100, step)
            redis_calls = sum(1 for line in log if line.startswith("redis"))
            counts.append((redis_calls, len(log) - redis_calls))
            print(
                f"  {texts[0]!r}: {redis_calls} Redis calls (commands or pipelines), "
                f"{counts[-1][1]} SQL statements"
            )
            for line in log:
                print("   ", line.replace("\n", " "))
        for timer in timers:
            timer.total.clear()
            timer.calls.clear()
        totals = [0.0] * len(steps)
        for conversation in range(count):
            for step in range(len(steps)):
                totals[step] += await send(200 + conversation % 300, step)
        for step, (texts, _expect) in enumerate(steps):
            print(
                f"--- {kind} {texts[0]!r}: {count} sequential messages, "
                f"{totals[step] / count * 1000:.2f} ms each (test client included); "
                f"{counts[step][0]} Redis calls, {counts[step][1]} SQL statements"
            )
            print(f"    {'step':40s} {'ms/msg':>8s} {'calls/msg':>10s}")
            timer = timers[step]
            for name, seconds in sorted(timer.total.items(), key=lambda kv: -kv[1]):
                calls = timer.calls[name] / count
                print(f"    {name:40s} {seconds / count * 1000:8.3f} {calls:10.1f}")
    if not redis_url.startswith("memory://"):
        await _drop_keys(redis_url, settings.redis_prefix)


async def _drop_keys(url: str, prefix: str) -> None:
    from redis.asyncio import Redis

    client = Redis.from_url(url)
    try:
        keys = [key async for key in client.scan_iter(match=f"{prefix}:*", count=1000)]
        for start in range(0, len(keys), 1000):
            await client.delete(*keys[start : start + 1000])
    finally:
        await client.aclose()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("-n", "--count", type=int, default=300)
    parser.add_argument("--redis", default="memory://", help="REDIS_URL (default memory://)")
    parser.add_argument("--kind", choices=[*sorted(SCRIPTS), "all"], default="all")
    args = parser.parse_args(argv)
    if not re.fullmatch(r"(memory://|redis://(127\.0\.0\.1|localhost)(:\d+)?(/\d+)?)", args.redis):
        raise SystemExit("--redis must be memory:// or a Redis on 127.0.0.1")
    os.environ.setdefault("WECHAT_TOKEN", "propbot-trace-token")
    os.environ.setdefault("WECHAT_AES_KEY", "a" * 43)
    os.environ.setdefault("WECHAT_APPID", "wxtrace0000000001")
    kinds = sorted(SCRIPTS) if args.kind == "all" else [args.kind]
    with tempfile.TemporaryDirectory(prefix="propbot-trace-") as workdir:
        for kind in kinds:
            asyncio.run(run(kind, args.count, args.redis, Path(workdir)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
