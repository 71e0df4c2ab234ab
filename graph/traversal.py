"""Breadth-first reachability, both engines of every walk side by side.

Every analysis walks the graph through a store's ``reach`` (one walk), ``reach_many`` (what
each of many start sets reaches) and ``reachable_sets`` (every node's reachable set at
once), declared in :class:`graph.store.Store`. Each walk has two engines here:

* **in memory** (:class:`graph.embedded.EmbeddedStore`), over NetworkX's own dicts: no store
  call, no Edge object and no property copy per edge seen (:func:`walk_in_memory`,
  :func:`reach_many_in_memory`, :func:`reachable_sets_in_memory` over the condensation
  of :mod:`graph.condensation`);
* **one hop per query** (:class:`graph.neo4j_store.Neo4jStore`), asking the store only to
  ``expand`` a frontier by one hop and ``get_nodes`` what it reached, so a blast radius
  never pulls the whole graph across and never runs an unbounded variable-length match
  (:func:`walk_by_hops`, :func:`reach_many_by_hops`, :func:`reachable_sets_by_hops`).

Both engines give identical results (``tests/test_reach_parity.py``): frontiers and
expanded edges are visited in sorted order, so the shortest path reported for a node is
the same on every store. Credentials (secrets and identities) that are revoked, expired or
disabled are reached but not expanded: an attacker who finds a revoked key holds it, but
it opens nothing.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from .gc_pause import gc_paused
from .model import INVALID_CREDENTIAL_STATUSES
from .records import Edge

if TYPE_CHECKING:
    import networkx as nx

    from .columnar import Generation
    from .store import Store

CREDENTIAL_KINDS = frozenset({"Secret", "Identity"})

#: Whether a reached node is expanded (None: every node is).
Expandable = Callable[[dict], bool] | None
#: ``(ids, component, reach)``: node ids in sorted order (a node's number is its place
#: here), each node's component number, and each component's set of reachable numbers.
ReachableSets = tuple[list[str], list[int], Sequence[set[int]]]
StartKey = tuple[str, ...]


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


class ValidAsOf:
    """The test :func:`expandable` gives: is the node a working credential as of
    ``as_of`` (:func:`is_valid_credential`). A walk over the columnar store's arrays
    (:func:`sweep_csr`) applies it to every credential at once instead of one node dict at
    a time (:func:`graph.prop_columns.invalid_credentials`)."""

    def __init__(self, as_of: str | None):
        self.as_of = as_of

    def __call__(self, node: dict) -> bool:
        return is_valid_credential(node, self.as_of)


def expandable(as_of: str | None, check_validity: bool = True) -> Expandable:
    """The test a walk applies to each reached node: a working credential, or anything."""
    return ValidAsOf(as_of) if check_validity else None


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


# --- one walk ---------------------------------------------------------------------------


def walk_in_memory(g: nx.MultiDiGraph, public: Callable[[str, dict], dict],
                   sources: Iterable[str], direction: str, kinds: Iterable[str],
                   max_depth: int | None, expand_if: Expandable = None,
                   keep_edges: bool = True) -> Reach:
    """Walk ``g`` from ``sources`` along ``kinds`` edges. ``public(id, attrs)`` gives a
    node's properties as the store shows them; ``expand_if(node)`` says whether a reached
    node is expanded."""
    kinds = frozenset(kinds)
    r = Reach(direction, sorted(set(sources)))
    node_attrs = g._node
    adj = g._succ if direction == "out" else g._pred
    out = direction == "out"

    def edge(nid: str, k: str, other: str, attrs: dict) -> Edge:
        props = dict(attrs)
        props.pop("seen_by", None)
        return Edge(nid, k, other, props) if out else Edge(other, k, nid, props)

    nodes = r.nodes
    nodes.update((s, public(s, node_attrs[s])) for s in r.sources if s in node_attrs)
    dist = r.dist
    dist.update(dict.fromkeys(r.sources, 0))
    frontier = [s for s in r.sources if expand_if is None or expand_if(nodes.get(s, {}))]
    depth = 0
    while frontier and (max_depth is None or depth < max_depth):
        depth += 1
        # Sorting (this end, kind, other end) is the order walk_by_hops sorts edges in, for
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
            if e is not None:
                r.edges.append(e)
            if other not in dist:
                dist[other] = depth
                r.parent[other] = e if e is not None else edge(nid, k, other, attrs)
                new.append(other)
        if not new:
            break
        frontier = []
        for n in new:
            found = node_attrs.get(n)
            pn = public(n, found) if found is not None else {}
            if found is not None:
                nodes[n] = pn
            if expand_if is not None and not expand_if(pn):
                r.dead.add(n)
            else:
                frontier.append(n)
    return r


def walk_csr(gen: Generation, sources: Iterable[str], direction: str, kinds: Iterable[str],
             max_depth: int | None, expand_if: Expandable = None,
             keep_edges: bool = True) -> Reach:
    """:func:`walk_in_memory` over the columnar store's CSR arrays
    (:class:`graph.columnar.Generation`): node numbers are in id order and kind codes in
    kind-name order, so sorting candidates by numbers is the same order; properties are
    decoded only for the nodes and edges the walk meets."""
    codes = gen.kind_codes(kinds)
    r = Reach(direction, sorted(set(sources)))
    out = direction == "out"
    names = gen.edge_kinds
    number = gen.indices(r.sources)
    id_of: dict[int, str] = {i: s for s, i in number.items()}

    def name(i: int) -> str:
        text = id_of.get(i)
        if text is None:
            text = id_of[i] = gen.id_of(i)
        return text

    def edges(cand: list[tuple[int, int, int, int]]) -> list[Edge]:
        """The edges of these candidates, their properties decoded in one parser call."""
        made = []
        for (here, k, there, _), props in zip(cand, gen.edges_props([c[3] for c in cand]),
                                              strict=True):
            a, b = name(here), name(there)
            made.append(Edge(a, names[k], b, props) if out else Edge(b, names[k], a, props))
        return made

    nodes = r.nodes
    found = sorted(number.values())
    nodes.update((n["id"], n) for n in gen.public(found))
    dist = r.dist
    dist.update(dict.fromkeys(r.sources, 0))
    seen = set(number.values())
    frontier = [number[s] for s in r.sources if s in number
                and (expand_if is None or expand_if(nodes.get(s, {})))]
    ends, kind = (gen.dst, gen.kind) if out else (gen.src, gen.kind)
    ptr, in_ptr, in_rows = gen.out_ptr, gen.in_ptr, gen.in_rows
    depth = 0
    while frontier and (max_depth is None or depth < max_depth):
        depth += 1
        cand: list[tuple[int, int, int, int]] = []
        for here in frontier:
            if out:
                a, b = int(ptr[here]), int(ptr[here + 1])
                hop = zip(range(a, b), kind[a:b].tolist(), ends[a:b].tolist(), strict=True)
            else:
                at = in_rows[int(in_ptr[here]):int(in_ptr[here + 1])]
                hop = zip(at.tolist(), kind[at].tolist(), ends[at].tolist(), strict=True)
            for row, k, there in hop:
                if k in codes:
                    cand.append((here, k, there, row))
        cand.sort()
        new = []
        firsts = []  # the candidates that first reach a node: its parent edge
        for j, c in enumerate(cand):
            there = c[2]
            if there not in seen:
                seen.add(there)
                dist[name(there)] = depth
                new.append(there)
                firsts.append(j)
        if keep_edges:
            made = edges(cand)
            r.edges.extend(made)
            parents = [made[j] for j in firsts]
        else:
            parents = edges([cand[j] for j in firsts])
        for e in parents:
            r.parent[e.dst if out else e.src] = e
        if not new:
            break
        frontier = []
        for i, pn in zip(new, gen.public(new), strict=True):
            nodes[pn["id"]] = pn
            if expand_if is not None and not expand_if(pn):
                r.dead.add(pn["id"])
            else:
                frontier.append(i)
    return r


def walk_by_hops(store: Store, sources: Iterable[str], direction: str, kinds: Iterable[str],
                 max_depth: int | None, expand_if: Expandable = None,
                 keep_edges: bool = True) -> Reach:
    """The same walk as :func:`walk_in_memory`, two store calls (``expand`` the frontier,
    ``get_nodes`` of what it reached) per hop."""
    kinds = frozenset(kinds)
    r = Reach(direction, sorted(set(sources)))
    r.nodes.update(store.get_nodes(r.sources))
    for s in r.sources:
        r.dist[s] = 0
    frontier = [s for s in r.sources if expand_if is None or expand_if(r.nodes.get(s, {}))]
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
            if expand_if is not None and not expand_if(fetched.get(n, {})):
                r.dead.add(n)
            else:
                frontier.append(n)
    return r


# --- many start sets --------------------------------------------------------------------


def start_keys(start_sets: Iterable[Iterable[str]]) -> list[StartKey]:
    """Each start set once, as its sorted tuple of ids."""
    return sorted({tuple(sorted(set(s))) for s in start_sets})


#: From this many start sets on, an in-memory ``reach_many`` answers from one condensation
#: of the whole graph instead of one walk per set.
JOINT_FROM = 64


def reach_many_in_memory(
    g: nx.MultiDiGraph, public: Callable[[str, dict], dict],
    start_sets: Iterable[Iterable[str]], direction: str, kinds: Iterable[str],
    expand_if: Expandable = None,
) -> tuple[dict[StartKey, set[str]], dict[str, dict]]:
    """What each start set reaches: a walk per set when there are few, else (forward) one
    pass over the condensation (:func:`reachable_sets_in_memory`, the nodes that fail
    ``expand_if`` as ``stop``), each set being the union of its members' reachable sets,
    so a hub credential shared by thousands of candidates is walked once, not once each."""
    keys = start_keys(start_sets)
    seen: dict[StartKey, set[str]] = {}
    nodes: dict[str, dict] = {}
    if direction == "out" and len(keys) >= JOINT_FROM:
        node_attrs = g._node
        stop = set() if expand_if is None else {
            n for n, a in node_attrs.items() if not expand_if(public(n, a))}
        ids, comp, reach = reachable_sets_in_memory(g, kinds, stop)
        number = {n: i for i, n in enumerate(ids)}
        met: set[int] = set()
        for key in keys:
            got: set[int] = set()
            for s in key:
                v = number.get(s)
                if v is not None and s not in stop:
                    got |= reach[comp[v]]
            met |= got
            seen[key] = set(key) | {ids[v] for v in got}
        wanted = {ids[v] for v in met} | {s for k in keys for s in k}
        nodes.update((n, public(n, node_attrs[n])) for n in wanted if n in node_attrs)
        return seen, nodes
    for key in keys:
        r = walk_in_memory(g, public, key, direction, kinds, None, expand_if, keep_edges=False)
        seen[key] = set(r.dist)
        nodes.update(r.nodes)
    return seen, nodes


def reach_many_csr(gen: Generation, start_sets: Iterable[Iterable[str]], direction: str,
                   kinds: Iterable[str], expand_if: Expandable = None,
                   ) -> tuple[dict[StartKey, set[str]], dict[str, dict]]:
    """:func:`reach_many_in_memory` over the columnar store's CSR arrays: a walk per set
    when there are few, else (forward) one pass over the condensation
    (:func:`reachable_sets_csr`), each set the union of its members' reachable sets.

    Only credentials (``CREDENTIAL_KINDS``) are ever refused expansion by ``expand_if``
    (:func:`expandable`), so only their properties are decoded to find the stopped nodes."""
    keys = start_keys(start_sets)
    seen: dict[StartKey, set[str]] = {}
    nodes: dict[str, dict] = {}
    if direction == "out" and len(keys) >= JOINT_FROM:
        import numpy as np

        from .condensation import distinct

        starts, got = joint_reach_csr(gen, keys, kinds, expand_if)
        met = distinct(np.concatenate([got.indices, starts]))
        names = dict(zip(met.tolist(), gen.ids_of(met.tolist()), strict=True))
        ptr, idx = got.indptr, got.indices.tolist()
        for row, key in enumerate(keys):
            seen[key] = set(key) | {names[i] for i in idx[ptr[row]:ptr[row + 1]]}
        nodes.update((n["id"], n) for n in gen.public(met.tolist()))
        return seen, nodes
    for key in keys:
        r = walk_csr(gen, key, direction, kinds, None, expand_if, keep_edges=False)
        seen[key] = set(r.dist)
        nodes.update(r.nodes)
    return seen, nodes


def joint_reach_csr(gen: Generation, keys: list[StartKey], kinds: Iterable[str],
                    expand_if: Expandable) -> tuple[Any, Any]:
    """``(starts, got)``: the node numbers of the keys' ids found, and a sparse boolean
    matrix (one row per key, columns node numbers) of what each key's expanded members
    reach by one or more edges (their own members included where expanded): the rows of
    the :class:`graph.condensation.Closure` of what the starts reach, OR-ed per key."""
    import numpy as np

    from .smallgraph import is_small, reach_rows

    number = gen.indices({s for k in keys for s in k})
    starts = np.fromiter(number.values(), dtype=np.int64, count=len(number))
    sub, stopped, a, b = sub_edges_csr(gen, kinds, starts, expand_if)
    local_of = dict(zip(starts.tolist(), np.searchsorted(sub, starts).tolist(), strict=True))
    if is_small(len(sub), len(a)):  # no SciPy import: a walk per start (graph.smallgraph)
        small = reach_rows(len(sub), a, b, [
            [local_of[v] for v in (number.get(s) for s in key)
             if v is not None and not stopped[local_of[v]]] for key in keys])
        if small is not None:
            small.indices = sub[small.indices]  # back to node numbers
            return starts, small
    from scipy.sparse import csr_matrix

    from .condensation import Closure, csr_of_pairs

    with gc_paused():
        closure = Closure(csr_of_pairs(a, b, len(sub)))
    label, pos = closure.label, closure.pos
    rows_l: list[int] = []
    cols_l: list[int] = []
    for r, key in enumerate(keys):
        for s in key:
            v = number.get(s)
            if v is not None and not stopped[local_of[v]]:
                rows_l.append(r)
                cols_l.append(int(pos[label[local_of[v]]]))
    pick = csr_matrix((np.ones(len(rows_l), dtype=bool), (rows_l, cols_l)),
                      shape=(len(keys), closure.q.shape[0]))
    got = (pick @ closure.q).tocsr()
    got.sum_duplicates()
    got.indices = sub[got.indices]  # back to node numbers
    return starts, got


def reach_many_kinds_csr(gen: Generation, start_sets: Iterable[Iterable[str]],
                         kinds: Iterable[str], node_kinds: Iterable[str],
                         expand_if: Expandable = None) -> dict[StartKey, list[str]]:
    """Of what each start set reaches forward (``reach_many``'s sets), the nodes whose
    kind is one of ``node_kinds``, sorted: one :func:`joint_reach_csr` whatever the
    number of sets, and only the nodes kept become texts."""
    import numpy as np

    from .condensation import distinct

    keys = start_keys(start_sets)
    if not keys:
        return {}
    _, got = joint_reach_csr(gen, keys, kinds, expand_if)
    wanted = gen.kind_mask(node_kinds)
    # (key, node) pairs of what each key reaches and of its own members of those kinds,
    # distinct and sorted by key then node (node numbers are in id order): each key's
    # answer is then one slice of one list of ids.
    rows = np.repeat(np.arange(len(keys), dtype=np.int64), np.diff(got.indptr))
    kept = wanted[got.indices]
    member_key = [r for r, key in enumerate(keys) for _ in key]
    number = gen.indices({s for key in keys for s in key})
    member = np.fromiter((number.get(s, -1) for key in keys for s in key), dtype=np.int64,
                         count=len(member_key))
    mine = member >= 0
    mine[mine] = wanted[member[mine]]
    pr = np.concatenate([rows[kept], np.asarray(member_key, dtype=np.int64)[mine]])
    pn = np.concatenate([np.asarray(got.indices, dtype=np.int64)[kept], member[mine]])
    pair = distinct(pr * max(gen.n, 1) + pn)
    pr, pn = pair // max(gen.n, 1), pair % max(gen.n, 1)
    met = distinct(pn)  # each id made once, shared by the keys that reach it
    met_ids = gen.ids_of(met.tolist())
    names = list(map(met_ids.__getitem__, np.searchsorted(met, pn).tolist()))
    bounds = np.searchsorted(pr, np.arange(len(keys) + 1)).tolist()
    return {key: names[bounds[r]:bounds[r + 1]] for r, key in enumerate(keys)}


def reach_many_by_hops(
    store: Store, start_sets: Iterable[Iterable[str]], direction: str, kinds: Iterable[str],
    expand_if: Expandable = None,
) -> tuple[dict[StartKey, set[str]], dict[str, dict]]:
    """What each start set reaches, in one joint walk: the store expands the union of
    every set's frontier once per hop, so a Bolt server answers two queries per hop for
    all the sets together instead of two per hop per set. Returns the sets (each is what
    its own :func:`walk_by_hops` reaches) and every node met.

    The Neo4j store's ``reach_many`` only (each node met read whole, which the analyses do
    not need); ``reach_many_kinds``, ``reached`` and ``first_paths``, what the analyses
    call, sweep once and compute in the client (:mod:`graph.neo4j_reach`): this walk's
    Python set per start set, grown edge by edge, did not finish at 1M nodes."""
    kinds = frozenset(kinds)
    keys = start_keys(start_sets)
    nodes = store.get_nodes({x for k in keys for x in k})
    seen: dict[StartKey, set[str]] = {k: set(k) for k in keys}
    frontier: dict[str, set[StartKey]] = defaultdict(set)  # node -> sets that just got it
    for k in keys:
        for s in k:
            if expand_if is None or expand_if(nodes.get(s, {})):
                frontier[s].add(k)
    out = direction == "out"
    while frontier:
        nxt: dict[str, set[StartKey]] = defaultdict(set)
        for e in store.expand(sorted(frontier), direction, kinds):
            here, there = (e.src, e.dst) if out else (e.dst, e.src)
            for k in frontier[here]:
                if there not in seen[k]:
                    seen[k].add(there)
                    nxt[there].add(k)
        nodes.update(store.get_nodes([n for n in nxt if n not in nodes]))
        frontier = {n: ks for n, ks in nxt.items()
                    if expand_if is None or expand_if(nodes.get(n, {}))}
    return seen, nodes


# --- every node at once -----------------------------------------------------------------


def reachable_sets_in_memory(g: nx.MultiDiGraph, kinds: Iterable[str],
                             stop: set[str]) -> ReachableSets:
    """Every node's reachable set over the strongly-connected-component condensation of
    ``g`` (:mod:`graph.condensation`): cycles and shared credentials are walked once."""
    from .condensation import compact_pairs, csr_of_pairs, reachable_sets
    from .smallgraph import SMALL_CLOSURE
    from .smallgraph import reachable_sets as small_reachable_sets

    with gc_paused():
        ids, src, dst = compact_pairs(g, kinds, stop)
        if len(ids) <= SMALL_CLOSURE:  # no SciPy import: Python sets (graph.smallgraph)
            return ids, *small_reachable_sets(len(ids), src, dst)
        comp, reach = reachable_sets(csr_of_pairs(src, dst, len(ids)))
        return ids, comp, reach


def reachable_sets_csr(gen: Generation, kinds: Iterable[str],
                       stop: set[str]) -> ReachableSets:
    """:func:`reachable_sets_in_memory` over the columnar store's CSR arrays. The last
    answer is kept on the generation (read-only to every caller), so a findings run's
    ``reach_many`` of the orphans and its risk scores' summaries share one condensation."""
    import numpy as np

    from .condensation import csr_of_pairs, reachable_sets
    from .smallgraph import SMALL_CLOSURE
    from .smallgraph import reachable_sets as small_reachable_sets

    key = (frozenset(kinds), frozenset(stop))
    last = gen.last_reachable_sets
    if last is not None and last[0] == key:
        return last[1]
    ids = gen.ids.to_pylist()
    keep = np.isin(gen.kind, np.fromiter(gen.kind_codes(kinds), dtype=np.int16))
    if stop:
        stopped = np.zeros(gen.n, dtype=bool)
        stopped[list(gen.indices(stop).values())] = True
        keep &= ~stopped[gen.src]
    reach: Any
    with gc_paused():
        if gen.n <= SMALL_CLOSURE:  # no SciPy import: Python sets (graph.smallgraph)
            comp, reach = small_reachable_sets(gen.n, gen.src[keep], gen.dst[keep])
        else:
            comp, reach = reachable_sets(csr_of_pairs(gen.src[keep], gen.dst[keep], gen.n))
    gen.last_reachable_sets = (key, (ids, comp, reach))
    return ids, comp, reach


