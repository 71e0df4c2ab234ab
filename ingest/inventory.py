"""The canonical inventory format: one JSON or YAML document, or a folder of CSV files.

A document lists nodes and edges by kind (see ``docs/inventory-format.md``)::

    nhigraph_inventory: 1
    nodes:
      Workflow:
        - {id: "workflow:n8n:acme-prod:17", name: invoice-sync, environment: prod,
           owner: "owner:acme:alice"}
    edges:
      USES:
        - {from: "workflow:n8n:acme-prod:17", to: "connector:n8n:acme-prod:17:stripe"}

A CSV folder holds one file per node kind (``Workflow.csv`` or ``workflows.csv``, a header
row with ``id`` and property columns) and ``edges.csv`` (columns ``kind``, ``from``, ``to``
and edge properties). List cells are separated by ``;``.

``owner: <owner id>`` on a node is a shortcut for an ``OWNS`` edge. A secret-looking field
(``value``, ``password``, ``token``...) is replaced by its keyed fingerprint
(``fingerprint`` for ``value``, else ``<field>_fingerprint``) and the value is dropped here,
before anything is validated, stored or logged.

This module parses and transforms only; it never touches a store.
"""

from __future__ import annotations

import csv
import json
from operator import call
from pathlib import Path
from typing import Any

from graph.errors import InputError
from graph.fingerprint import fingerprint
from graph.gc_pause import gc_paused
from graph.model import EDGE_KINDS, NODE_KINDS, SECRET_FIELD_NAMES, edge_props, node_props
from graph.records import Batch, Edge, Node
from graph.redact import is_secret_name
from graph.redact import scrub as scrub_message
from ingest.files import json_loads
from ingest.registry import Ingester
from ingest.yaml_loader import YamlError
from ingest.yaml_loader import load_text as load_yaml_text

FORMAT_VERSION = 1
_JSON_TYPES = {"str": "string", "bool": "boolean", "int": "integer", "float": "number",
               "datetime": "string"}


def inventory_schema() -> dict[str, Any]:
    """The JSON Schema of the inventory document, generated from the model."""
    primitive = {"type": ["string", "number", "boolean", "null"]}
    extra = {"anyOf": [primitive, {"type": "array", "items": primitive}]}

    def prop_schema(p):
        if p.type == "enum":  # values are normalised (and synonyms mapped) on validation
            return {"type": "string", "description": f"{p.description} One of: "
                    f"{', '.join(p.choices)}.", "examples": list(p.choices)}
        if p.type == "list":
            return {"type": ["array", "string"], "description": p.description,
                    "items": {"type": ["string", "number", "boolean"]}}
        if p.type == "bool":
            return {"type": ["boolean", "string"], "description": p.description}
        t = _JSON_TYPES[p.type]
        if p.type == "datetime":
            return {"type": ["string", "number"], "description": p.description}
        return {"type": t, "description": p.description}

    nodes = {}
    for kind, spec in NODE_KINDS.items():
        props = {name: prop_schema(p) for name, p in node_props(kind).items()}
        props["id"] = {"type": "string", "minLength": 1, "description": "Stable unique id."}
        props["owner"] = {"type": "string", "description": "Id of an Owner: adds an OWNS edge."}
        nodes[kind] = {"type": "array", "description": spec.description, "items": {
            "type": "object", "required": ["id"], "properties": props,
            "additionalProperties": extra}}
    edges = {}
    for kind, spec in EDGE_KINDS.items():
        props = {name: prop_schema(p) for name, p in edge_props(kind).items()}
        props["from"] = {"type": "string", "minLength": 1}
        props["to"] = {"type": "string", "minLength": 1}
        edges[kind] = {"type": "array", "description": spec.description, "items": {
            "type": "object", "required": ["from", "to"], "properties": props,
            "additionalProperties": extra}}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://nhigraph.invalid/schema/inventory-1.json",
        "title": "nhigraph inventory",
        "type": "object",
        "properties": {
            "nhigraph_inventory": {"const": FORMAT_VERSION},
            "source": {"type": "string", "description": "A name for this source."},
            "nodes": {"type": "object", "properties": nodes, "additionalProperties": False},
            "edges": {"type": "object", "properties": edges, "additionalProperties": False},
        },
        "additionalProperties": False,
    }


def _scrub(props: dict[str, Any], where: str) -> dict[str, Any]:
    """Replace secret-looking fields by keyed fingerprints; the values go nowhere."""
    out = {}
    for key, value in props.items():
        if isinstance(key, str) and (key.lower() in SECRET_FIELD_NAMES or is_secret_name(key)):
            if value in (None, ""):
                continue
            if not isinstance(value, (str, int, float)):
                raise InputError(f"secret field {key!r} must be text", where)
            name = "fingerprint" if key.lower() in ("value", "secret_value") else \
                f"{key.lower()}_fingerprint"
            out[name] = fingerprint(str(value))
        else:
            out[key] = value
    return out


