# shellcheck shell=bash
# Shared by bench/webhook.sh and bench/profile.sh; sourced, not run.
# Servers run on 127.0.0.1 only, pinned to core 0; wrk is pinned to core 1.

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PYTHON="${PYTHON:-$ROOT/.venv/bin/python}"
THREADS="${BENCH_THREADS:-2}"
OPENIDS="${BENCH_OPENIDS:-500}"
REDIS_HOST_PORT="127.0.0.1:6379"
REDIS_DB=14
# shellcheck disable=SC2034 # used by the scripts that source this file
PG_URL_BASE="postgresql+asyncpg://postgres@127.0.0.1:5432"

for tool in wrk curl "$PYTHON"; do
    command -v "$tool" >/dev/null || { echo "bench: $tool not found" >&2; exit 2; }
done

# One core for the server, the other for wrk, so they do not fight over a core.
SERVER_PIN=()
WRK_PIN=()
if command -v taskset >/dev/null && [ "$(nproc)" -ge 2 ]; then
    SERVER_PIN=(taskset -c 0)
    WRK_PIN=(taskset -c 1)
fi

WORK="$(mktemp -d -t propbot-bench.XXXXXX)"
SERVER_PID=""
PG_DB=""
# Every propbot start gets its own key prefix (no state carried over); all are deleted on exit.
REDIS_PREFIX_BASE="propbot_bench_$$"
REDIS_PREFIX="$REDIS_PREFIX_BASE"

# Stop the server, drop the throwaway PostgreSQL DB and Redis keys, remove temp files.
base_cleanup() {
    stop_server
    if [ -n "$PG_DB" ]; then
        psql -h 127.0.0.1 -U postgres -q -c "DROP DATABASE IF EXISTS $PG_DB WITH (FORCE)" \
            >/dev/null 2>&1 || true
    fi
    if command -v redis-cli >/dev/null; then
        redis-cli -u "redis://$REDIS_HOST_PORT/$REDIS_DB" --scan --pattern "$REDIS_PREFIX_BASE*" \
            2>/dev/null | xargs -r -n 1000 redis-cli -u "redis://$REDIS_HOST_PORT/$REDIS_DB" \
            del >/dev/null 2>&1 || true
    fi
    rm -rf "$WORK"
}
trap base_cleanup EXIT
trap 'exit 130' INT TERM

log() { echo "bench: $*" >&2; }

# A digest of propbot's sources, to tie figures to the code they measured (and to notice
# the code changing during a run).
code_digest() {
    (cd "$ROOT" && find bot handlers storage nlu -name '*.py' -print0 | sort -z |
        xargs -0 sha256sum | sha256sum | cut -c1-12)
}

# Settings shared by the servers, gen_requests.py and probe.py; random for every run.
export WECHAT_TOKEN="bench$RANDOM$RANDOM"
WECHAT_AES_KEY="$("$PYTHON" -c 'import base64, os; print(base64.b64encode(os.urandom(32)).decode()[:43])')"
export WECHAT_AES_KEY
export WECHAT_APPID="wxbench0000000001"

