#!/usr/bin/env bash
# The one-command demo: `npm run demo` (prints the items), `npm run demo -- --editor` (then keeps n8n open
# at http://localhost:5678 until Ctrl-C). Brings Node 24 and the dev dependencies first when missing
# (scripts/run.sh); n8n is installed once into ~/.cache/n8n-nodes-anyformat. Details: scripts/demo.js.
set -euo pipefail
cd "$(dirname "$0")/.."
exec bash scripts/run.sh node scripts/demo.js "$@"
