#!/usr/bin/env bash
# The benchmark suite: builds in release mode, starts its own PostgreSQL and PacerServers, runs
# every scenario PACER_BENCH_RUNS times (default 3), and prints one table of medians and ratios
# (also written to bench-results/latest.md). Benchmarks measure; they never fail on a slow machine.
#
#   1. wrk against one server: decide vs the no-op route and vs the per-request-database peer
#      (1,000 campaigns and one), batch decide, durable spend single and in batches;
#   2. pgbench: durable spend as single-row commits through pacer.record_spend (the peer);
#   3. propagation of a campaign change and of a breaker trip to two more instances (p50/p99);
#   4. memory: RSS of a server holding 100,000 campaigns against one holding none;
#   5. callgrind: instructions per decision of the pure decision function (PacerBench);
#   6. the click pipeline (scripts/bench-clicks.sh, when present): ingest rows/s, delivered clicks/s;
#   7. PacerSim on a diurnal day (examples/sim), its table appended to the output.
#
# Environment: PACER_BENCH_RUNS (3), PACER_BENCH_SECONDS (4), PACER_BENCH_CONNECTIONS (32),
# PACER_BENCH_THREADS (1), PACER_BENCH_SKIP_BUILD=1 to reuse the last release build,
# PACER_BENCH_CLICK_ROWS (200000) rows per click run, PACER_BENCH_BIN to take the binaries from
# another folder (implies no build).
set -euo pipefail
cd "$(dirname "$0")/.."
root="$PWD"
runs="${PACER_BENCH_RUNS:-3}"
seconds="${PACER_BENCH_SECONDS:-4}"
connections="${PACER_BENCH_CONNECTIONS:-32}"
threads="${PACER_BENCH_THREADS:-1}"
click_rows="${PACER_BENCH_CLICK_ROWS:-200000}"
command="PACER_BENCH_RUNS=$runs PACER_BENCH_SECONDS=$seconds make bench"
started_at=$SECONDS

scripts/install-deps.sh valgrind bc curl >&2
build_seconds=0
if [[ "${PACER_BENCH_SKIP_BUILD:-}" != 1 && -z "${PACER_BENCH_BIN:-}" ]]; then
    echo "bench: building release binaries" >&2
    # One invocation for all four executables, so that their modules compile side by side;
    # without debug information, which the figures do not need.
    swift build -c release -debug-info-format none >&2
    build_seconds=$((SECONDS - started_at))
fi
bin="${PACER_BENCH_BIN:-$(swift build -c release -debug-info-format none --show-bin-path)}"

work="$(mktemp -d /tmp/pacer-bench.XXXXXX)"
chmod 755 "$work"
pids=()
# stop_servers: SIGTERM to every server started, SIGKILL to any still running 20 s later (a
# server's drain is bounded by PACER_DRAIN_SECONDS, 25 s; one that needs more is reported).
stop_servers() {
    local pid
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    for _ in $(seq 1 200); do
        local running=0
        for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null && running=1; done
        [[ $running == 1 ]] || break
        sleep 0.1
    done
    for pid in "${pids[@]}"; do
        if kill -0 "$pid" 2>/dev/null; then
            echo "bench: server $pid did not stop within 20 s of SIGTERM; killing it" >&2
            kill -9 "$pid" 2>/dev/null || true
        fi
    done
    for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
    pids=()
}
cleanup() {
    stop_servers
    scripts/embedded-postgres.sh destroy "$work/pg" >&2 || true
    rm -rf "$work"
}
trap cleanup EXIT

