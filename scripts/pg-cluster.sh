#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for tests: trust auth, loopback only, fsync off, under /tmp.
#
#   eval "$(scripts/pg-cluster.sh start [DBNAME...])"   # sets PGROOT and PGPORT, creates DBs
#   scripts/pg-cluster.sh stop "$PGROOT"                # stops it and deletes everything
#
# Runs as root (initdb and pg_ctl run as the postgres user through runuser) or as any user
# allowed to run them directly. The data directory lives under /tmp because the postgres
# user cannot enter /root.
set -euo pipefail

die() { printf 'pg-cluster: %s\n' "$*" >&2; exit 1; }

PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
[[ -n "$PGBIN" ]] || die "PostgreSQL server binaries not found (apt-get install postgresql)"

as_postgres() {
    if [[ $(id -u) -eq 0 ]]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

start() {
    local root port try
    root=$(mktemp -d /tmp/pgtest.XXXXXX)
    [[ $(id -u) -eq 0 ]] && chown postgres:postgres "$root"
    chmod 700 "$root"
    if ! as_postgres "$PGBIN/initdb" -D "$root/data" -U postgres -A trust -E UTF8 \
        --locale=C.UTF-8 --no-sync >"$root/initdb.log" 2>&1; then
        cat "$root/initdb.log" >&2
        rm -rf "$root"
        die "initdb failed"
    fi
    for try in 1 2 3 4 5; do
        port=$((20000 + RANDOM % 40000))
        port_in_use "$port" && continue
        if as_postgres "$PGBIN/pg_ctl" -D "$root/data" -l "$root/log" -w -t 30 \
            -o "-h 127.0.0.1 -p $port -k $root -c fsync=off -c full_page_writes=off" \
            start >/dev/null; then
            echo "$port" >"$root/port"
            break
        fi
        port=""
    done
    if [[ -z "${port:-}" ]]; then
        tail -20 "$root/log" >&2 || true
        rm -rf "$root"
        die "could not start PostgreSQL on a free loopback port"
    fi
    local db
    for db in "$@"; do
        if ! "$PGBIN/createdb" -h 127.0.0.1 -p "$port" -U postgres "$db"; then
            stop "$root"
            die "could not create database $db"
        fi
    done
    printf 'export PGROOT=%q PGPORT=%q\n' "$root" "$port"
}

stop() {
    local root=${1:-}
    [[ "$root" == /tmp/pgtest.* && -d "$root" ]] || die "stop: not a cluster made by start: '$root'"
    if [[ -f "$root/data/postmaster.pid" ]]; then
        as_postgres "$PGBIN/pg_ctl" -D "$root/data" -m fast -w -t 30 stop >/dev/null || true
    fi
    rm -rf "$root"
}

case "${1:-}" in
    start) shift; start "$@" ;;
    stop) shift; stop "$@" ;;
    *) die "usage: $0 start [DBNAME...] | stop PGROOT" ;;
esac
