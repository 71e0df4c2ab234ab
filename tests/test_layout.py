"""The layout stays honest: no import circle anywhere in the project, and dependencies point
one way, ``ingest -> graph <- queries <- reports <- (cli, app.py, notebooks)``.

Imports are read from the source (every ``import`` and ``from ... import``, including the
ones inside functions that a lazy import would use to dodge a circle), resolved to the
project's own modules, and checked as a graph. ``make lint`` and ``make test`` run this file.
"""

from __future__ import annotations

import ast
from pathlib import Path

import networkx as nx
import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("cli", "graph", "ingest", "queries", "reports", "explorer", "sample_estate")

#: layer -> the project layers it must never import.
FORBIDDEN = {
    "graph": {"ingest", "queries", "reports", "cli", "explorer", "sample_estate", "app"},
    "ingest": {"queries", "reports", "cli", "explorer", "app"},
    "queries": {"ingest", "reports", "cli", "explorer", "sample_estate", "app"},
    "reports": {"ingest", "cli", "explorer", "app"},
    "explorer": {"cli"},
}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def project_modules() -> dict[str, Path]:
    found = {}
    for pkg in PACKAGES:
        for path in sorted((ROOT / pkg).rglob("*.py")):
            if "conftest" not in path.name:
                found[_module_name(path)] = path
    for path in sorted(ROOT.glob("*.py")):  # app.py and any other top-level module
        found[path.stem] = path
    return found


def _resolve(name: str, modules: dict[str, Path]) -> str | None:
    """The longest project module that ``name`` names or lies inside."""
    while name:
        if name in modules:
            return name
        name = name.rpartition(".")[0]
    return None


def _runtime_nodes(tree: ast.AST):
    """Every node of ``tree`` except what sits under ``if TYPE_CHECKING:`` (annotations
    only: those imports never run, so they cannot form a circle at run time)."""
    stack = [tree]
    while stack:
        node = stack.pop()
        yield node
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and "TYPE_CHECKING" in ast.unparse(child.test):
                stack.extend(child.orelse)
                continue
            stack.append(child)


def import_graph() -> nx.DiGraph:
    modules = project_modules()
    g = nx.DiGraph()
    g.add_nodes_from(modules)
    for mod, path in modules.items():
        is_pkg = path.name == "__init__.py"
        package = mod if is_pkg else mod.rpartition(".")[0]
        for node in _runtime_nodes(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    base = package.split(".") if package else []
                    base = base[: len(base) - (node.level - 1)]
                    stem = ".".join([*base, node.module] if node.module else base)
                else:
                    stem = node.module or ""
                # `from pkg import sub` imports the submodule when there is one.
                targets = [f"{stem}.{a.name}" if f"{stem}.{a.name}" in modules else stem
                           for a in node.names]
            for t in targets:
                hit = _resolve(t, modules)
                if hit and hit != mod:
                    g.add_edge(mod, hit)
                    # Importing a.b.c runs a/__init__ and a/b/__init__ first: a module outside
                    # those packages depends on them too.
                    parts = hit.split(".")
                    for i in range(1, len(parts)):
                        parent = ".".join(parts[:i])
                        if parent in modules and not mod.startswith(parent + ".") \
                                and parent != mod:
                            g.add_edge(mod, parent)
    return g


def test_the_import_graph_is_read():
    g = import_graph()
    # A reader that found no edges would pass every check below.
    assert g.number_of_edges() > 100
    assert g.has_edge("queries.blast_radius", "queries.traverse")


def test_no_import_circle():
    cycles = [sorted(c) for c in nx.strongly_connected_components(import_graph()) if len(c) > 1]
    assert cycles == [], f"import circles: {cycles}"


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_dependencies_point_one_way(layer):
    bad = sorted((a, b) for a, b in import_graph().edges
                 if a.split(".")[0] == layer and b.split(".")[0] in FORBIDDEN[layer])
    assert bad == [], f"{layer} must not import {sorted(FORBIDDEN[layer])}: {bad}"


def test_a_circle_is_caught(tmp_path, monkeypatch):
    """The checker itself: two modules importing each other (one lazily) form a circle."""
    pkg = tmp_path / "graph"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "a.py").write_text("from .b import x\n")
    (pkg / "b.py").write_text("def f():\n    from graph.a import y\n")
    (pkg / "c.py").write_text("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n"
                              "    from .d import T\n")
    (pkg / "d.py").write_text("from .c import x\n")
    monkeypatch.setattr(__import__(__name__, fromlist=["ROOT"]), "ROOT", tmp_path)
    monkeypatch.setattr(__import__(__name__, fromlist=["PACKAGES"]), "PACKAGES", ("graph",))
    comps = [c for c in nx.strongly_connected_components(import_graph()) if len(c) > 1]
    assert comps == [{"graph.a", "graph.b"}]
