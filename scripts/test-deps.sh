#!/usr/bin/env bash
# Installs what the test suite needs beyond Python packages. Idempotent; quiet when done.
set -euo pipefail
BIN="${1:-.venv/bin}"
# The Neo4j parity suite runs ArcadeDB's Bolt server on the JRE bundled in the
# arcadedb-embedded wheel (a test extra); make sure that JRE runs on this machine.
"$BIN/python" - <<'PY'
import pathlib, subprocess, sys
try:
    import arcadedb_embedded
except ImportError:
    sys.exit("arcadedb-embedded is missing: pip install -e '.[test]'")
java = pathlib.Path(arcadedb_embedded.__file__).parent / "jre" / "bin" / "java"
subprocess.run([str(java), "-version"], check=True, capture_output=True)
PY
# A real browser for the HTML report test (tests/test_report_browser.py) and the explorer's
# browser tests (tests/test_explorer_browser.py): Debian's Chromium where apt is available,
# else Playwright's own download (needs internet).
if [ ! -x /usr/bin/chromium ]; then
  if command -v apt-get >/dev/null 2>&1; then
    apt-get install -y chromium >/dev/null || { apt-get update >/dev/null && apt-get install -y chromium >/dev/null; }
  else
    "$BIN/python" -m playwright install chromium
  fi
fi
# A real n8n server for the collector tests (tests/n8n_server.py), from the npm registry
# once per machine into ~/.cache/nhigraph/n8n-<version> ($NHIGRAPH_CACHE), linked from the
# ignored .cache/n8n; reused by every clone while its package.json holds.
bash "$(dirname "$0")/install-n8n.sh"
echo "test dependencies ready"
