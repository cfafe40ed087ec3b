#!/usr/bin/env bash
# Webhook benchmark: requests/s and p50/p99 latency of safe-mode `POST /wechat`, measured in
# one run on this machine, one server process at a time, for
#   bare        bench/bare_app.py: signature check + wechatpy decrypt + parse + reply
#   greeting    propbot's full path (dedupe, lock, state, NLU, inbound log, reply) on "你好":
#               no ticket
#   ticket      the same on an urgent repair report: every message creates a ticket (plus
#               its event and a staff notification in the outbox)
#   form        the ordinary repair form, describe -> "随时" -> "1": one message in three
#               creates a ticket (same database work as "ticket"), the others save state
# with wrk (bench/post.lua) at each concurrency in BENCH_CONNS. Every propbot row is also
# given as a ratio of the bare row's requests/s at the same concurrency: the ratios are the
# result; absolute figures depend on the machine and on what else runs on it.
#
#   bench/webhook.sh                 SQLite in a temp dir + REDIS_URL=memory:// (default)
#   BENCH_REDIS=1 bench/webhook.sh   also a pass on SQLite + the real Redis (127.0.0.1:6379/14)
#   BENCH_PG=1 bench/webhook.sh      also a pass on a throwaway PostgreSQL DB + the real Redis
#
# Knobs: BENCH_DURATION (seconds per run, 10), BENCH_WARMUP (seconds, 3), BENCH_CONNS
# ("16 64"), BENCH_KINDS ("greeting ticket form"), BENCH_THREADS (wrk threads, 2),
# BENCH_OPENIDS (500), PYTHON (.venv/bin/python).
# Exits 1 when a run is invalid (non-2xx, empty replies, repeated MsgIds, tickets missing);
# missing a performance target is reported, not an error: this is a benchmark, not a test.
set -euo pipefail

DURATION="${BENCH_DURATION:-10}"
WARMUP="${BENCH_WARMUP:-3}"
CONNS="${BENCH_CONNS:-16 64}"
KINDS="${BENCH_KINDS:-greeting ticket form}"
# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# Residents to bind per propbot pass: shared senders + fresh ones for each form run.
SEED_OPENIDS=$((OPENIDS * (2 + $(wc -w <<<"$CONNS"))))

INVALID=0
RATE=0
ROWS=()
declare -A BARE_RPS
LOAD_BEFORE="$(cut -d' ' -f1-3 /proc/loadavg)"
CODE_BEFORE="$(code_digest)"

# How many requests a run needs so no MsgId repeats: the warm-up's rate, with headroom.
size_for() {
    "$PYTHON" -c "import math; print(max(3000, math.ceil($1 * $DURATION * 1.6) + 200 * $2))"
}

# count_tickets BACKEND: tickets in the database of the running propbot.
count_tickets() {
    if [ "$1" = pg+redis ]; then
        psql -h 127.0.0.1 -U postgres -d "$PG_DB" -tAc "SELECT count(*) FROM tickets"
    else
        "$PYTHON" "$ROOT/bench/probe.py" count --db "$WORK/propbot.db" |
            sed -n 's/^tickets=\([0-9]*\).*/\1/p'
    fi
}

# check_tickets MADE MARKED CONNS: "" when MADE fits the MARKED (ticket-creating) requests
# wrk sent, of which up to CONNS may have been cut off when it stopped; else what is wrong.
check_tickets() {
    if [ "$1" -gt "$2" ] || [ "$1" -lt $(($2 - $3)) ]; then
        echo "$1 tickets for $2 ticket-creating requests sent"
    fi
}

# measure LABEL BACKEND PORT KIND: one row per concurrency (RATE from the warm-up).
measure() {
    local label="$1" backend="$2" port="$3" kind="$4"
    local conns line before=0 made check problem
    for conns in $CONNS; do
        gen "$kind" "$(size_for "$RATE" "$conns")" "$WORK/requests.tsv"
        if [ "$label" != bare ] && [ "$kind" != greeting ]; then
            before="$(count_tickets "$backend")"
        fi
        log "$label ($backend) -c$conns: $GENERATED requests ready, running ${DURATION}s"
        line="$(wrk_run "$port" "$conns" "$DURATION" "$WORK/requests.tsv")"
        log "  $line"
        sleep 1 # requests in flight when wrk stopped finish before the next run
        local requests replied non2xx errors wrapped
        requests="$(field requests "$line")"
        replied="$(field replied "$line")"
        non2xx="$(field non2xx "$line")"
        errors="$(field errors "$line")"
        wrapped="$(field wrapped "$line")"
        check="ok"
        if [ "$non2xx" != 0 ] || [ "$errors" != 0 ] || [ "$replied" != "$requests" ]; then
            check="INVALID: $replied/$requests replied, $non2xx non-2xx, $errors socket errors"
        elif [ "$wrapped" != 0 ] && [ "$label" != bare ]; then
            check="INVALID: the request file ran out, MsgIds repeated"
        elif [ "$label" != bare ] && [ "$kind" != greeting ]; then
            made=$(($(count_tickets "$backend") - before))
            problem="$(check_tickets "$made" "$(field marked "$line")" "$conns")"
            check="${problem:+INVALID: $problem}"
            check="${check:-ok, $made tickets}"
        fi
        if [ "${check%%:*}" = INVALID ]; then
            INVALID=1
        fi
        local rps ratio
        rps="$(field rps "$line")"
        if [ "$label" = bare ]; then
            BARE_RPS[$conns]="$rps"
            ratio="1.00"
        else
            ratio="$("$PYTHON" -c "print(f'{$rps / ${BARE_RPS[$conns]}:.2f}')")"
        fi
        local cpu
        cpu="$("$PYTHON" -c "print(f'{$(field cpu_ms "$line") / ($DURATION * 10):.0f}% / {$(field cpu_ms "$line") / max($requests, 1):.2f}')")"
        ROWS+=("$label|$backend|$conns|$rps|$(field p50_ms "$line")|$(field p99_ms "$line")|$(field max_ms "$line")|$ratio|$cpu|$check")
    done
}

