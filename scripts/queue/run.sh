#!/usr/bin/env bash
# `npm run test:queue`: n8n in queue mode on this machine (issue 11). Installs Redis and Postgres from
# Debian's packages when missing (one `apt-get update`), n8n 2.41.1 from the cache
# (scripts/e2e/install-n8n.sh), then test/queue with jest (which builds when dist/ is stale and packs
# the package: test/e2e/lib/examples.js packPackage). The
# suite starts Redis, Postgres, n8n main, two workers and the webhook process(es) itself, on free
# loopback ports, and stops them (only those) at the end.   bash scripts/queue/run.sh [jest args...]
set -euo pipefail
cd "$(dirname "$0")/../.."
start=$SECONDS
if ! command -v redis-server >/dev/null || ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  echo "[queue] installing redis-server and postgresql from Debian's packages" >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server postgresql >/dev/null
fi
bash scripts/e2e/install-n8n.sh 2.41.1 >/dev/null
echo "[queue] Redis, Postgres and n8n ready after $((SECONDS - start))s" >&2

rc=0
bash scripts/run.sh jest -c jest.queue.config.js "$@" || rc=$?
echo "[queue] done in $((SECONDS - start))s (exit $rc)" >&2
exit "$rc"
