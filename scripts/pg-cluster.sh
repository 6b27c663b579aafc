#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for the tests, run by an unprivileged user
# in a temporary directory, on loopback.
#
#   eval "$(bash scripts/pg-cluster.sh start)"   # exports PRESTASI_TEST_DATABASE_URL, PRESTASI_PG_DIR
#   bash scripts/pg-cluster.sh stop "$PRESTASI_PG_DIR"
#
# Every test makes its own schema (or database) inside it, so tests run in
# parallel and leave nothing behind once the directory is gone.
set -euo pipefail

pg_bin() {
    local d
    for d in /usr/lib/postgresql/*/bin; do
        [ -x "$d/initdb" ] && { echo "$d"; return; }
    done
    dirname "$(command -v initdb)"
}

# initdb refuses root: run the cluster as this user (made if missing).
PG_USER=prestasi-pg
as_pg() {
    if [ "$(id -u)" = 0 ]; then
        runuser -u "$PG_USER" -- "$@"
    else
        "$@"
    fi
}

case "${1:-}" in
start)
    bin=$(pg_bin)
    if [ "$(id -u)" = 0 ] && ! id "$PG_USER" >/dev/null 2>&1; then
        useradd --system --no-create-home --shell /usr/sbin/nologin "$PG_USER"
    fi
    dir=$(mktemp -d /tmp/prestasi-pg.XXXXXX)
    chmod 755 "$dir"
    [ "$(id -u)" = 0 ] && chown "$PG_USER" "$dir"
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    as_pg "$bin/initdb" -D "$dir/data" -U prestasi --auth=trust -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 \
        || { cat "$dir/initdb.log" >&2; exit 1; }
    # Tests open many connections at once; fsync stays on (acknowledged
    # means durable, as in production).
    as_pg "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w \
        -o "-k $dir -p $port -h 127.0.0.1 -c max_connections=400 -c shared_buffers=128MB" start >/dev/null \
        || { cat "$dir/server.log" >&2; exit 1; }
    as_pg "$bin/createdb" -h 127.0.0.1 -p "$port" -U prestasi prestasi
    echo "export PRESTASI_TEST_DATABASE_URL=postgres://prestasi@127.0.0.1:$port/prestasi"
    echo "export PRESTASI_PG_DIR=$dir"
    ;;
stop)
    dir=${2:?usage: pg-cluster.sh stop DIR}
    bin=$(pg_bin)
    as_pg "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
    rm -rf "$dir"
    ;;
*)
    echo "usage: pg-cluster.sh start | stop DIR" >&2
    exit 2
    ;;
esac
