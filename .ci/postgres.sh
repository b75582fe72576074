# Sourced by .ci/run: a throwaway PostgreSQL server for the contest-store tests.
# pg_start DIR  -> initdb into DIR as an unprivileged user, listen only on a unix socket in DIR, create a
#                  database, export LAWDRILL_TEST_PG_URL. pg_stop stops it (called from the EXIT trap).
# Installs PostgreSQL with apt-get when initdb/pg_ctl are missing (CI runs as root on Debian).

PG_DIR=""
PG_BIN=""
PG_USER="lawdrill-ci"

_pg_find_bin() {
  local d
  for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    if [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ]; then PG_BIN="$d"; return 0; fi
  done
  if command -v initdb >/dev/null 2>&1 && command -v pg_ctl >/dev/null 2>&1; then
    PG_BIN="$(dirname "$(command -v initdb)")"; return 0
  fi
  return 1
}

_as_pg() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u "$PG_USER" -- "$@"; else "$@"; fi
}

pg_start() {
  PG_DIR="$1"
  if ! _pg_find_bin; then
    echo "PostgreSQL not found: installing it with apt-get" >&2
    DEBIAN_FRONTEND=noninteractive apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
    _pg_find_bin || { echo "PostgreSQL install failed" >&2; return 1; }
  fi
  mkdir -p "$PG_DIR"
  if [ "$(id -u)" -eq 0 ]; then
    # PostgreSQL refuses to run as root: a system user without a home or shell owns the cluster.
    id "$PG_USER" >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin "$PG_USER"
    chown "$PG_USER" "$PG_DIR"
    # mktemp -d makes 0700 folders: let the server's user pass through the one holding its directory.
    chmod o+x "$(dirname "$PG_DIR")"
  fi
  _as_pg "$PG_BIN/initdb" -D "$PG_DIR/data" -U lawdrill --auth=trust -E UTF8 --locale=C.UTF-8 >"$PG_DIR/initdb.log" 2>&1 \
    || { cat "$PG_DIR/initdb.log" >&2; return 1; }
  _as_pg "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w -t 60 \
    -o "-c listen_addresses='' -k $PG_DIR -c fsync=off -c max_connections=200" start >/dev/null \
    || { cat "$PG_DIR/server.log" >&2; return 1; }
  _as_pg "$PG_BIN/createdb" -h "$PG_DIR" -U lawdrill lawdrill_test
  export LAWDRILL_TEST_PG_URL="postgresql+psycopg://lawdrill@/lawdrill_test?host=$PG_DIR"
  # In CI a missing server is a failure, never a skip.
  export LAWDRILL_REQUIRE_PG=1
}

pg_stop() {
  if [ -n "$PG_DIR" ] && [ -n "$PG_BIN" ] && [ -f "$PG_DIR/data/postmaster.pid" ]; then
    _as_pg "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m fast -w stop >/dev/null 2>&1 || true
  fi
}
