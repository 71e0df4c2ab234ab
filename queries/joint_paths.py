"""First shortest access paths for many (source, target) pairs from one joint walk.

:func:`queries.path.shortest_paths` walks once per pair. The findings rules ask for tens of
thousands of paths (three per orphan, three per shared credential, ...), and on an estate
where credentials are heavily shared each of those walks crosses the same hub. Here every
source walks at once: the store expands the union of all frontiers once per hop, and each
source stops as soon as the hop that reaches its last wanted target is complete.

The path given for a pair is the one ``shortest_paths(store, src, dst, limit=1)`` ranks
first: per source, the edges of a hop are met in (from, kind, to) order and the first edge
to reach a node is its parent (``shortest_paths`` keeps that edge first in the node's
predecessor list and follows first predecessors back to the source). As there, the source
itself is always expanded and any other credential only when it still works.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from graph.model import ACCESS_EDGES
from graph.paths_csr import first_paths_csr, parent_paths

from .traverse import is_valid_credential

Pair = tuple[str, str]


def first_paths(store, pairs: Iterable[Pair], as_of: str | None = None,
                invalid: set[str] | None = None) -> dict[Pair, list[str]]:
    """``(src, dst)`` -> node ids of the first shortest access path, ``[src, dst]`` when
    ``dst`` cannot be reached from ``src``. ``invalid``: the ids of every credential that
    no longer works at ``as_of``, when the caller knows them; with it, the embedded
    store's walk runs over its CSR arrays (:func:`graph.paths_csr.first_paths_csr`)."""
    gen = getattr(store, "generation", None)
    if invalid is not None and gen is not None and not store.is_empty():
        return first_paths_csr(gen(), pairs, ACCESS_EDGES, invalid)
    own = getattr(store, "first_paths", None)  # the Neo4j store: one sweep, then in the client
    if own is not None:
        return own(pairs, as_of)
    return _by_hops(store, pairs, as_of)


def _by_hops(store, pairs: Iterable[Pair], as_of: str | None) -> dict[Pair, list[str]]:
    """:func:`first_paths` through any store: ``expand`` and ``get_nodes`` once per hop."""
    wanted: dict[str, set[str]] = defaultdict(set)
    for src, dst in pairs:
        wanted[src].add(dst)
    parent: dict[str, dict[str, str]] = {s: {} for s in wanted}
    missing = {s: ds - {s} for s, ds in wanted.items()}
    frontier: dict[str, list[str]] = {s: [s] for s in sorted(wanted) if missing[s]}
    while frontier:
        edges = store.expand(sorted(frontier), "out", ACCESS_EDGES)
        edges.sort(key=lambda e: (e.src, e.kind, e.dst))
        layer: dict[str, list[str]] = defaultdict(list)  # node -> sources that just got it
        for e in edges:
            there = e.dst
            for s in frontier[e.src]:
                p = parent[s]
                if there != s and there not in p:
                    p[there] = e.src
                    layer[there].append(s)
        active: set[str] = set()
        for node, sources in layer.items():
            for s in sources:
                m = missing[s]
                m.discard(node)
                if m:
                    active.add(s)
        nxt: dict[str, list[str]] = {}
        if active:
            nodes = store.get_nodes(list(layer))
            for node, sources in layer.items():
                if is_valid_credential(nodes.get(node, {}), as_of):
                    keep = [s for s in sources if s in active and missing[s]]
                    if keep:
                        nxt[node] = keep
        frontier = nxt
    out: dict[Pair, list[str]] = {}
    for src, dsts in wanted.items():
        parent_paths(src, dsts, parent[src], out)
    return out
