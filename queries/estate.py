"""Every node's blast radius at once: the estate-wide ranking of what each workspace,
workflow, connector, secret and identity would expose if compromised.

One row per node (owners aside: they hold nothing): how many nodes it reaches, of which
identities, secrets, resources and systems, how many crown jewels and how many dead
credentials (reached but no longer working). The figures are those of
:func:`queries.blast_radius.blast_radius` for that node (``summary``), computed for all
nodes together from the store's ``reachable_sets``: on the embedded store one
strongly-connected-component condensation of the graph (``graph.condensation``), so
assume-role cycles and shared secrets are walked once, not once per node; on Neo4j one
joint walk from every node (see :mod:`graph.traversal`).
"""

from __future__ import annotations

from graph.model import ACCESS_EDGES
from graph.store import Store

from .results import Result
from .traverse import is_valid_credential, now_iso

COLUMNS = ("id", "kind", "name", "reachable", "crown_jewels", "identities", "secrets",
           "resources", "systems", "dead_credentials")
COUNTED = {"Identity": "identities", "Secret": "secrets", "Resource": "resources",
           "System": "systems"}


def blast_radius_summaries(store: Store, as_of: str | None = None) -> Result:
    """Blast-radius figures of every node, widest reach to crown jewels first.

    Examples
    --------
    >>> from tests.graphs import chain_store
    >>> rows = blast_radius_summaries(chain_store(), as_of="2026-01-01T00:00:00Z").rows
    >>> [(r["id"], r["reachable"], r["crown_jewels"], r["dead_credentials"]) for r in rows][:2]
    [('wf', 7, 1, 1), ('conn', 6, 1, 1)]
    """
    as_of = as_of or now_iso()
    all_nodes = {n["id"]: n for n in store.nodes()}
    nodes = {i: n for i, n in all_nodes.items() if n.get("kind") != "Owner"}
    rows = _from_components(store, all_nodes, nodes, as_of)
    rows.sort(key=lambda r: (-r["crown_jewels"], -r["reachable"], r["id"]))
    return Result(rows=rows, rows_key="nodes", columns=COLUMNS, summary={
        "nodes": len(rows),
        "reaching_crown_jewels": sum(1 for r in rows if r["crown_jewels"]),
        "largest": max((r["reachable"] for r in rows), default=0),
    })


def _row(n: dict, reachable: int, jewels: int, dead: int) -> dict:
    return {"id": n["id"], "kind": n.get("kind"), "name": n.get("name", n["id"]),
            "reachable": reachable, "crown_jewels": jewels, "dead_credentials": dead}


def _from_components(store: Store, all_nodes: dict, nodes: dict, as_of: str) -> list[dict]:
    """Rows from each component's reachable set, counted once per component (numpy for
    the large sets), less the node itself where it sits on a cycle."""
    import numpy as np

    stop = {i for i, n in all_nodes.items() if not is_valid_credential(n, as_of)}
    ids, comp, reach = store.reachable_sets(ACCESS_EDGES, stop)
    cols = list(COUNTED.values())
    code = {k: i for i, k in enumerate(COUNTED)}
    # One feature row per node: kind columns, crown jewel, dead credential.
    feat = np.zeros((len(ids), len(cols) + 2), dtype=np.int64)
    for v, nid in enumerate(ids):
        n = all_nodes[nid]
        c = code.get(n.get("kind"))
        if c is not None:
            feat[v, c] = 1
        feat[v, -2] = bool(n.get("crown_jewel", False))
        feat[v, -1] = nid in stop
    closure_sums = getattr(reach, "sums", None)
    if closure_sums is not None:  # the embedded store's closure: each component's sums in C
        sizes, totals, cyclic = closure_sums(feat)
        size_l, tot_l, on_cycle = sizes.tolist(), totals.tolist(), cyclic.tolist()
        feat_l = feat.tolist()
        rows = []
        for v, nid in enumerate(ids):
            n = nodes.get(nid)
            if n is None:
                continue
            c = comp[v]
            size, t = size_l[c], tot_l[c]
            if on_cycle[c]:  # the node is the source, not something it reaches
                size, t = size - 1, [x - y for x, y in zip(t, feat_l[v], strict=True)]
            row = _row(n, size, t[-2], t[-1])
            row.update({col: t[i] for i, col in enumerate(cols)})
            rows.append(row)
        return rows
    counted: dict[int, tuple] = {}
    rows = []
    for v, nid in enumerate(ids):
        if nid not in nodes:
            continue
        c = comp[v]
        totals = counted.get(c)
        if totals is None:
            s = reach[c]
            if len(s) > 64:
                arr = np.fromiter(s, dtype=np.int64, count=len(s))
                sums = feat[arr].sum(axis=0)
            else:
                sums = feat[list(s)].sum(axis=0) if s else np.zeros(feat.shape[1], np.int64)
            totals = counted[c] = (len(s), sums)
        size, sums = totals
        if v in reach[c]:  # on a cycle: the node is the source, not something it reaches
            size, sums = size - 1, sums - feat[v]
        row = _row(nodes[nid], size, int(sums[-2]), int(sums[-1]))
        row.update({col: int(sums[i]) for i, col in enumerate(cols)})
        rows.append(row)
    return rows
