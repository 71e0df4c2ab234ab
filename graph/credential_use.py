"""Which credentials each workflow holds directly.

A workflow *uses* a secret it references or embeds, or that one of its connectors
authenticates with (or references, or embeds); it uses an identity one of those secrets
authenticates as, or that it (or a connector) assumes directly, as with OIDC federation.
A secret stored twice (``SAME_VALUE_AS``) is used wherever any copy is: a same-value set is
a star (:mod:`graph.stitch`), so its copies are gathered by expanding ``SAME_VALUE_AS``
until nothing new is met (two hops for a star), for all secrets at once. Role chains
beyond the first identity are blast radius, not use, so one admin role at the end of many
chains does not merge every workflow into one cluster.

Computed in batched hops from all workflows at once: a few store calls, whatever the
number of workflows. In :mod:`graph` so a store can answer :func:`credential_users` with
these rules by default (the Neo4j store aggregates in the database instead, see
:mod:`graph.neo4j_aggregate`); :mod:`queries.credential_use` re-exports it.
"""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .store import Store

DIRECT = ("USES", "REFERENCES", "EMBEDS", "CAN_ASSUME")
VIA_CONNECTOR = ("AUTHENTICATES_WITH", "REFERENCES", "EMBEDS", "CAN_ASSUME")
VIA_SECRET = ("SAME_VALUE_AS", "AUTHENTICATES_AS")


def credential_use(store: Store, workflows: list[str]) -> tuple[dict[str, set[str]], dict[str, dict]]:
    """Map each workflow id to the secret and identity ids it uses; also return those
    credential nodes. A store with its own ``credential_use`` (the embedded store's, on
    its CSR arrays) answers it; the rules below are the reference it matches."""
    own = getattr(store, "credential_use", None)
    if own is not None:
        return own(workflows)
    uses: dict[str, set[str]] = defaultdict(set)
    via: dict[str, set[str]] = defaultdict(set)  # connector -> workflows using it
    for src, kind, dst in store.expand_ends(workflows, "out", DIRECT):
        if kind == "USES":
            via[dst].add(src)
        else:
            uses[src].add(dst)
    connectors = sorted(via)
    nodes = store.get_nodes(connectors)
    for src, _, dst in store.expand_ends(connectors, "out", VIA_CONNECTOR):
        if nodes.get(src, {}).get("kind") != "Connector":
            continue  # a sub-workflow called with USES is not a connector
        for wf in via[src]:
            uses[wf].add(dst)
    creds = sorted({c for cs in uses.values() for c in cs})
    cred_nodes = store.get_nodes(creds)
    secrets = [c for c in creds if cred_nodes.get(c, {}).get("kind") == "Secret"]
    extra: dict[str, set[str]] = defaultdict(set)
    for src, _, dst in store.expand_ends(secrets, "out", ("AUTHENTICATES_AS",)):
        extra[src].add(dst)
    for s, copies in same_value_sets(store, secrets).items():
        extra[s].update(copies)
    if extra:
        cred_nodes.update(store.get_nodes({d for ds in extra.values() for d in ds}))
    for cs in uses.values():
        for c in list(cs):
            cs.update(extra.get(c, ()))
    return dict(uses), cred_nodes


def same_value_sets(store: Store, secrets: list[str]) -> dict[str, set[str]]:
    """Each secret's other stored copies (its ``SAME_VALUE_AS`` component, itself left
    out), by one joint expansion per hop for all the secrets."""
    adj: dict[str, set[str]] = defaultdict(set)
    frontier, seen = sorted(set(secrets)), set(secrets)
    while frontier:
        nxt = set()
        for src, _, dst in store.expand_ends(frontier, "out", ("SAME_VALUE_AS",)):
            adj[src].add(dst)
            adj[dst].add(src)
            if dst not in seen:
                nxt.add(dst)
        seen |= nxt
        frontier = sorted(nxt)
    comp: dict[str, frozenset[str]] = {}
    for s in sorted(adj):
        if s in comp:
            continue
        members, stack = {s}, [s]
        while stack:
            for o in adj[stack.pop()]:
                if o not in members:
                    members.add(o)
                    stack.append(o)
        group = frozenset(members)
        comp.update(dict.fromkeys(group, group))
    return {s: set(comp[s] - {s}) for s in secrets if s in comp}


def credential_users(store: Store, min_workflows: int = 1) -> dict[str, set[str]]:
    """Credential id -> the workflows that use it (:func:`credential_use` over every
    workflow, inverted), for the credentials at least ``min_workflows`` workflows use: the
    default of ``Store.credential_users``, over the store's own ``expand``."""
    workflows = sorted(n["id"] for n in store.nodes("Workflow"))
    users: dict[str, set[str]] = {}
    for wf, used in credential_use(store, workflows)[0].items():
        for c in used:
            users.setdefault(c, set()).add(wf)
    return {c: ws for c, ws in users.items() if len(ws) >= min_workflows}
