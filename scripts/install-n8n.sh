#!/usr/bin/env bash
# Installs the n8n server the collector tests run against (tests/n8n_server.py) into
# .cache/n8n/ from the npm registry, once: a later run whose package.json is unchanged
# reuses it (the stamp is written only after a complete install). n8n 2.8.x is the newest
# that supports Node 20; its xlsx dependency points outside the registry, so
# scripts/n8n-server/package.json pins it back to the registry's xlsx.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
DEST="${NHIGRAPH_N8N_DIR:-$ROOT/.cache/n8n}"
SRC="$ROOT/scripts/n8n-server/package.json"
STAMP="$DEST/.installed-from-package.json"
if [ -x "$DEST/node_modules/.bin/n8n" ] && cmp -s "$SRC" "$STAMP"; then
  exit 0
fi
if ! command -v npm >/dev/null 2>&1; then
  if command -v apt-get >/dev/null 2>&1; then
    apt-get install -y nodejs npm >/dev/null || { apt-get update >/dev/null && apt-get install -y nodejs npm >/dev/null; }
  else
    echo "npm is missing: install Node.js 20 and npm" >&2; exit 1
  fi
fi
mkdir -p "$DEST"
cp "$SRC" "$DEST/package.json"
echo "installing n8n into $DEST (first time only; several minutes, about 2 GB)"
start=$(date +%s)
(cd "$DEST" && npm install --no-audit --no-fund --loglevel=error >"$DEST/install.log" 2>&1) \
  || { echo "n8n install failed; see $DEST/install.log" >&2; exit 1; }
cp "$SRC" "$STAMP"
echo "n8n installed in $(( $(date +%s) - start ))s"