def sweep_csr(gen: Generation, starts: Any, direction: str, kinds: Iterable[str],
              expand_if: Expandable) -> tuple[Any, Any]:
    """``(visited, refused)``: boolean arrays over the nodes: what a walk from every one of
    ``starts`` (node numbers) reaches along ``kinds``, ``out`` or ``in`` (the starts
    included), and which of those ``expand_if`` refuses (reached, not expanded). One
    vectorised hop per depth for all starts; only the credentials met are decoded (only
    credentials are ever refused, see :func:`expandable`)."""
    import numpy as np

    from .condensation import distinct, edge_rows

    codes = np.fromiter(gen.kind_codes(kinds), dtype=np.int16)
    cred = gen.kind_mask(CREDENTIAL_KINDS)
    out = direction == "out"
    ptr, ends = (gen.out_ptr, gen.dst) if out else (gen.in_ptr, gen.src)
    visited = np.zeros(gen.n, dtype=bool)
    refused = np.zeros(gen.n, dtype=bool)
    frontier = distinct(np.asarray(starts, dtype=np.int64))
    visited[frontier] = True
    invalid = None
    if isinstance(expand_if, ValidAsOf):  # the columns' answer for every credential at once
        from .prop_columns import invalid_credentials

        invalid = invalid_credentials(gen, CREDENTIAL_KINDS, expand_if.as_of or now_iso())
    while len(frontier):
        if invalid is not None:
            judge_a = frontier[cred[frontier]]
            refused[judge_a] = invalid[judge_a]
        elif expand_if is not None:
            judge = frontier[cred[frontier]].tolist()
            for i, n in zip(judge, gen.public(judge), strict=True):
                if not expand_if(n):
                    refused[i] = True
        rows = edge_rows(ptr, frontier[~refused[frontier]])
        if not out:
            rows = gen.in_rows[rows]
        rows = rows[np.isin(gen.kind[rows], codes)]
        nxt = distinct(ends[rows])
        frontier = nxt[~visited[nxt]]
        visited[frontier] = True
    return visited, refused