def _node(kind: str, raw: dict[str, Any], where: str, batch: Batch,
          scrub: bool = True) -> None:
    if not isinstance(raw, dict):
        raise InputError("each node must be a mapping with an id", where)
    props = _scrub(dict(raw), where) if scrub else raw
    nid = props.pop("id", None)
    if not isinstance(nid, str) or not nid.strip():
        raise InputError("node without an id", where)
    nid = nid.strip()
    owner = props.pop("owner", None)
    batch.nodes.append(Node(nid, kind, props, where))
    if owner not in (None, ""):
        batch.edges.append(Edge(str(owner), "OWNS", nid, {"reason": "owner named in inventory"},
                                f"{where}.owner"))


def _edge(kind: str, raw: dict[str, Any], where: str, batch: Batch,
          scrub: bool = True) -> None:
    if not isinstance(raw, dict):
        raise InputError("each edge must be a mapping with from and to", where)
    props = _scrub(dict(raw), where) if scrub else raw
    src, dst = props.pop("from", None), props.pop("to", None)
    for end, value in (("from", src), ("to", dst)):
        if not isinstance(value, str) or not value.strip():
            raise InputError(f"edge without '{end}'", where)
    batch.edges.append(Edge(src.strip(), kind, dst.strip(), props, where))


def _check_kind(kind: str, table: dict, where: str) -> None:
    if kind not in table:
        raise InputError(f"unknown kind {kind!r} (expected one of {', '.join(table)})", where)


def parse_document(doc: Any, name: str) -> Batch:
    """Turn a parsed JSON/YAML inventory document into a batch."""
    if not isinstance(doc, dict):
        raise InputError("an inventory document is a mapping with 'nodes' and 'edges'", name)
    unknown = set(doc) - {"nhigraph_inventory", "source", "nodes", "edges"}
    if unknown:
        raise InputError(f"unknown top-level key {sorted(unknown)[0]!r}", name)
    version = doc.get("nhigraph_inventory", FORMAT_VERSION)
    if version != FORMAT_VERSION:
        raise InputError(f"nhigraph_inventory version {version!r} is not {FORMAT_VERSION}",
                         f"{name}: nhigraph_inventory")
    batch = Batch(files_read=1)
    for section, table, fn in (("nodes", NODE_KINDS, _node), ("edges", EDGE_KINDS, _edge)):
        part = doc.get(section) or {}
        if not isinstance(part, dict):
            raise InputError(f"'{section}' must map each kind to a list", f"{name}: {section}")
        for kind, items in part.items():
            _check_kind(kind, table, f"{name}: {section}.{kind}")
            if items is None:
                continue
            if not isinstance(items, list):
                raise InputError("must be a list", f"{name}: {section}.{kind}")
            for i, raw in enumerate(items):
                fn(kind, raw, f"{name}: {section}.{kind}[{i}]", batch)
    _check_schema(doc, name)
    return batch


def _check_schema(doc: Any, name: str) -> None:
    import jsonschema

    validator = jsonschema.Draft202012Validator(_schema())
    error = jsonschema.exceptions.best_match(validator.iter_errors(doc))
    if error is not None:
        where = ".".join(f"[{p}]" if isinstance(p, int) else str(p) for p in error.path)
        where = where.replace(".[", "[")
        raise InputError(_schema_message(error), f"{name}: {where}" if where else name)


def _schema_message(error) -> str:
    """What failed, never the raw value: jsonschema quotes the instance (a nested mapping
    may hold a secret under any key), so text, mappings and lists are named by type."""
    instance = error.instance
    if error.validator == "type":
        return f"must be of type {error.validator_value}, not {type(instance).__name__}"
    if error.path and is_secret_name(str(error.path[-1])):
        return "invalid value"
    if isinstance(instance, (dict, list, str)):
        if error.validator in ("enum", "const"):
            return f"must be one of {error.validator_value}"[:200]
        if error.validator in ("additionalProperties", "required"):
            return scrub_message(error.message)[:200]  # names the keys, not the values
        return f"fails the schema's {error.validator!r} check ({type(instance).__name__})"
    msg = scrub_message(error.message)
    return msg[:200] + "..." if len(msg) > 200 else msg


_SCHEMA: dict | None = None


def _schema() -> dict:
    global _SCHEMA
    if _SCHEMA is None:
        _SCHEMA = inventory_schema()
    return _SCHEMA


