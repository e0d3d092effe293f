#!/usr/bin/env bash
# @partner-oauth/store-postgres (and the multi-process tests) run against a real PostgreSQL at
# 127.0.0.1:5432, database `test`, user `postgres`, trust auth. Does nothing when that already works;
# otherwise starts the installed cluster, or installs Debian's postgresql (this machine reaches only the
# npm registry and Debian's mirrors), then makes sure of the database and of trust auth on 127.0.0.1.
# Override with PGHOST_TEST / PGPORT_TEST / PGUSER_TEST / PGDATABASE_TEST (then only checked, never set up).
set -euo pipefail
HOST="${PGHOST_TEST:-127.0.0.1}"
PORT="${PGPORT_TEST:-5432}"
USER_NAME="${PGUSER_TEST:-postgres}"
DATABASE="${PGDATABASE_TEST:-test}"

works() {
  command -v psql >/dev/null 2>&1 &&
    PGCONNECT_TIMEOUT=5 psql -h "$HOST" -p "$PORT" -U "$USER_NAME" -d "$DATABASE" -w -Atqc 'select 1' >/dev/null 2>&1
}

works && exit 0

if [ "$HOST:$PORT:$USER_NAME:$DATABASE" != "127.0.0.1:5432:postgres:test" ]; then
  echo "PostgreSQL at $HOST:$PORT (user $USER_NAME, database $DATABASE) does not answer; set it up first" >&2
  exit 1
fi

sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
# Runs a command as the postgres OS user (peer auth on the local socket works before trust is set up).
as_postgres() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else sudo -u postgres "$@"; fi
}
newest_version() { ls /etc/postgresql 2>/dev/null | sort -V | tail -n 1; }

if [ -z "$(newest_version)" ] || ! command -v pg_ctlcluster >/dev/null 2>&1; then
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "no PostgreSQL and no apt-get to install it: start one at 127.0.0.1:5432 (database test, trust auth)" >&2
    exit 1
  fi
  echo "installing Debian's postgresql for the store-postgres tests"
  $sudo apt-get update -qq
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql
fi

VERSION="$(newest_version)"
if [ -z "$VERSION" ]; then
  echo "postgresql is installed but has no cluster under /etc/postgresql" >&2
  exit 1
fi

if ! pg_isready -q -h 127.0.0.1 -p 5432; then
  echo "starting PostgreSQL $VERSION (cluster main)"
  $sudo pg_ctlcluster --skip-systemctl-redirect "$VERSION" main start || true
  for _ in $(seq 1 60); do
    pg_isready -q -h 127.0.0.1 -p 5432 && break
    sleep 0.5
  done
  if ! pg_isready -q -h 127.0.0.1 -p 5432; then
    echo "PostgreSQL $VERSION did not come up on 127.0.0.1:5432" >&2
    exit 1
  fi
fi

# Trust for 127.0.0.1 (a test database on a developer's or CI's machine): first matching line wins.
HBA="$(as_postgres psql -Atqc 'show hba_file')"
TRUST="host all all 127.0.0.1/32 trust"
if ! $sudo grep -qxF "$TRUST" "$HBA"; then
  echo "adding '$TRUST' to the top of $HBA"
  $sudo sed -i "1i $TRUST" "$HBA"
  as_postgres psql -Atqc 'select pg_reload_conf()' >/dev/null
  sleep 1
fi

if [ "$(as_postgres psql -Atqc "select 1 from pg_database where datname = 'test'")" != "1" ]; then
  echo "creating database test"
  as_postgres psql -qc 'CREATE DATABASE test'
fi

if ! works; then
  echo "PostgreSQL runs, but 'psql -h 127.0.0.1 -U postgres -d test' still fails" >&2
  exit 1
fi
echo "PostgreSQL ready at 127.0.0.1:5432, database test"
