"""Every node's blast radius at once: the estate-wide ranking of what each workspace,
workflow, connector, secret and identity would expose if compromised.

One row per node (owners aside: they hold nothing): how many nodes it reaches, of which
identities, secrets, resources and systems, how many crown jewels and how many dead
credentials (reached but no longer working). The figures are those of
:func:`queries.blast_radius.blast_radius` for that node (``summary``), computed for all
nodes together. On the embedded store that is one strongly-connected-component
condensation of the graph (``graph.compact``), so assume-role cycles and shared secrets
are walked once, not once per node; other stores run one blast radius per node.
"""

from __future__ import annotations

from graph.model import ACCESS_EDGES

from .blast_radius import blast_radius
from .results import Result
from .traverse import is_valid_credential, now_iso

COLUMNS = ("id", "kind", "name", "reachable", "crown_jewels", "identities", "secrets",
           "resources", "systems", "dead_credentials")
COUNTED = {"Identity": "identities", "Secret": "secrets", "Resource": "resources",
           "System": "systems"}


def blast_radius_summaries(store, as_of: str | None = None) -> Result:
    """Blast-radius figures of every node, widest reach to crown jewels first.

    Examples
    --------
    >>> from tests.graphs import chain_store
    >>> rows = blast_radius_summaries(chain_store(), as_of="2026-01-01T00:00:00Z").rows
    >>> [(r["id"], r["reachable"], r["crown_jewels"], r["dead_credentials"]) for r in rows][:2]
    [('wf', 7, 1, 1), ('conn', 6, 1, 1)]
    """
    as_of = as_of or now_iso()
    nodes = {n["id"]: n for n in store.nodes() if n.get("kind") != "Owner"}
    sets = getattr(store, "reachable_sets", None)
    rows = []
    if sets is None:  # one walk per node, in the store
        for nid, n in nodes.items():
            s = blast_radius(store, nid, as_of=as_of).summary
            row = _row(n, s["reachable"], len(s["crown_jewels"]), len(s["dead_credentials"]))
            row.update({col: s[col] for col in COUNTED.values()})
            rows.append(row)
    else:
        all_nodes = {n["id"]: n for n in store.nodes()}
        stop = {i for i, n in all_nodes.items() if not is_valid_credential(n, as_of)}
        ids, reached = sets(ACCESS_EDGES, stop)
        kind = [all_nodes[i].get("kind") for i in ids]
        jewel = [bool(all_nodes[i].get("crown_jewel", False)) for i in ids]
        dead = [i in stop for i in ids]
        for v, s in reached:
            nid = ids[v]
            if nid not in nodes:
                continue
            others = s - {v}
            row = _row(nodes[nid], len(others), sum(jewel[x] for x in others),
                       sum(dead[x] for x in others))
            row.update(dict.fromkeys(COUNTED.values(), 0))
            for x in others:
                col = COUNTED.get(kind[x])
                if col:
                    row[col] += 1
            rows.append(row)
    rows.sort(key=lambda r: (-r["crown_jewels"], -r["reachable"], r["id"]))
    return Result(rows=rows, rows_key="nodes", columns=COLUMNS, summary={
        "nodes": len(rows),
        "reaching_crown_jewels": sum(1 for r in rows if r["crown_jewels"]),
        "largest": max((r["reachable"] for r in rows), default=0),
    })


def _row(n: dict, reachable: int, jewels: int, dead: int) -> dict:
    return {"id": n["id"], "kind": n.get("kind"), "name": n.get("name", n["id"]),
            "reachable": reachable, "crown_jewels": jewels, "dead_credentials": dead}