def load_text(path: Path, notes: list[str] | None = None) -> Any:
    """Parse a JSON or YAML file, raising one clear line on failure."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError("no such file", str(path)) from None
    except UnicodeDecodeError:
        raise InputError("not UTF-8 text", str(path)) from None
    except OSError as exc:
        raise InputError(f"cannot read ({exc.strerror})", str(path)) from None
    if path.suffix.lower() == ".json":
        try:
            return json_loads(text)
        except json.JSONDecodeError as exc:
            raise InputError(f"malformed JSON: {exc.msg}",
                             f"{path}:{exc.lineno}:{exc.colno}") from None
    try:
        return load_yaml_text(text, str(path), notes, dates=False)
    except YamlError as exc:
        where = f"{path}:{exc.line}:{exc.column}" if exc.line else str(path)
        raise InputError(f"malformed YAML: {exc.problem}", where) from None


def _csv_kind(stem: str) -> str | None:
    s = stem.lower()
    for kind in NODE_KINDS:
        k = kind.lower()
        if s in (k, k + "s", k + "es"):
            return kind
    return None


#: Columns holding node ids: their texts are shared with the node's own id text.
_ID_COLUMNS = frozenset({"id", "from", "to", "owner"})
#: A column keeps sharing equal texts while it has at most this many distinct ones.
POOL_LIMIT = 1024


class _Pool(dict):
    """Maps a text to the first equal text read, so the million equal cells of a kind, a
    status or an edge end are one text in memory (a hit is one C lookup). ``full`` is set
    once more than ``limit`` distinct texts were read (a column of names)."""

    def __init__(self, limit: int | None):
        super().__init__()
        self.limit, self.full = limit, False

    def __missing__(self, text: str) -> str:
        self[text] = text
        if self.limit is not None and len(self) > self.limit:
            self.full = True
        return text


def parse_csv_folder(folder: Path) -> Batch:
    batch = Batch()
    files = sorted(p for p in folder.iterdir() if p.suffix.lower() == ".csv")
    if not files:
        raise InputError("no .csv files in the folder", str(folder))
    ids = _Pool(None)
    add_edge = batch.edges.append
    for path in files:
        is_edges = path.stem.lower() == "edges"
        kind = None if is_edges else _csv_kind(path.stem)
        if not is_edges and kind is None:
            raise InputError(
                f"unknown node kind file (expected one of {', '.join(NODE_KINDS)}.csv or "
                "edges.csv)", str(path))
        try:
            with open(path, newline="", encoding="utf-8-sig") as fh:
                # csv.reader and one zip per row: DictReader's per-row work is the
                # larger part of parsing a million-row folder.
                reader = csv.reader(fh)
                header = next(reader, None) or []
                need = ("kind", "from", "to") if is_edges else ("id",)
                missing = [c for c in need if c not in header]
                if missing:
                    raise InputError(f"missing column {missing[0]!r}", f"{path}:1")
                width = len(header)
                scrub = any(h.lower() in SECRET_FIELD_NAMES or is_secret_name(h)
                            for h in header)
                pools = [ids if h in _ID_COLUMNS else _Pool(POOL_LIMIT) for h in header]
                share = [p.__getitem__ for p in pools]  # cell -> its shared text
                prefix = f"{path}:"
                for row in reader:
                    if not row:
                        continue  # a blank line, as DictReader skips it
                    where = prefix + str(reader.line_num)
                    if len(row) > width:
                        raise InputError("more cells than header columns", where)
                    if not reader.line_num & 1023:
                        # a column of (nearly) distinct texts (names) keeps its cells
                        share = [str if p.full else f for p, f in zip(pools, share,
                                                                       strict=True)]
                    cells = map(call, share, row)  # each cell as its shared text
                    clean = {k: v for k, v in zip(header, cells, strict=False) if v}
                    if not clean:
                        continue
                    if is_edges:
                        ekind = clean.pop("kind", "")
                        _check_kind(ekind, EDGE_KINDS, where)
                        if scrub:
                            _edge(ekind, clean, where, batch, scrub)
                            continue
                        # what _edge does with a row of texts, without its call per row
                        src, dst = clean.pop("from", "").strip(), clean.pop("to", "").strip()
                        if not src or not dst:
                            raise InputError(f"edge without '{'to' if src else 'from'}'", where)
                        add_edge(Edge(src, ekind, dst, clean, where))
                    else:
                        _node(kind, clean, where, batch, scrub)
        except UnicodeDecodeError:
            raise InputError("not UTF-8 text", str(path)) from None
        except csv.Error as exc:
            raise InputError(f"malformed CSV: {exc}", str(path)) from None
        batch.files_read += 1
    return batch


def parse(path: str | Path) -> Batch:
    """Parse an inventory file (JSON/YAML) or CSV folder into a batch."""
    try:
        with gc_paused():
            return _parse(Path(path))
    except RecursionError:  # the JSON/YAML parsers and the schema check recurse
        raise InputError("nested too deeply to be an inventory", str(path)) from None


def _parse(p: Path) -> Batch:
    if p.is_dir():
        return parse_csv_folder(p)
    if not p.exists():
        raise InputError("no such file or folder", str(p))
    if p.suffix.lower() not in (".json", ".yaml", ".yml"):
        raise InputError("expected a .json, .yaml or .yml file or a folder of CSV files",
                         str(p))
    notes: list[str] = []
    batch = parse_document(load_text(p, notes), str(p))
    batch.notes = [*(batch.notes or []), *notes]
    return batch


INGESTER = Ingester(
    name="inventory",
    help="Ingest a canonical inventory (JSON/YAML file or folder of CSV files).",
    parse=parse,
    paths="one",
)
