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
"""

from __future__ import annotations

from graph.model import ACCESS_EDGES, NODE_KINDS, TARGET_KINDS, access_rank

from .traverse import is_valid_credential

ACCESS_WEIGHT = {"read": 1, "write": 2, "admin": 3}
CROWN_WEIGHT = 3


class BlastSummaries:
    """``summary(nid)`` -> blast, crown_jewels, admin_targets, reachable for any node."""

    def __init__(self, store, as_of: str, unknown_as: str = "write",
                 known: dict[str, dict[str, dict]] | None = None):
        """``known``: kind -> every node of that kind by id, already read by the caller
        (the findings context's ``by_kind``); only the other kinds are read here."""
        self.unknown_as = unknown_as
        if known is None:
            nodes = {n["id"]: n for n in store.nodes()}
        else:
            nodes = {i: n for of_kind in known.values() for i, n in of_kind.items()}
            for kind in NODE_KINDS:
                if kind not in known:
                    nodes.update((n["id"], n) for n in store.nodes(kind))
        stop = {i for i, n in nodes.items() if not is_valid_credential(n, as_of)}
        self.ids, self.comp, self.reach = store.reachable_sets(ACCESS_EDGES, stop)
        self.index = {nid: v for v, nid in enumerate(self.ids)}
        n = len(self.ids)
        self.stop = [self.ids[v] in stop for v in range(n)]
        self.target = [nodes.get(self.ids[v], {}).get("kind") in TARGET_KINDS for v in range(n)]
        self.crown = [bool(nodes.get(self.ids[v], {}).get("crown_jewel", False))
                      for v in range(n)]
        self.grants: dict[int, list[tuple[int, str]]] = {}  # holder -> (target, level)
        for e in store.edges("CAN_ACCESS"):
            src, dst = self.index.get(e.src), self.index.get(e.dst)
            if src is not None and dst is not None:
                self.grants.setdefault(src, []).append((dst, e.props.get("access", "unknown")))
        self.contains: dict[int, list[int]] = {}  # target -> what it contains
        targets = [self.ids[v] for v in range(n) if self.target[v]]
        for a, _, b in store.expand_ends(targets, "out", ("CONTAINS",)):  # ends only, and
            src, dst = self.index.get(a), self.index.get(b)  # not the workspaces' edges
            if src is not None and dst is not None:
                self.contains.setdefault(src, []).append(dst)
        self._rank: dict[str, tuple[int, int]] = {}
        self._cache: dict[int, dict] = {}

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
        if got is None:
            got = self._cache[v] = self._compute(v)
        return got

    def _compute(self, v: int) -> dict:
        reached = self.reach[self.comp[v]]
        expanded = [u for u in reached if not self.stop[u]]
        if not self.stop[v] and v not in reached:
            expanded.append(v)
        levels: dict[int, str] = {}
        if self.target[v]:
            levels[v] = "admin"
        rank = self.rank
        for u in expanded:
            for t, lvl in self.grants.get(u, ()):
                old = levels.get(t)
                if old is None or rank(lvl) > rank(old):
                    levels[t] = lvl
        # Inherit down CONTAINS from expanded targets until nothing improves.
        work = [u for u in expanded if self.target[u] and u in levels and u in self.contains]
        while work:
            u = work.pop()
            lvl = levels[u]
            for d in self.contains[u]:
                old = levels.get(d)
                if old is None or rank(lvl) > rank(old):
                    levels[d] = lvl
                    if self.target[d] and d in self.contains:
                        work.append(d)
        blast, admin = 0.0, 0
        for t in reached:
            if t == v or not self.target[t]:
                continue
            level = levels.get(t, "unknown")
            if level == "admin":
                admin += 1
            if self.stop[t]:
                continue
            if level == "unknown":
                level = self.unknown_as
            blast += ACCESS_WEIGHT.get(level, 2) * (CROWN_WEIGHT if self.crown[t] else 1)
        jewels = sorted(self.ids[t] for t in reached if t != v and self.crown[t])
        return {"blast": blast, "crown_jewels": jewels, "admin_targets": admin,
                "reachable": len(reached) - (v in reached)}
