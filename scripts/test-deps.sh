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
echo "test dependencies ready"
