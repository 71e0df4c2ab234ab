"""What the explorer draws for an analysis, kept to a bounded number of elements.

A :class:`Drawing` holds the nodes and access edges to draw around one or more *focus*
nodes (the blast-radius source, the inbound target, a cluster's credentials), plus a tree
(``parent``: each node's next hop towards a focus node, taken from the analysis' shortest
paths). The builders take an analysis result and ask the store only for the nodes and the
edges among them, so they work on either store.

:func:`bound` keeps a drawing under ``max_elements`` nodes plus edges, because a browser
cannot lay out thousands of elements and an analyst cannot read them: it first hides links
that are not on a shortest path, then collapses siblings of one kind behind one parent into
a counted group node (largest groups first, never hiding a focus node or a crown jewel while
anything else can go), and only as a last resort leaves the farthest nodes out. Every step
is written into ``notes`` in words, so the page can say what was collapsed.

Plain Python with no Streamlit, so it is tested directly.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from graph.model import ACCESS_EDGES, ACCESS_LEVELS, access_rank
from graph.records import Edge

#: Nodes plus edges drawn at most, whatever the size of the result.
MAX_ELEMENTS = 400
GROUP = "Group"
_PLURAL = {"Identity": "Identities"}


def plural(kind: str, n: int = 2) -> str:
    return kind if n == 1 else _PLURAL.get(kind, kind + "s")


@dataclass
class Drawing:
    #: id -> properties (kind, name, crown_jewel, access, ...); group nodes have kind Group.
    nodes: dict[str, dict[str, Any]] = field(default_factory=dict)
    edges: list[Edge] = field(default_factory=list)
    #: Each node's next hop towards a focus node (a shortest-path tree).
    parent: dict[str, str] = field(default_factory=dict)
    focus: list[str] = field(default_factory=list)
    #: What :func:`bound` hid or collapsed, in words.
    notes: list[str] = field(default_factory=list)
    #: Nodes of the analysis that are not drawn as themselves (inside groups or left out).
    hidden: int = 0

    @property
    def elements(self) -> int:
        return len(self.nodes) + len(self.edges)

    def name(self, nid: str) -> str:
        return str(self.nodes.get(nid, {}).get("name") or nid)


# --- builders ----------------------------------------------------------------------------

def induced_edges(store, ids) -> list[Edge]:
    """Access edges among ``ids`` (one store call; metadata edges are never drawn)."""
    ids = set(ids)
    edges = store.expand(sorted(ids), "out", ACCESS_EDGES)
    return sorted((e for e in edges if e.dst in ids), key=lambda e: (e.src, e.kind, e.dst))


def _node_attrs(stored: dict | None, nid: str, row: dict | None = None) -> dict:
    attrs = {k: v for k, v in (stored or {"id": nid}).items() if k != "id"}
    attrs.setdefault("name", nid)
    if row:
        for key in ("access", "distance", "valid", "grant"):
            if key in row:
                attrs[key] = row[key]
    return attrs


def from_rows(store, focus: str, rows: list[dict], direction: str = "out",
              key: str = "id") -> Drawing:
    """A drawing of a reachability result: ``focus`` plus every row's node, each row's
    ``path`` giving the tree (``out``: paths start at the focus; ``in``: they end there)."""
    by_id = {row[key]: row for row in rows}
    ids = {focus, *by_id}
    stored = store.get_nodes(ids)
    d = Drawing(focus=[focus])
    d.nodes = {nid: _node_attrs(stored.get(nid), nid, by_id.get(nid)) for nid in sorted(ids)}
    for nid, row in by_id.items():
        path = row.get("path") or []
        if len(path) >= 2:
            d.parent[nid] = path[-2] if direction == "out" else path[1]
    d.edges = induced_edges(store, ids)
    return d


def blast_radius_drawing(store, result) -> Drawing:
    return from_rows(store, result.header["source"], result.rows, "out")


def inbound_drawing(store, result) -> Drawing:
    return from_rows(store, result.header["target"], result.rows, "in")


def paths_drawing(store, result) -> Drawing:
    """The union of shortest paths, each hop drawn with its kind, access and reason."""
    src, dst = result.header["source"], result.header["target"]
    d = Drawing(focus=[src] if src == dst else [src, dst])
    ids = {src, dst}
    seen: set[tuple] = set()
    for row in result.rows:
        path = row["path"]
        ids.update(path)
        for a, b in zip(path, path[1:], strict=False):
            d.parent.setdefault(b, a)
        for hop in row["hops"]:
            k = (hop["from"], hop["kind"], hop["to"])
            if k not in seen:
                seen.add(k)
                props = {x: hop[x] for x in ("access", "reason") if hop.get(x)}
                d.edges.append(Edge(hop["from"], hop["kind"], hop["to"], props))
    d.parent.pop(src, None)
    stored = store.get_nodes(ids)
    d.nodes = {nid: _node_attrs(stored.get(nid), nid) for nid in sorted(ids)}
    return d


#: A cluster is drawn with at most this many of its credentials (the ones mixing
#: environments, then the most shared): past that the focus nodes alone fill the budget and
#: the drawing is a cloud of unconnected credentials.
MAX_DRAWN_CREDENTIALS = 25


def most_shared(cluster: dict, limit: int = MAX_DRAWN_CREDENTIALS) -> tuple[dict, str | None]:
    """``cluster`` cut to its ``limit`` credentials that mix environments first, then the
    most shared (most workflows, then id), with the workflows that use them; and the note
    saying so (None when nothing was cut)."""
    creds = cluster["credentials"]
    if len(creds) <= limit:
        return cluster, None
    mixing = set(cluster.get("mixing_credentials") or ())
    kept = sorted(creds, key=lambda c: (c["id"] not in mixing, -len(c["workflows"]),
                                        c["id"]))[:limit]
    ids = {c["id"] for c in kept}
    cut = {**cluster, "credentials": kept,
           "secrets": [i for i in cluster["secrets"] if i in ids],
           "identities": [i for i in cluster["identities"] if i in ids],
           "workflows": sorted({w for c in kept for w in c["workflows"]})}
    note = (f"only the {limit} most shared of its {len(creds)} credentials are drawn, with "
            f"the {len(cut['workflows'])} of {len(cluster['workflows'])} workflows using them "
            "(the table below lists every credential)")
    return cut, note


def cluster_drawing(store, cluster: dict) -> Drawing:
    """A shared-credential cluster: its credentials (the focus), the workflows that use
    them and the connectors in between, and everything the credentials open."""
    from queries.credential_use import DIRECT, VIA_CONNECTOR
    from queries.traverse import reach

    creds = set(cluster["secrets"]) | set(cluster["identities"])
    workflows = set(cluster["workflows"])
    d = Drawing(focus=sorted(creds))
    r = reach(store, sorted(creds), "out", keep_edges=False)
    for nid, e in r.parent.items():
        d.parent[nid] = e.src
    connectors: dict[str, str] = {}
    for e in store.expand(sorted(workflows), "out", DIRECT):
        if e.dst in creds:
            d.parent.setdefault(e.src, e.dst)
        elif e.kind == "USES":
            connectors.setdefault(e.dst, e.src)
    for e in store.expand(sorted(connectors), "out", VIA_CONNECTOR):
        if e.dst in creds:
            d.parent.setdefault(e.src, e.dst)
            d.parent.setdefault(connectors[e.src], e.src)
    ids = creds | workflows | set(r.dist) | {c for c in connectors if c in d.parent}
    for nid in list(d.parent):
        if nid not in ids or nid in creds:
            del d.parent[nid]
    stored = store.get_nodes(ids)
    d.nodes = {nid: _node_attrs(stored.get(nid), nid) for nid in sorted(ids)}
    d.edges = induced_edges(store, ids)
    return d


# --- bounding ----------------------------------------------------------------------------

def _tree_pair(d: Drawing, e: Edge) -> bool:
    return d.parent.get(e.dst) == e.src or d.parent.get(e.src) == e.dst


def depths(d: Drawing) -> dict[str, int]:
    depth: dict[str, int] = {}

    def of(n: str) -> int:
        chain = []
        while n not in depth:
            chain.append(n)
            p = d.parent.get(n)
            if p is None or p not in d.nodes or p in chain:
                depth[n] = 0
                chain.pop()
                break
            n = p
        for c in reversed(chain):
            depth[c] = depth[d.parent[c]] + 1
        return depth[chain[0]] if chain else depth[n]

    for nid in d.nodes:
        of(nid)
    return depth


def _children(d: Drawing) -> dict[str, list[str]]:
    out: dict[str, list[str]] = defaultdict(list)
    for nid in sorted(d.nodes):
        p = d.parent.get(nid)
        if p is not None and p in d.nodes and p != nid:
            out[p].append(nid)
    return out


def _subtree(children: dict[str, list[str]], root: str) -> list[str]:
    out, stack, seen = [], [root], {root}
    while stack:
        n = stack.pop()
        out.append(n)
        for c in children.get(n, ()):
            if c not in seen:
                seen.add(c)
                stack.append(c)
    return out


class _EdgeIndex:
    """The drawing's edges in their order, by endpoint, so that collapsing a group or
    leaving a node out touches only the edges at those nodes (not every edge each time:
    a cluster of thousands of workflows is thousands of collapses)."""

    def __init__(self, edges: list[Edge]) -> None:
        self.edges: dict[int, Edge] = {}
        self.at: dict[str, set[int]] = defaultdict(set)
        self.count = 0
        for e in edges:
            self.add(e)

    def __len__(self) -> int:
        return len(self.edges)

    def add(self, e: Edge) -> None:
        self.edges[self.count] = e
        self.at[e.src].add(self.count)
        self.at[e.dst].add(self.count)
        self.count += 1

    def incident(self, nid: str) -> list[Edge]:
        """Edges at ``nid``, in the drawing's order."""
        return [self.edges[k] for k in sorted(self.at.get(nid, ()))]

    def remove_nodes(self, ids) -> None:
        for nid in ids:
            for k in self.at.pop(nid, ()):
                e = self.edges.pop(k, None)
                if e is not None:
                    other = self.at.get(e.dst if e.src == nid else e.src)
                    if other:
                        other.discard(k)

    def in_order(self) -> list[Edge]:
        return list(self.edges.values())


