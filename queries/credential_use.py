"""Which credentials each workflow holds directly (the rules live in
:mod:`graph.credential_use`, so a store can use them too), and each workflow's context."""

from __future__ import annotations

from collections import defaultdict

from graph.credential_use import (
    DIRECT,
    VIA_CONNECTOR,
    VIA_SECRET,
    credential_use,
    credential_users,
    same_value_sets,
)

__all__ = ["DIRECT", "VIA_CONNECTOR", "VIA_SECRET", "credential_use", "credential_users",
           "same_value_sets", "workflow_context"]


def workflow_context(store, workflows: list[str]) -> tuple[dict[str, dict], dict[str, list[str]]]:
    """Workflow nodes and, for each, the workspaces that contain it."""
    nodes = store.get_nodes(workflows)
    spaces: dict[str, list[str]] = defaultdict(list)
    for src, _, dst in store.expand_ends(workflows, "in", ("CONTAINS",)):
        spaces[dst].append(src)
    return nodes, dict(spaces)
