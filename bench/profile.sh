#!/usr/bin/env bash
# Where propbot's CPU goes under load: py-spy samples `propbot serve` (the thread holding
# the GIL) while wrk sends it safe-mode messages at 16 connections, then
# bench/profile_summary.py sorts the samples by library (crypto, XML, Redis, database, NLU,
# aiohttp, asyncio, ...). For Redis commands, SQL statements and the time of each step of
# one message, see bench/trace_one.py.
#
#   bench/profile.sh [greeting|ticket]    SQLite in a temp dir + memory:// (default)
#   BENCH_REDIS=1 bench/profile.sh        SQLite + the real Redis (127.0.0.1:6379/14)
#   BENCH_PG=1 bench/profile.sh           PostgreSQL (throwaway DB) + the real Redis
#
# Needs py-spy in the venv (`.venv/bin/pip install py-spy`; not a project dependency).
# Keeps the raw samples in bench/out/ (collapsed stacks: flamegraph.pl or speedscope read
# them); prints the summary. BENCH_PROFILE_SECONDS (15) per run.
set -euo pipefail

KIND="${1:-greeting}"
SECONDS_TO_PROFILE="${BENCH_PROFILE_SECONDS:-15}"
# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
SEED_OPENIDS=$((OPENIDS * 3)) # shared senders + fresh ones for the form's warm-up and run

PY_SPY="$(dirname "$PYTHON")/py-spy"
[ -x "$PY_SPY" ] || PY_SPY="$(command -v py-spy || true)"
if [ -z "$PY_SPY" ]; then
    echo "bench: py-spy not found; install it into the venv: .venv/bin/pip install py-spy" >&2
    exit 2
fi

BACKEND=sqlite+memory
DATABASE_URL="sqlite+aiosqlite:///$WORK/propbot.db"
REDIS_URL="memory://"
if [ "${BENCH_PG:-0}" = 1 ]; then
    make_pg_db
    BACKEND=pg+redis
    DATABASE_URL="$PG_URL_BASE/$PG_DB"
    REDIS_URL="redis://$REDIS_HOST_PORT/$REDIS_DB"
elif [ "${BENCH_REDIS:-0}" = 1 ]; then
    BACKEND=sqlite+redis
    REDIS_URL="redis://$REDIS_HOST_PORT/$REDIS_DB"
fi

PORT="$(free_port)"
start_propbot "propbot-$BACKEND" "$PORT" "$DATABASE_URL" "$REDIS_URL"
"$PYTHON" "$ROOT/bench/probe.py" reply --url "http://127.0.0.1:$PORT" --kind "$KIND" >&2

gen "$KIND" 4000 "$WORK/warmup.tsv"
log "warming up"
warm="$(wrk_run "$PORT" 16 3 "$WORK/warmup.tsv")"
rate="$(field rps "$warm")"
count="$("$PYTHON" -c "print(int($rate * ($SECONDS_TO_PROFILE + 4) * 2) + 4000)")"
gen "$KIND" "$count" "$WORK/requests.tsv"

OUT="$ROOT/bench/out"
mkdir -p "$OUT"
STAMP="$(date +%Y%m%d-%H%M%S)"
RAW="$OUT/profile-$KIND-$BACKEND-$STAMP.txt"

log "profiling $KIND on $BACKEND for ${SECONDS_TO_PROFILE}s (wrk -c16)"
# wrk runs 2 s longer on each side so py-spy sees only steady load.
timeout $((SECONDS_TO_PROFILE + 40)) "${WRK_PIN[@]}" wrk -t"$THREADS" -c16 \
    -d"$((SECONDS_TO_PROFILE + 4))"s --timeout 5s --latency -s "$ROOT/bench/post.lua" \
    "http://127.0.0.1:$PORT" -- "$WORK/requests.tsv" "$THREADS" >"$WORK/wrk.out" &
WRK_PID=$!
cpu_before="$(server_cpu_ms)"
sys_before="$(server_sys_ms)"
sleep 2
# py-spy shares wrk's core; --nonblocking samples without pausing the server.
timeout $((SECONDS_TO_PROFILE + 30)) "${WRK_PIN[@]}" "$PY_SPY" record --pid "$SERVER_PID" \
    --duration "$SECONDS_TO_PROFILE" --rate 200 --nonblocking --gil --threads --full-filenames --format raw \
    --output "$RAW" >"$WORK/py-spy.log" 2>&1 || { cat "$WORK/py-spy.log" >&2; exit 1; }
wait "$WRK_PID"
cpu_ms=$(($(server_cpu_ms) - cpu_before))
sys_ms=$(($(server_sys_ms) - sys_before))
line="$(grep '^BENCH ' "$WORK/wrk.out")"
log "under the profiler: $line"
echo "server process CPU during the run: $((cpu_ms / (SECONDS_TO_PROFILE + 4) / 10))% of a core" \
    "($((sys_ms * 100 / (cpu_ms > 0 ? cpu_ms : 1)))% of it in the kernel)," \
    "$("$PYTHON" -c "print(f'{$cpu_ms / max($(field requests "$line"), 1):.2f}')") ms per request" \
    "(all threads, Python and C)"

"$PYTHON" "$ROOT/bench/profile_summary.py" "$RAW" --requests "$(field rps "$line")" \
    --seconds "$SECONDS_TO_PROFILE" --title "$KIND on $BACKEND, wrk -c16"
echo
echo "raw samples: $RAW"
