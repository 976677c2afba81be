#!/usr/bin/env bash
# Runs a project command under Node 24, installing the dev dependencies first when they are missing
# or older than the lockfile, so `npm test` and `npm run demo` work on a fresh clone.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/node24.sh
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "[setup] installing dev dependencies (npm ci, a few minutes the first time)" >&2
  npm ci --no-audit --no-fund >&2
fi
export PATH="$PWD/node_modules/.bin:$PATH"
exec "$@"