def _remove(d: Drawing, ids: set[str], index: _EdgeIndex) -> None:
    for nid in ids:
        d.nodes.pop(nid, None)
        d.parent.pop(nid, None)
    index.remove_nodes(ids)


def _collapse(d: Drawing, p: str, kind: str, members: list[str],
              children: dict[str, list[str]], index: _EdgeIndex) -> None:
    """Members (of ``kind``, children of ``p``) and everything below them become one group
    node; ``children`` and ``index`` are kept up to date."""
    gone: set[str] = set()
    counts: Counter = Counter()
    for m in members:
        for n in _subtree(children, m):
            gone.add(n)
            attrs = d.nodes[n]
            if attrs["kind"] == GROUP:
                counts.update(attrs["counts"])
            else:
                counts[attrs["kind"]] += 1
    member_set = set(members)
    member_edges = [e for e in index.incident(p) if _tree_pair(d, e) and
                    ((e.src == p and e.dst in member_set) or
                     (e.dst == p and e.src in member_set))]
    outward = sum(1 for e in member_edges if e.src == p) >= len(member_edges) / 2
    edge_kind = Counter(e.kind for e in member_edges).most_common(1)
    edge_levels = [e.props["access"] for e in member_edges if e.props.get("access")]
    # What the attacker holds over the members (from the analysis), else from the edges.
    levels = [d.nodes[m].get("access") for m in members
              if d.nodes[m].get("access") in ACCESS_LEVELS] or edge_levels
    access = max(levels, key=access_rank) if levels else None
    gid = f"group:{p}:{kind}"
    prior = d.nodes.get(gid)
    if prior:
        counts.update(prior["counts"])
    names = sorted(d.name(m) for m in members)
    sample = (prior["sample"] if prior else []) + names
    n = len(members) + (prior["count"] if prior else 0)
    _remove(d, gone | {gid}, index)
    for g in gone:
        children.pop(g, None)
    children[p] = [c for c in children.get(p, ()) if c not in gone and c != gid] + [gid]
    d.nodes[gid] = {"kind": GROUP, "group_kind": kind, "name": f"{n} {plural(kind, n)}",
                    "counts": dict(counts), "sample": sample[:12], "count": n,
                    "access": access}
    d.parent[gid] = p
    props = {"count": n}
    if edge_levels:
        props["access"] = max(edge_levels, key=access_rank)
    ek = edge_kind[0][0] if edge_kind else "CONTAINS"
    index.add(Edge(p, ek, gid, props) if outward else Edge(gid, ek, p, props))
    below = sum(counts.values()) - n
    d.hidden += len(gone)
    d.notes.append(f"{n} {plural(kind, n)} reached through {d.name(p)} are collapsed into one "
                   f"node" + (f", with {below} node(s) beyond them" if below > 0 else ""))


