#!/usr/bin/env bash
# Runs a program against a private PostgreSQL server that lives only as long
# as this script: initdb + pg_ctl in a temporary directory, a Unix socket
# there and no TCP port, as an unprivileged user (the server refuses to run
# as root; under root the cluster belongs to `nobody`). The program gets
#   CS_TEST_PG_HOST  the socket directory
#   CS_TEST_PG_USER  the cluster's superuser
#   CS_TEST_PG_BIN   where createdb, dropdb, psql and pg_dump are
# The server is stopped and the directory removed on any exit.
# Exit 77 (skip) only when no PostgreSQL server is installed.
#   tests/pg.sh PROGRAM [ARGS...]
set -u
bindir=""
if command -v pg_config >/dev/null 2>&1; then bindir=$(pg_config --bindir); fi
if [ ! -x "$bindir/initdb" ]; then
  bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
fi
if [ -z "$bindir" ] || [ ! -x "$bindir/initdb" ] || [ ! -x "$bindir/pg_ctl" ]; then
  echo "SKIP: no PostgreSQL server installed (Debian: apt-get install postgresql)" >&2
  exit 77
fi

tmp=$(mktemp -d /tmp/cs-pg-XXXXXX)
chmod 755 "$tmp"
mkdir "$tmp/data" "$tmp/sock"
as=()
if [ "$(id -u)" = 0 ]; then
  chown nobody "$tmp" "$tmp/data" "$tmp/sock"
  as=(runuser -u nobody --)
fi
stop() {
  "${as[@]}" "$bindir/pg_ctl" -D "$tmp/data" -m immediate stop >/dev/null 2>&1
  rm -rf "$tmp"
}
trap stop EXIT
trap 'exit 130' INT TERM

if ! "${as[@]}" "$bindir/initdb" -D "$tmp/data" -U crashsift --auth=trust -E UTF8 \
     --locale=C.UTF-8 >"$tmp/initdb.log" 2>&1; then
  cat "$tmp/initdb.log" >&2
  echo "pg.sh: initdb failed" >&2
  exit 1
fi
# Throwaway data: no fsync; small shared memory (other servers share the host).
opts="-k $tmp/sock -c listen_addresses= -c fsync=off -c full_page_writes=off"
opts="$opts -c synchronous_commit=off -c shared_buffers=16MB -c max_connections=50"
if ! "${as[@]}" "$bindir/pg_ctl" -D "$tmp/data" -o "$opts" -l "$tmp/server.log" -w \
     -t 60 start >/dev/null 2>&1; then
  cat "$tmp/server.log" >&2
  echo "pg.sh: the server did not start" >&2
  exit 1
fi
export CS_TEST_PG_HOST="$tmp/sock" CS_TEST_PG_USER=crashsift CS_TEST_PG_BIN="$bindir"
"$@"
rc=$?
if [ $rc -ne 0 ]; then tail -20 "$tmp/server.log" >&2; fi
exit $rc
