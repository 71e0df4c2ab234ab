"""Both stores declare the :class:`graph.store.Store` protocol and implement every one of
its empty methods themselves (mypy checks the signatures; this checks that no method is the
protocol's empty ``...`` body inherited by accident). A protocol method with a real default
body (``credential_users``, ``reached``: the Python rules over the store's own reads) may be
inherited; Neo4j overrides them with aggregating Cypher. ``expand_ends`` (``expand`` without
the properties) is a default too: the embedded store overrides it to decode no properties,
Neo4j may inherit it."""

from __future__ import annotations

import ast
import inspect

import pytest

from graph.embedded import EmbeddedStore
from graph.neo4j_store import Neo4jStore
from graph.store import Store

METHODS = sorted(name for name, v in vars(Store).items()
                 if callable(v) and not name.startswith("_"))


def _empty_methods() -> set[str]:
    """The protocol's methods whose body is only a docstring and ``...``."""
    tree = ast.parse(inspect.getsource(Store))
    empty = set()
    for f in tree.body[0].body:  # type: ignore[attr-defined]
        if not isinstance(f, ast.FunctionDef):
            continue
        body = [b for b in f.body
                if not (isinstance(b, ast.Expr) and isinstance(b.value, ast.Constant)
                        and isinstance(b.value.value, str))]
        if all(isinstance(b, ast.Expr) and isinstance(b.value, ast.Constant)
               and b.value.value is Ellipsis for b in body):
            empty.add(f.name)
    return empty


EMPTY = _empty_methods()


def test_the_protocol_declares_what_queries_use():
    assert {"get_node", "get_nodes", "nodes", "find_nodes", "expand", "edges", "counts",
            "runs", "is_empty", "sources", "foreign_data", "reach", "reach_many",
            "reachable_sets", "write", "close"} <= set(METHODS)


@pytest.mark.parametrize("cls", [EmbeddedStore, Neo4jStore])
def test_each_store_implements_every_method(cls):
    assert Store in cls.__mro__
    missing = [m for m in METHODS if m in EMPTY and getattr(cls, m) is getattr(Store, m)]
    assert not missing, f"{cls.__name__} inherits the protocol's empty {missing}"


def test_the_defaults_are_few_and_neo4j_overrides_them():
    defaults = set(METHODS) - EMPTY
    # expand_ends, reach_many_kinds, node_texts, node_values and node_columns are exact
    # projections of expand, reach_many and nodes, edge_columns of edges (and nodes, to
    # number the ends), edges_containing a superset filter of edges, and
    # accountable_owners is expand_ends a few levels up; the embedded store answers them
    # on its arrays and columns (Neo4j by the defaults: edge_columns reads the nodes once
    # more than the loop it replaces).
    derived = {"expand_ends", "reach_many_kinds", "node_texts", "node_values",
               "accountable_owners", "edges_containing", "node_columns", "edge_columns"}
    assert defaults == {"credential_users", "reached"} | derived
    assert {"get_node", "expand", "reach", "write"} <= EMPTY
    aggregates = defaults - derived
    assert all(getattr(Neo4jStore, m) is not getattr(Store, m) for m in aggregates)
    assert all(getattr(EmbeddedStore, m) is not getattr(Store, m) for m in defaults)
