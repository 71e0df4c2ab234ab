"""The Neo4j store's walks without paths: what many start sets reach, and the set one walk
meets, computed in the client from adjacency the database sends once per node.

``reach_many_kinds`` (the targets each of many start sets reaches: ``shared-credentials``'
clusters, ``orphans``' candidates, the findings rules) and ``reached`` (the node set of a
walk: ``orphans``' in-use set) used to walk hop by hop with per-start-set state in the
client (:func:`graph.traversal.reach_many_by_hops`): every hop one query per 5000 frontier
ids, every edge met once per start set that newly reached its source, and a Python set per
start set holding its whole reach. At 1M nodes that ran for many minutes without finishing
one hop's bookkeeping.

Here one *sweep* visits the union of all start sets' reach, breadth first, and asks the
database once per visited node (``UNWIND $ids ... RETURN a.id, labels(a), [status,
expires_at] of a credential, [(a)-[:ACCESS]->(b) | b.id]``): one record per node, with its
out-neighbours' ids. Which credentials still work is decided in the client
(:func:`graph.traversal.is_valid_credential`), so the adjacency read does not depend on
``as_of`` and is kept (while the graph token stays the same) for the next walk of the same
analysis: ``orphans``' candidates then ask only the nodes its in-use walk did not meet.
What each start set reaches is then one condensation of the visited subgraph
(:mod:`graph.condensation`, the embedded store's engine; a walk per start in
:mod:`graph.smallgraph` when small), the same answer ``reach_many_kinds_csr`` gives on the
embedded store's arrays.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from .model import ACCESS_EDGES
from .neo4j_cypher import NODE_LABEL, READ_CHUNK, chunks, kind_of, rel_types
from .paths_csr import parent_paths
from .traversal import CREDENTIAL_KINDS, StartKey, is_valid_credential, start_keys

#: Per visited node: (kind, (status, expires_at) of a credential else None, neighbour ids).
Adjacent = tuple[str | None, tuple[Any, Any] | None, list[str]]


def adjacency_query(direction: str, types: str) -> str:
    """Each of ``$ids`` found: its id, labels, a credential's status and expiry, and the
    ids one ``types`` hop away (``out`` or ``in``), one record per node."""
    arrow = f"-[:{types}]->" if direction == "out" else f"<-[:{types}]-"
    cred = " OR ".join(f"a:{k}" for k in sorted(CREDENTIAL_KINDS))
    return (f"UNWIND $ids AS i MATCH (a:{NODE_LABEL} {{id: i}}) "
            f"RETURN a.id AS id, labels(a) AS labels, "
            f"CASE WHEN {cred} THEN [a.status, a.expires_at] ELSE null END AS cred, "
            f"[(a){arrow}(b:{NODE_LABEL}) | b.id] AS nbrs")


class ReachReads:
    """``reach_many_kinds`` and ``reached`` for :class:`graph.neo4j_store.Neo4jStore`."""

    #: ``(graph token, kinds, direction) -> {id: Adjacent or None (not in the database)}``
    _adjacency: tuple[tuple, dict[str, Adjacent | None]] | None = None

    if TYPE_CHECKING:  # provided by Neo4jStore
        def _read(self, query: str, **params: Any) -> list[dict]: ...

        def _graph_token(self) -> tuple: ...

    def _adjacent(self, kinds: frozenset[str], direction: str) -> dict[str, Adjacent | None]:
        """The adjacency read so far for these kinds and direction, while the graph token
        stays the same (a write by nhigraph starts it afresh)."""
        key = (self._graph_token(), kinds, direction)
        if self._adjacency is None or self._adjacency[0] != key:
            self._adjacency = (key, {})
        return self._adjacency[1]

    def _sweep(self, starts: Iterable[str], direction: str, kinds: Iterable[str],
               as_of: str | None, check_validity: bool, force: Iterable[str] = (),
               ) -> tuple[list[str], dict[str, Adjacent | None], set[str]]:
        """``(visited, adjacency, dead)``: every node a walk from all ``starts`` at once
        meets (the starts first, found or not, then in breadth-first order), the adjacency
        of each, and the found ones that are credentials no longer working as of ``as_of``
        (none unless ``check_validity``). The walk expands every found node but the dead,
        and the ``force`` nodes even when dead."""
        kinds = frozenset(kinds)
        types = rel_types(kinds)
        adj = self._adjacent(kinds, direction)
        query = adjacency_query("out" if direction == "out" else "in", types) if types else ""
        visited = sorted({s for s in starts if isinstance(s, str)})
        seen = set(visited)
        dead: set[str] = set()
        force = set(force)
        frontier = visited
        while frontier:
            todo = [n for n in frontier if n not in adj]
            for chunk in chunks(todo, READ_CHUNK) if types else ():
                for r in self._read(query, ids=chunk):
                    cred = r["cred"]
                    adj[r["id"]] = (kind_of(r["labels"]),
                                    None if cred is None else (cred[0], cred[1]),
                                    list(r["nbrs"]))
            nxt: list[str] = []
            for n in frontier:
                got = adj.get(n)
                if got is None:  # not in the database, or no edge kinds asked
                    if types:
                        adj[n] = None
                    continue
                kind, cred, nbrs = got
                if check_validity and cred is not None and not is_valid_credential(
                        {"kind": kind, "status": cred[0], "expires_at": cred[1]}, as_of):
                    dead.add(n)
                    if n not in force:
                        continue
                for m in nbrs:
                    if m not in seen:
                        seen.add(m)
                        nxt.append(m)
            nxt.sort()
            visited.extend(nxt)
            frontier = nxt
        return visited, adj, dead

    def reached(self, sources: Iterable[str], direction: str = "out",
                kinds: Iterable[str] = ACCESS_EDGES, as_of: str | None = None,
                check_validity: bool = True) -> set[str]:
        """``set(reach(...).dist)``: one sweep, one record per node met (the sources
        included, found or not)."""
        visited, _, _ = self._sweep(sources, direction, kinds, as_of, check_validity)
        return set(visited)

    def first_paths(self, pairs: Iterable[tuple[str, str]], as_of: str | None = None,
                    ) -> dict[tuple[str, str], list[str]]:
        """:func:`first_paths` of this store."""
        return first_paths(self, pairs, as_of)

    def reach_many_kinds(self, start_sets: Iterable[Iterable[str]], node_kinds: Iterable[str],
                         as_of: str | None = None) -> dict[StartKey, list[str]]:
        """Of what each start set reaches forward along the access edges, the nodes whose
        kind is one of ``node_kinds``, sorted: one sweep of the union of the sets, then one
        condensation of the visited subgraph in the client."""
        import numpy as np

        keys = start_keys(start_sets)
        if not keys:
            return {}
        visited, adj, dead = self._sweep({s for k in keys for s in k}, "out", ACCESS_EDGES,
                                         as_of, True)
        here = {n: a for n in visited if (a := adj.get(n)) is not None}  # found, in order
        found = list(here)
        local = {n: i for i, n in enumerate(found)}
        src: list[int] = []
        dst: list[int] = []
        for n, (_, _, nbrs) in here.items():
            if n not in dead:
                ends = [local[m] for m in nbrs if m in local]
                src.extend([local[n]] * len(ends))
                dst.extend(ends)
        wanted = set(node_kinds)
        keep = np.array([a[0] in wanted for a in here.values()], dtype=bool)
        got = _joint_rows(len(found), np.asarray(src, dtype=np.int64),
                          np.asarray(dst, dtype=np.int64),
                          [[local[s] for s in key if s in local and s not in dead]
                           for key in keys])
        out: dict[StartKey, list[str]] = {}
        for r, key in enumerate(keys):
            row = got.indices[got.indptr[r]:got.indptr[r + 1]]
            names = {found[v] for v in row[keep[row]].tolist()}
            names.update(s for s in key if s in local and keep[local[s]])
            out[key] = sorted(names)
        return out


def _joint_rows(n: int, src: Any, dst: Any, starts: list[list[int]]) -> Any:
    """Per start set (local numbers), the numbers reached from it by one or more edges
    with its own starts included: CSR-like rows (``indptr``, ``indices``). A walk per
    start when that is small (:func:`graph.smallgraph.reach_rows`), else rows of the
    condensation's closure OR-ed per set (as :func:`graph.traversal.joint_reach_csr`)."""
    import numpy as np

    from .smallgraph import is_small, reach_rows

    if is_small(n, len(src)):
        small = reach_rows(n, src, dst, starts)
        if small is not None:
            return small
    from scipy.sparse import csr_matrix

    from .condensation import Closure, csr_of_pairs
    from .gc_pause import gc_paused

    with gc_paused():
        closure = Closure(csr_of_pairs(src, dst, n))
    label, pos = closure.label, closure.pos
    rows = [r for r, key in enumerate(starts) for _ in key]
    cols = [int(pos[label[v]]) for key in starts for v in key]
    pick = csr_matrix((np.ones(len(rows), dtype=bool), (rows, cols)),
                      shape=(len(starts), closure.q.shape[0]))
    got = (pick @ closure.q).tocsr()
    got.sum_duplicates()
    return got


