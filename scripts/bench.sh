#!/usr/bin/env bash
# The benchmark suite: builds in release mode, starts its own PostgreSQL and PacerServer, runs
# every scenario PACER_BENCH_RUNS times (default 3) with wrk, and prints one table of medians
# (also written to bench-results/latest.md). Benchmarks measure; they never fail on a slow machine.
#
# Environment: PACER_BENCH_RUNS (3), PACER_BENCH_SECONDS (8), PACER_BENCH_CONNECTIONS (32),
# PACER_BENCH_THREADS (1), PACER_BENCH_SKIP_BUILD=1 to reuse the last release build.
set -euo pipefail
cd "$(dirname "$0")/.."
root="$PWD"
runs="${PACER_BENCH_RUNS:-3}"
seconds="${PACER_BENCH_SECONDS:-8}"
connections="${PACER_BENCH_CONNECTIONS:-32}"
threads="${PACER_BENCH_THREADS:-1}"

scripts/install-deps.sh >&2
if [[ "${PACER_BENCH_SKIP_BUILD:-}" != 1 ]]; then
    echo "bench: building release binaries" >&2
    swift build -c release --product PacerServer >&2
    swift build -c release --product Migrator >&2
fi
bin="$(swift build -c release --show-bin-path)"

work="$(mktemp -d /tmp/pacer-bench.XXXXXX)"
chmod 755 "$work"
server_pid=""
cleanup() {
    [[ -n "$server_pid" ]] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null || true
    scripts/embedded-postgres.sh destroy "$work/pg" >&2 || true
    rm -rf "$work"
}
trap cleanup EXIT

cluster="$(scripts/embedded-postgres.sh start "$work/pg")"
psql "$cluster" -qc "CREATE DATABASE pacer_bench"
db="${cluster%/postgres}/pacer_bench"
"$bin/Migrator" up --database-url "$db" >&2

echo "bench: creating 1000 campaigns" >&2
psql "$db" -qAt -c "
  INSERT INTO pacer.campaigns (name, daily_budget_micros, pacing, timezone)
  SELECT 'bench ' || g, 10000000000000, 'ASAP', 'UTC' FROM generate_series(1, 1000) g;" >/dev/null
psql "$db" -qAt -c "SELECT id FROM pacer.campaigns ORDER BY name" > "$work/ids-1000.txt"
head -n 1 "$work/ids-1000.txt" > "$work/ids-1.txt"

export PACER_ADMIN_TOKEN="bench-token"
DATABASE_URL="$db" PACER_PORT=0 PACER_LOG_LEVEL=warning PACER_RANDOM_SEED=1 "$bin/PacerServer" > "$work/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 200); do
    grep -q "PacerServer listening on" "$work/server.log" 2>/dev/null && break
    kill -0 "$server_pid" 2>/dev/null || { cat "$work/server.log" >&2; exit 1; }
    sleep 0.1
done
url="$(grep -o 'http://[0-9.]*:[0-9]*' "$work/server.log" | head -n 1)"
echo "bench: server at $url" >&2

export PACER_BENCH_DIR="$root/scripts/bench"
results="$work/results.txt"
: > "$results"

# scenario NAME LUA IDS [BATCH] [PATH]: runs wrk $runs times; appends "NAME rps p50 p99 p999 errors" per run.
scenario() {
    local name="$1" lua="$2" ids="$3" batch="${4:-1}" path="${5:-/v1/decide}"
    for run in $(seq 1 "$runs"); do
        local line
        line="$(PACER_BENCH_IDS="$work/$ids" PACER_BENCH_BATCH="$batch" PACER_BENCH_PATH="$path" \
            wrk -t"$threads" -c"$connections" -d"${seconds}s" -s "scripts/bench/$lua" "$url" | grep '^RESULT' || true)"
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

mkdir -p bench-results
python3 scripts/bench/report.py "$results" "$runs" "$seconds" "$connections" "$threads" | tee bench-results/latest.md
