"""Reports a security team hands on: the blast radius of one node, and the whole estate.

:func:`blast_radius_report` and :func:`estate_report` gather what a report shows into one
plain dict (summary, tables, findings with evidence paths, a graph view);
:func:`write_report` writes it in the format the file extension names (see
``reports/render.py``): self-contained HTML, Markdown, CSV, JSON or XLSX.
"""

from __future__ import annotations

from pathlib import Path

from graph.model import TARGET_KINDS
from queries.blast_radius import blast_radius
from queries.entry_points import entry_points
from queries.findings import findings
from queries.inbound import inbound
from queries.orphans import orphaned_paths
from queries.resolve import resolve_node
from queries.risk import risk_scores
from queries.shared_credentials import shared_credentials
from queries.stats import stats

from . import graph_svg
from .render import write

REACH_COLUMNS = ("name", "kind", "access", "distance", "crown_jewel", "environment", "grant",
                 "id")
FINDING_COLUMNS = ("severity", "risk", "rule", "owasp", "title", "detail", "remediation",
                   "nist", "nodes")
EXPOSED_COLUMNS = ("actor_name", "workflow_name", "trigger", "authentication", "gate",
                   "crown_jewels", "admin_targets", "systems", "gated_targets", "actor")
#: Largest graph drawn in a report; beyond it the report says so and keeps the tables.
MAX_GRAPH_NODES = 400


def _table(name: str, columns, rows) -> dict:
    return {"name": name, "columns": list(columns),
            "rows": [{c: r.get(c) for c in columns} for r in rows]}


def _names(store, ids) -> dict[str, str]:
    return {i: str(n.get("name", i)) for i, n in store.get_nodes(sorted(set(ids))).items()}


def _graph(store, ids, columns=None, highlight=(), label="access graph") -> dict:
    ids = set(ids)
    if len(ids) > MAX_GRAPH_NODES:
        return {"svg": None, "note": f"{len(ids)} nodes: too many to draw; see the tables",
                "nodes": len(ids)}
    view = graph_svg.subgraph(store, ids, columns, highlight)
    return {"svg": graph_svg.render_svg(view, label), "note": None, "nodes": len(view.nodes),
            "edges": len(view.edges)}


def blast_radius_report(store, node: str, depth: int | None = None, as_of: str | None = None,
                        rotation_days: int = 90, unknown_as: str = "write") -> dict:
    """Everything one compromised node opens, with the findings that involve it."""
    source = resolve_node(store, node)
    br = blast_radius(store, source, depth=depth, unknown_as=unknown_as, as_of=as_of)
    reached = {r["id"] for r in br.rows} | {source}
    found = findings(store, as_of=as_of, rotation_days=rotation_days, unknown_as=unknown_as)
    related = [f for f in found.rows if reached & set(f["nodes"])]
    targets = [r for r in br.rows if r["kind"] in TARGET_KINDS]
    src = store.get_node(source) or {"id": source}
    s = br.summary
    score = None
    if src.get("kind") in ("Workflow", "Secret", "Identity"):
        rows = [r for r in risk_scores(store, kinds=(src["kind"],), as_of=as_of,
                                       rotation_days=rotation_days, unknown_as=unknown_as).rows
                if r["id"] == source]
        score = rows[0] if rows else None
    columns = {r["id"]: r["distance"] for r in br.rows}
    columns[source] = 0
    names = _names(store, reached | {n for f in related for p in f["paths"] for n in p})
    summary = [("Node", f"{src.get('name', source)} ({src.get('kind')})"), ("Id", source),
               ("Reachable nodes", s["reachable"]), ("Systems", s["systems"]),
               ("Resources", s["resources"]), ("With admin", s["admin_targets"]),
               ("Crown jewels", ", ".join(names.get(c, c) for c in s["crown_jewels"]) or "none"),
               ("Longest path (hops)", s["max_distance"]),
               ("Dead credentials reached", len(s["dead_credentials"])),
               ("Findings involving it", len(related))]
    if score:
        summary.append(("Risk", f"{score['risk']} = blast {score['blast']} x exposure "
                                f"{score['exposure']} ({', '.join(score['factors']) or 'none'})"))
    exposed = [{"actor_name": r["name"], "actor": r["id"], "distance": r["distance"],
                "path": r["path"]}
               for r in inbound(store, source, as_of=as_of).rows if r["kind"] == "Actor"]
    summary.append(("Exposed to", ", ".join(e["actor_name"] for e in exposed) or "no outside "
                    "actor"))
    access_rows = [{**r, "grant": r.get("grant", ""),
                    "access_path": r.get("access_path") or r["path"]} for r in targets]
    return {
        "report": "blast-radius",
        "title": f"Blast radius of {src.get('name', source)}",
        "as_of": found.header["as_of"],
        "store": store.location,
        "summary": summary,
        "tables": [
            _table("What it reaches", REACH_COLUMNS, targets),
            _table("What it comes to hold", REACH_COLUMNS,
                   [r for r in br.rows if r["kind"] not in TARGET_KINDS]),
            _table("Exposed to (who can start work that reaches it)",
                   ("actor_name", "distance", "path", "actor"), exposed),
        ],
        "paths": [{"target": r["id"], "access": r["access"], "path": r["access_path"]}
                  for r in access_rows],
        "findings": related,
        "names": names,
        "graph": _graph(store, reached, columns, highlight={source} | set(s["crown_jewels"]),
                        label=f"blast radius of {src.get('name', source)}"),
        "csv_table": 0,
    }


