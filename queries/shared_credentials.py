"""Shared-credential clusters: secrets and identities used by more than one workflow.

A cluster is a connected component of the bipartite graph between workflows and the
credentials (secrets, identities) that at least ``min_workflows`` workflows use. Each
cluster says how many workflows, workspaces and environments it spans and whether it
mixes production with non-production (a prod credential in a dev flow), and what its
credentials open downstream.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping
from typing import Any

from .results import Result
from .traverse import targets_of

COLUMNS = ("cluster", "size", "mixed_environments", "mixing_credentials", "environments",
           "workspaces", "secrets", "identities", "workflows", "reaches")
NON_PROD = frozenset({"dev", "test", "staging"})
#: From this many ids on, ``values_of`` may read every node of their kinds as columns.
COLUMNS_FROM = 1000
#: A property a node does not hold (told apart from one it holds as null).
_MISSING = object()


def workflow_environment(wf: dict, spaces: list[str], space_nodes: dict[str, dict]) -> str:
    env = wf.get("environment") or "unknown"
    if env == "unknown":
        envs = {space_nodes.get(s, {}).get("environment") for s in spaces} - {None, "unknown"}
        if len(envs) == 1:
            env = envs.pop()
    return env


def clusters(users: dict[str, set[str]]) -> list[set[tuple[str, str]]]:
    """The connected components of the bipartite graph credential -- workflow, members
    tagged ``("c", id)`` and ``("w", id)`` (:func:`components`, as sets)."""
    return [{("c", c) for c in creds} | {("w", w) for w in wfs}
            for creds, wfs in components(users)]


def components(users: dict[str, set[str]]) -> list[tuple[list[str], list[str]]]:
    """``(credentials, workflows)`` of each connected component of the bipartite graph
    credential -- workflow, both sorted, by ``scipy.sparse.csgraph`` over numbered ends:
    no graph object per edge, and each component's members come out of one sort."""
    import numpy as np

    from graph.smallgraph import components_undirected, is_small

    if not users:
        return []
    creds = sorted(users)
    flat = [w for c in creds for w in users[c]]
    wf_names = sorted(set(flat))
    number = {w: i for i, w in enumerate(wf_names, len(creds))}
    a = np.repeat(np.arange(len(creds)), [len(users[c]) for c in creds])
    b = np.fromiter(map(number.__getitem__, flat), dtype=np.int64, count=len(flat))
    size = len(creds) + len(wf_names)
    if is_small(size, len(a)):  # SciPy's labels without its import (graph.smallgraph)
        count, label = components_undirected(size, a, b)
    else:
        from scipy.sparse import csr_matrix
        from scipy.sparse.csgraph import connected_components

        m = csr_matrix((np.ones(len(a), dtype=bool), (a, b)), shape=(size, size))
        count, label = connected_components(m, directed=False)
    # members by component, each in its sorted order (creds and wfs are sorted already)
    order = np.argsort(label, kind="stable")
    bounds = np.searchsorted(label[order], np.arange(count + 1)).tolist()
    members = order.tolist()
    out = []
    n_c = len(creds)
    for k in range(count):
        part = members[bounds[k]:bounds[k + 1]]
        out.append(([creds[i] for i in part if i < n_c],
                    [wf_names[i - n_c] for i in part if i >= n_c]))
    return out


def values_of(store, ids: list[str], kinds: tuple[str, ...], defaults: dict[str, Any],
              ) -> dict[str, dict[str, Any]]:
    """``{key: {id: node.get(key, default)}}`` for at least the ``ids`` found: read as
    columns of every node of ``kinds`` (``Store.node_values``) when the ids are many and a
    large share of those, else as whole nodes (and as whole nodes for any id not of
    ``kinds``). A few ids (a small graph, a test's Bolt server) cost what they did."""
    out: dict[str, dict[str, Any]] = {k: {} for k in defaults}
    if len(ids) >= COLUMNS_FROM and len(ids) * 4 >= sum(
            store.counts()["nodes"].get(k, 0) for k in kinds):
        got, col = store.node_values(kinds, defaults)
        out = {k: dict(zip(got, col[k], strict=True)) for k in defaults}
    first = out[next(iter(defaults))]
    rest = store.get_nodes([i for i in ids if i not in first])
    for k, d in defaults.items():
        out[k].update((i, n.get(k, d)) for i, n in rest.items())
    return out


