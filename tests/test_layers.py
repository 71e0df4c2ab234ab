"""The one-way rule between the layers: ``graph`` and ``queries`` never import ``reports``
(presentation sits on top of the analyses, not inside them)."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _imports(path: Path) -> set[str]:
    out = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            out.add(node.module)
    return out


def test_analyses_never_import_presentation():
    offenders = [str(p.relative_to(ROOT)) for layer in ("graph", "queries")
                 for p in sorted((ROOT / layer).rglob("*.py"))
                 if any(m == "reports" or m.startswith("reports.") for m in _imports(p))]
    assert offenders == []
