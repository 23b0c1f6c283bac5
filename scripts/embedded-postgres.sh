#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for development and tests.
#
#   scripts/embedded-postgres.sh start   DIR   initdb DIR if it is new, start it, print DATABASE_URL
#   scripts/embedded-postgres.sh url     DIR   print the DATABASE_URL of the running cluster
#   scripts/embedded-postgres.sh stop    DIR   stop it (pg_ctl stop -m fast)
#   scripts/embedded-postgres.sh kill    DIR   stop it abruptly (pg_ctl stop -m immediate: crash, recovery on next start)
#   scripts/embedded-postgres.sh restart DIR   stop it if running, start it again on the same port
#   scripts/embedded-postgres.sh destroy DIR   stop it and remove DIR
#
# stdout carries only the URL (postgresql://pacer@127.0.0.1:PORT/postgres); progress goes to
# stderr and the server's log to DIR/server.log. The superuser is `pacer`, authenticated by trust
# over loopback TCP and the Unix socket in DIR only. DIR is the data directory itself.
#
# PostgreSQL refuses to run as root. Called as root, the script runs initdb and pg_ctl as the
# `postgres` system user (or `pacer-pg`, created when neither exists) and gives DIR to that user;
# when that user cannot reach DIR (a parent such as /root is private), the cluster lives under
# /tmp and DIR becomes a symbolic link to it.
#
# Environment:
#   PACER_PG_FAST=1   fsync, synchronous_commit and full_page_writes off (tests only: a crash of
#                     the machine can corrupt the cluster). Read by `start`; `restart` keeps the mode.
#   PACER_PG_BIN      directory with initdb/pg_ctl (default: newest /usr/lib/postgresql/*/bin,
#                     else `pg_config --bindir`, else PATH).
#   PACER_PG_TIMEOUT  seconds to wait for start-up and shutdown (default 60).
set -euo pipefail

readonly superuser="pacer"
readonly timeout="${PACER_PG_TIMEOUT:-60}"

log() { printf 'embedded-postgres: %s\n' "$*" >&2 || true; }
die() { log "error: $*"; exit 1; }

usage() {
    sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//' >&2
    exit 2
}

find_bindir() {
    if [[ -n "${PACER_PG_BIN:-}" ]]; then
        [[ -x "$PACER_PG_BIN/pg_ctl" ]] || die "PACER_PG_BIN=$PACER_PG_BIN has no pg_ctl"
        echo "$PACER_PG_BIN"
        return
    fi
    local newest
    newest="$(printf '%s\n' /usr/lib/postgresql/*/bin | sort -V | tail -n 1)"
    if [[ -n "$newest" && -x "$newest/pg_ctl" ]]; then
        echo "$newest"
        return
    fi
    if command -v pg_config >/dev/null 2>&1 && [[ -x "$(pg_config --bindir)/pg_ctl" ]]; then
        pg_config --bindir
        return
    fi
    if command -v pg_ctl >/dev/null 2>&1; then
        dirname "$(command -v pg_ctl)"
        return
    fi
    die "no PostgreSQL server binaries found (run scripts/install-deps.sh)"
}

# The user that owns and runs the cluster: ourselves, or a system user when we are root.
pick_run_user() {
    if [[ "$(id -u)" -ne 0 ]]; then
        id -un
    elif getent passwd postgres >/dev/null; then
        echo postgres
    else
        if ! getent passwd pacer-pg >/dev/null; then
            log "creating system user pacer-pg to run PostgreSQL"
            useradd --system --no-create-home --home-dir /nonexistent \
                --shell /usr/sbin/nologin pacer-pg >&2
        fi
        echo pacer-pg
    fi
}

# Runs a command as the cluster's user, from / so that a private working directory does not matter.
as_owner() {
    if [[ "$(id -u)" -eq 0 ]]; then
        (cd / && runuser -u "$run_user" -- "$@")
    else
        (cd / && "$@")
    fi
}

# Writes stdin to a file inside the cluster, owned by the cluster's user.
write_owned() {
    local file="$1"
    cat >"$file"
    chmod 600 "$file"
    [[ "$(id -u)" -ne 0 ]] || chown "$run_user:" "$file"
}

