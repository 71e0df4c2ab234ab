"""Interop exports of the whole graph: BloodHound OpenGraph JSON (plus the extension
definition that tells BloodHound which edges it may pathfind over), GraphML for networkx,
Gephi and yEd, and JSON in nhigraph's own inventory format (re-ingestable with
``nhigraph ingest inventory``).

Exports read the store through its interface (``nodes``, ``edges``), so they work on every
store. They never carry fingerprints: a keyed HMAC is only useful with the local key, and
``SAME_VALUE_AS`` edges already say which secrets hold the same credential.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from graph.errors import InputError
from graph.model import EDGE_KINDS, NODE_KINDS
from graph.safe_output import strict_json, xml_safe

FORMATS = ("opengraph", "graphml", "json")
NAMESPACE = "NHI"
SOURCE_KIND = f"{NAMESPACE}_Base"
EXTENSION_VERSION = "v1.0.0"

#: Icon (Font Awesome name) and colour per node kind in BloodHound.
_LOOK = {
    "Workspace": ("folder-tree", "#8E7CC3"), "Workflow": ("gears", "#4A86E8"),
    "Connector": ("plug", "#6FA8DC"), "Secret": ("key", "#E69138"),
    "Identity": ("id-badge", "#F1C232"), "Resource": ("database", "#CC0000"),
    "System": ("server", "#990000"), "Vault": ("vault", "#38761D"),
    "Owner": ("user-tie", "#999999"),
    "Actor": ("user-secret", "#E15759"), "Agent": ("robot", "#FF9DA7"),
}


def _private(key: str) -> bool:
    return key == "fingerprint" or key.endswith("_fingerprint") or key == "seen_by"


def opengraph_id(node_id: str) -> str:
    """A stable, colon-free id for BloodHound (the original id stays as a property)."""
    return "NHI-" + hashlib.sha256(node_id.encode()).hexdigest()[:32].upper()


def node_kind_name(kind: str) -> str:
    return f"{NAMESPACE}_{kind}"


def edge_kind_name(kind: str) -> str:
    """``CAN_ACCESS`` -> ``NHI_CanAccess``."""
    return f"{NAMESPACE}_" + "".join(p.capitalize() for p in kind.split("_"))


def _primitive(value: Any) -> Any:
    """Primitives as they are; lists as homogeneous string lists; anything else as text."""
    if isinstance(value, (str, bool, int, float)):
        return value
    if isinstance(value, (list, tuple)):
        return [str(v) for v in value]
    return str(value)


def opengraph(store) -> dict:
    """The graph as a BloodHound OpenGraph document."""
    nodes = []
    for n in sorted(store.nodes(), key=lambda n: n["id"]):
        props = {k: _primitive(v) for k, v in n.items()
                 if k not in ("id", "kind") and not _private(k) and v is not None}
        props["nhigraph_id"] = n["id"]
        props["nhigraph_kind"] = n["kind"]
        props.setdefault("name", n["id"])
        props["displayname"] = str(props["name"])
        nodes.append({"id": opengraph_id(n["id"]), "kinds": [node_kind_name(n["kind"]),
                                                               SOURCE_KIND],
                      "properties": props})
    edges = []
    for e in sorted(store.edges(), key=lambda e: (e.src, e.kind, e.dst)):
        props = {k: _primitive(v) for k, v in e.props.items()
                 if not _private(k) and v is not None}
        props["traversable"] = EDGE_KINDS[e.kind].traversed
        edges.append({"kind": edge_kind_name(e.kind),
                      "start": {"match_by": "id", "value": opengraph_id(e.src)},
                      "end": {"match_by": "id", "value": opengraph_id(e.dst)},
                      "properties": props})
    return {"metadata": {"source_kind": SOURCE_KIND}, "graph": {"nodes": nodes, "edges": edges}}


def opengraph_extension() -> dict:
    """The extension definition: namespaced node kinds and relationship kinds, access edges
    traversable (so BloodHound pathfinds over them), metadata edges not."""
    return {
        "schema": {"name": "nhigraph", "display_name": "nhigraph non-human identities",
                   "version": EXTENSION_VERSION, "namespace": NAMESPACE},
        "node_kinds": [
            {"name": node_kind_name(k), "display_name": k, "description": spec.description,
             "icon": _LOOK[k][0], "color": _LOOK[k][1], "is_display_kind": True}
            for k, spec in NODE_KINDS.items()
        ] + [{"name": SOURCE_KIND, "display_name": "nhigraph", "description":
              "Every node exported by nhigraph.", "icon": "diagram-project", "color": "#666666",
              "is_display_kind": False}],
        "relationship_kinds": [
            {"name": edge_kind_name(k), "display_name": k, "description": spec.description,
             "is_traversable": spec.traversed}
            for k, spec in EDGE_KINDS.items()
        ],
    }


def to_networkx(store):
    """A ``networkx.MultiDiGraph`` of the store with GraphML-safe attributes (lists joined
    with ``;``, no fingerprints). For exports and small views, not for analyses."""
    import networkx as nx

    g = nx.MultiDiGraph()
    for n in sorted(store.nodes(), key=lambda n: n["id"]):
        g.add_node(xml_safe(n["id"]), **{xml_safe(k): _graphml_value(v) for k, v in n.items()
                               if k != "id" and not _private(k) and v is not None})
    for e in sorted(store.edges(), key=lambda e: (e.src, e.kind, e.dst)):
        attrs = {xml_safe(k): _graphml_value(v) for k, v in e.props.items()
                 if not _private(k) and v is not None}
        g.add_edge(xml_safe(e.src), xml_safe(e.dst), key=e.kind, kind=e.kind,
                   traversed=EDGE_KINDS[e.kind].traversed, **attrs)
    return g


def _graphml_value(value: Any) -> Any:
    if isinstance(value, (list, tuple)):
        return xml_safe(";".join(str(v) for v in value))
    if isinstance(value, float) and value != value:
        return "NaN"  # GraphML's double reads NaN/INF; kept as text for every reader
    if isinstance(value, (bool, int, float)):
        return value
    return xml_safe(str(value))


def inventory_document(store) -> dict:
    """The graph in the canonical inventory format (nodes and edges by kind)."""
    nodes: dict[str, list] = {}
    for n in sorted(store.nodes(), key=lambda n: n["id"]):
        nodes.setdefault(n["kind"], []).append(
            {"id": n["id"], **{k: v for k, v in n.items()
                               if k not in ("id", "kind") and not _private(k)}})
    edges: dict[str, list] = {}
    for e in sorted(store.edges(), key=lambda e: (e.src, e.kind, e.dst)):
        if EDGE_KINDS[e.kind].symmetric and e.src > e.dst:
            continue  # written both ways by the store; one direction re-creates both
        edges.setdefault(e.kind, []).append(
            {"from": e.src, "to": e.dst, **{k: v for k, v in e.props.items()
                                           if not _private(k)}})
    return {"nhigraph_inventory": 1, "source": f"nhigraph export of {store.location}",
            "nodes": nodes, "edges": edges}


def export(store, fmt: str, path: str | Path) -> list[Path]:
    """Write the graph as ``fmt`` to ``path``; returns the files written (OpenGraph also
    writes ``<stem>.extension.json`` beside it)."""
    path = Path(path)
    if fmt not in FORMATS:
        raise InputError(f"unknown export format {fmt!r} (one of {', '.join(FORMATS)})")
    if path.parent and not path.parent.exists():
        raise InputError(f"{path}: folder {path.parent} does not exist")
    if fmt == "opengraph":
        ext = path.with_name(path.stem + ".extension.json")
        _write(path, strict_json(opengraph(store), indent=1))
        _write(ext, strict_json(opengraph_extension(), indent=1))
        return [path, ext]
    if fmt == "graphml":
        import networkx as nx

        tmp = path.with_name(path.name + ".tmp")
        nx.write_graphml(to_networkx(store), tmp)
        tmp.replace(path)
        return [path]
    _write(path, strict_json(inventory_document(store), indent=1, default=str))
    return [path]


def _write(path: Path, text: str) -> None:
    """Write beside, then rename: a failed export never leaves half a file."""
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text + "\n", encoding="utf-8")
    tmp.replace(path)
