"""Breadth-first reachability over a store, one hop (one store call) at a time.

Every analysis walks the graph through :func:`reach`, which asks the store only to expand
a frontier by one hop. On the embedded store that is a dictionary lookup; on Neo4j it is
one Cypher query per hop, so a blast radius never pulls the whole graph into Python and
never runs an unbounded variable-length match that can explode on dense graphs.

Frontiers and expanded edges are visited in sorted order, so the shortest path reported
for a node is the same on every store.

A store may offer ``reach_fast`` (the embedded store does): the same walk in one call,
giving identical results (``tests/test_reach_parity.py``). Neo4j keeps the one-hop path.

Credentials (secrets and identities) that are revoked, expired or disabled are reached but
not expanded: an attacker who finds a revoked key holds it, but it opens nothing.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from graph.model import ACCESS_EDGES, INVALID_CREDENTIAL_STATUSES, TARGET_KINDS
from graph.records import Edge

CREDENTIAL_KINDS = frozenset({"Secret", "Identity"})


def now_iso() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def is_valid_credential(node: dict, as_of: str | None = None) -> bool:
    """False when a secret or identity is known not to work (status or expiry)."""
    if node.get("kind") not in CREDENTIAL_KINDS:
        return True
    if node.get("status") in INVALID_CREDENTIAL_STATUSES:
        return False
    expires = node.get("expires_at")
    return not (expires and expires < (as_of or now_iso()))


@dataclass
class Reach:
    """The outcome of a breadth-first walk from one or more starting nodes."""

    direction: str
    sources: list[str]
    dist: dict[str, int] = field(default_factory=dict)
    #: For each reached node, the edge by which it was first reached (one shortest path).
    parent: dict[str, Edge] = field(default_factory=dict)
    #: Every edge seen leaving an expanded node (in the walk's direction).
    edges: list[Edge] = field(default_factory=list)
    nodes: dict[str, dict] = field(default_factory=dict)
    #: Reached credentials that were not expanded because they no longer work.
    dead: set[str] = field(default_factory=set)

    def path(self, node_id: str) -> list[str]:
        """Node ids from a source to ``node_id`` (forward) or from ``node_id`` to the
        target (backward), along the recorded shortest path."""
        chain = [node_id]
        while chain[-1] in self.parent:
            e = self.parent[chain[-1]]
            chain.append(e.src if self.direction == "out" else e.dst)
        return chain[::-1] if self.direction == "out" else chain

    def hops(self, node_id: str) -> list[Edge]:
        out = []
        cur = node_id
        while cur in self.parent:
            e = self.parent[cur]
            out.append(e)
            cur = e.src if self.direction == "out" else e.dst
        return out[::-1] if self.direction == "out" else out


def reach(
    store,
    sources: Iterable[str],
    direction: str = "out",
    kinds: Iterable[str] = ACCESS_EDGES,
    max_depth: int | None = None,
    as_of: str | None = None,
    check_validity: bool = True,
    keep_edges: bool = True,
) -> Reach:
    """Walk from ``sources`` along ``kinds`` edges, ``out`` (what they reach) or ``in``
    (what reaches them), at most ``max_depth`` hops."""
    kinds = frozenset(kinds)
    sources = sorted(set(sources))
    r = Reach(direction, sources)
    fast = getattr(store, "reach_fast", None)  # the embedded store walks in memory
    if fast is not None:
        expandable = (lambda n: is_valid_credential(n, as_of)) if check_validity else None
        r.dist, r.parent, r.edges, r.nodes, r.dead = fast(sources, direction, kinds,
                                                          max_depth, expandable, keep_edges)
        return r
    r.nodes.update(store.get_nodes(sources))
    for s in sources:
        r.dist[s] = 0
    frontier = [s for s in sources if not check_validity or
                is_valid_credential(r.nodes.get(s, {}), as_of)]
    depth = 0
    out = direction == "out"
    while frontier and (max_depth is None or depth < max_depth):
        depth += 1
        edges = store.expand(frontier, direction, kinds)
        if out:
            edges.sort(key=lambda e: (e.src, e.kind, e.dst))
        else:
            edges.sort(key=lambda e: (e.dst, e.kind, e.src))
        new: list[str] = []
        for e in edges:
            other = e.dst if out else e.src
            if keep_edges:
                r.edges.append(e)
            if other not in r.dist:
                r.dist[other] = depth
                r.parent[other] = e
                new.append(other)
        if not new:
            break
        fetched = store.get_nodes(new)
        r.nodes.update(fetched)
        frontier = []
        for n in new:
            if check_validity and not is_valid_credential(fetched.get(n, {}), as_of):
                r.dead.add(n)
            else:
                frontier.append(n)
    return r


def reach_many(
    store,
    start_sets: Iterable[Iterable[str]],
    direction: str = "out",
    kinds: Iterable[str] = ACCESS_EDGES,
    as_of: str | None = None,
) -> tuple[dict[tuple[str, ...], set[str]], dict[str, dict]]:
    """What each of many start sets reaches, in one joint walk.

    The same sets :func:`reach` gives (``set(reach(store, s, ...).dist)`` for each ``s``,
    keyed by the sorted tuple of ``s``), but the walk asks the store to expand the union of
    every set's frontier once per hop. On Neo4j that is two queries per hop for all the
    sets together instead of two per hop per set. Returns the sets and every node met."""
    kinds = frozenset(kinds)
    keys = sorted({tuple(sorted(set(s))) for s in start_sets})
    nodes = store.get_nodes({x for k in keys for x in k})
    seen: dict[tuple[str, ...], set[str]] = {k: set(k) for k in keys}
    frontier: dict[str, set[tuple]] = defaultdict(set)  # node -> sets that just reached it
    for k in keys:
        for s in k:
            if is_valid_credential(nodes.get(s, {}), as_of):
                frontier[s].add(k)
    out = direction == "out"
    while frontier:
        nxt: dict[str, set[tuple]] = defaultdict(set)
        for e in store.expand(sorted(frontier), direction, kinds):
            here, there = (e.src, e.dst) if out else (e.dst, e.src)
            for k in frontier[here]:
                if there not in seen[k]:
                    seen[k].add(there)
                    nxt[there].add(k)
        nodes.update(store.get_nodes([n for n in nxt if n not in nodes]))
        frontier = {n: ks for n, ks in nxt.items()
                    if is_valid_credential(nodes.get(n, {}), as_of)}
    return seen, nodes


def targets_of(store, start_sets: list[list[str]], as_of: str | None = None,
               ) -> dict[tuple[str, ...], list[str]]:
    """The target nodes (``TARGET_KINDS``) each start set reaches, keyed by its sorted
    tuple. An in-memory store walks each set (fast there); any other store walks them all
    at once with :func:`reach_many`, so a Bolt server answers a few queries per hop
    instead of a few per hop per set."""
    if getattr(store, "reach_fast", None) is None:
        seen, nodes = reach_many(store, start_sets, "out", as_of=as_of)
        return {k: sorted(x for x in v if nodes.get(x, {}).get("kind") in TARGET_KINDS)
                for k, v in seen.items()}
    out: dict[tuple[str, ...], list[str]] = {}
    for starts in start_sets:
        key = tuple(sorted(set(starts)))
        if key not in out:
            r = reach(store, key, "out", as_of=as_of, keep_edges=False)
            out[key] = sorted(x for x in r.dist
                              if r.nodes.get(x, {}).get("kind") in TARGET_KINDS)
    return out
