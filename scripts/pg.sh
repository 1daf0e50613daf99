#!/usr/bin/env bash
# A private PostgreSQL cluster for the demo and the tests.
#   scripts/pg.sh start   initialise (once) and start it; prints DATABASE_URL on stdout
#   scripts/pg.sh stop    stop it
#   scripts/pg.sh url     print its DATABASE_URL
# It listens only on a Unix socket inside the cluster folder, so it never clashes with
# another server's TCP port. initdb and postgres refuse to run as root: as root they run
# as the 'postgres' user. Real deployments set DATABASE_URL and never call this.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
DIR=${HARK_PG_DIR:-$ROOT/.pg}
PORT=5432   # only names the socket file: no TCP listener

as_owner() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

# The postgres user must be able to reach the folder; a checkout under /root is not reachable.
if [ "$(id -u)" -eq 0 ] && [ -z "${HARK_PG_DIR:-}" ] && ! runuser -u postgres -- test -x "$ROOT"; then
  DIR=/var/tmp/hark-pg-$(printf %s "$ROOT" | md5sum | cut -c1-12)
fi
DATA=$DIR/data
RUN=$DIR/run
URL="postgresql:///hark?host=$RUN&port=$PORT&user=hark"

start() {
  mkdir -p "$DIR"
  if [ ! -f "$DATA/PG_VERSION" ]; then
    mkdir -p "$DATA" "$RUN"
    [ "$(id -u)" -eq 0 ] && chown -R postgres:postgres "$DIR"
    echo "pg: initialising cluster in $DATA" >&2
    as_owner "$PGBIN/initdb" -D "$DATA" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
  fi
  if ! as_owner "$PGBIN/pg_ctl" -D "$DATA" status >/dev/null 2>&1; then
    as_owner "$PGBIN/pg_ctl" -D "$DATA" -l "$DIR/postgres.log" -w -t 60 start \
      -o "-c listen_addresses='' -c unix_socket_directories='$RUN' -p $PORT -c max_connections=200 -c fsync=off" >/dev/null
    echo "pg: started (socket $RUN, log $DIR/postgres.log)" >&2
  fi
  local psql=("$PGBIN/psql" -h "$RUN" -p $PORT -U postgres -d postgres -qAt)
  if [ "$(as_owner "${psql[@]}" -c "select 1 from pg_roles where rolname='hark'")" != 1 ]; then
    as_owner "${psql[@]}" -c "create role hark login superuser" >/dev/null
  fi
  if [ "$(as_owner "${psql[@]}" -c "select 1 from pg_database where datname='hark'")" != 1 ]; then
    as_owner "${psql[@]}" -c "create database hark owner hark" >/dev/null
  fi
  echo "$URL"
}

stop() {
  if [ -f "$DATA/PG_VERSION" ] && as_owner "$PGBIN/pg_ctl" -D "$DATA" status >/dev/null 2>&1; then
    as_owner "$PGBIN/pg_ctl" -D "$DATA" -m fast -w stop >/dev/null
    echo "pg: stopped" >&2
  fi
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  url) echo "$URL" ;;
  *) echo "usage: $0 start|stop|url" >&2; exit 2 ;;
esac
