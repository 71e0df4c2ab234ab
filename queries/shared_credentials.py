"""Shared-credential clusters: secrets and identities used by more than one workflow.

A cluster is a connected component of the bipartite graph between workflows and the
credentials (secrets, identities) that at least ``min_workflows`` workflows use. Each
cluster says how many workflows, workspaces and environments it spans and whether it
mixes production with non-production (a prod credential in a dev flow), and what its
credentials open downstream.
"""

from __future__ import annotations

from .credential_use import workflow_context
from .results import Result
from .traverse import targets_of

COLUMNS = ("cluster", "size", "mixed_environments", "mixing_credentials", "environments",
           "workspaces", "secrets", "identities", "workflows", "reaches")
NON_PROD = frozenset({"dev", "test", "staging"})


def workflow_environment(wf: dict, spaces: list[str], space_nodes: dict[str, dict]) -> str:
    env = wf.get("environment") or "unknown"
    if env == "unknown":
        envs = {space_nodes.get(s, {}).get("environment") for s in spaces} - {None, "unknown"}
        if len(envs) == 1:
            env = envs.pop()
    return env


def clusters(users: dict[str, set[str]]) -> list[set[tuple[str, str]]]:
    """The connected components of the bipartite graph credential -- workflow (members
    tagged ``("c", id)`` and ``("w", id)``), by ``scipy.sparse.csgraph`` over numbered
    ends: no graph object per edge."""
    import numpy as np
    from scipy.sparse import csr_matrix
    from scipy.sparse.csgraph import connected_components

    if not users:
        return []
    creds = list(users)
    wf_number: dict[str, int] = {}
    for ws in users.values():
        for w in ws:
            wf_number.setdefault(w, len(creds) + len(wf_number))
    a = [i for i, c in enumerate(creds) for _ in users[c]]
    b = [wf_number[w] for c in creds for w in users[c]]
    size = len(creds) + len(wf_number)
    m = csr_matrix((np.ones(len(a), dtype=bool), (a, b)), shape=(size, size))
    _, label = connected_components(m, directed=False)
    comps: dict[int, set[tuple[str, str]]] = {}
    labels = label.tolist()
    for i, c in enumerate(creds):
        comps.setdefault(labels[i], set()).add(("c", c))
    for w, i in wf_number.items():
        comps.setdefault(labels[i], set()).add(("w", w))
    return list(comps.values())


def shared_credentials(store, min_workflows: int = 2, as_of: str | None = None,
                       users: dict[str, set[str]] | None = None) -> Result:
    """Clusters of workflows that share credentials, most widely shared first.

    Examples
    --------
    >>> from tests.graphs import sharing_store
    >>> [c["secrets"] for c in shared_credentials(sharing_store()).rows]
    [['s-shared']]
    """
    if min_workflows < 2:
        raise ValueError("min-workflows must be at least 2")
    # Only the shared credentials and their workflows travel (on Neo4j the selection and
    # the aggregation run in the database).
    # ``users``: credential -> every workflow using it, when the caller has it already (the
    # findings context); else the store selects the shared ones.
    users = (store.credential_users(min_workflows) if users is None
             else {c: ws for c, ws in users.items() if len(ws) >= min_workflows})
    shared = set(users)
    cred_nodes = store.get_nodes(shared)
    comps = clusters(users)
    wf_nodes, spaces = workflow_context(store, sorted({w for c in shared for w in users[c]}))
    space_nodes = store.get_nodes({s for ss in spaces.values() for s in ss})
    rows: list[dict] = []
    reaches_of = targets_of(store, [[x for t, x in comp if t == "c"] for comp in comps], as_of)
    for comp in comps:
        wfs = sorted(x for t, x in comp if t == "w")
        creds = sorted(x for t, x in comp if t == "c")
        env_of = {w: workflow_environment(wf_nodes.get(w, {}), spaces.get(w, []), space_nodes)
                  for w in wfs}
        envs = sorted(set(env_of.values()))
        known = set(envs) - {"unknown"}
        details = []
        for cred in creds:
            cenvs = sorted({env_of[w] for w in users[cred]})
            cknown = set(cenvs) - {"unknown"}
            details.append({"id": cred, "kind": cred_nodes.get(cred, {}).get("kind"),
                            "name": cred_nodes.get(cred, {}).get("name", cred),
                            "workflows": sorted(users[cred]), "environments": cenvs,
                            "mixed_environments": "prod" in cknown and bool(cknown & NON_PROD)})
        reaches = reaches_of[tuple(creds)]
        rows.append({
            "secrets": [c for c in creds if cred_nodes.get(c, {}).get("kind") == "Secret"],
            "identities": [c for c in creds if cred_nodes.get(c, {}).get("kind") == "Identity"],
            "workflows": wfs,
            "workspaces": sorted({s for w in wfs for s in spaces.get(w, [])}),
            "environments": envs,
            "mixed_environments": "prod" in known and bool(known & NON_PROD),
            "reaches": reaches,
            "credentials": details,
            "mixing_credentials": [d["id"] for d in details if d["mixed_environments"]],
        })
    rows.sort(key=lambda c: (not c["mixed_environments"], -len(c["workflows"]),
                             (c["secrets"] + c["identities"])[:1]))
    for i, row in enumerate(rows, 1):
        row["cluster"] = i
        row["size"] = len(row["workflows"])
    return Result(
        rows=rows,
        rows_key="clusters",
        summary={
            "clusters": len(rows),
            "mixed_environment_clusters": sum(1 for c in rows if c["mixed_environments"]),
            "shared_credentials": len(shared),
            "workflows_involved": len({w for c in rows for w in c["workflows"]}),
            "largest": max((len(c["workflows"]) for c in rows), default=0),
        },
        columns=COLUMNS,
    )
