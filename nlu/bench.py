"""Speed and footprint of the NLU: start-up, messages/s on one core, memory."""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import jieba

import nlu

# Used when no labelled file is given: a spread of real message shapes.
SAMPLE_MESSAGES = (
    "次卧飘窗那里一下雨就往里渗",
    "呢度啲燈著唔到",
    "前天就说要来换灯泡 人影都没见着",
    "后天上午十点我表哥开车过来 车牌赣C·6M2K9",
    "停車月卡喺邊度辦",
    "3栋2单元1201 厨房水管爆了 快来人",
    "物业费多少钱一平",
    "我昨天报的那个怎么样了",
    "不用来了 我自己修好了",
    "五星 师傅很专业👍",
    "你好",
    "楼上天天半夜跺脚 吵得睡不着😡",
)

_CHILD = """
import json, resource, sys, time
t0 = time.perf_counter()
import nlu
nlu.warm_up()
startup = time.perf_counter() - t0
for text in json.loads(sys.stdin.read()):
    nlu.analyze(text)
rss_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
try:  # ru_maxrss survives exec (it counts the parent we were forked from); VmHWM does not
    with open("/proc/self/status") as fh:
        rss_kb = next(int(l.split()[1]) for l in fh if l.startswith("VmHWM:"))
except (OSError, StopIteration, ValueError):
    pass
print(json.dumps({"startup_s": startup, "peak_rss_mb": rss_kb / 1024}))
"""


@dataclass(frozen=True, slots=True)
class BenchResult:
    messages: int
    startup_s: float
    peak_rss_mb: float
    analyze_per_s: float
    lcut_per_s: float
    cost_ratio: float


def _cold_start(messages: Sequence[str]) -> dict[str, float]:
    """Import + warm_up in a fresh interpreter (the server's start-up), then its peak RSS
    after analysing every message once."""
    proc = subprocess.run(  # noqa: S603 - our own interpreter and a fixed script
        [sys.executable, "-c", _CHILD],
        input=json.dumps(list(messages)),
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).resolve().parent.parent,
    )
    result: dict[str, float] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result


def _passes(
    fns: Sequence[object], messages: Sequence[str], min_seconds: float
) -> list[list[float]]:
    """Seconds of each full pass over `messages`, per function, passes alternating between
    the functions (so a burst of load from other work hits both sides alike)."""
    assert all(callable(fn) for fn in fns)
    for fn in fns:
        for text in messages:  # warm caches (regex, dictionaries) before timing
            fn(text)  # type: ignore[operator]
    times: list[list[float]] = [[] for _ in fns]
    start = time.perf_counter()
    while time.perf_counter() - start < 2 * min_seconds:
        for i, fn in enumerate(fns):
            t0 = time.perf_counter()
            for text in messages:
                fn(text)  # type: ignore[operator]
            times[i].append(time.perf_counter() - t0)
    return times


def run_bench(messages: Sequence[str], min_seconds: float = 2.0) -> BenchResult:
    cold = _cold_start(messages)
    nlu.warm_up()
    jieba.setLogLevel(30)
    jieba.initialize()  # the baseline: jieba's own default tokenizer, loaded
    analyze_times, lcut_times = _passes([nlu.analyze, jieba.lcut], messages, min_seconds)
    # The ratio is the median over rounds of two adjacent passes: this box also changes
    # speed for seconds at a time (jieba.lcut at 7,000 or 13,500 messages/s), and the two
    # fastest passes, taken alone, can come from different speeds (a ratio of 1.08 then).
    ratio = statistics.median(a / b for a, b in zip(analyze_times, lcut_times, strict=True))
    return BenchResult(
        messages=len(messages),
        startup_s=round(cold["startup_s"], 3),
        peak_rss_mb=round(cold["peak_rss_mb"], 1),
        analyze_per_s=round(len(messages) / min(analyze_times)),
        lcut_per_s=round(len(messages) / min(lcut_times)),
        cost_ratio=round(ratio, 3),
    )


def as_dict(result: BenchResult) -> dict[str, float]:
    return {k: float(v) for k, v in asdict(result).items()}
