"""Posture: the figures of one graph that drift, what-if and cut compare.

:func:`posture` reads one store (live, a snapshot or an in-memory what-if copy) through the
existing analyses only: every inbound access path to a crown jewel (source, jewel,
strongest access, one shortest path), every node's blast-radius figures, which workflows
share each credential and which credentials mix production with other environments, the
orphaned paths, and the findings keyed by their stable id (a hash of the rule and its
nodes, :func:`queries.findings.base.finding`), so the same finding matches across two
graphs. :func:`queries.drift.compare` turns two postures into a delta.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, cast

from graph.model import TARGET_KINDS
from graph.records import Edge
from graph.store import Store
from graph.traversal import Reach, is_valid_credential

from .access import access_path, forward_levels
from .context import Context
from .estate import blast_radius_summaries
from .findings import findings
from .inbound import inbound
from .traverse import now_iso

#: Node kinds whose paths to a crown jewel are reported (a system containing the jewel is
#: not "a path to it").
PATH_SOURCES = frozenset({"Workspace", "Workflow", "Connector", "Secret", "Identity", "Vault",
                          "Actor", "Agent"})


@dataclass
class Posture:
    store: Store | None = None
    as_of: str | None = None
    unknown_as: str = "write"
    nodes: dict[str, dict] = field(default_factory=dict)
    access_edges: set[tuple[str, str, str]] = field(default_factory=set)
    #: (source, jewel) -> {"access": ..., "path": [...]}
    jewel_paths: dict[tuple[str, str], dict] = field(default_factory=dict)
    #: node -> blast-radius summary row
    radii: dict[str, dict] = field(default_factory=dict)
    #: credential -> workflows sharing it (2 or more)
    sharing: dict[str, set[str]] = field(default_factory=dict)
    mixing: set[str] = field(default_factory=set)
    #: (node, reason) -> orphan row
    orphans: dict[tuple[str, str], dict] = field(default_factory=dict)
    #: finding id -> finding row
    findings: dict[str, dict] = field(default_factory=dict)
    risk: float = 0.0
    #: jewel -> what can reach it, walked by :func:`strongest_path` (filled on demand)
    upstream: dict[str, _Within] = field(default_factory=dict)
    #: node properties :func:`strongest_path` has read, shared by its jewels
    _node_cache: dict[str, dict] = field(default_factory=dict, repr=False)


def crown_jewels(store: Store) -> list[str]:
    return sorted(n["id"] for n in store.find_nodes("crown_jewel", True))


def posture(store: Store, as_of: str | None = None, unknown_as: str = "write",
            with_findings: bool = True) -> Posture:
    """Everything :func:`queries.drift.compare` compares, for one store."""
    from graph.model import ACCESS_EDGES

    as_of = as_of or now_iso()
    store = cast(Store, SharedReach(store))
    p = Posture(store, as_of, unknown_as, nodes=_kinds_and_names(store))
    access = set(ACCESS_EDGES)
    p.access_edges = set(store.expand_ends(p.nodes, "out", access))  # no properties read
    for jewel in crown_jewels(store):
        for row in inbound(store, jewel, unknown_as=unknown_as, as_of=as_of).rows:
            if row["kind"] in PATH_SOURCES:
                p.jewel_paths[(row["id"], jewel)] = {"access": row["access"],
                                                     "path": row["path"]}
    p.radii = {r["id"]: r for r in blast_radius_summaries(store, as_of=as_of).rows}
    ctx = Context(store, as_of=as_of, unknown_as=unknown_as)  # one set of reads for all
    if with_findings:  # the scorer's closure, built first: the clusters and orphans read it
        ctx.blast_summaries  # noqa: B018
    for c in ctx.shared.rows:
        for d in c["credentials"]:
            if len(d["workflows"]) > 1:
                p.sharing[d["id"]] = set(d["workflows"])
            if d["mixed_environments"]:
                p.mixing.add(d["id"])
    p.orphans = {(o["node"], o["reason"]): o for o in ctx.orphans.rows}
    if with_findings:
        rows = findings(store, as_of=as_of, unknown_as=unknown_as, ctx=ctx).rows
        p.findings = {f["id"]: f for f in rows}
        p.risk = round(sum(f["risk"] for f in rows), 2)
    return p


def _kinds_and_names(store: Store) -> dict[str, dict]:
    """Every node's kind and (text) name, all a delta reads of the nodes it does not walk
    (added and removed nodes, the names of the nodes on its paths): from the store's id,
    kind and name columns where it has them (the blast-radius figures read the same
    ones), without decoding every node's properties."""
    ids, kinds, _ = store.node_columns(())
    got, texts = store.node_texts()
    names = texts["name"]
    if got != ids:
        by_id = dict(zip(got, names, strict=True))
        names = [by_id.get(i) for i in ids]
    return {nid: {"kind": kind} if name is None else {"kind": kind, "name": name}
            for nid, kind, name in zip(ids, kinds, names, strict=True)}


