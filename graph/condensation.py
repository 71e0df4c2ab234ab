"""Whole-graph reachability for the embedded store: every node's reachable set at once.

A blast radius per node, one walk each, costs the sum of all reachable-set sizes times the
per-edge cost of a walk; at a million nodes that is minutes. Here the access-edge graph is
numbered (nodes in sorted id order), made compact (``scipy.sparse`` CSR), condensed into
its strongly connected components (assume-role cycles collapse into one node), and the
reachable set of each component is built once from its successors' sets, one sparse matrix
product per level of the condensation (components ordered by their longest path to a
sink, so a level needs only the levels below it): the sets are the rows of a boolean
``scipy.sparse`` matrix (:class:`Closure`), built in C, never a Python set per
component; a caller that asks for one component's set gets it then. Each set is shared
by every node of its component.

A node listed in ``stop`` (a credential that no longer works) is reached but not expanded,
exactly as the walks of :mod:`graph.traversal` do: its out-edges are dropped before the
condensation. ``reachable_sets`` gives, per component, the set of node numbers it reaches
(itself included when it sits on a cycle, so callers discard it).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    import networkx as nx


def compact_adjacency(g: nx.MultiDiGraph, kinds: Iterable[str],
                      stop: set[str]) -> tuple[list[str], Any]:
    """``(ids, csr)``: node ids in sorted order and a CSR matrix of the edges of ``kinds``
    (one entry per distinct ordered pair), leaving out the out-edges of ``stop`` nodes."""
    ids, src, dst = compact_pairs(g, kinds, stop)
    return ids, csr_of_pairs(src, dst, len(ids))


def compact_pairs(g: nx.MultiDiGraph, kinds: Iterable[str],
                  stop: set[str]) -> tuple[list[str], Any, Any]:
    """``(ids, src, dst)``: :func:`compact_adjacency`'s ids and its distinct ordered pairs
    (node numbers), before they make a matrix."""
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
    return ids, np.asarray(src, dtype=np.int64), np.asarray(dst, dtype=np.int64)


def csr_of_pairs(src: Any, dst: Any, n: int) -> Any:
    """A CSR matrix with one entry per distinct ordered pair ``(src[i], dst[i])``."""
    from scipy.sparse import csr_matrix

    m = csr_matrix((np.ones(len(src), dtype=np.int8), (np.asarray(src, dtype=np.int64),
                                                       np.asarray(dst, dtype=np.int64))),
                   shape=(n, n))
    m.sum_duplicates()
    return m


def reachable_sets(m: Any) -> tuple[list[int], Closure]:
    """``(component, reach)``: the component number of each node, and for each component
    the node numbers reachable from its nodes by one or more edges (a node on a cycle
    reaches itself), as a :class:`Closure` (a sequence of sets, built on demand)."""
    c = Closure(m)
    return c.label.tolist(), c


def _ranges(indptr: Any, indices: Any, rows: Any) -> Any:
    """``indices`` of CSR rows ``rows``, concatenated (one vectorised gather)."""
    starts, ends = indptr[rows], indptr[rows + 1]
    lens = ends - starts
    total = int(lens.sum())
    if not total:
        return indices[:0]
    offset = np.repeat(starts - np.concatenate(([0], np.cumsum(lens)[:-1])), lens)
    return indices[offset + np.arange(total)]


def distinct(a: Any) -> Any:
    """The distinct values of an integer array, sorted: by one sort (``numpy.unique`` of
    numpy 2.4 hashes, ~25x slower on a few million integers here)."""
    a = np.sort(np.asarray(a).ravel())
    return a[np.r_[True, a[1:] != a[:-1]]] if len(a) else a


def edge_rows(ptr: Any, nodes: Any) -> Any:
    """The rows ``ptr[i]..ptr[i+1]`` of every node ``i`` of ``nodes`` (CSR row pointers),
    concatenated in that order."""
    nodes = np.asarray(nodes, dtype=np.int64)
    starts = np.asarray(ptr[nodes], dtype=np.int64)
    lens = np.asarray(ptr[nodes + 1], dtype=np.int64) - starts
    total = int(lens.sum())
    if not total:
        return np.zeros(0, dtype=np.int64)
    return np.repeat(starts - np.concatenate(([0], np.cumsum(lens)[:-1])), lens) \
        + np.arange(total)


class Closure(Sequence):
    """Every component's reachable set, as rows of one boolean sparse matrix.

    ``q`` (components in level order x nodes) holds, per component, the nodes reachable
    from it by one or more edges together with its own members (what a predecessor gains
    from it); ``closure[c]`` is component ``c``'s set without its member unless it sits on
    a cycle. Level 0 is the sinks; a component's level is one more than its highest
    successor's, so ``q``'s rows of a level are the product of the condensation's rows of
    that level with the rows of the levels below (scipy's boolean product is an OR)."""

    def __init__(self, m: Any):
        from scipy.sparse import csr_matrix, vstack
        from scipy.sparse.csgraph import connected_components

        n = m.shape[0]
        self.n = n
        ncomp, label = connected_components(m, directed=True, connection="strong") \
            if n else (0, np.zeros(0, dtype=np.int32))
        self.label = label
        coo = m.tocoo()
        a, b = label[coo.row], label[coo.col]
        cyclic = np.zeros(ncomp, dtype=bool)
        cyclic[a[a == b]] = True  # a self-loop or a cycle inside the component
        cyclic |= np.bincount(label, minlength=ncomp) > 1
        keep = a != b
        dag = csr_matrix((np.ones(int(keep.sum()), dtype=bool), (a[keep], b[keep])),
                         shape=(ncomp, ncomp))
        dag.sum_duplicates()
        # Levels: peel the sinks off, then what has only peeled successors, and so on.
        outdeg = np.diff(dag.indptr).astype(np.int64)
        pred = dag.T.tocsr()
        level = np.zeros(ncomp, dtype=np.int64)
        cur = np.flatnonzero(outdeg == 0)
        depth = 0
        while len(cur):
            level[cur] = depth
            dec = np.bincount(_ranges(pred.indptr, pred.indices, cur), minlength=ncomp)
            outdeg -= dec
            cur = np.flatnonzero((outdeg == 0) & (dec > 0))
            depth += 1
        order = np.argsort(level, kind="stable")
        pos = np.empty(ncomp, dtype=np.int64)
        pos[order] = np.arange(ncomp)
        self.pos, self.cyclic = pos, cyclic
        bounds = np.searchsorted(level[order], np.arange(depth + 1))
        dag_l = dag[order][:, order].tocsr()
        members = csr_matrix((np.ones(n, dtype=bool), (pos[label], np.arange(n))),
                             shape=(ncomp, n))
        self.member = np.zeros(ncomp, dtype=np.int64)  # one member of each component
        self.member[label] = np.arange(n)
        q = members[bounds[0]:bounds[1]] if depth else members[:0]
        for lv in range(1, depth):
            lo, hi = bounds[lv], bounds[lv + 1]
            block = (dag_l[lo:hi, :lo] @ q + members[lo:hi]).tocsr()
            q = vstack([q, block], format="csr")
        q.sum_duplicates()
        q.eliminate_zeros()
        self.q = q

    def __len__(self) -> int:
        return len(self.cyclic)

    def row(self, c: int) -> Any:
        """Component ``c``'s reachable node numbers (a numpy array, unsorted)."""
        p = self.pos[c]
        got = self.q.indices[self.q.indptr[p]:self.q.indptr[p + 1]]
        return got if self.cyclic[c] else got[got != self.member[c]]

    def __getitem__(self, c: Any) -> Any:  # a set per component, as the other engines give
        if isinstance(c, slice):
            return [self[i] for i in range(*c.indices(len(self)))]
        return set(self.row(int(c)).tolist())

    def sums(self, feat: Any) -> tuple[Any, Any, Any]:
        """``(sizes, totals, cyclic)`` per component: how many nodes its set holds, the
        column sums of ``feat`` (nodes x features) over them, and whether it sits on a
        cycle (its set holds its own members), in component order."""
        q_sizes = np.diff(self.q.indptr)[self.pos]
        q_totals = (self.q @ feat)[self.pos]
        single = ~self.cyclic  # the member is in q's row but not in the set
        q_sizes = q_sizes - single
        q_totals = q_totals - feat[self.member] * single[:, None]
        return q_sizes, q_totals, self.cyclic
