#!/usr/bin/env bash
# Installs what the test suite needs beyond Python packages. Idempotent; quiet when done.
set -euo pipefail
BIN="${1:-.venv/bin}"
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
echo "test dependencies ready"
