"""Every node's blast radius at once: the estate-wide ranking of what each workspace,
workflow, connector, secret and identity would expose if compromised.

One row per node (owners aside: they hold nothing): how many nodes it reaches, of which
identities, secrets, resources and systems, how many crown jewels and how many dead
credentials (reached but no longer working). The figures are those of
:func:`queries.blast_radius.blast_radius` for that node (``summary``), computed for all
nodes together from the store's ``reachable_sets``: on the embedded store one
strongly-connected-component condensation of the graph (``graph.condensation``), so
assume-role cycles and shared secrets are walked once, not once per node; on Neo4j the
same condensation in the client, over the graph's edge columns streamed once
(:mod:`graph.neo4j_columns`).
"""

from __future__ import annotations

from typing import Any

from graph.gc_pause import gc_paused
from graph.model import ACCESS_EDGES
from graph.store import Store

from .blast_summary import read_nodes
from .results import Result
from .traverse import now_iso

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
    rows = _from_components(store, as_of)
    return Result(rows=rows, rows_key="nodes", columns=COLUMNS, summary={
        "nodes": len(rows),
        "reaching_crown_jewels": sum(1 for r in rows if r["crown_jewels"]),
        "largest": max((r["reachable"] for r in rows), default=0),
    })


def _names(store: Store, ids: list[str]) -> list:
    """Each node's ``name`` (its id where it has none), from the name column: only the
    nodes whose name is not a text there are read whole."""
    got_ids, texts = store.node_texts()
    names = texts["name"]
    if got_ids != ids:
        by_id = dict(zip(got_ids, names, strict=True))
        names = [by_id.get(i) for i in ids]
    missing = [ids[v] for v, name in enumerate(names) if name is None]
    if missing:
        found = store.get_nodes(missing)
        named = {i: found.get(i, {}).get("name", i) for i in missing}
        names = [named[ids[v]] if name is None else name for v, name in enumerate(names)]
    return names


def _row(nid: str, kind: str | None, name: Any, reachable: int, jewels: int,
         dead: int) -> dict:
    return {"id": nid, "kind": kind, "name": name,
            "reachable": reachable, "crown_jewels": jewels, "dead_credentials": dead}


def _from_components(store: Store, as_of: str) -> list[dict]:
    """Rows from each component's reachable set, counted once per component (numpy for
    the large sets), less the node itself where it sits on a cycle, widest reach to crown
    jewels first. The nodes' kinds, crown jewels and dead credentials come from column
    reads (no node decoded whole)."""
    import numpy as np

    col_ids, col_kinds, crown_jewel, dead = read_nodes(store, as_of)
    stop = {col_ids[i] for i in dead}
    ids, comp, reach = store.reachable_sets(ACCESS_EDGES, stop)
    cols = list(COUNTED.values())
    # One feature row per node (in the columns' order, then the sets'): kind columns,
    # crown jewel, dead credential.
    kinds = np.asarray(col_kinds, dtype=object)
    feat = np.zeros((len(col_ids), len(cols) + 2), dtype=np.int64)
    for c, kind in enumerate(COUNTED):
        feat[:, c] = kinds == kind
    feat[:, -2] = np.fromiter((bool(x) for x in crown_jewel), dtype=bool,
                              count=len(col_ids))
    feat[dead, -1] = 1
    names = _names(store, col_ids)
    if col_ids != ids:
        at = {nid: v for v, nid in enumerate(col_ids)}
        order = np.fromiter((at[nid] for nid in ids), dtype=np.int64, count=len(ids))
        feat, col_kinds, names = (feat[order], [col_kinds[v] for v in order.tolist()],
                                  [names[v] for v in order.tolist()])
    keep = [k != "Owner" for k in col_kinds]
    closure_sums = getattr(reach, "sums", None)
    if closure_sums is not None:  # the embedded store's closure: each component's sums in C
        sizes, totals, cyclic = closure_sums(feat)
        of = np.asarray(comp, dtype=np.int64)
        # A node on a cycle is the source, not something it reaches.
        on_cycle = cyclic[of].astype(np.int64)
        size = sizes[of] - on_cycle
        t = totals[of] - feat * on_cycle[:, None]
        kept = np.flatnonzero(np.asarray(keep, dtype=bool))
        # Widest reach to crown jewels first, then by id (the sets' ids are sorted, so a
        # node's number is its place in id order).
        kept = kept[np.lexsort((kept, -size[kept], -t[kept, -2]))]
        numbers = kept.tolist()
        columns = [size[kept].tolist(), t[kept, -2].tolist(), t[kept, -1].tolist()]
        columns += [t[kept, i].tolist() for i in range(len(cols))]
        with gc_paused():  # a dict per node, all kept: nothing for the collector
            return [{"id": ids[v], "kind": col_kinds[v], "name": names[v], "reachable": r,
                     "crown_jewels": j, "dead_credentials": d, cols[0]: a, cols[1]: b,
                     cols[2]: c, cols[3]: e}
                    for v, r, j, d, a, b, c, e in zip(numbers, *columns, strict=True)]
    counted: dict[int, tuple] = {}
    rows = []
    for v, nid in enumerate(ids):
        if not keep[v]:
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
        row = _row(nid, col_kinds[v], names[v], size, int(sums[-2]), int(sums[-1]))
        row.update({col: int(sums[i]) for i, col in enumerate(cols)})
        rows.append(row)
    rows.sort(key=lambda r: (-r["crown_jewels"], -r["reachable"], r["id"]))
    return rows