def reached_csr(gen: Generation, sources: Iterable[str], direction: str,
                kinds: Iterable[str], expand_if: Expandable) -> set[str]:
    """``set(walk_csr(...).dist)`` (the sources included, found or not) by one
    :func:`sweep_csr`, without paths."""
    import numpy as np

    sources = set(sources)
    starts = list(gen.indices(sources).values())
    visited, _ = sweep_csr(gen, starts, direction, kinds, expand_if)
    return sources | set(gen.ids_of(np.flatnonzero(visited).tolist()))


def closure_from_csr(gen: Generation, kinds: Iterable[str], starts: Any,
                     expand_if: Expandable) -> tuple[Any, Any, Any]:
    """``(sub, stopped, closure)``: the node numbers reachable from ``starts`` along
    ``kinds`` (sorted, the starts included), which of them ``expand_if`` refuses (a
    boolean array over ``sub``), and the :class:`graph.condensation.Closure` of the edges
    among them, over positions in ``sub``. One breadth-first sweep of the CSR arrays for
    every start at once, decoding only the credentials it meets (only credentials are
    ever refused, see :func:`expandable`)."""
    from .condensation import Closure, csr_of_pairs

    sub, stopped, a, b = sub_edges_csr(gen, kinds, starts, expand_if)
    with gc_paused():
        closure = Closure(csr_of_pairs(a, b, len(sub)))
    return sub, stopped, closure