# warm_up PORT KIND: a short run; sets RATE to its requests/s, which sizes the real runs.
warm_up() {
    local line
    gen "$2" 8000 "$WORK/warmup.tsv"
    log "warming up with $2 messages for ${WARMUP}s"
    line="$(wrk_run "$1" 16 "$WARMUP" "$WORK/warmup.tsv")"
    RATE="$(field rps "$line")"
}

probe() {
    "$PYTHON" "$ROOT/bench/probe.py" reply --url "http://127.0.0.1:$1" --kind "$2" >&2 || {
        log "the server's replies to $2 messages are not the expected ones; not measuring"
        exit 1
    }
}

# propbot_pass BACKEND DATABASE_URL REDIS_URL
propbot_pass() {
    local backend="$1" port kind
    port="$(free_port)"
    start_propbot "propbot-$backend" "$port" "$2" "$3"
    for kind in $KINDS; do
        probe "$port" "$kind"
    done
    for kind in $KINDS; do
        warm_up "$port" "$kind"
        measure "$kind" "$backend" "$port" "$kind"
    done
    stop_server
}

STARTED=$SECONDS

# --- bare baseline ---------------------------------------------------------------------
PORT="$(free_port)"
start_server bare "$PORT" "$PYTHON" "$ROOT/bench/bare_app.py" --host 127.0.0.1 --port "$PORT"
probe "$PORT" bare
warm_up "$PORT" greeting
measure bare "-" "$PORT" greeting
stop_server

# --- propbot ---------------------------------------------------------------------------
propbot_pass sqlite+memory "sqlite+aiosqlite:///$WORK/propbot.db" "memory://"
if [ "${BENCH_REDIS:-0}" = 1 ]; then
    rm -f "$WORK"/propbot.db*
    propbot_pass sqlite+redis "sqlite+aiosqlite:///$WORK/propbot.db" \
        "redis://$REDIS_HOST_PORT/$REDIS_DB"
fi
if [ "${BENCH_PG:-0}" = 1 ]; then
    make_pg_db
    propbot_pass pg+redis "$PG_URL_BASE/$PG_DB" "redis://$REDIS_HOST_PORT/$REDIS_DB"
fi

# --- report ----------------------------------------------------------------------------
cpu="$(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1)"
echo
echo "### POST /wechat, safe mode: wrk -t$THREADS -d${DURATION}s, one server process"
echo
pinned="not pinned"
if [ "${#SERVER_PIN[@]}" -gt 0 ]; then
    pinned="server pinned to core 0, wrk to core 1"
fi
echo "$(nproc) cores ($cpu), $("$PYTHON" -V 2>&1), $(wrk -v 2>&1 | head -1 | cut -d' ' -f1-2)," \
    "$pinned; load average before $LOAD_BEFORE, after $(cut -d' ' -f1-3 /proc/loadavg);" \
    "$((SECONDS - STARTED)) s in all."
echo
code_after="$(code_digest)"
if [ "$code_after" = "$CODE_BEFORE" ]; then
    echo "Code measured: sources digest $CODE_BEFORE (bench/lib.sh code_digest), $(date -u '+%Y-%m-%d %H:%M UTC')."
else
    echo "WARNING: propbot's sources changed during the run (digest $CODE_BEFORE -> $code_after):"
    echo "rows may have measured different code."
fi
echo
echo "| path | backend | conns | req/s | p50 ms | p99 ms | max ms | req/s vs bare | server CPU / ms per req | checks |"
echo "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |"
for row in "${ROWS[@]}"; do
    IFS='|' read -r label backend conns rps p50 p99 max ratio cpu check <<<"$row"
    echo "| $label | $backend | $conns | $rps | $p50 | $p99 | $max | $ratio | $cpu | $check |"
done
echo
echo "Targets: at 16 connections propbot >= 0.50 x bare req/s and p99 < 25 ms;"
echo "ticket-creating traffic on SQLite: p99 < 200 ms at every concurrency."
echo
for row in "${ROWS[@]}"; do
    IFS='|' read -r label backend conns rps p50 p99 max ratio _cpu check <<<"$row"
    [ "$label" = bare ] && continue
    "$PYTHON" - "$label" "$backend" "$conns" "$ratio" "$p99" "$max" <<'EOF'
import sys
label, backend, conns = sys.argv[1:4]
ratio, p99, worst = (float(value) for value in sys.argv[4:7])
verdict = lambda ok: "met" if ok else "NOT met"
if conns == "16":
    print(f"- {label} ({backend}) c16: {ratio:.2f} x bare req/s (>= 0.50) {verdict(ratio >= 0.5)};"
          f" p99 {p99:.1f} ms (< 25) {verdict(p99 < 25)}")
if label in ("ticket", "form") and backend.startswith("sqlite"):
    print(f"- {label} ({backend}) c{conns}: p99 {p99:.1f} ms (< 200) {verdict(p99 < 200)};"
          f" max {worst:.1f} ms")
EOF
done
if [ "$INVALID" = 1 ]; then
    echo
    echo "Some runs are INVALID (see checks): their figures do not measure what they claim."
    exit 1
fi
