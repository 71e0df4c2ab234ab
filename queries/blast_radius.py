"""Blast radius: if this node is compromised, what can an attacker reach, how strongly,
and along which path.

Forward reachability over access edges from any node (workspace, workflow, connector,
secret, vault, identity). Every reached node is reported with its hop distance and one
shortest path; resources, systems and vaults also get the strongest access level over all
paths and the path that ends with the grant giving it (``access_path``).
"""

from __future__ import annotations

from graph.model import HELD_KINDS, TARGET_KINDS, access_rank

from .access import access_path, forward_levels, granting_edge, level_for
from .resolve import resolve_node
from .results import Result
from .traverse import reach

COLUMNS = ("id", "kind", "name", "access", "distance", "crown_jewel", "environment", "grant",
           "path")


def blast_radius(store, node: str, depth: int | None = None, unknown_as: str = "write",
                 as_of: str | None = None) -> Result:
    """Everything ``node`` can reach, like ``networkx.descendants`` with access levels.

    Parameters
    ----------
    store : a store from :func:`graph.open_store`
    node : a node id, ARN or unambiguous name
    depth : at most this many hops (None: unbounded)
    unknown_as : how to rank ``unknown`` access: read, write or admin
    as_of : ISO 8601 time against which expiry is judged (default: now)

    Returns
    -------
    Result with ``source``, ``reachable`` rows (``id``, ``kind``, ``name``, ``access``,
    ``distance``, ``path``, ``access_path``, ...) and a ``summary``.

    Examples
    --------
    >>> from tests.graphs import chain_store
    >>> r = blast_radius(chain_store(), "wf")
    >>> [(row["id"], row["access"], row["distance"]) for row in r.rows][:2]
    [('bucket', 'admin', 4), ('acct', 'admin', 5)]
    """
    if depth is not None and depth < 0:
        raise ValueError("depth must be 0 or more")
    source = resolve_node(store, node)
    r = reach(store, [source], "out", max_depth=depth, as_of=as_of)
    levels, best = forward_levels(r, unknown_as)
    rows = []
    for nid, dist in r.dist.items():
        if nid == source:
            continue
        n = r.nodes.get(nid, {"id": nid})
        row = {
            "id": nid,
            "kind": n.get("kind"),
            "name": n.get("name", nid),
            "access": level_for(n, levels),
            "distance": dist,
            "path": r.path(nid),
            "environment": n.get("environment", "unknown"),
            "status": n.get("status", "unknown"),
            "crown_jewel": bool(n.get("crown_jewel", False)),
            "valid": nid not in r.dead,
        }
        if n.get("kind") in TARGET_KINDS:
            row["access_path"] = access_path(r, best, nid)
            grant, via = granting_edge(r, best, nid)
            if grant is not None:
                text = grant.props.get("grant") or grant.props.get("reason") or grant.kind
                if via:
                    text += f" (inherited from {r.nodes.get(via, {}).get('name', via)})"
                row["grant"] = text
                row["conditional"] = bool(grant.props.get("conditional", False))
        rows.append(row)
    rows.sort(key=_order(unknown_as))
    src = r.nodes.get(source, {"id": source})
    return Result(
        names={nid: n.get("name", nid) for nid, n in r.nodes.items()},
        rows=rows,
        rows_key="reachable",
        header={"source": source, "source_kind": src.get("kind"), "source_name": src.get("name"),
                "depth": depth},
        summary=summarise(rows),
        columns=COLUMNS,
    )


def _order(unknown_as):
    def key(row):
        if row["kind"] in TARGET_KINDS:
            return (0, not row["crown_jewel"], tuple(-x for x in access_rank(row["access"],
                                                                              unknown_as)),
                    row["distance"], row["id"])
        return (1, False, (0, 0), row["distance"], row["id"])
    return key


def summarise(rows: list[dict]) -> dict:
    by_kind: dict[str, int] = {}
    by_access: dict[str, int] = {}
    for row in rows:
        by_kind[row["kind"]] = by_kind.get(row["kind"], 0) + 1
        if row["kind"] not in HELD_KINDS:
            by_access[row["access"]] = by_access.get(row["access"], 0) + 1
    return {
        "reachable": len(rows),
        "by_kind": dict(sorted(by_kind.items())),
        "by_access": dict(sorted(by_access.items())),
        "identities": by_kind.get("Identity", 0),
        "secrets": by_kind.get("Secret", 0),
        "resources": by_kind.get("Resource", 0),
        "systems": by_kind.get("System", 0),
        "admin_targets": sum(1 for r in rows if r["kind"] in TARGET_KINDS
                             and r["access"] == "admin"),
        "crown_jewels": sorted(r["id"] for r in rows if r["crown_jewel"]),
        "max_distance": max((r["distance"] for r in rows), default=0),
        "dead_credentials": sorted(r["id"] for r in rows if not r["valid"]),
    }
