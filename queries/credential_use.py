"""Which credentials each workflow holds directly.

A workflow *uses* a secret it references or embeds, or that one of its connectors
authenticates with (or references, or embeds); it uses an identity one of those secrets
authenticates as, or that it (or a connector) assumes directly, as with OIDC federation.
A secret stored twice (``SAME_VALUE_AS``) is used wherever either copy is. Role chains
beyond the first identity are blast radius, not use, so one admin role at the end of many
chains does not merge every workflow into one cluster.

Computed in three batched hops from all workflows at once, so it is three store calls.
"""

from __future__ import annotations

from collections import defaultdict

DIRECT = ("USES", "REFERENCES", "EMBEDS", "CAN_ASSUME")
VIA_CONNECTOR = ("AUTHENTICATES_WITH", "REFERENCES", "EMBEDS", "CAN_ASSUME")
VIA_SECRET = ("SAME_VALUE_AS", "AUTHENTICATES_AS")


def credential_use(store, workflows: list[str]) -> tuple[dict[str, set[str]], dict[str, dict]]:
    """Map each workflow id to the secret and identity ids it uses; also return those
    credential nodes."""
    uses: dict[str, set[str]] = defaultdict(set)
    via: dict[str, set[str]] = defaultdict(set)  # connector -> workflows using it
    for e in store.expand(workflows, "out", DIRECT):
        if e.kind == "USES":
            via[e.dst].add(e.src)
        else:
            uses[e.src].add(e.dst)
    connectors = sorted(via)
    nodes = store.get_nodes(connectors)
    for e in store.expand(connectors, "out", VIA_CONNECTOR):
        if nodes.get(e.src, {}).get("kind") != "Connector":
            continue  # a sub-workflow called with USES is not a connector
        for wf in via[e.src]:
            uses[wf].add(e.dst)
    creds = sorted({c for cs in uses.values() for c in cs})
    cred_nodes = store.get_nodes(creds)
    secrets = [c for c in creds if cred_nodes.get(c, {}).get("kind") == "Secret"]
    extra: dict[str, set[str]] = defaultdict(set)
    for e in store.expand(secrets, "out", VIA_SECRET):
        extra[e.src].add(e.dst)
    if extra:
        cred_nodes.update(store.get_nodes({d for ds in extra.values() for d in ds}))
    for cs in uses.values():
        for c in list(cs):
            cs.update(extra.get(c, ()))
    return dict(uses), cred_nodes


def workflow_context(store, workflows: list[str]) -> tuple[dict[str, dict], dict[str, list[str]]]:
    """Workflow nodes and, for each, the workspaces that contain it."""
    nodes = store.get_nodes(workflows)
    spaces: dict[str, list[str]] = defaultdict(list)
    for e in store.expand(workflows, "in", ("CONTAINS",)):
        spaces[e.dst].append(e.src)
    return nodes, dict(spaces)
