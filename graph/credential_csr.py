"""The rules of :mod:`graph.credential_use` over the columnar store's CSR arrays.

The same answer as :func:`graph.credential_use.credential_use` and ``credential_users``
(which expand one hop at a time through the store and hold a Python set per workflow):
here every hop is a vectorised gather of edge rows, the joins (a workflow's connectors'
credentials, a secret's copies and the identity it authenticates as) are sorted-array
joins, and only the result's pairs become texts. No Python object per edge.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import numpy as np

from .condensation import distinct, edge_rows
from .credential_use import DIRECT, VIA_CONNECTOR

if TYPE_CHECKING:
    from .columnar import Generation


def _out(gen: Generation, nodes: Any, kinds: Iterable[str]) -> tuple[Any, Any, Any]:
    """``(src, dst, kind)`` of the edges of ``kinds`` leaving ``nodes``."""
    rows = edge_rows(gen.out_ptr, nodes)
    rows = rows[np.isin(gen.kind[rows], np.fromiter(gen.kind_codes(kinds), dtype=np.int16))]
    return (gen.src[rows].astype(np.int64), gen.dst[rows].astype(np.int64),
            gen.kind[rows])


def _join(left_key: Any, left_val: Any, right_key: Any, right_val: Any) -> tuple[Any, Any]:
    """``(left_val, right_val)`` of every pair of entries with equal keys (``right_key``
    sorted)."""
    lo = np.searchsorted(right_key, left_key, "left")
    hi = np.searchsorted(right_key, left_key, "right")
    lens = hi - lo
    total = int(lens.sum())
    if not total:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    at = np.repeat(lo - np.concatenate(([0], np.cumsum(lens)[:-1])), lens) + np.arange(total)
    return np.repeat(left_val, lens), right_val[at]


def _unique_pairs(a: Any, b: Any, n: int) -> tuple[Any, Any]:
    """The distinct ``(a, b)`` pairs, sorted by ``a`` then ``b``."""
    key = distinct(a.astype(np.int64) * n + b)
    return key // n, key % n


def use_pairs(gen: Generation, workflows: Any) -> tuple[Any, Any, Any]:
    """``(wf, cred, nodes)``: node numbers of each (workflow, credential it uses) pair,
    distinct and sorted, and the numbers of the credential nodes
    :func:`graph.credential_use.credential_use` returns (the credentials used directly,
    and the identities and copies their secrets add)."""
    n = gen.n
    wf = distinct(np.asarray(workflows, dtype=np.int64))
    src, dst, kind = _out(gen, wf, DIRECT)
    uses_code = gen.edge_kinds.index("USES") if "USES" in gen.edge_kinds else -1
    via = kind == uses_code
    pw, pc = src[~via], dst[~via]
    vw, vc = src[via], dst[via]  # a workflow and what it USES
    connector = gen.kind_mask(["Connector"])
    vw, vc = vw[connector[vc]], vc[connector[vc]]  # a sub-workflow called is not one
    cs, cd, _ = _out(gen, distinct(vc), VIA_CONNECTOR)  # sorted by connector
    jw, jc = _join(vc, vw, cs, cd)
    w, c = _unique_pairs(np.concatenate([pw, jw]), np.concatenate([pc, jc]), n)
    creds = distinct(c)
    secrets = creds[gen.kind_mask(["Secret"])[creds]]
    # What each used secret adds: the identity it authenticates as, and its stored copies.
    a_s, a_d, _ = _out(gen, secrets, ("AUTHENTICATES_AS",))
    c_s, c_d = same_value_pairs(gen, secrets)
    es, ed = _unique_pairs(np.concatenate([a_s, c_s]), np.concatenate([a_d, c_d]), n)
    xw, xc = _join(c, w, es, ed)  # one level: what the direct credentials add
    w, c = _unique_pairs(np.concatenate([w, xw]), np.concatenate([c, xc]), n)
    return w, c, distinct(np.concatenate([creds, ed]))


def same_value_pairs(gen: Generation, secrets: Any) -> tuple[Any, Any]:
    """``(secret, copy)`` for each of ``secrets`` and each other member of its
    ``SAME_VALUE_AS`` component, as :func:`graph.credential_use.same_value_sets` finds
    them: the components of the ``SAME_VALUE_AS`` edges leaving what the secrets reach
    along them."""
    seen = np.zeros(gen.n, dtype=bool)
    frontier = distinct(secrets)
    seen[frontier] = True
    src_l, dst_l = [], []
    while len(frontier):
        s, d, _ = _out(gen, frontier, ("SAME_VALUE_AS",))
        src_l.append(s)
        dst_l.append(d)
        nxt = distinct(d)
        frontier = nxt[~seen[nxt]]
        seen[frontier] = True
    if not src_l:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    src, dst = np.concatenate(src_l), np.concatenate(dst_l)
    if not len(src):
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    ends = distinct(np.concatenate([src, dst]))
    a, b = np.searchsorted(ends, src), np.searchsorted(ends, dst)
    label = _components(len(ends), a, b)
    asked = np.asarray(secrets, dtype=np.int64)
    asked = asked[np.isin(asked, ends)]
    order = np.argsort(label, kind="stable")
    by_label, members = label[order], ends[order]
    s, copy = _join(label[np.searchsorted(ends, asked)], asked, by_label, members)
    keep = s != copy
    return s[keep], copy[keep]


def _components(n: int, a: Any, b: Any) -> Any:
    """SciPy's undirected component labels; without importing SciPy on a small graph."""
    from .smallgraph import components_undirected, is_small

    if is_small(n, len(a)):
        return components_undirected(n, a, b)[1]
    from scipy.sparse import csr_matrix
    from scipy.sparse.csgraph import connected_components

    m = csr_matrix((np.ones(len(a), dtype=bool), (a, b)), shape=(n, n))
    return connected_components(m, directed=False)[1]
