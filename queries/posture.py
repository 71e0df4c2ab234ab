"""Posture: the figures of one graph that drift, what-if and cut compare.

:func:`posture` reads one store (live, a snapshot or an in-memory what-if copy) through the
existing analyses only: every inbound access path to a crown jewel (source, jewel,
strongest access, one shortest path), every node's blast-radius figures, which workflows
share each credential and which credentials mix production with other environments, the
orphaned paths, and the findings keyed by their stable id (a hash of the rule and its
nodes, :func:`queries.findings.base.finding`), so the same finding matches across two
graphs. :func:`queries.drift.compare` turns two postures into a delta.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from graph.store import Store

from .estate import blast_radius_summaries
from .findings import findings
from .inbound import inbound
from .orphans import orphaned_paths
from .shared_credentials import shared_credentials
from .traverse import now_iso

#: Node kinds whose paths to a crown jewel are reported (a system containing the jewel is
#: not "a path to it").
PATH_SOURCES = frozenset({"Workspace", "Workflow", "Connector", "Secret", "Identity", "Vault",
                          "Actor", "Agent"})


@dataclass
class Posture:
    store: Store | None = None
    as_of: str | None = None
    unknown_as: str = "write"
    nodes: dict[str, dict] = field(default_factory=dict)
    access_edges: set[tuple[str, str, str]] = field(default_factory=set)
    #: (source, jewel) -> {"access": ..., "path": [...]}
    jewel_paths: dict[tuple[str, str], dict] = field(default_factory=dict)
    #: node -> blast-radius summary row
    radii: dict[str, dict] = field(default_factory=dict)
    #: credential -> workflows sharing it (2 or more)
    sharing: dict[str, set[str]] = field(default_factory=dict)
    mixing: set[str] = field(default_factory=set)
    #: (node, reason) -> orphan row
    orphans: dict[tuple[str, str], dict] = field(default_factory=dict)
    #: finding id -> finding row
    findings: dict[str, dict] = field(default_factory=dict)
    risk: float = 0.0


def crown_jewels(store: Store) -> list[str]:
    return sorted(n["id"] for n in store.find_nodes("crown_jewel", True))


def posture(store: Store, as_of: str | None = None, unknown_as: str = "write",
            with_findings: bool = True) -> Posture:
    """Everything :func:`queries.drift.compare` compares, for one store."""
    from graph.model import ACCESS_EDGES

    as_of = as_of or now_iso()
    p = Posture(store, as_of, unknown_as, nodes={n["id"]: n for n in store.nodes()})
    access = set(ACCESS_EDGES)
    p.access_edges = {e.key for e in store.edges() if e.kind in access}
    for jewel in crown_jewels(store):
        for row in inbound(store, jewel, unknown_as=unknown_as, as_of=as_of).rows:
            if row["kind"] in PATH_SOURCES:
                p.jewel_paths[(row["id"], jewel)] = {"access": row["access"],
                                                     "path": row["path"]}
    p.radii = {r["id"]: r for r in blast_radius_summaries(store, as_of=as_of).rows}
    for c in shared_credentials(store, as_of=as_of).rows:
        for d in c["credentials"]:
            if len(d["workflows"]) > 1:
                p.sharing[d["id"]] = set(d["workflows"])
            if d["mixed_environments"]:
                p.mixing.add(d["id"])
    p.orphans = {(o["node"], o["reason"]): o
                 for o in orphaned_paths(store, as_of=as_of).rows}
    if with_findings:
        rows = findings(store, as_of=as_of, unknown_as=unknown_as).rows
        p.findings = {f["id"]: f for f in rows}
        p.risk = round(sum(f["risk"] for f in rows), 2)
    return p


def strongest_path(p: Posture, source: str, jewel: str) -> list[str] | None:
    """The path by which ``source`` gets its strongest access to ``jewel`` (the blast
    radius's ``access_path``), read only for the few paths a delta shows."""
    from .blast_radius import blast_radius

    if p.store is None:
        return None
    for row in blast_radius(p.store, source, unknown_as=p.unknown_as, as_of=p.as_of).rows:
        if row["id"] == jewel:
            return row.get("access_path") or row["path"]
    return None