export PACER_ADMIN_TOKEN="bench-token"
# start_server NAME DATABASE: starts PacerServer NAME (own instance id and journal folder) and
# sets server_url and server_pid.
start_server() {
    local name="$1" database="$2" log="$work/$1.log"
    DATABASE_URL="$database" PACER_PORT=0 PACER_LOG_LEVEL=warning PACER_RANDOM_SEED=1 \
        PACER_INSTANCE_ID="$name" PACER_JOURNAL_DIR="$work/journal-$name" "$bin/PacerServer" > "$log" 2>&1 &
    server_pid=$!
    pids+=("$server_pid")
    for _ in $(seq 1 1200); do
        grep -q "PacerServer listening on" "$log" 2>/dev/null && break
        if ! kill -0 "$server_pid" 2>/dev/null; then
            local status=0
            wait "$server_pid" || status=$?
            echo "bench: $name exited with status $status at start-up" >&2; cat "$log" >&2; return 1
        fi
        sleep 0.1
    done
    server_url="$(grep -o 'http://[0-9.]*:[0-9]*' "$log" | head -n 1)"
    [[ -n "$server_url" ]] || { echo "bench: $name did not start" >&2; cat "$log" >&2; return 1; }
    echo "bench: $name at $server_url" >&2
}
# new_database NAME: creates and migrates a database on the cluster; prints its URL.
new_database() {
    psql "$cluster" -qc "CREATE DATABASE $1" >&2
    "$bin/Migrator" up --database-url "${cluster%/postgres}/$1" >&2
    echo "${cluster%/postgres}/$1"
}
# add_campaigns DATABASE COUNT PREFIX [EXTRA_COLUMNS EXTRA_VALUES]: COUNT ASAP campaigns whose
# budgets never run out (unless EXTRA says otherwise); prints their ids in name order.
add_campaigns() {
    local database="$1" count="$2" prefix="$3" columns="${4:-}" values="${5:-}"
    psql "$database" -qAt -c "
      INSERT INTO pacer.campaigns (name, daily_budget_micros, pacing, timezone $columns)
      SELECT '$prefix ' || lpad(g::text, 6, '0'), 10000000000000, 'ASAP', 'UTC' $values
        FROM generate_series(1, $count) g" >/dev/null
    psql "$database" -qAt -c "SELECT id FROM pacer.campaigns WHERE name LIKE '$prefix %' ORDER BY name"
}
results="$work/results.txt"
extras="$work/extras.txt"
: > "$results"
: > "$extras"
extra() { echo "$1 $2" >> "$extras"; echo "bench: $1 = $2" >&2; }
# phase NAME: the seconds since the previous phase ended (or the build did) go into the table.
phase_started=$SECONDS
phase() { extra "time-$1-seconds" $((SECONDS - phase_started)); phase_started=$SECONDS; }
extra time-build-seconds "$build_seconds"

cluster="$(scripts/embedded-postgres.sh start "$work/pg")"
db="$(new_database pacer_bench)"
echo "bench: creating 1000 campaigns" >&2
add_campaigns "$db" 1000 bench > "$work/ids-1000.txt"
head -n 1 "$work/ids-1000.txt" > "$work/ids-1.txt"
start_server bench-1 "$db" || exit 1
url="$server_url"

# 1. wrk. scenario NAME LUA IDS [BATCH] [PATH]: runs wrk $runs times; appends
#    "NAME batch rps p50 p99 p999 errors requests" per run.
export PACER_BENCH_DIR="$root/scripts/bench"
scenario() {
    local name="$1" lua="$2" ids="$3" batch="${4:-1}" path="${5:-/v1/decide}" target="${6:-$url}"
    for run in $(seq 1 "$runs"); do
        local line
        line="$(PACER_BENCH_IDS="$work/$ids" PACER_BENCH_BATCH="$batch" PACER_BENCH_PATH="$path" \
            wrk -t"$threads" -c"$connections" -d"${seconds}s" -s "scripts/bench/$lua" "$target" | grep '^RESULT' || true)"
        echo "bench: $name run $run: ${line:-no result}" >&2
        [[ -n "$line" ]] && echo "$name $batch ${line#RESULT }" >> "$results"
    done
}

scenario noop decide.lua ids-1000.txt 1 /v1/noop
scenario decide-1000 decide.lua ids-1000.txt
scenario decide-1 decide.lua ids-1.txt
scenario direct-1000 decide.lua ids-1000.txt 1 /v1/decide/direct
scenario direct-1 decide.lua ids-1.txt 1 /v1/decide/direct
scenario decide-batch50 decide-batch.lua ids-1000.txt 50
scenario spend-single spend.lua ids-1000.txt 1
scenario spend-batch50 spend.lua ids-1000.txt 50
phase wrk

# 2. The single-row-commit peer of durable spend: pgbench, same cluster, same connections.
psql "$db" -qc "CREATE TABLE bench_ids (k integer PRIMARY KEY, id uuid NOT NULL);
  INSERT INTO bench_ids SELECT row_number() OVER (ORDER BY name), id FROM pacer.campaigns WHERE name LIKE 'bench %';"
for run in $(seq 1 "$runs"); do
    pgbench -n -f scripts/bench/spend-row-commit.sql -c "$connections" -j "$threads" -T "$seconds" \
        -l --log-prefix="$work/pgbench-$run" "$db" > "$work/pgbench-out-$run.txt" 2>&1 || cat "$work/pgbench-out-$run.txt" >&2
    line="$(python3 scripts/bench/pgbench-result.py "$seconds" "$work/pgbench-$run".* | grep '^RESULT' || true)"
    echo "bench: spend-row-commit run $run: ${line:-no result}" >&2
    [[ -n "$line" ]] && echo "spend-row-commit 1 ${line#RESULT }" >> "$results"
done
phase pgbench