def bound(d: Drawing, max_elements: int = MAX_ELEMENTS) -> Drawing:
    """Bring ``d`` (in place) under ``max_elements`` nodes plus edges; see the module doc."""
    if d.elements <= max_elements:
        return d
    seen_pairs: set[tuple] = set()
    kept = []
    for e in d.edges:
        pair = (e.src, e.dst)
        if _tree_pair(d, e) and pair not in seen_pairs:
            seen_pairs.add(pair)
            kept.append(e)
    if len(kept) < len(d.edges):
        d.notes.append(f"{len(d.edges) - len(kept)} link(s) not on a shortest path are hidden")
        d.edges = kept
    keep = set(d.focus) | {n for n, a in d.nodes.items() if a.get("crown_jewel")}
    index = _EdgeIndex(d.edges)

    def size() -> int:
        return len(d.nodes) + len(index)

    while size() > max_elements:
        children = _children(d)
        depth = depths(d)
        guarded: dict[str, bool] = {}
        for n in sorted(d.nodes, key=lambda x: -depth.get(x, 0)):
            guarded[n] = n in keep or any(guarded.get(c) for c in children.get(n, ()))
        groups: dict[tuple, list[str]] = defaultdict(list)
        for p, kids in children.items():
            for c in kids:
                if not guarded[c] and d.nodes[c]["kind"] != GROUP:
                    groups[(p, d.nodes[c]["kind"])].append(c)
        ranked = sorted(((k, m) for k, m in groups.items() if len(m) >= 2),
                        key=lambda km: (-len(km[1]), -depth.get(km[0][0], 0), km[0]))
        collapsed = False
        for (p, kind), members in ranked:
            if size() <= max_elements:
                break
            if p in d.nodes and all(m in d.nodes for m in members):
                _collapse(d, p, kind, members, children, index)
                collapsed = True
        if collapsed:
            continue
        if keep - set(d.focus):
            keep = set(d.focus)
            d.notes.append("crown jewels had to be collapsed too")
            continue
        _truncate(d, max_elements, depth, index)
    d.edges = index.in_order()
    return d


def _truncate(d: Drawing, max_elements: int, depth: dict[str, int],
              index: _EdgeIndex) -> None:
    """Last resort: leave out the farthest nodes (focus nodes last)."""
    order = sorted(d.nodes, key=lambda n: (n in d.focus, -depth.get(n, 0), n), reverse=False)
    dropped = 0
    for n in order:
        if len(d.nodes) + len(index) <= max_elements:
            break
        _remove(d, {n}, index)
        dropped += 1
    d.hidden += dropped
    d.notes.append(f"{dropped} of the farthest node(s) are not drawn (too many to show)")


def exposure_drawing(store, actor: str, result) -> Drawing:
    """From an outside actor through the workflow it starts to everything behind it (the
    workflow's blast radius ``result``, each path prefixed with the actor)."""
    wf = result.header["source"]
    rows = [{"id": wf, "path": [actor, wf]}] + [
        {**r, "path": [actor, *r["path"]]} for r in result.rows if r["id"] != actor]
    return from_rows(store, actor, rows, "out")