free_port() {
    "$PYTHON" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

stop_server() {
    if [ -n "$SERVER_PID" ]; then
        kill "$SERVER_PID" 2>/dev/null || true
        for _ in $(seq 1 50); do
            kill -0 "$SERVER_PID" 2>/dev/null || break
            sleep 0.1
        done
        kill -9 "$SERVER_PID" 2>/dev/null || true
        wait "$SERVER_PID" 2>/dev/null || true
        SERVER_PID=""
    fi
}

# start_server NAME PORT CMD...: start in the background (pinned), wait for /healthz.
start_server() {
    local name="$1" port="$2"
    shift 2
    log "starting $name on 127.0.0.1:$port"
    (cd "$WORK" && exec "${SERVER_PIN[@]}" "$@" >"$WORK/$name.log" 2>&1) &
    SERVER_PID=$!
    for _ in $(seq 1 300); do
        if curl -sf "http://127.0.0.1:$port/healthz" >/dev/null 2>&1; then
            return 0
        fi
        kill -0 "$SERVER_PID" 2>/dev/null || break
        sleep 0.2
    done
    log "$name did not come up; its log:"
    cat "$WORK/$name.log" >&2
    exit 1
}

MSG_ID=$((10 ** 16))
GENERATED=0
# Senders: stateless kinds share openid(0 .. OPENIDS-1); every run of the repair form gets
# fresh ones, so it never starts on conversations a previous run left half-way.
NEXT_FRESH_OPENID="$OPENIDS"
# How many residents start_propbot binds to rooms: the shared senders plus fresh ones.
SEED_OPENIDS="${SEED_OPENIDS:-$((OPENIDS * 8))}"
# gen KIND COUNT FILE: at least COUNT fresh requests (timestamps must be within 300 s of the
# server's clock, so generate right before a run); sets GENERATED. Not to be called in
# $(...): it advances MSG_ID (no two files share a MsgId) and NEXT_FRESH_OPENID.
gen() {
    local first=0
    if [ "$1" = form ]; then
        first="$NEXT_FRESH_OPENID"
        NEXT_FRESH_OPENID=$((NEXT_FRESH_OPENID + OPENIDS))
        if [ "$NEXT_FRESH_OPENID" -gt "$SEED_OPENIDS" ]; then
            log "more form runs than seeded residents; raise SEED_OPENIDS"
            exit 1
        fi
    fi
    GENERATED="$("$PYTHON" "$ROOT/bench/gen_requests.py" --kind "$1" -n "$2" --out "$3" \
        --openids "$OPENIDS" --first-openid "$first" --threads "$THREADS" \
        --first-msg-id "$MSG_ID" 2>/dev/null)"
    MSG_ID=$((MSG_ID + GENERATED + 1000))
}

# server_cpu_ms: CPU time (user + system, all threads) the server has used so far, in ms.
CLK_TCK="$(getconf CLK_TCK)"
server_cpu_ms() {
    # utime and stime: fields 14 and 15 of /proc/PID/stat, counted after the name's ")".
    sed 's/.*) //' "/proc/$SERVER_PID/stat" | awk -v hz="$CLK_TCK" '{ print int(($12 + $13) * 1000 / hz) }'
}
# server_sys_ms: the system (kernel) part of it.
server_sys_ms() {
    sed 's/.*) //' "/proc/$SERVER_PID/stat" | awk -v hz="$CLK_TCK" '{ print int($13 * 1000 / hz) }'
}

# wrk_run PORT CONNS SECONDS FILE: prints the BENCH line of bench/post.lua.
# The line gets cpu_ms=: the server's CPU time meanwhile (100% of a core = SECONDS * 1000).
wrk_run() {
    local out="$WORK/wrk.out" cpu_before
    cpu_before="$(server_cpu_ms)"
    timeout $(($3 + 30)) "${WRK_PIN[@]}" wrk -t"$THREADS" -c"$2" -d"$3"s --timeout 5s --latency \
        -s "$ROOT/bench/post.lua" "http://127.0.0.1:$1" -- "$4" "$THREADS" >"$out"
    echo "$(grep '^BENCH ' "$out") cpu_ms=$(($(server_cpu_ms) - cpu_before))"
}

field() { sed -n "s/.* $1=\([^ ]*\).*/\1/p" <<<"$2"; }

# start_propbot NAME PORT DATABASE_URL REDIS_URL: `propbot serve`, as an operator runs it,
# on a database whose benchmark residents are bound to rooms.
start_propbot() {
    local name="$1" port="$2" database_url="$3" redis_url="$4"
    REDIS_PREFIX="${REDIS_PREFIX_BASE}_$port"
    # Migrates, and binds the benchmark's residents to rooms: tickets need a verified household.
    (cd "$WORK" && "$PYTHON" "$ROOT/bench/seed.py" --database-url "$database_url" \
        --openids "$SEED_OPENIDS" 2>/dev/null)
    NEXT_FRESH_OPENID="$OPENIDS"
    start_server "$name" "$port" env PROPBOT_ENV=production DATABASE_URL="$database_url" \
        REDIS_URL="$redis_url" REDIS_PREFIX="$REDIS_PREFIX" "$PYTHON" -m bot.cli serve \
        --host 127.0.0.1 --port "$port"
}

# make_pg_db: a throwaway PostgreSQL database named $PG_DB (dropped on exit).
make_pg_db() {
    PG_DB="propbot_bench_$$_$(date +%s)"
    psql -h 127.0.0.1 -U postgres -v ON_ERROR_STOP=1 -q -c "CREATE DATABASE $PG_DB"
}