def first_paths(store: ReachReads, pairs: Iterable[tuple[str, str]], as_of: str | None,
                ) -> dict[tuple[str, str], list[str]]:
    """What :func:`queries.joint_paths.first_paths` gives (per pair the first shortest
    access path, ``[src, dst]`` when there is none), from one sweep of everything the
    sources reach (each source expanded whatever its validity, as there) and then a walk
    per source over that adjacency in the client: per hop the frontier in sorted order,
    so a node's parent is the first frontier node, in id order, with an edge to it (the
    one the walk by hops keeps; the edge's kind never changes which node that is)."""
    wanted: dict[str, set[str]] = {}
    for src, dst in pairs:
        wanted.setdefault(src, set()).add(dst)
    _, adj, dead = store._sweep(wanted, "out", ACCESS_EDGES, as_of, True, force=wanted)
    out: dict[tuple[str, str], list[str]] = {}
    for src in sorted(wanted):
        dsts = wanted[src]
        missing = dsts - {src}
        parent: dict[str, str] = {}
        frontier = [src]
        while frontier and missing:
            layer: dict[str, str] = {}
            for here in frontier:
                got = adj.get(here)
                if got is None:
                    continue
                for there in got[2]:
                    if there != src and there not in parent and there not in layer:
                        layer[there] = here
            parent.update(layer)
            missing.difference_update(layer)
            frontier = sorted(n for n in layer if adj.get(n) is not None and n not in dead)
        parent_paths(src, dsts, parent, out)
    return out
