#!/usr/bin/env bash
# `make test`: install missing system packages, build the tests, start a throwaway PostgreSQL,
# run every test against it, and remove it again, also when the tests fail or are interrupted.
# Exits non-zero on any failure. Arguments go to `swift test` (e.g. --filter MigratorTests).
# Without arguments the end-to-end checks of scripts/e2e.sh follow (browser, schemathesis).
#
# Tests read DATABASE_URL (a superuser URL of the throwaway cluster); each test creates and drops
# its own database, so they run in parallel and in any order. Swift Testing runs tests in
# parallel in one process by default; PACER_TEST_PARALLEL=1 adds `--parallel`, which runs XCTest
# cases in separate processes too (and hides XCTest's summary line, so it is not the default).
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh

echo "test: swift build --build-tests" >&2
swift build --build-tests

pgdir="$(mktemp -d "${TMPDIR:-/tmp}/pacer-test-pg.XXXXXXXX")"
status=0
cleanup() {
    # Keep cleaning up when stderr is a pipe whose reader is gone (make test | tee, then Ctrl-C).
    trap '' PIPE
    if [[ $status -ne 0 && -f "$pgdir/server.log" ]]; then
        echo "---- PostgreSQL log (last 40 lines) ----" >&2
        tail -n 40 "$pgdir/server.log" >&2 || true
    fi
    scripts/embedded-postgres.sh destroy "$pgdir" || true
}
trap 'status=$?; cleanup' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

DATABASE_URL="$(PACER_PG_FAST=1 scripts/embedded-postgres.sh start "$pgdir")"
export DATABASE_URL
echo "test: DATABASE_URL=$DATABASE_URL" >&2

parallel=()
[[ "${PACER_TEST_PARALLEL:-0}" != "1" ]] || parallel=(--parallel)

if [[ $# -gt 0 ]]; then
    swift test --skip-build "${parallel[@]}" "$@"
else
    # The in-process suites run side by side first. The suites that run whole server processes
    # (and PostgreSQL clusters of their own) under load run afterwards, one test at a time, so
    # that they do not compete for the machine with everything else.
    suites=0
    swift test --skip-build "${parallel[@]}" --skip ServerProcessSuites || suites=$?
    swift test --skip-build "${parallel[@]}" --filter ServerProcessSuites || suites=$?
    [[ $suites -eq 0 ]] || exit "$suites"
fi

# The live end-to-end checks (dashboard in headless Chromium, schemathesis against /openapi.json)
# run with the whole suite only; PACER_E2E=0 skips them.
if [[ $# -eq 0 && "${PACER_E2E:-1}" != "0" ]]; then
    scripts/e2e.sh
fi
