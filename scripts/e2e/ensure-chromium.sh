#!/usr/bin/env bash
# Makes sure Debian's chromium is at /usr/bin/chromium (the browser the Playwright smoke test drives through
# playwright-core; `npx playwright install` cannot download browsers here). Installs it with apt-get when
# missing: apt-get update first, non-interactive. Root, or sudo without a password, is needed for that.
set -euo pipefail
if [ -x /usr/bin/chromium ]; then
  echo "[ensure-chromium] $(/usr/bin/chromium --version 2>/dev/null || echo chromium) already installed" >&2
  exit 0
fi
SUDO=""
if [ "$(id -u)" != 0 ]; then
  command -v sudo >/dev/null && SUDO="sudo -n" || { echo "[ensure-chromium] need root to apt-get install chromium" >&2; exit 1; }
fi
start=$SECONDS
export DEBIAN_FRONTEND=noninteractive
echo "[ensure-chromium] apt-get update + install chromium" >&2
$SUDO apt-get update -qq >&2
# fonts-liberation: readable text in screenshots (the bare install may have no Latin fonts)
$SUDO apt-get install -y -qq --no-install-recommends chromium fonts-liberation >&2
echo "[ensure-chromium] $(/usr/bin/chromium --version) installed in $((SECONDS - start))s" >&2