# 3. Propagation to two more instances on the same database.
sync_campaign="$(add_campaigns "$db" 1 sync)"
add_campaigns "$db" $((runs * 20)) trip ", breaker_trip_ratio" ", 0.5" > "$work/trip-ids.txt"
psql "$db" -qc "UPDATE pacer.campaigns SET daily_budget_micros = 1000000 WHERE name LIKE 'trip %'"
start_server bench-2 "$db" || exit 1; url2="$server_url"
start_server bench-3 "$db" || exit 1; url3="$server_url"
python3 scripts/bench/propagation.py "$runs" 20 "$sync_campaign" "$work/trip-ids.txt" "$url" "$url2" "$url3" \
    | while read -r tag kind p50 p99 count; do
        [[ "$tag" == RESULT-PROP ]] || continue
        extra "propagation-$kind-p50-ms" "$p50"; extra "propagation-$kind-p99-ms" "$p99"; extra "propagation-$kind-samples" "$count"
    done || echo "bench: propagation did not finish" >&2
stop_servers
phase propagation

# 4. Memory: a server holding 100,000 campaigns against the same server holding none, each after
#    a round of batch decisions over the 100,000 ids (unknown campaigns for the empty one).
empty_db="$(new_database pacer_empty)"
memory_db="$(new_database pacer_memory)"
echo "bench: creating 100000 campaigns" >&2
add_campaigns "$memory_db" 100000 memory > "$work/ids-100000.txt"
status_kb() { awk -v key="$2:" '$1 == key {print $2}' "/proc/$1/status"; }
# decide_round URL SECONDS
decide_round() {
    PACER_BENCH_IDS="$work/ids-100000.txt" PACER_BENCH_BATCH=50 \
        wrk -t1 -c8 -d"$2"s -s scripts/bench/decide-batch.lua "$1" > /dev/null
}
for run in $(seq 1 "$runs"); do
    start_server "empty-$run" "$empty_db" || { stop_servers; continue; }
    decide_round "$server_url" 1
    extra memory-empty-rss-kb "$(status_kb "$server_pid" VmRSS)"
    stop_servers
    begin=$SECONDS
    start_server "memory-$run" "$memory_db" || { stop_servers; continue; }
    for _ in $(seq 1 600); do curl -sf "$server_url/readyz" > /dev/null && break; sleep 0.2; done
    extra memory-100k-start-seconds $((SECONDS - begin))
    extra memory-100k-start-rss-kb "$(status_kb "$server_pid" VmRSS)"
    decide_round "$server_url" 3
    extra memory-100k-rss-kb "$(status_kb "$server_pid" VmRSS)"
    extra memory-100k-hwm-kb "$(status_kb "$server_pid" VmHWM)"
    begin=$SECONDS
    stop_servers
    extra memory-100k-stop-seconds $((SECONDS - begin))
done
phase memory

# 5. Instructions per decision of CampaignPacer.decide under callgrind (deterministic, so its runs
#    agree), from two loop lengths so that start-up cancels out; the engine's bytes per campaign.
instructions() {
    valgrind --tool=callgrind --callgrind-out-file="$work/callgrind.$1" "$bin/PacerBench" "$1" > /dev/null 2>&1
    awk '$1 == "totals:" || $1 == "summary:" {print $2; exit}' "$work/callgrind.$1"
}
small=10000; large=110000
for run in $(seq 1 "$runs"); do
    if [[ -x "$bin/PacerBench" ]] && command -v valgrind > /dev/null; then
        ir_small="$(instructions $small || true)"; ir_large="$(instructions $large || true)"
        if [[ -n "$ir_small" && -n "$ir_large" ]]; then
            extra callgrind-instructions-per-decision "$(( (ir_large - ir_small) / (large - small) ))"
        fi
    fi
    if [[ -x "$bin/PacerBench" ]]; then
        extra engine-bytes-per-campaign "$("$bin/PacerBench" memory 100000 | awk '{print $4}')"
    fi
done
phase callgrind

# 6. The click pipeline, measured by its own script in a database of its own on this cluster.
if [[ -x scripts/bench-clicks.sh ]]; then
    for run in $(seq 1 "$runs"); do
        PACER_BENCH_BIN="$bin" PACER_CLICKS_RATE_CHECK=0 PACER_CLICKS_CLUSTER="$cluster" scripts/bench-clicks.sh "$click_rows" > "$work/clicks-$run.out" 2>&1 || { cat "$work/clicks-$run.out" >&2; continue; }
        extra click-ingest-rows-per-second "$(sed -n 's/^ingest:.* = \([0-9]*\) rows\/s.*/\1/p' "$work/clicks-$run.out")"
        extra click-delivered-per-second "$(sed -n 's/^delivery:.* = \([0-9]*\) clicks\/s.*/\1/p' "$work/clicks-$run.out")"
    done
fi
phase clicks

# 7. Pacing quality on a diurnal day.
"$bin/PacerSim" --campaigns examples/sim/campaigns.json --traffic examples/sim/traffic.csv --runs 3 > "$work/sim.txt" \
    || echo "bench: PacerSim failed" >&2
phase sim

mkdir -p bench-results
python3 scripts/bench/report.py "$results" "$runs" "$seconds" "$connections" "$threads" "$extras" "$work/sim.txt" \
    "$command" "$((SECONDS - started_at))" | tee bench-results/latest.md
