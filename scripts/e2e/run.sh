#!/usr/bin/env bash
# Runs the real-n8n end-to-end tests (test/e2e/*.e2e.test.js) under Node 24:
# installs the n8n versions they use (once, cached outside the repo) and Debian's chromium, builds the
# package from the sources and packs it with `npm pack` once (ANYFORMAT_E2E_TGZ, installed by every test
# file into its n8n the way "Install community node" does), then jest.
#   bash scripts/e2e/run.sh [jest args...]        e.g. -t webhook, or test/e2e/trigger.e2e.test.js
# N8N_E2E_VERSIONS=2.41.1,1.101.1 (default: the two in test/e2e/lib/n8n.js VERSIONS); also
# N8N_E2E_TRIGGER_VERSIONS, N8N_E2E_EDITOR_VERSIONS. N8N_E2E_UPDATE_SCREENSHOTS=1 refreshes docs/screenshots/.
set -euo pipefail
cd "$(dirname "$0")/../.."
start=$SECONDS
if [ -z "${N8N_E2E_VERSIONS:-}" ]; then
  N8N_E2E_VERSIONS="$(node -p "Object.values(require('./test/e2e/lib/n8n.js').VERSIONS).join(',')")"
fi
export N8N_E2E_VERSIONS
for v in ${N8N_E2E_VERSIONS//,/ }; do
  bash scripts/e2e/install-n8n.sh "$v" >/dev/null
done
bash scripts/e2e/ensure-chromium.sh
echo "[e2e] n8n and chromium ready after $((SECONDS - start))s" >&2

# the package as users get it: dist/ built from the sources, then `npm pack`
t0=$SECONDS
bash scripts/run.sh n8n-node build >/dev/null
pack_dir="$(mktemp -d "${TMPDIR:-/tmp}/anyformat-e2e-pack-XXXXXX")"
trap 'rm -rf "$pack_dir"' EXIT
tgz="$(bash scripts/run.sh npm pack --silent --pack-destination "$pack_dir" 2>/dev/null | tail -n1)"
export ANYFORMAT_E2E_TGZ="$pack_dir/$tgz"
[ -f "$ANYFORMAT_E2E_TGZ" ] || { echo "[e2e] npm pack produced no tarball" >&2; exit 1; }
echo "[e2e] built and packed $tgz in $((SECONDS - t0))s" >&2

rc=0
bash scripts/run.sh jest -c jest.e2e.config.js "$@" || rc=$?
echo "[e2e] done in $((SECONDS - start))s (exit $rc)" >&2
exit "$rc"