def sub_edges_csr(gen: Generation, kinds: Iterable[str], starts: Any,
                  expand_if: Expandable) -> tuple[Any, Any, Any, Any]:
    """``(sub, stopped, src, dst)``: what :func:`closure_from_csr` condenses, the nodes
    reachable from ``starts`` (sorted), which of them are refused, and the edges among them
    (positions in ``sub``) that leave a node not refused."""
    import numpy as np

    from .condensation import edge_rows

    codes = np.fromiter(gen.kind_codes(kinds), dtype=np.int16)
    visited, refused = sweep_csr(gen, starts, "out", kinds, expand_if)
    sub = np.flatnonzero(visited)
    rows = edge_rows(gen.out_ptr, sub[~refused[sub]])
    rows = rows[np.isin(gen.kind[rows], codes)]
    return (sub, refused[sub], np.searchsorted(sub, gen.src[rows]),
            np.searchsorted(sub, gen.dst[rows]))


def reachable_sets_by_hops(store: Store, kinds: Iterable[str],
                           stop: set[str]) -> ReachableSets:
    """What :func:`reachable_sets_in_memory` gives, by one joint walk over the store: each
    node is its own component, and reaches what a walk from its successors reaches (so
    itself when it sits on a cycle). A ``stop`` node is reached but not expanded."""
    ids = sorted(n["id"] for n in store.nodes())
    number = {n: i for i, n in enumerate(ids)}
    succ: dict[str, set[str]] = defaultdict(set)
    for e in store.expand([n for n in ids if n not in stop], "out", kinds):
        succ[e.src].add(e.dst)
    seen, _ = reach_many_by_hops(store, succ.values(), "out", kinds,
                                 lambda n: n.get("id") not in stop)
    reach = [{number[x] for x in seen[tuple(sorted(succ[n]))] if x in number}
             if n in succ else set() for n in ids]
    return ids, list(range(len(ids))), reach
