#!/bin/sh
# Entrypoint of paas/postgres:15: initialise the cluster once, then run postgres.
# The cluster is made in $PGDATA.init and renamed to $PGDATA when complete, so a container
# killed while initialising (a half-provisioned add-on) starts over cleanly next time.
set -eu
: "${POSTGRES_USER:?}" "${POSTGRES_PASSWORD:?}" "${POSTGRES_DB:?}"
volume="$(dirname "$PGDATA")"
if [ "$(id -u)" = 0 ]; then
  mkdir -p "$volume" /var/run/postgresql
  chown postgres:postgres "$volume" /var/run/postgresql
  chmod 700 "$volume"
  exec setpriv --reuid=postgres --regid=postgres --init-groups "$0" "$@"
fi
if [ ! -s "$PGDATA/PG_VERSION" ]; then
  rm -rf "$PGDATA.init"
  pwfile="$(mktemp)"
  printf '%s' "$POSTGRES_PASSWORD" >"$pwfile"
  initdb -D "$PGDATA.init" -U "$POSTGRES_USER" --pwfile="$pwfile" -E UTF8 --locale=C.UTF-8 \
    --auth-local=trust --auth-host=scram-sha-256 >/dev/null
  rm -f "$pwfile"
  printf 'host all all 0.0.0.0/0 scram-sha-256\nhost all all ::/0 scram-sha-256\n' >>"$PGDATA.init/pg_hba.conf"
  echo "CREATE DATABASE \"$POSTGRES_DB\"" | postgres --single -D "$PGDATA.init" -j postgres >/dev/null
  mv "$PGDATA.init" "$PGDATA"
fi
exec postgres -D "$PGDATA" -c listen_addresses='*'
