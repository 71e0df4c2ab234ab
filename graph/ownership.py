"""Who is accountable for a node: its own owners (``OWNS`` edges into it), else the owners
it inherits from what holds it, up to :data:`MAX_INHERIT_DEPTH` levels up.

The rules live here, in the graph layer, so a store can answer
:meth:`graph.store.Store.accountable_owners` its own way: :func:`accountable_owners` asks
any store one ``expand_ends`` per level for all the nodes at once (the protocol's
default, what Neo4j uses), :func:`accountable_owners_csr` walks the columnar store's CSR
arrays the same levels with no Python object per node or edge. Both give the same answer.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .columnar import Generation
    from .store import Store

#: Where a node without an owner of its own inherits one from: a workflow from its
#: workspace, a secret from the workspace or vault holding it or the workflow (or
#: connector) embedding it, a connector from its workflow, a workspace from its parent.
#: Keyed by the kind of the node inheriting (``Kind:identity_type`` for one identity type);
#: the values are the kinds of the edges into it that name a parent.
INHERIT: dict[str, tuple[str, ...]] = {
    "Workflow": ("CONTAINS",),
    "Secret": ("CONTAINS", "STORES", "EMBEDS"),
    "Connector": ("USES",),
    "Workspace": ("CONTAINS",),
    # a workflow's built-in token (GITHUB_TOKEN) belongs to whoever owns the workflow
    "Identity:github_token": ("AUTHENTICATES_WITH",),
}
INHERIT_EDGES = frozenset(k for kinds in INHERIT.values() for k in kinds)
#: Levels of parents looked at above the node itself.
MAX_INHERIT_DEPTH = 4


def inherit_rule(node: dict) -> tuple[str, ...]:
    """The edge kinds into ``node`` that name the parents it inherits an owner from."""
    return INHERIT.get(node.get("kind", ""), ()) + INHERIT.get(
        f"{node.get('kind')}:{node.get('identity_type')}", ())


def accountable_owners(store: Store, ids: Iterable[str],
                       nodes: Mapping[str, dict] | None = None) -> dict[str, list[str]]:
    """Owner ids accountable for each of ``ids`` (sorted; empty when none): the owners of
    the first level (the node itself, then its parents, their parents, ...) at which any
    node has one, all of that level's owners. One ``expand_ends`` of ``OWNS`` and one of
    the inheriting edges per level, for all the nodes at once. ``nodes``: nodes by id the
    caller has read already (their ``kind`` and ``identity_type`` choose the rules; any
    other node is read)."""
    result: dict[str, list[str]] = {}
    # Each pending entry: the node asking, and the ancestors to look at now.
    pending = {i: [i] for i in dict.fromkeys(ids)}
    given: Mapping[str, dict] = nodes or {}
    known: dict[str, dict] = {}
    for _ in range(MAX_INHERIT_DEPTH + 1):
        if not pending:
            break
        look = sorted({a for anc in pending.values() for a in anc})
        direct: dict[str, list[str]] = defaultdict(list)
        for src, _, dst in store.expand_ends(look, "in", ("OWNS",)):
            direct[dst].append(src)
        missing = [a for a in look if a not in known and a not in given]
        known.update(store.get_nodes(missing))
        parents: dict[str, list[str]] = defaultdict(list)
        for src, kind, dst in store.expand_ends(look, "in", INHERIT_EDGES):
            node = known.get(dst) or given.get(dst) or {}
            if kind in inherit_rule(node):
                parents[dst].append(src)
        nxt = {}
        for i, ancestors in pending.items():
            owners = sorted({o for a in ancestors for o in direct.get(a, [])})
            if owners:
                result[i] = owners
                continue
            up = sorted({p for a in ancestors for p in parents.get(a, [])})
            if up:
                nxt[i] = up
            else:
                result[i] = []
        pending = nxt
    for i in pending:
        result.setdefault(i, [])
    return result


def _pairs(gen: Generation, ask: Any, anc: Any, codes: Any) -> tuple[Any, Any, Any, Any]:
    """``(asker, ancestor, parent, kind)`` for every edge of ``codes`` into each
    (asker, ancestor) pair's ancestor."""
    import numpy as np

    from .condensation import edge_rows

    lens = np.asarray(gen.in_ptr[anc + 1] - gen.in_ptr[anc], dtype=np.int64)
    rows = np.asarray(gen.in_rows[edge_rows(gen.in_ptr, anc)], dtype=np.int64)
    sel = np.isin(gen.kind[rows], codes)
    rows = rows[sel]
    return (np.repeat(ask, lens)[sel], np.repeat(anc, lens)[sel],
            gen.src[rows].astype(np.int64), gen.kind[rows])


