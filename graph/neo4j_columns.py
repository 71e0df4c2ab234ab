"""The Neo4j store's whole-graph column reads: a few properties of every node, the ends of
every edge, every node's reachable set.

The defaults in :class:`graph.store.Store` answer these from ``nodes()`` and ``edges()``:
every property of every node and edge crosses the wire (and ``edge_columns`` read every
node once more to number the ends). Here each is one streamed Cypher read that returns
only what is asked: an id and the named properties per node (``node_columns``,
``node_values``, ``node_texts``), a source id with the list of its targets per source node
(``reachable_sets``, ``edge_columns``), the edges whose property text may contain a word
(``edges_containing``). Every node's reachable set is then one condensation of those edges
in the client (:mod:`graph.condensation`, the embedded store's engine), instead of a joint
walk whose per-start-set state grows with the sum of all blast radii (about 1e9 entries at
1M nodes). tests/test_neo4j_columns.py holds each to the embedded store's answer.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

from .model import EDGE_KINDS, NODE_KINDS
from .neo4j_cypher import INTERNAL, NODE_LABEL, RUN_LABEL, edge_sources, kind_of, rel_types
from .records import Edge

if TYPE_CHECKING:
    from .traversal import ReachableSets

#: What a cached id list is valid for: nhigraph's last ingest run and the node count.
GRAPH_TOKEN = (f"MATCH (n:{NODE_LABEL}) WITH count(n) AS n "
               f"OPTIONAL MATCH (r:{RUN_LABEL}) RETURN n, max(r.seq) AS seq, count(r) AS runs")

_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*\Z")


def _values(var: str, keys: Sequence[str]) -> str:
    """``[n.`a`, n.`b`]``: the properties ``keys`` of ``var``; each key must be a plain
    identifier (the callers pass property names from the code, never from input)."""
    for key in keys:
        if not _KEY.match(key) or key in INTERNAL:
            raise ValueError(f"not a property name: {key!r}")
    return "[" + ", ".join(f"{var}.`{k}`" for k in keys) + "]"


def columns_of(lab: str, keys: Sequence[str], with_labels: bool, ordered: bool = False,
               ) -> str:
    """Every ``lab`` node's id, (labels,) and the ``keys``, one record each (in id order
    when ``ordered``): one query, streamed."""
    extra = "" if lab == NODE_LABEL else f" WHERE n:{NODE_LABEL}"
    return (f"MATCH (n:{lab}){extra} RETURN n.id AS id"
            + (", labels(n) AS labels" if with_labels else "")
            + f", {_values('n', keys)} AS v" + (" ORDER BY id" if ordered else ""))


def ends_of(lab: str, types: str, key: str | None) -> str:
    """The targets of the ``types`` edges out of the ``lab`` nodes, one record per
    source node: its id and the list of its targets (with the edge's ``key`` property
    beside each, when asked): one query, streamed."""
    extra = "" if lab == NODE_LABEL else f" WHERE a:{NODE_LABEL}"
    got = f"[b.id, r.`{key}`]" if key else "b.id"
    if key:
        _values("r", [key])
    return (f"MATCH (a:{lab}){extra} MATCH (a)-[r:{types}]->(b:{NODE_LABEL}) "
            f"RETURN a.id AS src, collect({got}) AS dst")


def containing(lab: str, types: str) -> str:
    """The ``types`` edges out of the ``lab`` nodes with a property (store-internal ones
    aside) whose text, or a text in whose list, contains one of ``$texts``, in source id
    order."""
    extra = "" if lab == NODE_LABEL else f" AND a:{NODE_LABEL}"
    internal = ", ".join(f"'{k}'" for k in sorted(INTERNAL))
    hit = ("any(k IN keys(r) WHERE NOT k IN [" + internal + "] AND any(t IN $texts WHERE "
           "CASE WHEN valueType(r[k]) STARTS WITH 'LIST' THEN any(x IN r[k] WHERE x CONTAINS t) "
           "ELSE r[k] CONTAINS t END))")
    return (f"MATCH (a:{lab}) WHERE true{extra} "
            f"MATCH (a)-[r:{types}]->(b:{NODE_LABEL}) WHERE {hit} "
            "RETURN a.id AS src, type(r) AS kind, b.id AS dst, properties(r) AS props "
            "ORDER BY src")


def _sources(kinds: Iterable[str]) -> list[str]:
    """The labels to page over for edges of ``kinds``: their sources' labels, or every node
    when more than a few labels (or no kind) would be paged."""
    labs = sorted({a for k in set(kinds) if k in EDGE_KINDS for a, _ in EDGE_KINDS[k].pairs})
    return labs if 0 < len(labs) <= 3 else [NODE_LABEL]


class ColumnReads:
    """The Neo4j store's answers to the column reads of :class:`graph.store.Store`."""

    #: ``(graph token, sorted ids)`` of the last whole id read (see ``_all_ids``).
    _ids_cache: tuple[tuple, list[str]] | None = None

    if TYPE_CHECKING:  # provided by Neo4jStore
        def _read(self, query: str, **params: Any) -> list[dict]: ...

        def _stream(self, query: str, **params: Any) -> Iterator[Any]: ...

    def _graph_token(self) -> tuple:
        """Changes whenever nhigraph writes the database: the last ingest run and the
        number of nodes (one record)."""
        rec = self._read(GRAPH_TOKEN)
        return (rec[0]["seq"], rec[0]["runs"], rec[0]["n"]) if rec else ()

    def _all_ids(self) -> list[str]:
        """Every node id, in Python's sorted order (what ``node_columns`` numbers by). A
        whole-graph analysis asks three times (node columns, reachable sets, grant
        columns): the ids are read once while the graph token stays the same."""
        token = self._graph_token()
        cached = self._ids_cache
        if cached is not None and cached[0] == token:
            return cached[1]
        ids = sorted(r["id"] for r in self._stream(columns_of(NODE_LABEL, (), False)))
        self._ids_cache = (token, ids)
        return ids

    def node_columns(self, keys: Sequence[str], kinds: Collection[str] | None = None,
                     ) -> tuple[list[str], list[str], dict[str, list[Any]]]:
        keys = list(keys)
        props = [k for k in keys if k != "kind"]  # a node's kind is its label
        wanted = None if kinds is None else set(kinds)
        rows = []
        token = self._graph_token()
        for r in self._stream(columns_of(NODE_LABEL, props, True)):
            kind = kind_of(r["labels"])
            got = None
            if wanted is None or kind in wanted:
                got = dict(zip(props, r["v"], strict=True))
                got["kind"] = kind
            rows.append((r["id"], kind, got))
        rows.sort(key=lambda r: r[0])
        ids = [r[0] for r in rows]
        node_kinds = [r[1] for r in rows]
        self._ids_cache = (token, ids)
        values = {key: [None if r[2] is None else r[2][key] for r in rows] for key in keys}
        return ids, node_kinds, values  # type: ignore[return-value]

    def node_values(self, kinds: Iterable[str], defaults: dict[str, Any],
                    ) -> tuple[list[str], dict[str, list[Any]]]:
        props = [k for k in defaults if k != "kind"]  # a node's kind is its label
        rows = [(r["id"], dict(zip(props, r["v"], strict=True), kind=kind))
                for kind in dict.fromkeys(kinds) if kind in NODE_KINDS
                for r in self._stream(columns_of(kind, props, False))]
        rows.sort(key=lambda r: r[0])
        # A stored node never holds a null (validation drops them): null means "not there".
        return ([i for i, _ in rows],
                {key: [d if v[key] is None else v[key] for _, v in rows]
                 for key, d in defaults.items()})

    def node_texts(self, kind: str | None = None,
                   ) -> tuple[list[str], dict[str, list[str | None]]]:
        if kind is not None and kind not in NODE_KINDS:
            return [], {"name": [], "arn": []}
        # Sorted here, not by ORDER BY: ArcadeDB sorts a whole-graph read slowly (at 1M
        # the ordered read took twice as long as the node columns' unordered one).
        rows = sorted(((r["id"], *(v if isinstance(v, str) else None for v in r["v"]))
                       for r in self._stream(columns_of(kind or NODE_LABEL, ("name", "arn"),
                                                        False))), key=lambda r: r[0])
        return ([r[0] for r in rows],
                {"name": [r[1] for r in rows], "arn": [r[2] for r in rows]})

    def edge_columns(self, kind: str, key: str | None) -> tuple[Any, Any, list[Any]]:
        import numpy as np

        types = rel_types([kind])
        if not types:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64), []
        number = {nid: i for i, nid in enumerate(self._all_ids())}
        src: list[int] = []
        dst: list[int] = []
        values: list[Any] = []
        for lab in edge_sources(kind):
            for r in self._stream(ends_of(lab, types, key)):
                a = number.get(r["src"])
                for got in r["dst"]:
                    b = number.get(got[0] if key else got)
                    if a is not None and b is not None:
                        src.append(a)
                        dst.append(b)
                        values.append(got[1] if key else None)
        return np.asarray(src, dtype=np.int64), np.asarray(dst, dtype=np.int64), values

    def edges_containing(self, kind: str, texts: Iterable[str]) -> Iterator[Edge]:
        texts = [t for t in texts if isinstance(t, str)]
        types = rel_types([kind])
        if not types or not texts:
            return
        for lab in edge_sources(kind):
            for r in self._stream(containing(lab, types), texts=texts):
                yield Edge(r["src"], r["kind"], r["dst"],
                           {k: v for k, v in r["props"].items() if k not in INTERNAL})

    def reachable_sets(self, kinds: Iterable[str], stop: set[str]) -> ReachableSets:
        """One condensation of the ``kinds`` edges in the client, as the embedded store
        does over its CSR arrays: nodes numbered in sorted id order, the out-edges of
        ``stop`` nodes left out (reached, not expanded). The database sends every id once
        and every edge's ends once (grouped by source), not a walk's hops."""
        import numpy as np

        from .condensation import csr_of_pairs
        from .condensation import reachable_sets as condense
        from .gc_pause import gc_paused

        ids = self._all_ids()
        if not ids:
            return [], [], []
        number = {nid: i for i, nid in enumerate(ids)}
        types = rel_types(kinds)
        src: list[int] = []
        dst: list[int] = []
        for lab in _sources(kinds) if types else ():
            for r in self._stream(ends_of(lab, types, None)):
                if r["src"] in stop:
                    continue
                a = number.get(r["src"])
                # a node written between the two reads is left out, as nodes() would
                targets = [number[b] for b in r["dst"] if b in number]
                if a is None:
                    continue
                src.extend([a] * len(targets))
                dst.extend(targets)
        with gc_paused():
            comp, reach = condense(csr_of_pairs(np.asarray(src, dtype=np.int64),
                                                np.asarray(dst, dtype=np.int64), len(ids)))
        return ids, comp, reach
