"""Reports on one node view beside the blast radius (:func:`~reports.assemble.blast_radius_report`):
who can reach a node (:func:`inbound_report`), the shortest access paths between two nodes
(:func:`paths_report`) and one shared-credential cluster (:func:`cluster_report`).

Each returns the same plain dict as the other reports (title, summary, tables, access paths,
the findings that involve it, names, a drawn graph), so :func:`reports.write_report` and
:mod:`reports.render` write it as HTML, Markdown, CSV, JSON or XLSX. Only ids, names and
the analyses' own fields are put in, never a node's other properties, so no secret value
can reach a report.
"""

from __future__ import annotations

from graph.errors import InputError
from queries.findings import findings
from queries.inbound import inbound
from queries.path import shortest_paths
from queries.resolve import resolve_node
from queries.shared_credentials import shared_credentials

from .assemble import _graph, _names, _table

SOURCE_COLUMNS = ("name", "kind", "access", "distance", "environment", "path", "id")
HOP_COLUMNS = ("path", "hop", "from", "edge", "access", "to", "reason")
CREDENTIAL_COLUMNS = ("name", "kind", "workflows", "environments", "mixed_environments", "id")


def _involving(found, ids: set[str], all_of: bool = False) -> list[dict]:
    """Findings whose nodes or evidence name any (or, with ``all_of``, every) id in ``ids``."""
    out = []
    for f in found.rows:
        named = set(f["nodes"]) | {n for p in f["paths"] for n in p}
        if (ids <= named) if all_of else (ids & named):
            out.append(f)
    return out


def _chain(path: list[str], names: dict[str, str]) -> str:
    return " -> ".join(names.get(n, n) for n in path)


def _base(kind: str, title: str, store, found, summary, tables, paths, related, names,
          graph) -> dict:
    return {"report": kind, "title": title, "as_of": found.header["as_of"],
            "store": store.location, "summary": summary, "tables": tables, "paths": paths,
            "findings": related, "names": names, "graph": graph, "csv_table": 0}


def inbound_report(store, node: str, depth: int | None = None, as_of: str | None = None,
                   rotation_days: int = 90, unknown_as: str = "write") -> dict:
    """Every node that can reach ``node``, with the access it gets and one path each, and
    the findings that name ``node``."""
    target = resolve_node(store, node)
    ib = inbound(store, target, depth=depth, unknown_as=unknown_as, as_of=as_of)
    found = findings(store, as_of=as_of, rotation_days=rotation_days, unknown_as=unknown_as)
    related = _involving(found, {target})
    ids = {r["id"] for r in ib.rows} | {target}
    names = _names(store, ids | {n for f in related for p in f["paths"] for n in p})
    tname = names.get(target, target)
    s = ib.summary
    actors = [r for r in ib.rows if r["kind"] == "Actor"]
    summary = [("Node", f"{tname} ({ib.header['target_kind']})"), ("Id", target),
               ("Can reach it", s["sources"]),
               ("By kind", ", ".join(f"{k} {v}" for k, v in s["by_kind"].items()) or "none"),
               ("By access", ", ".join(f"{k} {v}" for k, v in s["by_access"].items())
                or "none"),
               ("Workflows", s["workflows"]), ("Workspaces", s["workspaces"]),
               ("Outside actors", ", ".join(r["name"] for r in actors) or "none"),
               ("Dead credentials in front of it", len(s["dead_credentials"])),
               ("Findings involving it", len(related))]
    rows = [{**r, "path": _chain(r["path"], names)} for r in ib.rows]
    far = max((r["distance"] for r in ib.rows), default=0)
    columns = {r["id"]: far - r["distance"] for r in ib.rows}
    columns[target] = far
    return _base(
        "inbound", f"Who can reach {tname}", store, found, summary,
        [_table("Who can reach it", SOURCE_COLUMNS, rows)],
        [{"target": target, "access": r["access"], "path": r["path"]}
         for r in ib.rows if r["kind"] in ("Workflow", "Actor", "Workspace")],
        related, names,
        _graph(store, ids, columns, highlight={target}, label=f"who can reach {tname}"))


