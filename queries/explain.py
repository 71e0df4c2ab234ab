"""One screen about one node, like BloodHound's entity panel: what it is, its owner and
status, what it reaches (counts by access, crown jewels), what reaches it, the entry points
in front of it, its findings and its risk. :func:`explain` assembles these from the other
analyses and returns an :class:`Explanation`; the CLI only renders it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from graph.safe_output import strict_json

from .blast_radius import blast_radius
from .context import Context
from .entry_points import entry_points
from .findings import findings
from .inbound import inbound
from .resolve import resolve_node
from .risk import Scorer
from .traverse import now_iso

#: Node properties shown as "what it is" (never a secret value: the graph holds none).
FACTS = ("kind", "name", "status", "environment", "identity_type", "arn", "platform",
         "crown_jewel", "last_used", "expires", "created")


@dataclass
class Explanation:
    """Everything :func:`explain` found about one node; ``to_dict`` is the JSON form."""

    node: dict[str, Any]
    owners: list[dict[str, Any]] = field(default_factory=list)
    reaches: dict[str, Any] = field(default_factory=dict)
    reached_by: dict[str, Any] = field(default_factory=dict)
    entry_points: list[dict[str, Any]] = field(default_factory=list)
    findings: list[dict[str, Any]] = field(default_factory=list)
    risk: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"node": self.node, "owners": self.owners, "reaches": self.reaches,
                "reached_by": self.reached_by, "entry_points": self.entry_points,
                "findings": self.findings, "risk": self.risk}

    def to_json(self) -> str:
        return strict_json(self.to_dict(), indent=2)


def explain(store, text: str, as_of: str | None = None, unknown_as: str = "write") -> Explanation:
    """What is known about the node ``text`` names (an id, ARN or name)."""
    nid = resolve_node(store, text)
    node = store.get_node(nid) or {"id": nid}
    facts = {"id": nid, **{k: node[k] for k in FACTS if node.get(k) not in (None, "")}}
    owner_ids = [e.src for e in store.expand([nid], "in", ["OWNS"])]
    owners = [{"id": o, "name": n.get("name", o), "status": n.get("status", "unknown")}
              for o, n in sorted(store.get_nodes(owner_ids).items())]
    out = blast_radius(store, nid, unknown_as=unknown_as)
    inn = inbound(store, nid, unknown_as=unknown_as)
    reaches = {"nodes": out.summary["reachable"], "by_access": out.summary["by_access"],
               "by_kind": out.summary["by_kind"], "crown_jewels": out.summary["crown_jewels"]}
    reached_by = {"nodes": inn.summary["sources"], "by_kind": inn.summary["by_kind"],
                  "workflows": sorted(r["id"] for r in inn.rows if r["kind"] == "Workflow")}
    fronts = {nid, *reached_by["workflows"]}
    eps = [{"actor": r["actor"], "workflow": r["workflow"], "trigger": r.get("trigger"),
            "gate": r.get("gate")}
           for r in entry_points(store, unknown_as=unknown_as).rows if r["workflow"] in fronts]
    mine = [f for f in findings(store, as_of=as_of, unknown_as=unknown_as).rows
            if nid in (f.get("nodes") or [])]
    found = _with_targets(store, nid, mine)
    risk: dict[str, Any] = {}
    if node.get("kind") in ("Workflow", "Secret", "Identity"):
        scored = Scorer(Context(store, unknown_as=unknown_as, as_of=as_of or now_iso())).score(nid)
        risk = {k: scored[k] for k in ("risk", "blast", "exposure") if k in scored}
    return Explanation(facts, owners, reaches, reached_by, sorted(eps, key=str), found, risk)


def finding_targets(node_id: str, finding: dict) -> list[str]:
    """What a finding is about beyond the node explained: the ends of its evidence paths
    (what is reached: a system, a resource, a credential), in path order, else its other
    nodes (a finding with no path, such as a departed owner's)."""
    ends = [p[-1] for p in finding.get("paths") or [] if p]
    if not ends:
        ends = list(finding.get("nodes") or [])
    return [t for t in dict.fromkeys(ends) if t != node_id]


def _with_targets(store, node_id: str, rows: list[dict]) -> list[dict]:
    """Each finding of ``node_id`` with its id, detail and targets (id, name, kind, crown
    jewel), looked up in one store call."""
    wanted = {f["id"]: finding_targets(node_id, f) for f in rows}
    nodes = store.get_nodes(sorted({t for ts in wanted.values() for t in ts}))
    out = []
    for f in rows:
        targets = []
        for t in wanted[f["id"]]:
            n = nodes.get(t, {})
            targets.append({"id": t, "name": n.get("name", t), "kind": n.get("kind", ""),
                            "crown_jewel": bool(n.get("crown_jewel"))})
        out.append({"id": f["id"], "rule": f["rule"], "severity": f["severity"],
                    "title": f["title"], "owasp": f["owasp"], "detail": f.get("detail", ""),
                    "targets": targets})
    return out
