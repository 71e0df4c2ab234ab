"""Paths as a person reads them: one hop per line with the edge kind, access and reason
(``--KIND [access reason]--> name (id)``), used by ``path`` and ``blast-radius --paths``.
``radius_tree`` groups a blast radius by the system reached: each System, then under it the
system itself and the resources it contains, each with the access path that grants its
access. Names by default, ids with ``ids=True``. Plain text: no colour, no box drawing.
"""

from __future__ import annotations

from itertools import pairwise

from graph.model import EDGE_KINDS
from graph.safe_output import terminal_safe

#: What blast-radius --paths draws a path to; the hops in between show the rest.
REACHED = ("System", "Resource")


def labeller(names: dict[str, str], ids: bool = False):
    """``name (id)`` (or the id alone when it is the name, or with ``ids``)."""
    def label(nid: str) -> str:
        name = names.get(nid, nid)
        return nid if ids or name == nid else f"{name} ({nid})"
    return label


def hop_line(kind: str, access, reason, to: str, indent: str = "    ") -> str:
    extra = " ".join(str(x) for x in (access, reason) if x)
    return f"{indent}--{kind}{' [' + extra + ']' if extra else ''}--> {to}"


def radius_tree(store, result, ids: bool = False) -> str:
    """A blast radius (``queries.blast_radius``) as paths grouped by the system reached."""
    rows = [r for r in result.rows if r.get("kind") in REACHED]
    paths = {r["id"]: r.get("access_path") or r["path"] for r in rows}
    on_paths = {n for p in paths.values() for n in p}
    edges: dict[tuple[str, str], object] = {}
    for e in sorted(store.expand(on_paths, "out", EDGE_KINDS), key=lambda e: e.kind):
        edges.setdefault((e.src, e.dst), e)
    system_of = {r["id"]: r["id"] for r in rows if r["kind"] == "System"}
    resources = [r["id"] for r in rows if r["kind"] != "System"]
    kinds = {k: v.get("kind") for k, v in store.get_nodes(
        {e.src for e in store.expand(resources, "in", ["CONTAINS"])}).items()}
    for e in sorted(store.expand(resources, "in", ["CONTAINS"]), key=lambda e: e.src):
        if kinds.get(e.src) == "System":
            system_of.setdefault(e.dst, e.src)
    names = dict(result.names)
    names.update({k: v.get("name") or k for k, v in store.get_nodes(
        on_paths | set(system_of.values())).items()})
    label = labeller(names, ids)
    groups: dict[str, list[dict]] = {}
    for r in rows:
        groups.setdefault(system_of.get(r["id"], ""), []).append(r)
    src = result.header["source"]
    lines = [f"Blast radius of {label(src)}: {len(rows)} system(s)/resource(s) reached"]
    for system in sorted(groups, key=lambda s: (s == "", names.get(s, s))):
        lines.append(f"{label(system)} [System]" if system else "(in no system)")
        for r in sorted(groups[system], key=lambda r: r["id"] != system):  # it first
            jewel = ", crown jewel" if r.get("crown_jewel") else ""
            lines.append(f"  {label(r['id'])}: {r.get('access') or '?'}{jewel}")
            path = paths[r["id"]]
            lines.append(f"    {label(path[0])}")
            for a, b in pairwise(path):
                e = edges.get((a, b))
                props = getattr(e, "props", {})
                lines.append(hop_line(getattr(e, "kind", "?"), props.get("access"),
                                      props.get("reason") or props.get("grant"), label(b),
                                      "      "))
    others: dict[str, int] = {}
    for r in result.rows:
        if r.get("kind") not in REACHED:
            others[r.get("kind") or "?"] = others.get(r.get("kind") or "?", 0) + 1
    if others:
        lines.append("also reached on the way: " +
                     ", ".join(f"{n} {k}" for k, n in sorted(others.items())))
    return terminal_safe("\n".join(lines) + "\n")
