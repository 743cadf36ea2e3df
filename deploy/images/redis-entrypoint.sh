#!/bin/sh
# Entrypoint of paas/redis:7: own the volume, then run redis-server as redis with a password.
set -eu
: "${REDIS_PASSWORD:?}"
if [ "$(id -u)" = 0 ]; then
  chown redis:redis /data
  exec setpriv --reuid=redis --regid=redis --init-groups "$0" "$@"
fi
exec redis-server --bind '* -::*' --port 6379 --dir /data --appendonly yes \
  --requirepass "$REDIS_PASSWORD" --protected-mode no --save ''
