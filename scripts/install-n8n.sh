#!/usr/bin/env bash
# Installs the n8n server the collector tests run against (tests/n8n_server.py) from the npm
# registry, once per machine: into ${NHIGRAPH_CACHE:-$HOME/.cache/nhigraph}/n8n-<version>/,
# then links the project's ignored .cache/n8n to it, so every clone on the machine (a CI
# run's fresh clone included) reuses one install instead of compiling sqlite3 again (the
# first install took 28 minutes here). A later run whose package.json is unchanged reuses
# it (the stamp is written only after a complete install). NHIGRAPH_N8N_DIR installs into
# that folder instead, with no link. n8n 2.8.x is the newest that supports Node 20; its xlsx
# dependency points outside the registry, so scripts/n8n-server/package.json pins it back.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
SRC="$ROOT/scripts/n8n-server/package.json"
VERSION="$(sed -n 's/^ *"n8n": *"\([^"]*\)".*/\1/p' "$SRC")"
LINK="$ROOT/.cache/n8n"
DEST="${NHIGRAPH_N8N_DIR:-${NHIGRAPH_CACHE:-$HOME/.cache/nhigraph}/n8n-$VERSION}"
STAMP="$DEST/.installed-from-package.json"

link() {
  [ -n "${NHIGRAPH_N8N_DIR:-}" ] && return 0
  [ "$(readlink "$LINK" 2>/dev/null)" = "$DEST" ] && return 0
  mkdir -p "$ROOT/.cache"
  if [ -e "$LINK" ] && [ ! -L "$LINK" ]; then
    echo "$LINK is a folder (an install from before the machine-wide cache); using it" \
         "where it stands: remove it to share $DEST" >&2
    return 0
  fi
  ln -sfn "$DEST" "$LINK"
}

installed() { [ -x "$DEST/node_modules/.bin/n8n" ] && cmp -s "$SRC" "$STAMP"; }
if installed; then
  link
  exit 0
fi
# Two clones installing at once on one machine (parallel checkouts, a CI run beside a
# session) would run npm into the same folder: the second waits for the first, then reuses it.
mkdir -p "$(dirname "$DEST")"
exec 9>"$DEST.lock"
if command -v flock >/dev/null 2>&1; then
  flock 9
  if installed; then
    link
    exit 0
  fi
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
echo "installing n8n $VERSION into $DEST (once per machine; up to half an hour, about 2.4 GB)"
start=$(date +%s)
(cd "$DEST" && npm install --no-audit --no-fund --loglevel=error >"$DEST/install.log" 2>&1) \
  || { echo "n8n install failed; see $DEST/install.log" >&2; exit 1; }
cp "$SRC" "$STAMP"
link
echo "n8n installed in $(( $(date +%s) - start ))s"
