#!/usr/bin/env bash
# End-to-end checks against a live PacerServer, run by scripts/test.sh after `swift test`:
#   1. a headless Chromium (Debian `chromium` + `chromium-driver`, driven by selenium) opens the
#      dashboard with the demo data, creates a campaign through the form, sees its row and a
#      rendered chart, and finds no console errors; screenshot in .build/artifacts/dashboard.png;
#   2. schemathesis fuzzes every operation of /openapi.json with a fixed seed and a bounded number
#      of examples: no 5xx and no response that violates the document.
# Needs DATABASE_URL of a cluster superuser (postgresql://USER@HOST:PORT/DB); it creates and drops
# its own database there. Python packages go into a venv under .build/e2e-venv.
set -euo pipefail
cd "$(dirname "$0")/.."

: "${DATABASE_URL:?DATABASE_URL (a superuser URL of a throwaway cluster) is required}"
scripts/install-deps.sh chromium chromium-driver python3-venv curl

root="$PWD"
venv=.build/e2e-venv
if [[ ! -x "$venv/bin/python" ]]; then
    python3 -m venv "$venv"
fi
"$venv/bin/pip" install --quiet --disable-pip-version-check "schemathesis==4.32.5" "selenium==4.51.0"

bin="$(swift build --show-bin-path)"
artifacts=.build/artifacts
mkdir -p "$artifacts"
database="pacer_e2e_$$"
url="${DATABASE_URL%/*}/$database"
token="e2e-admin-token"
log="$artifacts/e2e-server.log"
server_pid=""

cleanup() {
    trap '' PIPE
    if [[ -n "$server_pid" ]] && kill -0 "$server_pid" 2>/dev/null; then
        kill -TERM "$server_pid" 2>/dev/null || true
        wait "$server_pid" 2>/dev/null || true
    fi
    psql "$DATABASE_URL" -X -q -c "DROP DATABASE IF EXISTS \"$database\" WITH (FORCE)" >/dev/null 2>&1 || true
}
trap cleanup EXIT

psql "$DATABASE_URL" -X -q -v ON_ERROR_STOP=1 -c "CREATE DATABASE \"$database\"" >/dev/null
"$bin/Migrator" up --database-url "$url" >/dev/null
psql "$url" -X -q -v ON_ERROR_STOP=1 -f scripts/seed-demo.sql >/dev/null

DATABASE_URL="$url" PACER_PORT=0 PACER_ADMIN_TOKEN="$token" PACER_INSTANCE_ID="e2e" PACER_RANDOM_SEED=7 \
    PACER_JOURNAL_DIR="$artifacts/journal" PACER_LOG_LEVEL=warning "$bin/PacerServer" >"$log" 2>&1 &
server_pid=$!
base=""
for _ in $(seq 1 300); do
    base="$(sed -n 's/^PacerServer listening on \(http:[^ ]*\)$/\1/p' "$log" | head -n 1)"
    [[ -n "$base" ]] && break
    kill -0 "$server_pid" 2>/dev/null || { cat "$log" >&2; echo "e2e: PacerServer exited" >&2; exit 1; }
    sleep 0.1
done
[[ -n "$base" ]] || { echo "e2e: PacerServer did not start" >&2; exit 1; }
echo "e2e: PacerServer on $base" >&2

echo "e2e: dashboard in headless Chromium" >&2
"$venv/bin/python" scripts/e2e/dashboard.py "$base" "$token" "$artifacts/dashboard.png"

echo "e2e: schemathesis against $base/openapi.json" >&2
# Run from the artifacts folder with fresh cache directories (.schemathesis/, .hypothesis/) so
# that nothing of an earlier run changes this one.
rm -rf "$artifacts/.schemathesis" "$artifacts/.hypothesis"
# The document needs a token like every route but health: fetch it, then test the live server.
curl -fsS -H "Authorization: Bearer $token" "$base/openapi.json" -o "$artifacts/openapi.json"
(cd "$artifacts" && "$root/$venv/bin/schemathesis" run openapi.json --url "$base" \
    --header "Authorization: Bearer $token" \
    --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance \
    --phases examples,coverage,fuzzing \
    --max-examples "${PACER_E2E_EXAMPLES:-25}" --seed "${PACER_E2E_SEED:-20261123}" --generation-database none \
    --workers 1 --no-color \
    --report junit --report-junit-path schemathesis.xml)
echo "e2e: passed (screenshot: $artifacts/dashboard.png)" >&2
