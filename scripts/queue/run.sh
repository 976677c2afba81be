#!/usr/bin/env bash
# `npm run test:queue`: n8n in queue mode on this machine (issue 11). Installs Redis and Postgres from
# Debian's packages when missing (one `apt-get update`), n8n 2.41.1 from the cache
# (scripts/e2e/install-n8n.sh), builds and packs the package once, then runs test/queue with jest. The
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

t0=$SECONDS
bash scripts/run.sh n8n-node build >/dev/null
pack_dir="$(mktemp -d "${TMPDIR:-/tmp}/anyformat-queue-pack-XXXXXX")"
trap 'rm -rf "$pack_dir"' EXIT
tgz="$(bash scripts/run.sh npm pack --silent --pack-destination "$pack_dir" 2>/dev/null | tail -n1)"
export ANYFORMAT_E2E_TGZ="$pack_dir/$tgz"
[ -f "$ANYFORMAT_E2E_TGZ" ] || { echo "[queue] npm pack produced no tarball" >&2; exit 1; }
echo "[queue] built and packed $tgz in $((SECONDS - t0))s" >&2

rc=0
bash scripts/run.sh jest -c jest.queue.config.js "$@" || rc=$?
echo "[queue] done in $((SECONDS - start))s (exit $rc)" >&2
exit "$rc"
