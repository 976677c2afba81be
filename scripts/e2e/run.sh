#!/usr/bin/env bash
# Runs the real-n8n end-to-end tests (test/e2e/*.e2e.test.js) under Node 24:
# installs the n8n versions they use (once, cached outside the repo) and Debian's chromium, then jest.
#   bash scripts/e2e/run.sh [jest args...]        e.g. -t webhook, or test/e2e/infra.e2e.test.js
# N8N_E2E_VERSIONS=2.41.1,1.101.1 (default: the two in test/e2e/lib/n8n.js VERSIONS).
set -euo pipefail
cd "$(dirname "$0")/../.."
if [ -z "${N8N_E2E_VERSIONS:-}" ]; then
  N8N_E2E_VERSIONS="$(node -p "Object.values(require('./test/e2e/lib/n8n.js').VERSIONS).join(',')")"
fi
export N8N_E2E_VERSIONS
for v in ${N8N_E2E_VERSIONS//,/ }; do
  bash scripts/e2e/install-n8n.sh "$v" >/dev/null
done
bash scripts/e2e/ensure-chromium.sh
exec bash scripts/run.sh jest -c jest.e2e.config.js "$@"
