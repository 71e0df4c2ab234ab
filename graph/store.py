"""The store interface both backends implement (:mod:`graph.backends` chooses and opens one).

Queries talk to a store only through the :class:`Store` protocol, so every analysis runs
unchanged on the embedded store and on Neo4j. The reads are small on purpose: fetch nodes
(``get_node``, ``get_nodes``, ``nodes``), match nodes by a property (``find_nodes``),
expand a frontier one hop along chosen edge kinds (``expand``), list edges (``edges``),
and say what is there (``counts``, ``runs``, ``is_empty``, ``sources``, ``foreign_data``).
Aggregate reads (``credential_users``, ``reached``) return only an analysis' result rows: the Neo4j
store selects and aggregates them in Cypher, the others use the defaults given here.
A Neo4j store answers each with one Cypher query, so an analysis never pulls the whole
graph across.

The walks are methods too, each store using its own engine of :mod:`graph.traversal`:
the embedded store walks its memory-mapped CSR arrays (``*_csr``), the in-memory store of
snapshots and what-if plans (:mod:`graph.memory`) walks NetworkX's dicts (``*_in_memory``),
and Neo4j asks one hop per query (``*_by_hops``):

* ``reach``: one walk (``walk_csr`` / ``walk_in_memory`` / ``walk_by_hops``);
* ``reach_many``: what each of many start sets reaches: a walk per set, or from 64 sets on
  one pass over the condensation (in memory), or one joint walk (Neo4j, a few queries per
  hop for all sets);
* ``reachable_sets``: every node's reachable set at once: one condensation
  (:mod:`graph.condensation`) in memory, and on Neo4j the same condensation in the client
  over the edge columns streamed once (:mod:`graph.neo4j_columns`); Neo4j's
  ``reach_many_kinds``, ``reached`` and ``first_paths`` read the adjacency they need in one
  sweep and walk it in the client (:mod:`graph.neo4j_reach`).

Writes take a validated :class:`~graph.records.Batch` for one named *source* and are
atomic: after a successful run, whatever that source wrote before and did not write again
is removed (nodes and edges another source also saw stay), the way Cartography cleans up
stale data with an update tag. Both stores subclass :class:`Store`, and mypy checks that
each implements every method (``make lint``).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from typing import Any, Protocol

from .model import ACCESS_EDGES
from .records import Batch, Edge, WriteResult
from .traversal import Reach, ReachableSets, StartKey

__all__ = ["DEFAULT_STORE_DIR", "Store", "WriteResult"]

DEFAULT_STORE_DIR = ".nhigraph"


class Store(Protocol):
    backend: str  # "embedded" or "neo4j"
    location: str  # a folder or a URI (never with a password in it)

    def get_node(self, node_id: str) -> dict | None: ...

    def get_nodes(self, ids: Iterable[str]) -> dict[str, dict]: ...

    def nodes(self, kind: str | None = None) -> Iterator[dict]: ...

    def find_nodes(self, key: str, value: Any, case_insensitive: bool = False) -> list[dict]:
        """Nodes whose property ``key`` equals ``value``."""
        ...

    def expand(self, ids: Iterable[str], direction: str, kinds: Iterable[str]) -> list[Edge]:
        """Edges one hop ``out`` of or ``in`` to the given nodes, of the given kinds."""
        ...

    def expand_ends(self, ids: Iterable[str], direction: str, kinds: Iterable[str],
                    ) -> list[tuple[str, str, str]]:
        """``(src, kind, dst)`` of :meth:`expand`'s edges, in its order, for callers that
        need only the ends (the embedded store then decodes no edge properties)."""
        return [(e.src, e.kind, e.dst) for e in self.expand(ids, direction, kinds)]

    def edges(self, kind: str | None = None) -> Iterator[Edge]: ...

    def counts(self) -> dict[str, dict[str, int]]: ...

    def runs(self) -> list[dict]: ...

    def is_empty(self) -> bool: ...

    def sources(self) -> set[str]:
        """Every source that wrote something still in the graph."""
        ...

    def foreign_data(self) -> str | None:
        """Labels of a node nhigraph did not write, if the store holds any (else None)."""
        ...

    def reach(self, sources: Iterable[str], direction: str = "out",
              kinds: Iterable[str] = ACCESS_EDGES, max_depth: int | None = None,
              as_of: str | None = None, check_validity: bool = True,
              keep_edges: bool = True) -> Reach:
        """Walk from ``sources`` along ``kinds`` edges, ``out`` (what they reach) or
        ``in`` (what reaches them), at most ``max_depth`` hops; credentials that no longer
        work (as of ``as_of``) are reached but not expanded unless ``check_validity`` is
        off. ``keep_edges=False`` leaves ``Reach.edges`` empty."""
        ...

    def reach_many(self, start_sets: Iterable[Iterable[str]], direction: str = "out",
                   kinds: Iterable[str] = ACCESS_EDGES, as_of: str | None = None,
                   ) -> tuple[dict[StartKey, set[str]], dict[str, dict]]:
        """What each start set reaches (keyed by its sorted tuple of ids), and every node
        met: ``set(reach(s).dist)`` for each set ``s``."""
        ...

    def reachable_sets(self, kinds: Iterable[str], stop: set[str]) -> ReachableSets:
        """Every node's reachable set at once (by one or more edges of ``kinds``, ``stop``
        nodes reached but not expanded): node ids in sorted order, each node's component
        number, and each component's set of reachable node numbers (a node on a cycle
        reaches itself)."""
        ...

    # --- aggregate reads: an analysis' candidates, selected where the data lives -------
    # Defaults over the store's own reads (what the embedded and in-memory stores use);
    # the Neo4j store matches and aggregates in the database (graph/neo4j_aggregate.py).

    def credential_users(self, min_workflows: int = 1) -> dict[str, set[str]]:
        """Credential id -> the workflows using it (the rules of
        :mod:`graph.credential_use`), for the credentials at least ``min_workflows``
        workflows use."""
        from .credential_use import credential_users

        return credential_users(self, min_workflows)

    def reached(self, sources: Iterable[str], direction: str = "out",
                kinds: Iterable[str] = ACCESS_EDGES, as_of: str | None = None,
                check_validity: bool = True) -> set[str]:
        """The ids ``reach`` meets (``set(reach(...).dist)``, the sources included),
        without the paths."""
        return set(self.reach(sources, direction, kinds, as_of=as_of,
                              check_validity=check_validity, keep_edges=False).dist)

    def accountable_owners(self, ids: Iterable[str], nodes: Mapping[str, dict] | None = None,
                           ) -> dict[str, list[str]]:
        """Each of ``ids`` -> the owner ids accountable for it, sorted (the rules of
        :mod:`graph.ownership`: its own owners, else the nearest level of parents that has
        any), empty when none. ``nodes``: nodes by id the caller has read already."""
        from .ownership import accountable_owners

        return accountable_owners(self, ids, nodes)

    def node_values(self, kinds: Iterable[str], defaults: dict[str, Any],
                    ) -> tuple[list[str], dict[str, list[Any]]]:
        """``(ids, {key: values})`` of every node whose kind is one of ``kinds``, sorted by
        id: each value ``node.get(key, defaults[key])`` of :meth:`nodes`. What an analysis
        reads of every node of a kind when it needs a few properties; a store may answer it
        without a dict per node."""
        found = sorted((n for kind in dict.fromkeys(kinds) for n in self.nodes(kind)),
                       key=lambda n: n["id"])
        return ([n["id"] for n in found],
                {key: [n.get(key, d) for n in found] for key, d in defaults.items()})

    def edges_containing(self, kind: str, texts: Iterable[str]) -> Iterator[Edge]:
        """The edges of ``kind`` that may have a property whose text value (or a text in
        its list value) contains one of ``texts``: at least every such edge, maybe more
        (this default gives every edge of ``kind``), so the caller still tests the
        properties. A store that keeps properties as text may skip the others unread."""
        return self.edges(kind)

    def reach_many_kinds(self, start_sets: Iterable[Iterable[str]], node_kinds: Iterable[str],
                         as_of: str | None = None) -> dict[StartKey, list[str]]:
        """Of what each start set reaches forward along the access edges (``reach_many``),
        the nodes whose kind is one of ``node_kinds``, sorted."""
        seen, nodes = self.reach_many(start_sets, "out", ACCESS_EDGES, as_of)
        wanted = set(node_kinds)
        return {k: sorted(x for x in v if nodes.get(x, {}).get("kind") in wanted)
                for k, v in seen.items()}

    def node_texts(self, kind: str | None = None,
                   ) -> tuple[list[str], dict[str, list[str | None]]]:
        """``(ids, {"name": [...], "arn": [...]})`` of :meth:`nodes` (of ``kind``), in its
        order: each node's ``name`` and ``arn`` where they are text, else None. What the
        name search reads of every node; a store may answer it without decoding each node's
        properties."""
        ids: list[str] = []
        texts: dict[str, list[str | None]] = {"name": [], "arn": []}
        for n in self.nodes(kind):
            ids.append(n["id"])
            for key, column in texts.items():
                value = n.get(key)
                column.append(value if isinstance(value, str) else None)
        return ids, texts

    def node_columns(self, keys: Sequence[str], kinds: Collection[str] | None = None,
                     ) -> tuple[list[str], list[str], dict[str, list[Any]]]:
        """``(ids, node_kinds, {key: values})`` of every node, in sorted id order: each
        node's kind and its property ``key`` (None where it has none, or where its kind is
        not among ``kinds``). What an analysis of the whole graph reads of a few
        properties (the blast figures: crown jewels, credential status and expiry); a
        store may answer it without decoding each node's properties. A stored node never
        holds a null (validation drops them), so None means "not there". The lists are
        the caller's to read, not to change (a store may hand the same ones out again)."""
        rows = sorted(((n["id"], n) for n in self.nodes()), key=lambda r: r[0])
        wanted = None if kinds is None else set(kinds)
        ids = [i for i, _ in rows]
        node_kinds = [n["kind"] for _, n in rows]
        values = {key: [n.get(key) if wanted is None or n["kind"] in wanted else None
                        for _, n in rows] for key in keys}
        return ids, node_kinds, values

    def edge_columns(self, kind: str, key: str | None) -> tuple[Any, Any, list[Any]]:
        """``(src, dst, values)`` of every edge of ``kind``: its ends as numbers (numpy
        int64 arrays) into :meth:`node_columns`' sorted ids, and its property ``key``
        (None where it has none; all None for no ``key``), with no ``Edge`` per edge where
        the store can help it."""
        import numpy as np

        number = {nid: i for i, nid in enumerate(sorted(n["id"] for n in self.nodes()))}
        src: list[int] = []
        dst: list[int] = []
        values: list[Any] = []
        for e in self.edges(kind):
            a, b = number.get(e.src), number.get(e.dst)
            if a is not None and b is not None:
                src.append(a)
                dst.append(b)
                values.append(None if key is None else e.props.get(key))
        return np.asarray(src, dtype=np.int64), np.asarray(dst, dtype=np.int64), values

    def write(self, batch: Batch, source: str, replace: bool = False) -> WriteResult: ...

    def close(self) -> None: ...
