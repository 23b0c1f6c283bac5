#!/usr/bin/env bash
# Click pipeline figures on this machine, against a scratch PostgreSQL cluster:
#   1. ingest: a ROWS-row NDJSON upload (default 1,000,000): rows/s and the server's peak RSS
#      increase during the upload (sampled from /proc every 20 ms);
#   2. delivery: the same dataset delivered to a fast local sink (a second PacerServer's
#      /v1/noop route) with a rate limit far above what is reachable: clicks/s.
#   3. a partner limited to 2,000 clicks/s: the rate it received (about 10 s; skipped with
#      PACER_CLICKS_RATE_CHECK=0, as make bench does).
# Needs a release build (swift build -c release), or the folder of one in PACER_BENCH_BIN.
# PACER_CLICKS_CLUSTER (a postgresql://…/postgres URL) runs it in a new database on that cluster
# instead of a cluster of its own, and drops the database afterwards.
#
#   scripts/bench-clicks.sh [ROWS] [BATCH_SIZE] [WORKERS]
set -euo pipefail
cd "$(dirname "$0")/.."
rows="${1:-1000000}"
batch="${2:-1000}"
workers="${3:-8}"
bin="${PACER_BENCH_BIN:-.build/release}"
token=bench-token
work=$(mktemp -d /tmp/pacer-clicks-bench-XXXX)
pids=()
cluster="${PACER_CLICKS_CLUSTER:-}"
database="pacer_clicks_$$"
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
    if [[ -n "$cluster" ]]; then
        psql "$cluster" -qc "DROP DATABASE IF EXISTS $database" >/dev/null 2>&1 || true
    else
        scripts/embedded-postgres.sh destroy "$work/pg" >/dev/null 2>&1 || true
    fi
    [[ -n "${KEEP:-}" ]] || rm -rf "$work"
}
trap cleanup EXIT

if [[ -n "$cluster" ]]; then
    psql "$cluster" -qc "CREATE DATABASE $database"
    url="${cluster%/postgres}/$database"
else
    url=$(PACER_PG_FAST=${PACER_PG_FAST:-0} scripts/embedded-postgres.sh start "$work/pg")
fi
"$bin/Migrator" up --database-url "$url" >/dev/null

start_server() {  # NAME WORKERS -> prints "PID PORT"
    local name=$1 n=$2
    DATABASE_URL=$url PACER_PORT=0 PACER_ADMIN_TOKEN=$token PACER_INSTANCE_ID=$name PACER_JOURNAL_DIR="$work/journal-$name" PACER_LOG_LEVEL=warning \
        PACER_CLICK_WORKERS=$n PACER_CLICK_PARTNER_CONCURRENCY=$(( n > 0 ? n : 1 )) PACER_CLICK_POLL_MS=100 \
        "$bin/PacerServer" >"$work/$name.log" 2>&1 &
    local pid=$!
    for _ in $(seq 1 200); do
        if grep -q 'listening on' "$work/$name.log"; then break; fi
        sleep 0.05
    done
    echo "$pid $(sed -n 's/.*listening on http:\/\/127.0.0.1:\([0-9]*\).*/\1/p' "$work/$name.log" | head -1)"
}
api() { curl -sf -H "Authorization: Bearer $token" -H 'Content-Type: application/json' "$@"; }
rss_kb() { awk '/^VmRSS/ {print $2}' "/proc/$1/status"; }

read -r sink_pid sink_port < <(start_server sink 0); pids+=("$sink_pid")
read -r server_pid port < <(start_server ingest 0); pids+=("$server_pid")
base="http://127.0.0.1:$port"

campaign=$(api -d '{"name":"bench","daily_budget_cents":100000000,"pacing":"EVEN"}' "$base/v1/campaigns" | sed 's/.*"id":"\([^"]*\)".*/\1/')
partner=$(api -d "{\"name\":\"sink\",\"endpoint_url\":\"http://127.0.0.1:$sink_port/v1/noop\",\"format\":\"json\",\"rate_limit_per_second\":1000000,\"batch_size\":$batch,\"headers\":{\"Authorization\":\"Bearer $token\"}}" "$base/v1/partners" | sed 's/.*"id":"\([^"]*\)".*/\1/')

