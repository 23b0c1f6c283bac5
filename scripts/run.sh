#!/usr/bin/env bash
# `make run`: install missing system packages, build, start the embedded PostgreSQL in .pgdata/
# (kept between runs), migrate, load the demo data, and run PacerServer in the foreground.
# Ctrl-C (or the server exiting) stops the server and then the cluster.
#
# Environment (all optional):
#   PACER_HOST          address to serve on (default 127.0.0.1)
#   PACER_PORT          port to serve on (default 8080)
#   PACER_ADMIN_TOKEN   bootstrap admin token (default dev-admin-token)
#   PACER_PGDATA        cluster directory (default .pgdata)
#   PACER_JOURNAL_DIR   spend journal directory (default .pacer/journal)
#   PACER_SEED=0        skip loading scripts/seed-demo.sql
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh

echo "run: swift build" >&2
swift build
bin="$(swift build --show-bin-path)"

pgdir="${PACER_PGDATA:-$PWD/.pgdata}"
server_pid=""
cleanup() {
    # Keep cleaning up when stderr is a pipe whose reader is gone (make run | tee, then Ctrl-C).
    trap '' PIPE
    if [[ -n "$server_pid" ]] && kill -0 "$server_pid" 2>/dev/null; then
        echo "run: stopping PacerServer (pid $server_pid)" >&2
        kill -TERM "$server_pid" 2>/dev/null || true
        for _ in $(seq 1 150); do
            kill -0 "$server_pid" 2>/dev/null || break
            sleep 0.1
        done
        if kill -0 "$server_pid" 2>/dev/null; then
            echo "run: PacerServer did not stop within 15 s; killing it" >&2
            kill -KILL "$server_pid" 2>/dev/null || true
        fi
        wait "$server_pid" 2>/dev/null || true
    fi
    scripts/embedded-postgres.sh stop "$pgdir" || true
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

DATABASE_URL="$(scripts/embedded-postgres.sh start "$pgdir")"
export DATABASE_URL

echo "run: Migrator up" >&2
"$bin/Migrator" up

if [[ -f scripts/seed-demo.sql && "${PACER_SEED:-1}" != "0" ]]; then
    echo "run: loading demo data (scripts/seed-demo.sql)" >&2
    psql "$DATABASE_URL" -X -q -v ON_ERROR_STOP=1 -f scripts/seed-demo.sql >/dev/null
fi

export PACER_HOST="${PACER_HOST:-127.0.0.1}"
export PACER_PORT="${PACER_PORT:-8080}"
export PACER_ADMIN_TOKEN="${PACER_ADMIN_TOKEN:-dev-admin-token}"
export PACER_JOURNAL_DIR="${PACER_JOURNAL_DIR:-$PWD/.pacer/journal}"
mkdir -p "$PACER_JOURNAL_DIR"

"$bin/PacerServer" &
server_pid=$!

# Tell the user where to go once the server accepts connections (or has given up).
for _ in $(seq 1 300); do
    kill -0 "$server_pid" 2>/dev/null || break
    if (exec 3<>"/dev/tcp/$PACER_HOST/$PACER_PORT") 2>/dev/null; then
        cat >&2 <<EOF

  Pacer is running:     http://$PACER_HOST:$PACER_PORT/
  Admin token:          $PACER_ADMIN_TOKEN
  DATABASE_URL:         $DATABASE_URL
  Try:                  curl -H 'Authorization: Bearer $PACER_ADMIN_TOKEN' http://$PACER_HOST:$PACER_PORT/v1/campaigns
  Stop:                 Ctrl-C

EOF
        break
    fi
    sleep 0.1
done

set +e
wait "$server_pid"
code=$?
set -e
server_pid=""
echo "run: PacerServer exited with status $code" >&2
exit "$code"
