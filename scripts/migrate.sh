#!/usr/bin/env bash
# `make migrate`: apply pending migrations and changed functions (Migrator up). Uses DATABASE_URL
# when it is set; otherwise the embedded cluster in .pgdata/ (PACER_PGDATA), started for the
# occasion and stopped again if it was not running before. Arguments go to `Migrator up`
# (e.g. --dry-run, --to 0002).
set -euo pipefail
cd "$(dirname "$0")/.."

swift build --product Migrator
bin="$(swift build --show-bin-path)"

if [[ -z "${DATABASE_URL:-}" ]]; then
    pgdir="${PACER_PGDATA:-$PWD/.pgdata}"
    if ! scripts/embedded-postgres.sh url "$pgdir" >/dev/null 2>&1; then
        trap 'scripts/embedded-postgres.sh stop "$pgdir" || true' EXIT
        trap 'exit 130' INT
        trap 'exit 143' TERM
    fi
    DATABASE_URL="$(scripts/embedded-postgres.sh start "$pgdir")"
    export DATABASE_URL
fi

"$bin/Migrator" up "$@"
