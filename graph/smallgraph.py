"""Small graphs without SciPy: the same answers as the ``scipy.sparse.csgraph`` calls of the
analyses, in plain Python, where the graph is small enough that importing SciPy (about a
quarter of a second, most of a small store's command) costs more than the work.

* :func:`components_undirected` gives exactly the labels of
  ``scipy.sparse.csgraph.connected_components(m, directed=False)``: components numbered in
  the order of their lowest node (SciPy's labelling, checked by ``tests/test_smallgraph.py``
  against SciPy on hand-built and random graphs), so anything ordered by label is ordered
  the same.
* :func:`reachable_sets` gives each node's reachable set (``reachable_sets_csr``'s answer)
  as a plain sequence of sets per strongly connected component, the shape the Neo4j and
  the in-memory stores' callers already take (they then use the per-node definitions, not
  the closure's vectorised sums).
* :func:`reach_rows` gives, per start set, the nodes reached by one or more edges plus the
  starts themselves, sorted: the rows ``graph.traversal.joint_reach_csr`` builds from the
  condensation's closure with a sparse product.

Each is used only below a size (:data:`SMALL`, :data:`REACH_BUDGET`); past it the SciPy
path runs as before.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

#: Nodes + edges up to which :func:`components_undirected` is used instead of SciPy. Union-
#: find here costs about 1 us per edge; SciPy's import alone is 0.25 s or more.
SMALL = 50_000
#: Nodes up to which :func:`reachable_sets` replaces the condensation's sparse closure (its
#: callers then loop over each node's set in Python).
SMALL_CLOSURE = 2_000
#: Distinct starts x reachable nodes up to which :func:`reach_rows` walks each start.
REACH_BUDGET = 2_000_000
#: Edges followed by :func:`reach_rows`'s walks past which it gives way (about 0.3 s).
REACH_WORK = 1_000_000


def is_small(n_nodes: int, n_edges: int) -> bool:
    return n_nodes + n_edges <= SMALL


def components_undirected(n: int, a: Any, b: Any) -> tuple[int, Any]:
    """``(count, labels)`` of the undirected graph on nodes ``0..n-1`` with edges
    ``a[i] -- b[i]``: what ``connected_components(directed=False)`` returns (int32 labels,
    the component of node 0 is 0, the next lowest node not in it starts component 1...)."""
    parent = list(range(n))
    for x, y in zip(np.asarray(a).tolist(), np.asarray(b).tolist(), strict=True):
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        while parent[y] != y:
            parent[y] = parent[parent[y]]
            y = parent[y]
        if x != y:
            if x < y:
                parent[y] = x
            else:
                parent[x] = y
    number: dict[int, int] = {}
    labels = []
    for i in range(n):
        r = i
        while parent[r] != r:
            r = parent[r]
        parent[i] = r
        labels.append(number.setdefault(r, len(number)))
    return len(number), np.asarray(labels, dtype=np.int32).reshape(n)


class Rows:
    """CSR-like rows (``indptr``, ``indices``), the two attributes callers of
    ``joint_reach_csr`` read from SciPy's matrix."""

    def __init__(self, indptr: Any, indices: Any):
        self.indptr, self.indices = indptr, indices


def reach_rows(n: int, src: Any, dst: Any, starts: Sequence[Sequence[int]]) -> Rows | None:
    """Per start set (local node numbers ``0..n-1``), the sorted node numbers reached from
    it by one or more edges ``src[i] -> dst[i]``, its own starts included; None when the
    walks would exceed :data:`REACH_BUDGET` or :data:`REACH_WORK` (the caller then takes
    the sparse path)."""
    distinct = {s for key in starts for s in key}
    if len(distinct) * n > REACH_BUDGET:
        return None
    succ: list[list[int]] = [[] for _ in range(n)]
    for x, y in zip(np.asarray(src).tolist(), np.asarray(dst).tolist(), strict=True):
        succ[x].append(y)
    reached: dict[int, set[int]] = {}
    work = 0
    for s in distinct:
        seen = {s}
        todo = [s]
        while todo:
            nbrs = succ[todo.pop()]
            work += len(nbrs)
            if work > REACH_WORK:
                return None
            for y in nbrs:
                if y not in seen:
                    seen.add(y)
                    todo.append(y)
        reached[s] = seen
    indptr = [0]
    indices: list[int] = []
    for key in starts:
        row: set[int] = set()
        for s in key:
            row |= reached[s]
        indices.extend(sorted(row))
        indptr.append(len(indices))
    return Rows(np.asarray(indptr, dtype=np.int64), np.asarray(indices, dtype=np.int64))


class SmallSets(Sequence):
    """Per component, the node numbers it reaches by one or more edges (its own members
    only on a cycle), kept as bit masks and made a set when asked."""

    def __init__(self, masks: list[int], n: int):
        self._masks, self._n = masks, n

    def __len__(self) -> int:
        return len(self._masks)

    def __getitem__(self, c: Any) -> Any:
        if isinstance(c, slice):
            return [self[i] for i in range(*c.indices(len(self)))]
        m = self._masks[int(c)]
        if not m:
            return set()
        bits = np.unpackbits(np.frombuffer(m.to_bytes((self._n + 7) // 8, "little"),
                                           dtype=np.uint8), bitorder="little")
        return set(np.flatnonzero(bits).tolist())


def reachable_sets(n: int, src: Any, dst: Any) -> tuple[list[int], SmallSets]:
    """``(component, reach)`` of the directed graph ``src[i] -> dst[i]`` on ``0..n-1``: the
    strongly connected component of each node (Tarjan's order, not SciPy's numbers) and,
    per component, the set of nodes reachable from it by one or more edges (a node on a
    cycle or with a self-loop reaches itself), as ``graph.condensation.reachable_sets``."""
    succ: list[list[int]] = [[] for _ in range(n)]
    for x, y in zip(np.asarray(src).tolist(), np.asarray(dst).tolist(), strict=True):
        succ[x].append(y)
    index = [-1] * n
    low = [0] * n
    on_stack = [False] * n
    comp = [-1] * n
    stack: list[int] = []
    masks: list[int] = []
    counter = 0
    for root in range(n):
        if index[root] >= 0:
            continue
        work = [(root, 0)]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack[root] = True
        while work:
            v, i = work[-1]
            nbrs = succ[v]
            if i < len(nbrs):
                work[-1] = (v, i + 1)
                w = nbrs[i]
                if index[w] < 0:
                    index[w] = low[w] = counter
                    counter += 1
                    stack.append(w)
                    on_stack[w] = True
                    work.append((w, 0))
                elif on_stack[w] and index[w] < low[v]:
                    low[v] = index[w]
                continue
            work.pop()
            if work and low[v] < low[work[-1][0]]:
                low[work[-1][0]] = low[v]
            if low[v] == index[v]:  # v roots a component; its successors' are all done
                c = len(masks)
                members = []
                while True:
                    w = stack.pop()
                    on_stack[w] = False
                    comp[w] = c
                    members.append(w)
                    if w == v:
                        break
                own = 0
                for w in members:
                    own |= 1 << w
                got = 0
                cyclic = len(members) > 1
                for w in members:
                    for y in succ[w]:
                        d = comp[y]
                        if d == c:
                            cyclic = True
                        else:
                            got |= masks[d]
                            got |= 1 << y
                masks.append(got | own if cyclic else got)
    return comp, SmallSets(masks, n)