def paths_report(store, src: str, dst: str, limit: int = 5, as_of: str | None = None,
                 rotation_days: int = 90, unknown_as: str = "write") -> dict:
    """The shortest access paths from ``src`` to ``dst``, every hop with its edge kind,
    access and reason, and the findings whose evidence names both ends."""
    result = shortest_paths(store, src, dst, limit=limit, as_of=as_of)
    source, target = result.header["source"], result.header["target"]
    found = findings(store, as_of=as_of, rotation_days=rotation_days, unknown_as=unknown_as)
    related = _involving(found, {source, target}, all_of=True)
    ids = {n for r in result.rows for n in r["path"]} | {source, target}
    names = _names(store, ids | {n for f in related for p in f["paths"] for n in p})
    hops = [{"path": r["rank"], "hop": i, "from": names.get(h["from"], h["from"]),
             "edge": h["kind"], "access": h.get("access") or "",
             "to": names.get(h["to"], h["to"]), "reason": h.get("reason") or ""}
            for r in result.rows for i, h in enumerate(r["hops"], 1)]
    sname, tname = names.get(source, source), names.get(target, target)
    summary = [("From", f"{sname} ({source})"), ("To", f"{tname} ({target})"),
               ("Shortest paths", len(result.rows)),
               ("Hops on each", result.summary["length"] if result.rows else "no access path"),
               ("Findings naming both", len(related))]
    columns = {n: i for r in result.rows for i, n in enumerate(r["path"])}
    return _base(
        "paths", f"Access paths from {sname} to {tname}", store, found, summary,
        [_table("Hops", HOP_COLUMNS, hops)],
        [{"target": target, "access": (r["hops"][-1].get("access") or "") if r["hops"]
          else "", "path": r["path"]} for r in result.rows],
        related, names,
        _graph(store, ids, columns, highlight={source, target},
               label=f"paths from {sname} to {tname}"))


def cluster_report(store, number: int, min_workflows: int = 2, as_of: str | None = None,
                   rotation_days: int = 90, unknown_as: str = "write") -> dict:
    """Shared-credential cluster ``number`` (as :func:`queries.shared_credentials` numbers
    them for ``min_workflows``): its workflows, the credentials they share and what those
    open, with the findings that name any of its credentials."""
    clusters = shared_credentials(store, min_workflows=min_workflows, as_of=as_of)
    row = next((r for r in clusters.rows if r["cluster"] == number), None)
    if row is None:
        raise InputError(f"no shared-credential cluster {number} (there are "
                         f"{len(clusters.rows)} with at least {min_workflows} workflows)")
    found = findings(store, as_of=as_of, rotation_days=rotation_days, unknown_as=unknown_as)
    creds = row["secrets"] + row["identities"]
    related = _involving(found, set(creds))
    # The jobs and connectors between each workflow and the credentials it uses, so the
    # drawing joins them: one shortest access path per (workflow, credential) pair.
    between = {n for c in row["credentials"] for w in c["workflows"]
               for r in shortest_paths(store, w, c["id"], limit=1, as_of=as_of).rows
               for n in r["path"][1:-1]} - set(row["workflows"]) - set(creds)
    ids = set(row["workflows"]) | set(creds) | set(row["reaches"]) | between
    names = _names(store, ids | set(row["workspaces"])
                   | {n for f in related for p in f["paths"] for n in p})
    nodes = store.get_nodes(row["workflows"])
    summary = [("Cluster", number), ("Workflows sharing", row["size"]),
               ("Shared credentials", ", ".join(names.get(c, c) for c in creds)),
               ("Environments", ", ".join(row["environments"])),
               ("Mixes prod and non-prod", row["mixed_environments"]),
               ("Mixing through", ", ".join(names.get(c, c) for c in row["mixing_credentials"])
                or "none"),
               ("Workspaces", ", ".join(names.get(w, w) for w in row["workspaces"]) or "none"),
               ("Reaches", ", ".join(names.get(x, x) for x in row["reaches"]) or "nothing"),
               ("Findings involving its credentials", len(related))]
    credentials = [{**c, "workflows": len(c["workflows"])} for c in row["credentials"]]
    workflows = [{"name": names.get(w, w), "environment":
                  nodes.get(w, {}).get("environment", "unknown"), "id": w}
                 for w in row["workflows"]]
    reaches = [{"name": names.get(x, x), "id": x} for x in row["reaches"]]
    columns = {**{w: 0 for w in row["workflows"]}, **{b: 1 for b in between},
               **{c: 2 for c in creds}, **{x: 3 for x in row["reaches"]}}
    return _base(
        "shared-credential-cluster", f"Shared-credential cluster {number}: "
        f"{row['size']} workflows", store, found, summary,
        [_table("Shared credentials", CREDENTIAL_COLUMNS, credentials),
         _table("Workflows", ("name", "environment", "id"), workflows),
         _table("What the shared credentials open", ("name", "id"), reaches)],
        [], related, names,
        _graph(store, ids, columns, highlight=set(row["mixing_credentials"]),
               label=f"shared-credential cluster {number}"))