class SharedReach:
    """``store``, with each ``reachable_sets`` (one condensation of the whole graph) computed
    once: the blast-radius figures and the risk scorer of one posture ask for the same one.
    Everything else goes to ``store``."""

    def __init__(self, store: Store):
        self._store = store
        self._sets: dict[tuple, Any] = {}

    def __getattr__(self, name: str) -> Any:
        return getattr(self._store, name)

    def reachable_sets(self, kinds, stop):
        key = (tuple(sorted(kinds)), frozenset(stop))
        if key not in self._sets:
            self._sets[key] = self._store.reachable_sets(kinds, stop)
        return self._sets[key]


def strongest_path(p: Posture, source: str, jewel: str) -> list[str] | None:
    """The path by which ``source`` gets its strongest access to ``jewel``: the blast
    radius's ``access_path``, read only for the few paths a delta shows.

    The walk is the blast radius's own (nearest first, candidates sorted), kept to the nodes
    that can reach ``jewel`` at all (:class:`_Within`: one backward walk per jewel and the
    access edges among those nodes, shared by its sources). Every path from ``source`` to
    such a node, and every grant on ``jewel`` or a system containing it, lies among them,
    so distances, first parents, the grants' visit order and therefore the answer are those
    of the whole walk, at the cost of the part that matters."""
    if p.store is None:
        return None
    within = p.upstream.get(jewel)
    if within is None:
        within = p.upstream[jewel] = _Within(p.store, jewel, p._node_cache)
    if source not in within.nodes:
        return None
    r = within.walk(source, p.as_of)
    if jewel not in r.dist:
        return None
    if r.nodes.get(jewel, {}).get("kind") not in TARGET_KINDS:
        return r.path(jewel)
    _, best = forward_levels(r, p.unknown_as)
    return access_path(r, best, jewel)


class _Within:
    """What can reach ``jewel`` (a backward walk that ignores validity), with the access
    edges among those nodes and the nodes' properties, read once for every source walked
    towards the jewel. Edges carry their properties only for ``CAN_ACCESS`` (the one kind
    whose properties :func:`~queries.access.forward_levels` reads); the others come as ends
    only, so the store decodes the properties of the few grants that matter."""

    def __init__(self, store: Store, jewel: str, cache: dict[str, dict]):
        from graph.model import ACCESS_EDGES

        self.nodes = store.reached([jewel], "in", ACCESS_EDGES, check_validity=False)
        missing = [n for n in self.nodes if n not in cache]
        cache.update(store.get_nodes(missing))
        self.props = {n: cache[n] for n in self.nodes if n in cache}
        # Whatever has an access edge into one of these nodes can reach the jewel too, so
        # the in-edges of the set are exactly the edges among its nodes (its out-edges
        # would also bring every edge leaving it: a workspace's thousands of workflows).
        out: dict[str, list[Edge]] = {}
        granted = set()
        for a, kind, b in store.expand_ends(sorted(self.nodes), "in", ACCESS_EDGES):
            if kind == "CAN_ACCESS":
                granted.add(b)
            else:
                out.setdefault(a, []).append(Edge(a, kind, b, {}))
        for e in store.expand(sorted(granted), "in", ("CAN_ACCESS",)):
            out.setdefault(e.src, []).append(e)
        for edges in out.values():
            edges.sort(key=lambda e: (e.kind, e.dst))
        self.out = out

    def walk(self, source: str, as_of: str | None) -> Reach:
        """:func:`graph.traversal.walk_in_memory` from ``source`` over access edges, seeing
        only the nodes that can reach the jewel: per hop, the frontier's edges sorted by
        (from, kind, to), every edge kept, the first one to a node its parent."""
        r = Reach("out", [source])
        props = self.props
        if source in props:
            r.nodes[source] = props[source]
        r.dist[source] = 0
        frontier = [source] if is_valid_credential(r.nodes.get(source, {}), as_of) else []
        depth = 0
        while frontier:
            depth += 1
            new = []
            for u in sorted(frontier):
                for e in self.out.get(u, ()):
                    r.edges.append(e)
                    if e.dst not in r.dist:
                        r.dist[e.dst] = depth
                        r.parent[e.dst] = e
                        new.append(e.dst)
            frontier = []
            for n in new:
                node = props.get(n)
                if node is not None:
                    r.nodes[n] = node
                if is_valid_credential(node or {}, as_of):
                    frontier.append(n)
                else:
                    r.dead.add(n)
        return r
