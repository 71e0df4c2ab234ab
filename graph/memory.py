"""An in-memory store: the :class:`~graph.store.Store` protocol over a NetworkX graph that
lives only in this process, never on disk.

Snapshots (:mod:`graph.snapshot`) open as one, and the what-if and cut analyses
(:mod:`queries.what_if`, :mod:`queries.cut`) apply their changes to one copied from any
store, so the real store is never touched. The graph is a :class:`networkx.MultiDiGraph`
keyed by edge kind with the node's properties plus ``kind`` as attributes (no ``seen_by``),
and every walk uses the in-memory engines of :mod:`graph.traversal`, like the embedded
store, so answers match both stores.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from typing import Any

import networkx as nx

from . import traversal
from .model import ACCESS_EDGES
from .records import Batch, Edge, WriteResult
from .store import Store


def _public(nid: str, attrs: dict) -> dict:
    out = dict(attrs)
    out["id"] = nid
    return out


class MemoryStore(Store):
    """A read-mostly store over ``graph``; ``remove_edge``/``remove_node``/``add_edge``
    change it (what-if plans), ``write`` is refused (it is a copy, not a store to ingest
    into)."""

    backend = "memory"

    def __init__(self, graph: nx.MultiDiGraph | None = None, location: str = "memory",
                 runs: list[dict] | None = None):
        self.graph = graph if graph is not None else nx.MultiDiGraph()
        self.location = location
        self._runs = list(runs or [])

    @classmethod
    def from_rows(cls, nodes: Iterable[dict], edges: Iterable[Edge | tuple],
                  location: str = "memory", runs: list[dict] | None = None) -> MemoryStore:
        """A store of node dicts (with ``id`` and ``kind``) and edges, given as
        :class:`Edge` or ``(src, kind, dst, props)`` tuples."""
        g = nx.MultiDiGraph()
        g.add_nodes_from((n["id"], n) for n in nodes)  # "id" kept: _public sets it anyway
        g.add_edges_from((e.src, e.dst, e.kind, e.props) if isinstance(e, Edge)
                         else (e[0], e[2], e[1], e[3] or {}) for e in edges)
        return cls(g, location, runs)

    @classmethod
    def copy_of(cls, store: Store) -> MemoryStore:
        """Every node and edge of ``store``, copied into memory."""
        return cls.from_rows(store.nodes(), store.edges(), f"copy of {store.location}",
                             store.runs())

    # --- reads -----------------------------------------------------------------------

    def get_node(self, node_id: str) -> dict | None:
        attrs = self.graph.nodes.get(node_id)
        return None if attrs is None else _public(node_id, attrs)

    def get_nodes(self, ids: Iterable[str]) -> dict[str, dict]:
        nodes = self.graph._node
        return {i: _public(i, nodes[i]) for i in ids if i in nodes}

    def nodes(self, kind: str | None = None) -> Iterator[dict]:
        for nid, attrs in self.graph.nodes(data=True):
            if kind is None or attrs.get("kind") == kind:
                yield _public(nid, attrs)

    def find_nodes(self, key: str, value: Any, case_insensitive: bool = False) -> list[dict]:
        if case_insensitive and isinstance(value, str):
            value = value.lower()
        out = []
        for nid, attrs in self.graph.nodes(data=True):
            v = attrs.get(key)
            if case_insensitive and isinstance(v, str):
                v = v.lower()
            if isinstance(v, (str, int, float, bool)) and v == value:
                out.append(_public(nid, attrs))
        return out

    def expand(self, ids: Iterable[str], direction: str, kinds: Iterable[str]) -> list[Edge]:
        kinds = set(kinds)
        adj = self.graph._succ if direction == "out" else self.graph._pred
        out: list[Edge] = []
        for nid in ids:
            for other, keyed in (adj.get(nid) or {}).items():
                for k, attrs in keyed.items():
                    if k in kinds:
                        out.append(Edge(nid, k, other, dict(attrs)) if direction == "out"
                                   else Edge(other, k, nid, dict(attrs)))
        return out

    def edges(self, kind: str | None = None) -> Iterator[Edge]:
        for a, b, k, attrs in self.graph.edges(keys=True, data=True):
            if kind is None or k == kind:
                yield Edge(a, k, b, dict(attrs))

    def counts(self) -> dict[str, dict[str, int]]:
        nodes = Counter(k for _, k in self.graph.nodes(data="kind"))
        edges = Counter(k for _, _, k in self.graph.edges(keys=True))
        return {"nodes": dict(sorted(nodes.items())), "edges": dict(sorted(edges.items()))}

    def runs(self) -> list[dict]:
        return list(self._runs)

    def is_empty(self) -> bool:
        return self.graph.number_of_nodes() == 0

    def sources(self) -> set[str]:
        return {r["source"] for r in self._runs if r.get("source")}

    def foreign_data(self) -> str | None:
        return None

    def reach(self, sources: Iterable[str], direction: str = "out",
              kinds: Iterable[str] = ACCESS_EDGES, max_depth: int | None = None,
              as_of: str | None = None, check_validity: bool = True,
              keep_edges: bool = True) -> traversal.Reach:
        return traversal.walk_in_memory(self.graph, _public, sources, direction, kinds,
                                        max_depth, traversal.expandable(as_of, check_validity),
                                        keep_edges)

    def reach_many(self, start_sets: Iterable[Iterable[str]], direction: str = "out",
                   kinds: Iterable[str] = ACCESS_EDGES, as_of: str | None = None,
                   ) -> tuple[dict[traversal.StartKey, set[str]], dict[str, dict]]:
        return traversal.reach_many_in_memory(self.graph, _public, start_sets, direction,
                                              kinds, traversal.expandable(as_of))

    def reachable_sets(self, kinds: Iterable[str], stop: set[str]) -> traversal.ReachableSets:
        return traversal.reachable_sets_in_memory(self.graph, kinds, stop)

    # --- changes (what-if plans only) --------------------------------------------------

    def write(self, batch: Batch, source: str, replace: bool = False) -> WriteResult:
        from .errors import StoreError

        raise StoreError(f"{self.location}: an in-memory copy is not written to; "
                         "ingest into a store instead")

    def remove_edge(self, src: str, kind: str, dst: str) -> bool:
        if self.graph.has_edge(src, dst, kind):
            self.graph.remove_edge(src, dst, kind)
            return True
        return False

    def remove_node(self, node_id: str) -> None:
        if node_id in self.graph:
            self.graph.remove_node(node_id)

    def add_node(self, node_id: str, kind: str, **props: Any) -> None:
        self.graph.add_node(node_id, kind=kind, **props)

    def add_edge(self, src: str, kind: str, dst: str, **props: Any) -> None:
        self.graph.add_edge(src, dst, kind, **props)

    def set_props(self, node_id: str, **props: Any) -> None:
        self.graph.nodes[node_id].update(props)

    def close(self) -> None:
        pass
