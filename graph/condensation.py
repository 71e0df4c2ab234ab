"""Whole-graph reachability for the embedded store: every node's reachable set at once.

A blast radius per node, one walk each, costs the sum of all reachable-set sizes times the
per-edge cost of a walk; at a million nodes that is minutes. Here the access-edge graph is
numbered (nodes in sorted id order), made compact (``scipy.sparse`` CSR), condensed into
its strongly connected components (assume-role cycles collapse into one node), and the
reachable set of each component is built once, in reverse topological order, from its
successors' sets. Each set is then shared by every node of its component.

A node listed in ``stop`` (a credential that no longer works) is reached but not expanded,
exactly as the walks of :mod:`graph.traversal` do: its out-edges are dropped before the
condensation. ``reachable_sets`` gives, per component, the set of node numbers it reaches
(itself included when it sits on a cycle, so callers discard it).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, cast

import numpy as np

if TYPE_CHECKING:
    import networkx as nx


def compact_adjacency(g: nx.MultiDiGraph, kinds: Iterable[str],
                      stop: set[str]) -> tuple[list[str], Any]:
    """``(ids, csr)``: node ids in sorted order and a CSR matrix of the edges of ``kinds``
    (one entry per distinct ordered pair), leaving out the out-edges of ``stop`` nodes."""
    kinds = frozenset(kinds)
    ids = sorted(g._node)
    index = {n: i for i, n in enumerate(ids)}
    src: list[int] = []
    dst: list[int] = []
    for a, nbrs in g._succ.items():
        if a in stop:
            continue
        ia = index[a]
        for b, keyed in nbrs.items():
            if not kinds.isdisjoint(keyed):
                src.append(ia)
                dst.append(index[b])
    return ids, csr_of_pairs(np.asarray(src, dtype=np.int64),
                             np.asarray(dst, dtype=np.int64), len(ids))


def csr_of_pairs(src: Any, dst: Any, n: int) -> Any:
    """A CSR matrix with one entry per distinct ordered pair ``(src[i], dst[i])``."""
    from scipy.sparse import csr_matrix

    m = csr_matrix((np.ones(len(src), dtype=np.int8), (np.asarray(src, dtype=np.int64),
                                                       np.asarray(dst, dtype=np.int64))),
                   shape=(n, n))
    m.sum_duplicates()
    return m


def reachable_sets(m: Any) -> tuple[list[int], list[set[int]]]:
    """``(component, reach)``: the component number of each node, and for each component
    the node numbers reachable from its nodes by one or more edges (a node on a cycle
    reaches itself)."""
    from scipy.sparse import csr_matrix
    from scipy.sparse.csgraph import connected_components

    n = m.shape[0]
    if n == 0:
        return [], []
    ncomp, label = connected_components(m, directed=True, connection="strong")
    coo = m.tocoo()
    a, b = label[coo.row], label[coo.col]
    cyclic = np.zeros(ncomp, dtype=bool)
    cyclic[a[a == b]] = True  # a self-loop or a cycle inside the component
    sizes = np.bincount(label, minlength=ncomp)
    cyclic |= sizes > 1
    keep = a != b
    dag = csr_matrix((np.ones(int(keep.sum()), dtype=np.int8), (a[keep], b[keep])),
                     shape=(ncomp, ncomp))
    dag.sum_duplicates()
    order = np.argsort(label, kind="stable")
    starts = np.searchsorted(label[order], np.arange(ncomp + 1))
    members = [order[starts[c]:starts[c + 1]].tolist() for c in range(ncomp)]
    indptr, indices = dag.indptr, dag.indices
    # Kahn's algorithm for a topological order, then fill sets from the sinks up.
    indeg = np.bincount(indices, minlength=ncomp)
    stack = np.flatnonzero(indeg == 0).tolist()
    topo: list[int] = []
    indeg = indeg.tolist()
    ip, ix = indptr.tolist(), indices.tolist()
    while stack:
        c = stack.pop()
        topo.append(c)
        for d in ix[ip[c]:ip[c + 1]]:
            indeg[d] -= 1
            if indeg[d] == 0:
                stack.append(d)
    reach: list[set[int] | None] = [None] * ncomp
    for c in reversed(topo):
        s: set[int] = set(members[c]) if cyclic[c] else set()
        for d in ix[ip[c]:ip[c + 1]]:
            s.update(members[d])
            s.update(reach[d])
        reach[c] = s
    return label.tolist(), cast("list[set[int]]", reach)  # every entry filled above
