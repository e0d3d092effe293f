#!/usr/bin/env bash
# @partner-oauth/store-redis (and the multi-process tests) run against a real Redis at 127.0.0.1:6379.
# Does nothing when it answers; otherwise starts the installed redis-server, or installs Debian's
# redis-server (this machine reaches only the npm registry and Debian's mirrors) and starts it.
# The test server keeps nothing on disk (--save "" --appendonly no): tests make their own keys and
# remove them. The tests that restart a server start one of their own, with an append-only file.
set -euo pipefail
HOST=127.0.0.1
PORT=6379

answers() {
  command -v redis-cli >/dev/null 2>&1 && [ "$(redis-cli -h "$HOST" -p "$PORT" ping 2>/dev/null)" = "PONG" ]
}

answers && exit 0

sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi

if ! command -v redis-server >/dev/null 2>&1 || ! command -v redis-cli >/dev/null 2>&1; then
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "no redis-server and no apt-get to install it: start a Redis at $HOST:$PORT" >&2
    exit 1
  fi
  echo "installing Debian's redis-server for the store-redis tests"
  $sudo apt-get update -qq
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server
  # The package may have started its own service on 6379 already.
  for _ in $(seq 1 20); do
    answers && break
    sleep 0.5
  done
  answers && { echo "Redis ready at $HOST:$PORT"; exit 0; }
fi

echo "starting redis-server on $HOST:$PORT"
$sudo mkdir -p /var/lib/redis /var/log/redis
if id redis >/dev/null 2>&1; then $sudo chown redis:redis /var/lib/redis /var/log/redis 2>/dev/null || true; fi
if [ "$(id -u)" -ne 0 ]; then $sudo chown "$(id -u)" /var/lib/redis /var/log/redis; fi
redis-server --daemonize yes --bind 127.0.0.1 -::1 --port "$PORT" --save "" --appendonly no \
  --dir /var/lib/redis --logfile /var/log/redis/ci.log
for _ in $(seq 1 60); do
  answers && break
  sleep 0.5
done
if ! answers; then
  echo "redis-server did not come up on $HOST:$PORT (see /var/log/redis/ci.log)" >&2
  exit 1
fi
echo "Redis ready at $HOST:$PORT"
