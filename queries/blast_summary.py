"""Blast-radius figures the risk scorer needs, for many subjects from one condensation.

:func:`queries.blast_radius.blast_radius` walks once per node and builds a row with a path
for everything reached; the scorer only needs the weighted blast score, the crown jewels
reached, how many targets are reached at admin and how many nodes are reached. Those depend
only on which nodes a walk reaches and which it expands, and both come from the store's
``reachable_sets`` with dead credentials as ``stop`` (a stopped node has no out-edges, as a
walk does not expand a dead credential): one condensation for every subject. Levels follow
:func:`queries.access.forward_levels`: each target gets the strongest ``CAN_ACCESS`` grant
leaving an expanded node, inherited down ``CONTAINS`` from reached targets; a source that is
itself a target counts as admin; a target without a grant is ``unknown``.

On a closure of :mod:`graph.condensation` the figures of every workflow, secret and
identity are computed together in sparse matrix products (:mod:`queries.blast_levels`);
the scorer's call per node is then a lookup. Other subjects (a target asked about, or a
store whose sets are plain sets) take the loop of :meth:`BlastSummaries._compute`.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Collection
from typing import Any

import numpy as np

from graph.model import (
    ACCESS_EDGES,
    INVALID_CREDENTIAL_STATUSES,
    NODE_KINDS,
    TARGET_KINDS,
    access_rank,
)

from .blast_levels import ACCESS_WEIGHT, CROWN_WEIGHT, figures
from .traverse import is_valid_credential

__all__ = ["ACCESS_WEIGHT", "BATCH_KINDS", "CROWN_WEIGHT", "BlastSummaries", "read_nodes"]
#: The kinds whose figures are computed together on the first ask (the scored kinds).
BATCH_KINDS = ("Workflow", "Secret", "Identity")


def dead_credentials(kinds: list[str], columns: dict[str, list[Any]], as_of: str) -> list[int]:
    """Numbers of the nodes that are credentials no longer working as of ``as_of``, from
    the ``status`` and ``expires_at`` columns of ``node_columns``: the test of
    :func:`queries.traverse.is_valid_credential` (which looks at the kind first), asked
    only of a node with an expiry or an invalid status."""
    out = []
    for i, (status, expires) in enumerate(zip(columns["status"], columns["expires_at"],
                                              strict=True)):
        # Neither an invalid status nor an expiry: valid, so the test is not asked.
        if (expires or status in INVALID_CREDENTIAL_STATUSES) and not is_valid_credential(
                {"kind": kinds[i], "status": status, "expires_at": expires}, as_of):
            out.append(i)
    return out


def read_nodes(store, as_of: str, known: dict[str, dict[str, dict]] | None = None,
               dead_known: Collection[str] | None = None,
               ) -> tuple[list[str], list[str], list[Any], list[int]]:
    """``(ids, kinds, crown_jewel values, dead credential numbers)`` of every node, in
    sorted id order, from one column read (no node read whole; on Neo4j one ``nodes()``).
    ``known``: kind -> the nodes of that kind by id, already read by the caller (the
    findings context's ``by_kind``); the column read is then only of the other kinds.
    ``dead_known``: the ids of the ``known`` nodes that are credentials no longer working
    (:func:`queries.traverse.is_valid_credential` false), when the caller has them."""
    keys = ["crown_jewel", "status", "expires_at"]
    if known is None:
        ids, kinds, props = store.node_columns(keys)
        return ids, kinds, props["crown_jewel"], dead_credentials(kinds, props, as_of)
    ids, kinds, props = store.node_columns(keys, [k for k in NODE_KINDS if k not in known])
    dead = dead_credentials(kinds, props, as_of)
    crown = list(props["crown_jewel"])
    if dead_known is None:
        dead_known = [nid for of_kind in known.values() for nid, n in of_kind.items()
                      if not is_valid_credential(n, as_of)]
    # The column holds None for every node of the known kinds (a stored node never holds
    # a null), so only the known nodes that hold the key, and the dead, need a number.
    jewels = [(nid, n["crown_jewel"]) for of_kind in known.values()
              for nid, n in of_kind.items() if "crown_jewel" in n]
    at: dict[str, int] | None = None

    def number(nid: str) -> int:
        nonlocal at
        v = bisect_left(ids, nid)
        if v < len(ids) and ids[v] == nid:
            return v
        if at is None:  # ids not in Python's order: look them up as before
            at = {x: i for i, x in enumerate(ids)}
        return at[nid]

    for nid, value in jewels:
        crown[number(nid)] = value
    dead.extend(number(nid) for nid in dead_known)
    return ids, kinds, crown, sorted(dead)


class BlastSummaries:
    """``summary(nid)`` -> blast, crown_jewels, admin_targets, reachable for any node."""

    def __init__(self, store, as_of: str, unknown_as: str = "write",
                 known: dict[str, dict[str, dict]] | None = None,
                 dead_known: Collection[str] | None = None):
        """``known``: kind -> every node of that kind by id, already read by the caller
        (the findings context's ``by_kind``); only the other kinds' columns are read.
        ``dead_known``: the dead credentials among them (see :func:`read_nodes`)."""
        self.unknown_as = unknown_as
        col_ids, kinds, crown_jewel, dead = read_nodes(store, as_of, known, dead_known)
        stop = {col_ids[i] for i in dead}
        self.ids, self.comp, self.reach = store.reachable_sets(ACCESS_EDGES, stop)
        self.index = {nid: v for v, nid in enumerate(self.ids)}
        n = len(self.ids)
        # The columns' numbers -> the sets' numbers (the same sorted order on every store
        # here, but the protocol does not promise it).
        renumber = None if col_ids == self.ids else np.fromiter(
            (self.index.get(i, -1) for i in col_ids), dtype=np.int64, count=len(col_ids))

        def ours(numbers: Any) -> Any:
            numbers = np.asarray(numbers, dtype=np.int64)
            return numbers if renumber is None else renumber[numbers]

        # Per node in the columns' order, then in the sets' order.
        target = np.fromiter((k in TARGET_KINDS for k in kinds), dtype=bool, count=len(kinds))
        crown = np.fromiter((bool(c) for c in crown_jewel), dtype=bool, count=len(kinds))
        stopped = np.zeros(len(kinds), dtype=bool)
        stopped[dead] = True
        self.kind: list[str | None]
        if renumber is None:
            self.stop, self.target, self.crown, self.kind = stopped, target, crown, list(kinds)
        else:
            ok = renumber >= 0
            at = renumber[ok]
            self.stop, self.target, self.crown = (np.zeros(n, dtype=bool) for _ in range(3))
            self.stop[at], self.target[at], self.crown[at] = stopped[ok], target[ok], crown[ok]
            self.kind = [None] * n
            for v, k in zip(at.tolist(), np.asarray(kinds, dtype=object)[ok].tolist(),
                            strict=True):
                self.kind[v] = k
        src, dst, levels = store.edge_columns("CAN_ACCESS", "access")
        src, dst = ours(src), ours(dst)
        keep = (src >= 0) & (dst >= 0)
        self.grant_src, self.grant_dst = src[keep], dst[keep]
        self.grant_level = [("unknown" if lvl is None else lvl)
                            for lvl, k in zip(levels, keep.tolist(), strict=True) if k]
        # What targets contain, by the ends of their CONTAINS edges only (not the
        # workspaces' edges, and no properties: Neo4j sends no more than that).
        index = self.index
        pairs = [(index.get(a, -1), index.get(b, -1)) for a, _, b in store.expand_ends(
            [self.ids[v] for v in np.flatnonzero(self.target).tolist()], "out", ("CONTAINS",))]
        ends = np.asarray(pairs, dtype=np.int64).reshape(len(pairs), 2)
        ends = ends[(ends[:, 0] >= 0) & (ends[:, 1] >= 0)]
        self.contains_src, self.contains_dst = ends[:, 0].copy(), ends[:, 1].copy()
        self._rank: dict[str, tuple[int, int]] = {}
        self._cache: dict[int, dict] = {}
        self._batched = False
        self._lists: tuple | None = None

    def rank(self, level: str) -> tuple[int, int]:
        r = self._rank.get(level)
        if r is None:
            r = self._rank[level] = access_rank(level, self.unknown_as)
        return r

    def summary(self, nid: str) -> dict:
        v = self.index.get(nid)
        if v is None:
            return {"blast": 0.0, "crown_jewels": [], "admin_targets": 0, "reachable": 0}
        got = self._cache.get(v)
        if got is None and not self._batched and self.kind[v] in BATCH_KINDS:
            self._batch()
            got = self._cache.get(v)
        if got is None:
            got = self._cache[v] = self._compute(v)
        return got

    def _batch(self) -> None:
        """The figures of every node of :data:`BATCH_KINDS` that is not a target, at once
        (:func:`queries.blast_levels.figures`), when the sets are a closure."""
        from graph.condensation import Closure

        self._batched = True
        if not isinstance(self.reach, Closure):
            return
        nodes = np.flatnonzero(np.fromiter((k in BATCH_KINDS for k in self.kind), dtype=bool,
                                           count=len(self.kind)) & ~self.target)
        self._cache.update(figures(self, nodes))

    def targets_of(self, start_sets) -> dict[tuple[str, ...], list[str]] | None:
        """What :func:`queries.traverse.targets_of` gives for ``start_sets`` (the targets
        each set reaches, dead credentials reached but not expanded, keyed by its sorted
        tuple), read off the closure these figures were computed on (the same edges, the
        same dead credentials as ``stop``): one product of the chosen rows, no second
        sweep and condensation. None when the sets are not a closure (Neo4j)."""
        from graph.condensation import Closure, distinct

        reach = self.reach
        if not isinstance(reach, Closure):  # a small store's sets: no SciPy import
            return None
        from scipy.sparse import csr_matrix

        from graph.traversal import start_keys

        keys = start_keys(start_sets)
        index, stop, target = self.index, self.stop, self.target
        label, pos = reach.label, reach.pos
        rows_l: list[int] = []  # a key's row, and the closure row of each expanded member
        cols_l: list[int] = []
        member_key: list[int] = []  # a key's row, and each of its members that is a target
        member: list[int] = []
        for r, key in enumerate(keys):
            for nid in key:
                v = index.get(nid)
                if v is None:
                    continue
                if not stop[v]:
                    rows_l.append(r)
                    cols_l.append(int(pos[label[v]]))
                if target[v]:
                    member_key.append(r)
                    member.append(v)
        pick = csr_matrix((np.ones(len(rows_l), dtype=bool), (rows_l, cols_l)),
                          shape=(len(keys), reach.q.shape[0]))
        got = (pick @ reach.q).tocsr()
        got.sum_duplicates()
        rows = np.repeat(np.arange(len(keys), dtype=np.int64), np.diff(got.indptr))
        cols = np.asarray(got.indices, dtype=np.int64)
        kept = target[cols]
        n = max(len(self.ids), 1)
        pair = distinct(np.concatenate([rows[kept], np.asarray(member_key, dtype=np.int64)])
                        * n + np.concatenate([cols[kept], np.asarray(member, dtype=np.int64)]))
        pr, pn = pair // n, pair % n
        ids = self.ids
        names = [ids[v] for v in pn.tolist()]
        bounds = np.searchsorted(pr, np.arange(len(keys) + 1)).tolist()
        return {key: names[bounds[r]:bounds[r + 1]] for r, key in enumerate(keys)}

    def reached(self, sources) -> set[str] | None:
        """What the store's ``reached(sources, "out", ACCESS_EDGES, as_of=...)`` gives (the
        sources, found or not, and every node a walk from them meets, dead credentials met
        but not expanded), read off the closure these figures were computed on: the union
        of the closure rows of the sources' components (a row holds its component's own
        members). None when the sets are not a closure (Neo4j)."""
        from graph.condensation import Closure, _ranges, distinct

        reach = self.reach
        if not isinstance(reach, Closure):
            return None
        sources = set(sources)
        index, stop = self.index, self.stop
        live = [v for s in sources if (v := index.get(s)) is not None and not stop[v]]
        rows = distinct(reach.pos[reach.label[np.asarray(live, dtype=np.int64)]])
        met = np.zeros(len(self.ids), dtype=bool)
        met[_ranges(reach.q.indptr, reach.q.indices, rows)] = True
        ids = self.ids
        sources.update(ids[v] for v in np.flatnonzero(met).tolist())
        return sources

    def _compute(self, v: int) -> dict:
        """One node's figures by a loop over its reachable set (the definition the
        vectorised :func:`queries.blast_levels.figures` must agree with)."""
        if self._lists is None:
            grants: dict[int, list[tuple[int, str]]] = {}  # holder -> (target, level)
            for a, b, lvl in zip(self.grant_src.tolist(), self.grant_dst.tolist(),
                                 self.grant_level, strict=True):
                grants.setdefault(a, []).append((b, lvl))
            contains: dict[int, list[int]] = {}  # target -> what it contains
            for a, b in zip(self.contains_src.tolist(), self.contains_dst.tolist(),
                            strict=True):
                contains.setdefault(a, []).append(b)
            self._lists = (self.stop.tolist(), self.target.tolist(), self.crown.tolist(),
                           grants, contains)
        stop, target, crown, grants, contains = self._lists
        reached = self.reach[self.comp[v]]
        expanded = [u for u in reached if not stop[u]]
        if not stop[v] and v not in reached:
            expanded.append(v)
        levels: dict[int, str] = {}
        if target[v]:
            levels[v] = "admin"
        rank = self.rank
        for u in expanded:
            for t, lvl in grants.get(u, ()):
                old = levels.get(t)
                if old is None or rank(lvl) > rank(old):
                    levels[t] = lvl
        # Inherit down CONTAINS from expanded targets until nothing improves.
        work = [u for u in expanded if target[u] and u in levels and u in contains]
        while work:
            u = work.pop()
            lvl = levels[u]
            for d in contains[u]:
                old = levels.get(d)
                if old is None or rank(lvl) > rank(old):
                    levels[d] = lvl
                    if target[d] and d in contains:
                        work.append(d)
        blast, admin = 0.0, 0
        for t in reached:
            if t == v or not target[t]:
                continue
            level = levels.get(t, "unknown")
            if level == "admin":
                admin += 1
            if stop[t]:
                continue
            if level == "unknown":
                level = self.unknown_as
            blast += ACCESS_WEIGHT.get(level, 2) * (CROWN_WEIGHT if crown[t] else 1)
        jewels = sorted(self.ids[t] for t in reached if t != v and crown[t])
        return {"blast": blast, "crown_jewels": jewels, "admin_targets": admin,
                "reachable": len(reached) - (v in reached)}