def estate_report(store, as_of: str | None = None, rotation_days: int = 90,
                  unknown_as: str = "write", top: int = 25) -> dict:
    """The whole estate: findings ranked by risk, riskiest nodes, shared credentials,
    orphaned paths, counts."""
    found = findings(store, as_of=as_of, rotation_days=rotation_days, unknown_as=unknown_as)
    as_of = found.header["as_of"]
    scores = risk_scores(store, as_of=as_of, rotation_days=rotation_days,
                         unknown_as=unknown_as, limit=top)
    clusters = shared_credentials(store, as_of=as_of)
    orphans = orphaned_paths(store, as_of=as_of)
    entries = entry_points(store, unknown_as=unknown_as, as_of=as_of)
    st = stats(store)
    evidence = {n for f in found.rows for p in f["paths"] for n in p}
    names = _names(store, evidence | {n for f in found.rows for n in f["nodes"]}
                   | {r["id"] for r in scores.rows})
    sev = found.summary["by_severity"]
    summary = [("Nodes", st["nodes"]), ("Edges", st["edges"]),
               ("Workflows", st["nodes_by_kind"].get("Workflow", 0)),
               ("Secrets", st["nodes_by_kind"].get("Secret", 0)),
               ("Identities", st["nodes_by_kind"].get("Identity", 0)),
               ("Findings", len(found.rows)),
               ("By severity", ", ".join(f"{k} {v}" for k, v in sev.items() if v) or "none"),
               ("OWASP NHI items hit", ", ".join(found.summary["by_owasp"]) or "none"),
               ("Shared-credential clusters", clusters.summary["clusters"]),
               ("Orphaned paths", orphans.summary["orphans"]),
               ("Entry points (outside actors)", f"{entries.summary['entry_points']} "
                                                 f"({entries.summary['outside']})"),
               ("Rotation policy (days)", rotation_days)]
    return {
        "report": "estate",
        "title": "NHI access estate report",
        "as_of": as_of,
        "store": store.location,
        "summary": summary,
        "tables": [
            _table("Findings", FINDING_COLUMNS, found.rows),
            _table(f"Riskiest nodes (top {top})", ("name", "kind", "risk", "blast", "exposure",
                                                  "factors", "crown_jewels", "id"),
                   scores.rows),
            _table("Shared-credential clusters", ("cluster", "size", "mixed_environments",
                                                  "environments", "secrets", "identities",
                                                  "workflows"), clusters.rows),
            _table("Orphaned paths", ("name", "kind", "reason", "owner", "detail", "node"),
                   orphans.rows),
            _table("Exposed to: entry points", EXPOSED_COLUMNS, entries.rows),
        ],
        "paths": [],
        "findings": found.rows,
        "names": names,
        "graph": _graph(store, evidence, highlight={f["nodes"][0] for f in found.rows
                                                    if f["severity"] == "critical"},
                        label="evidence of every finding"),
        "csv_table": 0,
    }


def write_report(data: dict, path: str | Path) -> Path:
    """Write ``data`` in the format named by the file extension."""
    return write(data, Path(path))
