# shellcheck shell=bash
# Sourced by .ci/run (and usable by hand: `source .ci/postgres.sh`): a throwaway PostgreSQL
# cluster on 127.0.0.1, on a free port, in a temporary directory, with trust auth on loopback
# only. Exports TESSERA_TEST_POSTGRES_URL and stops and deletes the cluster when the shell exits.

pg_bin_dir() {
  local d
  if command -v initdb >/dev/null 2>&1 && command -v pg_ctl >/dev/null 2>&1; then
    dirname "$(command -v initdb)"
    return
  fi
  # Debian puts the server's programs under /usr/lib/postgresql/<version>/bin, off the PATH.
  for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    if [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ]; then
      echo "$d"
      return
    fi
  done
}

if [ -z "$(pg_bin_dir)" ]; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
fi
pg_bin=$(pg_bin_dir)
if [ -z "$pg_bin" ]; then
  echo "PostgreSQL's initdb and pg_ctl are not installed, and installing them failed" >&2
  exit 2
fi

pg_port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
pg_dir=$(mktemp -d /tmp/tessera-pg.XXXXXX)
# initdb refuses to run as root: the cluster then belongs to the `postgres` user.
if [ "$(id -u)" = 0 ]; then
  id -u postgres >/dev/null 2>&1 || useradd --system --home-dir "$pg_dir" postgres
  chown postgres "$pg_dir"
  pg_as() { su postgres -s /bin/sh -c "$*"; }
else
  pg_as() { sh -c "$*"; }
fi
pg_as "'$pg_bin/initdb' -D '$pg_dir/data' -U postgres --auth=trust --no-sync -E UTF8 >'$pg_dir/initdb.log' 2>&1" || {
  cat "$pg_dir/initdb.log" >&2
  exit 2
}
stop_postgres() {
  pg_as "'$pg_bin/pg_ctl' -D '$pg_dir/data' -m immediate stop >/dev/null 2>&1" || true
  rm -rf "$pg_dir"
}
trap stop_postgres EXIT
# Only loopback, no Unix socket directory outside the temp dir, fsync off: it is thrown away.
pg_as "'$pg_bin/pg_ctl' -D '$pg_dir/data' -l '$pg_dir/server.log' -w -t 60 start \
  -o \"-h 127.0.0.1 -p $pg_port -k '$pg_dir' -F -c max_connections=300\" >/dev/null" || {
  cat "$pg_dir/server.log" >&2
  exit 2
}
export TESSERA_TEST_POSTGRES_URL="postgres://postgres@127.0.0.1:$pg_port/postgres"
echo "PostgreSQL ($("$pg_bin/postgres" --version)) for the tests at $TESSERA_TEST_POSTGRES_URL"