python3 - "$rows" >"$work/clicks.ndjson" <<'PY'
import sys
n = int(sys.argv[1])
out = sys.stdout
for i in range(1, n + 1):
    out.write('{"click_id":"c-%d","ts":%d,"ip":"10.%d.%d.%d","ua":"Mozilla/5.0 (X11; Linux x86_64)","sub":"s%d"}\n'
              % (i, 1781524800 + i, i % 250, (i // 250) % 250, i % 7, i % 100))
PY
size=$(stat -c %s "$work/clicks.ndjson")

before=$(rss_kb "$server_pid")
peak=$before
( while kill -0 "$server_pid" 2>/dev/null; do r=$(rss_kb "$server_pid"); echo "$r"; sleep 0.02; done ) >"$work/rss" &
sampler=$!
t0=$(date +%s.%N)
answer=$(curl -sf -H 'Expect:' -H "Authorization: Bearer $token" -H 'Content-Type: application/x-ndjson' -T "$work/clicks.ndjson" -X POST \
    "$base/v1/datasets?campaign_id=$campaign&partner_id=$partner&format=ndjson&on_error=reject")
t1=$(date +%s.%N)
kill "$sampler"; wait "$sampler" 2>/dev/null || true
peak=$(sort -n "$work/rss" | tail -1)
dataset=$(echo "$answer" | sed 's/.*"id":"\([^"]*\)".*/\1/')
accepted=$(echo "$answer" | sed 's/.*"rows_accepted":\([0-9]*\).*/\1/')
ingest_s=$(echo "$t1 - $t0" | bc -l)
printf 'ingest: %d rows (%.1f MB) accepted=%s in %.2f s = %.0f rows/s; server RSS %d MB before, peak %d MB (+%.1f MB)\n' \
    "$rows" "$(echo "$size / 1048576" | bc -l)" "$accepted" "$ingest_s" "$(echo "$rows / $ingest_s" | bc -l)" \
    $((before / 1024)) $((peak / 1024)) "$(echo "($peak - $before) / 1024" | bc -l)"

kill "$server_pid"; wait "$server_pid" 2>/dev/null || true
t0=$(date +%s.%N)  # before start-up: the workers begin at once
read -r server_pid port < <(start_server deliver "$workers"); pids+=("$server_pid")
base="http://127.0.0.1:$port"
while true; do
    delivered=$(api "$base/v1/datasets/$dataset" | sed 's/.*"rows_delivered" *: *\([0-9]*\).*/\1/')
    [[ "$delivered" -ge "$accepted" ]] && break
    sleep 0.2
done
t1=$(date +%s.%N)
deliver_s=$(echo "$t1 - $t0" | bc -l)
printf 'delivery: %d clicks in batches of %d with %d workers in %.2f s = %.0f clicks/s (%.0f batches/s)\n' \
    "$delivered" "$batch" "$workers" "$deliver_s" "$(echo "$delivered / $deliver_s" | bc -l)" \
    "$(echo "$delivered / $batch / $deliver_s" | bc -l)"

# 3. A rate-limited partner: the measured rate against its limit (the first second's burst of a
#    full token bucket included, so the figure tends to limit × (1 + 1/duration)).
[[ "${PACER_CLICKS_RATE_CHECK:-1}" == 1 ]] || exit 0
limit=2000
limited=$(api -d "{\"name\":\"limited\",\"endpoint_url\":\"http://127.0.0.1:$sink_port/v1/noop\",\"format\":\"json\",\"rate_limit_per_second\":$limit,\"batch_size\":100,\"headers\":{\"Authorization\":\"Bearer $token\"}}" "$base/v1/partners" | sed 's/.*"id":"\([^"]*\)".*/\1/')
head -n 20000 "$work/clicks.ndjson" >"$work/limited.ndjson"
t0=$(date +%s.%N)
dataset=$(curl -sf -H 'Expect:' -H "Authorization: Bearer $token" -T "$work/limited.ndjson" -X POST \
    "$base/v1/datasets?campaign_id=$campaign&partner_id=$limited&format=ndjson&on_error=reject" | sed 's/.*"id":"\([^"]*\)".*/\1/')
while true; do
    delivered=$(api "$base/v1/datasets/$dataset" | sed 's/.*"rows_delivered" *: *\([0-9]*\).*/\1/')
    [[ "$delivered" -ge 20000 ]] && break
    sleep 0.1
done
t1=$(date +%s.%N)
limited_s=$(echo "$t1 - $t0" | bc -l)
printf 'rate limit: partner limited to %d clicks/s received %d clicks in %.2f s = %.0f clicks/s (bound with the initial burst: %.0f)\n' \
    "$limit" "$delivered" "$limited_s" "$(echo "$delivered / $limited_s" | bc -l)" "$(echo "$limit + $limit / $limited_s" | bc -l)"
curl -s -H "Authorization: Bearer $token" "$base/metrics" | grep '^pacer_click' | head -12
