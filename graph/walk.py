"""The breadth-first walk of :func:`queries.traverse.reach`, fused over the embedded
store's in-memory dicts: the same visiting order and the same results, but without one
store call, one Edge object and one property copy per edge seen. Parity with the one-hop
walk is tested in ``tests/test_reach_parity.py``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import networkx as nx

from .records import Edge


def fused_walk(g: nx.MultiDiGraph, public: Callable[[str, dict], dict], sources: list[str],
               direction: str, kinds: Iterable[str], max_depth: int | None,
               expandable=None, keep_edges: bool = True):
    """Walk ``g`` from ``sources`` (sorted, unique). ``public(id, attrs)`` gives a
    node's properties as the store shows them; ``expandable(node) -> bool`` says whether
    a reached node is expanded (None: all are). Returns ``(dist, parent, edges, nodes,
    dead)`` as :class:`queries.traverse.Reach` holds them."""
    kinds = frozenset(kinds)
    node_attrs = g._node
    adj = g._succ if direction == "out" else g._pred
    out = direction == "out"

    def edge(nid, k, other, attrs):
        props = dict(attrs)
        props.pop("seen_by", None)
        return Edge(nid, k, other, props) if out else Edge(other, k, nid, props)

    nodes = {s: public(s, node_attrs[s]) for s in sources if s in node_attrs}
    dist = dict.fromkeys(sources, 0)
    parent: dict[str, Edge] = {}
    edges: list[Edge] = []
    dead: set[str] = set()
    frontier = [s for s in sources if expandable is None or expandable(nodes.get(s, {}))]
    depth = 0
    while frontier and (max_depth is None or depth < max_depth):
        depth += 1
        # Sorting (this end, kind, other end) is the order reach() sorts edges in, for
        # either direction, so the first edge to reach a node is the same one.
        cand = []
        for nid in frontier:
            nbrs = adj.get(nid)
            if nbrs:
                for other, keyed in nbrs.items():
                    for k, attrs in keyed.items():
                        if k in kinds:
                            cand.append((nid, k, other, attrs))
        cand.sort(key=lambda c: (c[0], c[1], c[2]))
        new = []
        for nid, k, other, attrs in cand:
            e = edge(nid, k, other, attrs) if keep_edges else None
            if keep_edges:
                edges.append(e)
            if other not in dist:
                dist[other] = depth
                parent[other] = e if e is not None else edge(nid, k, other, attrs)
                new.append(other)
        if not new:
            break
        frontier = []
        for n in new:
            attrs = node_attrs.get(n)
            pn = public(n, attrs) if attrs is not None else {}
            if attrs is not None:
                nodes[n] = pn
            if expandable is not None and not expandable(pn):
                dead.add(n)
            else:
                frontier.append(n)
    return dist, parent, edges, nodes, dead