def workflow_environments(store, workflows: list[str], known: Mapping[str, str] | None = None,
                          ) -> tuple[dict[str, str], dict[str, list[str]]]:
    """Each workflow's environment (:func:`workflow_environment`) and the workspaces
    containing it. When the workflows are a large share of all, their environments are
    read as one column (``Store.node_values``) rather than a node dict each. ``known``:
    workflow -> its environment as :func:`workflow_environment` gives it, when the caller
    has them already (the findings context); used when it holds every one of ``workflows``."""
    spaces: dict[str, list[str]] = defaultdict(list)
    for src, _, dst in store.expand_ends(workflows, "in", ("CONTAINS",)):
        spaces[dst].append(src)
    if known is not None and all(w in known for w in workflows):
        return {w: known[w] for w in workflows}, dict(spaces)
    env = values_of(store, workflows, ("Workflow",), {"environment": None})["environment"]
    space_nodes = store.get_nodes({s for ss in spaces.values() for s in ss})
    return ({w: workflow_environment({"environment": env.get(w)}, spaces.get(w, []),
                                     space_nodes) for w in workflows}, dict(spaces))


def shared_credentials(store, min_workflows: int = 2, as_of: str | None = None,
                       users: dict[str, set[str]] | None = None,
                       nodes: Mapping[str, dict] | None = None,
                       workflow_env: Mapping[str, str] | None = None,
                       reaches: Callable[[list[list[str]]], dict] | None = None) -> Result:
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
    # findings context); else the store selects the shared ones. ``nodes``: nodes the
    # caller has read, by id (a credential's kind and name are taken from them, the others
    # are read); ``workflow_env``: every workflow's environment, when the caller has it;
    # ``reaches``: what :func:`queries.traverse.targets_of` of this store and ``as_of``
    # gives for the clusters' credential lists, when the caller answers it for less.
    users = (store.credential_users(min_workflows) if users is None
             else {c: ws for c, ws in users.items() if len(ws) >= min_workflows})
    shared = set(users)
    have = {} if nodes is None else {c: nodes[c] for c in shared if c in nodes}
    cred_values = values_of(store, sorted(shared.difference(have)), ("Identity", "Secret"),
                            {"kind": None, "name": _MISSING})
    kind_of, name_of = cred_values["kind"], cred_values["name"]
    for c, node in have.items():
        kind_of[c] = node.get("kind")
        name_of[c] = node.get("name", _MISSING)
    comps = components(users)
    env_of, spaces = workflow_environments(store, sorted({w for c in shared for w in users[c]}),
                                           workflow_env)
    rows: list[dict] = []
    starts = [creds for creds, _ in comps]
    reaches_of = targets_of(store, starts, as_of) if reaches is None else reaches(starts)
    env = env_of.__getitem__
    for creds, wfs in comps:
        envs = sorted(set(map(env, wfs)))
        known = set(envs) - {"unknown"}
        details = []
        for cred in creds:
            # A credential's workflows are some of its cluster's (at least one): when the
            # cluster has one environment, so has each of its credentials.
            cenvs = list(envs) if len(envs) == 1 else sorted(set(map(env, users[cred])))
            cknown = set(cenvs) - {"unknown"}
            name = name_of.get(cred, _MISSING)
            details.append({"id": cred, "kind": kind_of.get(cred),
                            "name": cred if name is _MISSING else name,
                            "workflows": sorted(users[cred]), "environments": cenvs,
                            "mixed_environments": "prod" in cknown and bool(cknown & NON_PROD)})
        opened = reaches_of[tuple(creds)]
        rows.append({
            "secrets": [c for c in creds if kind_of.get(c) == "Secret"],
            "identities": [c for c in creds if kind_of.get(c) == "Identity"],
            "workflows": wfs,
            "workspaces": sorted({s for w in wfs for s in spaces.get(w, [])}),
            "environments": envs,
            "mixed_environments": "prod" in known and bool(known & NON_PROD),
            "reaches": opened,
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