free_port() {
    if command -v python3 >/dev/null 2>&1; then
        python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()' \
            2>/dev/null && return
    fi
    local port
    for _ in $(seq 1 100); do
        port=$((20000 + RANDOM % 40000))
        port_free "$port" && { echo "$port"; return; }
    done
    die "found no free TCP port"
}

port_free() {
    ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# The data directory as an absolute path, through the symbolic link when there is one.
resolve_dir() {
    local dir="$1"
    [[ -n "$dir" ]] || usage
    realpath -m -- "$dir"
}

is_cluster() { [[ -f "$data/PG_VERSION" ]]; }

is_running() {
    is_cluster && as_owner "$bindir/pg_ctl" status -D "$data" >/dev/null 2>&1
}

configured_port() {
    [[ -f "$data/pacer-runtime.conf" ]] || return 0
    sed -n 's/^port = \([0-9]*\)$/\1/p' "$data/pacer-runtime.conf" | tail -n 1
}

url_for() { echo "postgresql://${superuser}@127.0.0.1:$1/postgres"; }

# Creates the data directory where the cluster's user can reach it.
prepare_dir() {
    if [[ -e "$data" ]]; then
        [[ -d "$data" ]] || die "$data exists and is not a directory"
        [[ -z "$(ls -A -- "$data")" ]] || die "$data is not empty and holds no cluster"
    fi
    if [[ "$(id -u)" -eq 0 ]]; then
        local parent
        parent="$(dirname -- "$data")"
        mkdir -p -- "$parent"
        if ! runuser -u "$run_user" -- test -x "$parent"; then
            local link="$data"
            [[ ! -e "$link" ]] || rmdir -- "$link"
            data="$(mktemp -d /tmp/pacer-pg.XXXXXXXX)"
            ln -s -- "$data" "$link"
            log "$run_user cannot reach $parent; the cluster lives in $data ($link links to it)"
        fi
        mkdir -p -- "$data"
        chown "$run_user:" "$data"
    else
        mkdir -p -- "$data"
    fi
    chmod 700 "$data"
}

init_cluster() {
    prepare_dir
    log "initdb $data (PostgreSQL $("$bindir/postgres" --version | awk '{print $3}'), as $run_user)"
    local sync_flag=()
    [[ "${PACER_PG_FAST:-0}" != "1" ]] || sync_flag=(--no-sync)
    local output
    if ! output="$(as_owner "$bindir/initdb" -D "$data" -U "$superuser" --encoding=UTF8 --no-locale \
        --auth-local=trust --auth-host=reject --no-instructions "${sync_flag[@]}" 2>&1)"; then
        printf '%s\n' "$output" >&2
        die "initdb failed"
    fi

    write_owned "$data/pg_hba.conf" <<'EOF'
# Throwaway cluster: trust on the Unix socket (in the private data directory) and loopback only.
local   all   all                  trust
host    all   all   127.0.0.1/32   trust
host    all   all   ::1/128        trust
EOF

    local sockets="$data"
    # A Unix socket path is limited to 107 bytes; a deep DIR gets TCP only.
    if (( ${#data} + 16 > 100 )); then sockets=""; fi
    cat >>"$data/postgresql.conf" <<EOF

# --- scripts/embedded-postgres.sh ---
listen_addresses = '127.0.0.1'
unix_socket_directories = '$sockets'
unix_socket_permissions = 0700
# The whole test suite runs many servers at once, each with a pool, listeners and a probe.
max_connections = 600
shared_buffers = 128MB
max_locks_per_transaction = 256
max_wal_size = 1GB
log_line_prefix = '%m [%p] %q%u@%d '
log_min_messages = warning
log_checkpoints = off
log_min_error_statement = error
log_timezone = 'UTC'
timezone = 'UTC'
# port and durability settings, rewritten by each start:
include_if_exists = 'pacer-runtime.conf'
EOF
}

write_runtime_conf() {
    local port="$1" fast="$2"
    {
        echo "# Written by scripts/embedded-postgres.sh at each start."
        echo "port = $port"
        if [[ "$fast" == "1" ]]; then
            echo "# PACER_PG_FAST=1: not crash-safe, for tests only."
            echo "fsync = off"
            echo "synchronous_commit = off"
            echo "full_page_writes = off"
        fi
    } | write_owned "$data/pacer-runtime.conf"
}

runtime_fast() {
    grep -q '^fsync = off' "$data/pacer-runtime.conf" 2>/dev/null && echo 1 || echo 0
}

wait_ready() {
    local port="$1" waited=0
    until "$bindir/pg_isready" -q -h 127.0.0.1 -p "$port" -U "$superuser" -d postgres; do
        if (( waited >= timeout * 10 )); then
            tail -n 20 "$data/server.log" >&2 || true
            die "PostgreSQL did not accept connections on port $port within ${timeout}s"
        fi
        sleep 0.1
        waited=$((waited + 1))
    done
}

# Starts the stopped cluster on `port`; returns non-zero when the server did not come up.
launch() {
    local port="$1"
    log "starting on 127.0.0.1:$port (log: $data/server.log)"
    as_owner "$bindir/pg_ctl" start -D "$data" -l "$data/server.log" -w -t "$timeout" >&2
}

cmd_start() {
    if is_running; then
        log "already running"
        url_for "$(configured_port)"
        return
    fi
    if ! is_cluster; then
        init_cluster
    fi
    local fast="${PACER_PG_FAST:-0}" port
    port="$(configured_port)"
    if [[ -n "$port" ]] && ! port_free "$port"; then
        log "port $port (used before) is taken; choosing another"
        port=""
    fi
    for _ in 1 2 3 4 5; do
        [[ -n "$port" ]] || port="$(free_port)"
        write_runtime_conf "$port" "$fast"
        if launch "$port"; then
            wait_ready "$port"
            url_for "$port"
            return
        fi
        # Another process may have taken the port between our check and the bind: try another.
        if tail -n 20 "$data/server.log" 2>/dev/null | grep -qE 'could not bind|Address already in use'; then
            log "port $port was taken; retrying"
            port=""
            continue
        fi
        tail -n 20 "$data/server.log" >&2 || true
        die "PostgreSQL did not start"
    done
    die "PostgreSQL did not start after 5 attempts"
}

cmd_url() {
    is_running || die "no cluster running in $data"
    url_for "$(configured_port)"
}

cmd_stop() {
    local mode="$1"
    if ! is_running; then
        log "not running"
        return
    fi
    log "stopping (-m $mode)"
    as_owner "$bindir/pg_ctl" stop -D "$data" -m "$mode" -w -t "$timeout" >&2
}

cmd_restart() {
    is_cluster || die "no cluster in $data"
    local port
    port="$(configured_port)"
    [[ -n "$port" ]] || die "no port recorded in $data/pacer-runtime.conf"
    cmd_stop fast
    local waited=0
    until port_free "$port"; do
        (( waited < timeout * 10 )) || die "port $port is still taken"
        sleep 0.1
        waited=$((waited + 1))
    done
    write_runtime_conf "$port" "$(runtime_fast)"
    launch "$port" || { tail -n 20 "$data/server.log" >&2 || true; die "PostgreSQL did not restart"; }
    wait_ready "$port"
    url_for "$port"
}

cmd_destroy() {
    local link
    link="$(realpath -m -s -- "$dir_arg")"
    if [[ -e "$data" ]]; then
        if is_cluster; then
            if ! cmd_stop fast; then
                cmd_stop immediate || true
            fi
        elif [[ -n "$(ls -A -- "$data")" ]]; then
            die "$data holds no cluster; not removing it"
        fi
        rm -rf -- "$data"
    fi
    [[ ! -L "$link" ]] || rm -f -- "$link"
    log "removed $data"
}

[[ $# -eq 2 ]] || usage
command="$1"
dir_arg="$2"
bindir="$(find_bindir)"
run_user="$(pick_run_user)"
data="$(resolve_dir "$dir_arg")"

case "$command" in
    start) cmd_start ;;
    url) cmd_url ;;
    stop) cmd_stop fast ;;
    kill) cmd_stop immediate ;;
    restart) cmd_restart ;;
    destroy) cmd_destroy ;;
    *) usage ;;
esac
