"""Inbound: who can reach this node. Backward reachability over access edges.

For a crown-jewel resource or system: every workflow, workspace, vault, connector, secret
and identity that can reach it, with the strongest access each gets, the hop distance and
one shortest path from that source to the target. For any other node (a secret, an
identity) every source is reported with ``control``.
"""

from __future__ import annotations

from graph.model import CONTROL, TARGET_KINDS

from .access import inbound_levels
from .resolve import resolve_node
from .results import Result
from .traverse import reach

COLUMNS = ("id", "kind", "name", "access", "distance", "environment", "path")


def inbound(store, node: str, depth: int | None = None, unknown_as: str = "write",
            as_of: str | None = None) -> Result:
    """Every node that can reach ``node``, like ``networkx.ancestors`` with access levels.

    Revoked, expired and disabled credentials open nothing, so they and the paths through
    them are left out (counted in ``summary.dead_credentials``).

    Examples
    --------
    >>> from tests.graphs import chain_store
    >>> [(r["id"], r["access"]) for r in inbound(chain_store(), "bucket").rows][:3]
    [('acct', 'admin'), ('deploy-role', 'admin'), ('admin-role', 'admin')]
    """
    target = resolve_node(store, node)
    r = reach(store, [target], "in", max_depth=depth, as_of=as_of)
    sources = {n for n in r.dist if n != target and n not in r.dead}
    tnode = r.nodes.get(target, {"id": target})
    if tnode.get("kind") in TARGET_KINDS:
        levels = inbound_levels(store, target, sources, unknown_as, as_of)
    else:
        levels = {}
    rows = []
    for nid in sources:
        n = r.nodes.get(nid, {"id": nid})
        if tnode.get("kind") not in TARGET_KINDS:
            access = CONTROL  # whoever reaches a credential or workflow holds it
        elif n.get("kind") in TARGET_KINDS:
            access = "admin"  # a system over what it contains
        else:
            access = levels.get(nid, "unknown")
        rows.append({
            "id": nid,
            "kind": n.get("kind"),
            "name": n.get("name", nid),
            "access": access,
            "distance": r.dist[nid],
            "path": r.path(nid),
            "environment": n.get("environment", "unknown"),
            "status": n.get("status", "unknown"),
        })
    rows.sort(key=lambda row: (row["distance"], row["id"]))
    by_kind: dict[str, int] = {}
    by_access: dict[str, int] = {}
    for row in rows:
        by_kind[row["kind"]] = by_kind.get(row["kind"], 0) + 1
        by_access[row["access"]] = by_access.get(row["access"], 0) + 1
    return Result(
        names={nid: n.get("name", nid) for nid, n in r.nodes.items()},
        rows=rows,
        rows_key="sources",
        header={"target": target, "target_kind": tnode.get("kind"),
                "target_name": tnode.get("name"), "depth": depth},
        summary={
            "sources": len(rows),
            "by_kind": dict(sorted(by_kind.items())),
            "by_access": dict(sorted(by_access.items())),
            "workflows": by_kind.get("Workflow", 0),
            "workspaces": by_kind.get("Workspace", 0),
            "dead_credentials": sorted(r.dead),
        },
        columns=COLUMNS,
    )
