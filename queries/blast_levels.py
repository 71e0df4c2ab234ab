"""The blast figures of many subjects at once, in sparse matrix products over a closure.

:meth:`queries.blast_summary.BlastSummaries._compute` defines a subject's figures by a loop
over its reachable set. For a subject ``v`` that is not itself a target the same figures
follow from its component's row of the closure (:class:`graph.condensation.Closure`):

* the row ``q[c]`` holds what ``v`` reaches and ``v`` itself, so less the stopped nodes it
  is exactly the set the loop expands (``v`` is expanded unless stopped);
* the access levels are the few ranks of :func:`graph.model.access_rank`, each a distinct
  key, so "the strongest grant" is the highest threshold ``k`` for which some expanded
  holder has a grant of rank at least ``k``: one boolean product per threshold;
* inheritance down ``CONTAINS`` only raises a contained target to its container's level,
  and every container on the way is a reached, expanded target (``CONTAINS`` is an access
  edge and targets are never stopped), so the inherited level is the threshold count over
  ``grants @ contains*``, ``contains*`` the reflexive closure of ``CONTAINS`` out of
  targets; it is applied to the grants once, not per subject;
* ``v`` is no target, so no target is ``v`` and the self-admin rule never applies.

A target's figures (``v`` admin over what it contains) keep to the loop. ``bs`` below is
the :class:`queries.blast_summary.BlastSummaries` whose arrays the figures are read from.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from graph.gc_pause import gc_paused

#: A reached target's weight by access level (``unknown`` weighs as ``unknown_as``)...
ACCESS_WEIGHT = {"read": 1, "write": 2, "admin": 3}
#: ...times this for a crown jewel.
CROWN_WEIGHT = 3
#: Components per block of the products (bounds the transient matrices' size).
BLOCK = 4096


def _contains_closure(bs: Any, n: int) -> Any:
    """``contains*``: row ``t`` is ``t`` and everything below it by ``CONTAINS`` edges out
    of targets (an n x n boolean CSR matrix)."""
    from graph.condensation import Closure, csr_of_pairs

    c = Closure(csr_of_pairs(bs.contains_src, bs.contains_dst, n))
    return c.q[c.pos[c.label]].astype(bool)


def _threshold_grants(bs: Any, n: int) -> tuple[list[str], list[Any]]:
    """The levels in rank order, and for each threshold ``k`` (1..K) the holder x target
    matrix of the grants of rank at least level ``k``, inherited down ``contains*``; the
    grants of stopped holders are left out (a dead credential is not expanded)."""
    from scipy.sparse import csr_matrix

    levels = sorted(set(bs.grant_level) | {"admin"}, key=bs.rank)
    code = {lvl: i + 1 for i, lvl in enumerate(levels)}
    codes = np.fromiter((code[lvl] for lvl in bs.grant_level), dtype=np.int64,
                        count=len(bs.grant_level))
    live = ~bs.stop[bs.grant_src]
    below = _contains_closure(bs, n)
    out = []
    for k in range(1, len(levels) + 1):
        keep = live & (codes >= k)
        h = csr_matrix((np.ones(int(keep.sum()), dtype=bool),
                        (bs.grant_src[keep], bs.grant_dst[keep])), shape=(n, n))
        out.append((h @ below).astype(bool).tocsr())
    return levels, out


def figures(bs: Any, nodes: Any) -> dict[int, dict]:
    """Node number -> the figures of ``_compute`` for every node of ``nodes`` (none of
    them a target), with ``bs.reach`` a closure."""
    from scipy.sparse import csr_matrix

    reach = bs.reach
    n = len(bs.ids)
    nodes = np.asarray(nodes, dtype=np.int64)
    if not len(nodes) or not n:
        return {}
    # Each reached target's weight factor (a stopped one counts for nothing).
    factor = np.where(bs.crown, CROWN_WEIGHT, 1) * (bs.target & ~bs.stop)
    sizes, totals, cyclic = reach.sums(factor[:, None].astype(np.int64))
    levels, grants = _threshold_grants(bs, n)
    unknown = ACCESS_WEIGHT.get(bs.unknown_as, 2)
    weight = [0] + [ACCESS_WEIGHT.get(bs.unknown_as if lvl == "unknown" else lvl, 2) - unknown
                    for lvl in levels]
    delta = np.asarray(weight, dtype=np.int64)
    is_admin = np.asarray([False] + [lvl == "admin" for lvl in levels], dtype=bool)
    label = np.asarray(reach.label, dtype=np.int64)
    comps = np.unique(label[nodes])
    crown_cols = np.flatnonzero(bs.crown)
    extra = np.zeros(len(comps), dtype=np.int64)
    admin = np.zeros(len(comps), dtype=np.int64)
    jewels: list[tuple[str, ...]] = []  # per component, its jewels' ids sorted
    ids = bs.ids
    for lo in range(0, len(comps), BLOCK):
        block = comps[lo:lo + BLOCK]
        q = reach.q[reach.pos[block]]
        idx = None
        for h in grants:  # a target's threshold count: its level's number, 0 for none
            got = (q @ h).astype(np.int8)
            idx = got if idx is None else idx + got
        idx = csr_matrix(idx)
        idx.sum_duplicates()
        rows = np.repeat(np.arange(len(block)), np.diff(idx.indptr))
        data = np.asarray(idx.data, dtype=np.int64)
        extra[lo:lo + len(block)] = np.bincount(
            rows, weights=delta[data] * factor[idx.indices], minlength=len(block)).round()
        admin[lo:lo + len(block)] = np.bincount(
            rows, weights=is_admin[data] & bs.target[idx.indices],
            minlength=len(block)).round()
        qc = q[:, crown_cols].tocsr()
        ptr = qc.indptr
        found = [()] * len(block)
        for i in np.flatnonzero(np.diff(ptr)).tolist():  # the few rows reaching a jewel
            found[i] = tuple(sorted(ids[t] for t in crown_cols[qc.indices[ptr[i]:ptr[i + 1]]]
                                    .tolist()))
        jewels.extend(found)
    at = {c: i for i, c in enumerate(comps.tolist())}
    tot = totals[:, 0].tolist()
    size_l, cyc_l = sizes.tolist(), cyclic.tolist()
    extra_l, admin_l = extra.tolist(), admin.tolist()
    crown = bs.crown.tolist()
    out = {}
    with gc_paused():  # a dict and a list per subject, all kept
        for v, c in zip(nodes.tolist(), label[nodes].tolist(), strict=True):
            i = at[c]
            out[v] = {"blast": float(unknown * tot[c] + extra_l[i]),
                      "crown_jewels": [t for t in jewels[i] if t != ids[v]] if crown[v]
                      else list(jewels[i]),
                      "admin_targets": admin_l[i],
                      "reachable": size_l[c] - cyc_l[c]}
    return out