def _distinct_pairs(a: Any, b: Any, n: int) -> tuple[Any, Any]:
    from .condensation import distinct

    key = distinct(a * n + b)
    return key // n, key % n


def accountable_owners_csr(gen: Generation, asked: Any, github_token: Any,
                           ) -> tuple[Any, Any]:
    """:func:`accountable_owners` over the CSR arrays: ``(node, owner)`` number pairs,
    sorted by node then owner (node numbers are in id order, so owners come out sorted by
    id), for the ``asked`` node numbers that have owners. ``github_token``: a boolean array
    over the nodes, true for the identities of type ``github_token``. Each level is a
    gather of the in-edges of every (asker, ancestor) pair at once."""
    import numpy as np

    from .condensation import distinct

    n = gen.n
    owns = np.fromiter(gen.kind_codes(("OWNS",)), dtype=np.int16)
    inherit = np.fromiter(gen.kind_codes(INHERIT_EDGES), dtype=np.int16)
    # allowed[node kind rule, edge kind]: may an edge of that kind into such a node name
    # its parent. Rule numbers: 0 none, 1 + position in INHERIT's keys.
    names, codes = gen.node_kinds
    keys = list(INHERIT)
    rule = np.zeros(len(names) + 1, dtype=np.int64)  # by node kind code
    for c, k in enumerate(names):
        if k in INHERIT:
            rule[c] = 1 + keys.index(k)
    node_rule = rule[codes] if n else np.zeros(0, np.int64)
    node_rule = np.where(github_token, 1 + keys.index("Identity:github_token"), node_rule)
    allowed = np.zeros((len(keys) + 1, max(len(gen.edge_kinds), 1)), dtype=bool)
    for r, k in enumerate(keys, 1):
        for code in gen.kind_codes(INHERIT[k]):
            allowed[r, code] = True
    ask = distinct(np.asarray(asked, dtype=np.int64))  # np.unique imports numpy.ma
    anc = ask.copy()
    out_w, out_o = [], []
    for _ in range(MAX_INHERIT_DEPTH + 1):
        if not len(ask):
            break
        w, _, o, _ = _pairs(gen, ask, anc, owns)
        w, o = _distinct_pairs(w, o, n)
        out_w.append(w)
        out_o.append(o)
        has = np.zeros(n, dtype=bool)
        has[w] = True
        rest = ~has[ask]
        ask, anc = ask[rest], anc[rest]
        w, dst, p, k = _pairs(gen, ask, anc, inherit)
        # the rule is the ancestor's (the edge's destination), as in accountable_owners
        ok = allowed[node_rule[dst], k]
        ask, anc = _distinct_pairs(w[ok], p[ok], n)
    if not out_w:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    w, o = np.concatenate(out_w), np.concatenate(out_o)
    order = np.lexsort((o, w))
    return w[order], o[order]



def owners_by_id(gen: Generation, ids: list[str]) -> dict[str, list[str]]:
    """:func:`accountable_owners_csr` of ``ids`` as the protocol's map of texts (ids not
    in the store have no owner)."""
    import numpy as np

    from .prop_columns import node_values

    ident, types = node_values(gen, ("Identity",), {"identity_type": None})
    token = np.zeros(gen.n, dtype=bool)
    marked = [i for i, t in zip(ident, types["identity_type"], strict=True)
              if t == "github_token"]
    token[list(gen.indices(marked).values())] = True
    number = gen.indices(ids)
    w, o = accountable_owners_csr(gen, np.fromiter(number.values(), dtype=np.int64,
                                                   count=len(number)), token)
    result: dict[str, list[str]] = {i: [] for i in ids}
    if len(w):
        first = np.flatnonzero(np.r_[True, w[1:] != w[:-1]])
        bounds = np.r_[first, len(w)].tolist()
        names = gen.ids_of(o.tolist())
        for wid, a, b in zip(gen.ids_of(w[first].tolist()), bounds, bounds[1:], strict=False):
            result[wid] = names[a:b]
    return result
