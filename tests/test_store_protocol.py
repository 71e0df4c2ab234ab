"""Both stores declare the :class:`graph.store.Store` protocol and implement every one of
its methods themselves (mypy checks the signatures; this checks that no method is the
protocol's empty body inherited by accident)."""

from __future__ import annotations

import pytest

from graph.embedded import EmbeddedStore
from graph.neo4j_store import Neo4jStore
from graph.store import Store

METHODS = sorted(name for name, v in vars(Store).items()
                 if callable(v) and not name.startswith("_"))


def test_the_protocol_declares_what_queries_use():
    assert {"get_node", "get_nodes", "nodes", "find_nodes", "expand", "edges", "counts",
            "runs", "is_empty", "sources", "foreign_data", "reach", "reach_many",
            "reachable_sets", "write", "close"} <= set(METHODS)


@pytest.mark.parametrize("cls", [EmbeddedStore, Neo4jStore])
def test_each_store_implements_every_method(cls):
    assert Store in cls.__mro__
    missing = [m for m in METHODS if getattr(cls, m) is getattr(Store, m)]
    assert not missing, f"{cls.__name__} inherits the protocol's empty {missing}"
