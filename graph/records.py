"""Canonical records and their validation.

Ingesters turn source files into a :class:`Batch` of :class:`Node` and :class:`Edge`
records; :func:`validate` checks a batch against the model and against what the store
already holds, before anything is written, so a bad batch never half-writes a graph.
Each record carries ``where`` (file and row/key) so an error names the place it came from.
A store's write answers with a :class:`WriteResult`.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from .errors import InputError
from .model import (
    EDGE_KINDS,
    ENV_SYNONYMS,
    ENVIRONMENTS,
    NODE_KINDS,
    SECRET_FIELD_NAMES,
    edge_props,
    node_props,
)
from .redact import is_secret_name

#: Property names the stores manage themselves.
RESERVED = frozenset({"id", "kind", "seen_by"})


@dataclass(slots=True)  # no per-record __dict__: a million-row batch is half the size
class Node:
    id: str
    kind: str
    props: dict[str, Any] = field(default_factory=dict)
    where: str | None = None


@dataclass(slots=True)
class Edge:
    src: str
    kind: str
    dst: str
    props: dict[str, Any] = field(default_factory=dict)
    where: str | None = None

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.src, self.kind, self.dst)


@dataclass
class Batch:
    """What one ingest run wants to write, plus the skips it reports."""

    nodes: list[Node] = field(default_factory=list)
    edges: list[Edge] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    #: Things worth telling the analyst that did not stop a file (one line each).
    notes: list[str] = field(default_factory=list)
    files_read: int = 0

    def extend(self, other: Batch) -> None:
        self.nodes.extend(other.nodes)
        self.edges.extend(other.edges)
        self.skipped.extend(other.skipped)
        self.notes.extend(other.notes)
        self.files_read += other.files_read


@dataclass
class WriteResult:
    """What one write did: counts written, created and removed, and the batch's skips."""

    run_id: str
    source: str
    nodes_written: int = 0
    edges_written: int = 0
    nodes_created: int = 0
    edges_created: int = 0
    nodes_removed: int = 0
    edges_removed: int = 0
    skipped: list[str] = field(default_factory=list)
    files_read: int = 0

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


#: Dates outside these years are refused at ingest (a year-1 or year-9999 date is a
#: placeholder or a typo, and breaks arithmetic in every report).
MIN_YEAR, MAX_YEAR = 1970, 2200
#: Integers beyond 64 bits are refused (neither store nor any export can hold them).
MAX_INT = 2**63 - 1


def normalise_datetime(value: Any, where: str) -> str:
    """ISO 8601 UTC text from a string, a datetime or epoch seconds, in years
    :data:`MIN_YEAR` to :data:`MAX_YEAR`."""
    if isinstance(value, datetime):
        dt = value
    elif isinstance(value, date):  # YAML reads 2024-01-02 as a date
        dt = datetime(value.year, value.month, value.day)
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        try:
            dt = datetime.fromtimestamp(float(value) / (1000 if value > 1e11 else 1), tz=UTC)
        except (OverflowError, OSError, ValueError):
            raise InputError(f"epoch time out of range: {_shown(value)}", where) from None
    elif isinstance(value, str):
        text = value.strip()
        if text.endswith("Z"):
            text = text[:-1] + "+00:00"
        try:
            dt = datetime.fromisoformat(text)
        except ValueError:
            raise InputError(f"not an ISO 8601 date/time: {_shown(value)}", where) from None
    else:
        raise InputError(f"not a date/time: {_shown(value)}", where)
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    try:
        dt = dt.astimezone(UTC)
    except (OverflowError, ValueError):
        dt = None  # type: ignore[assignment]
    if dt is None or not MIN_YEAR <= dt.year <= MAX_YEAR:
        raise InputError(f"date/time out of the supported range {MIN_YEAR}..{MAX_YEAR}: "
                         f"{_shown(value)}", where)
    return dt.strftime("%Y-%m-%dT%H:%M:%SZ")


def _shown(value: Any) -> str:
    """A short quoted form of a value for an error (a huge integer has no ``repr``)."""
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) > MAX_INT:
        return "an integer of more than 19 digits"
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _bounded(value: Any, where: str) -> Any:
    """Integers within 64 bits, finite floats (others become None)."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and not -MAX_INT - 1 <= value <= MAX_INT:
        raise InputError("number out of range (more than 64 bits)", where)
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def _normalise_value(prop: Any, value: Any, where: str) -> Any:
    """``value`` as the declared property ``prop`` (a :class:`~graph.model.Prop`, or None
    when undeclared) stores it."""
    t = prop.type if prop is not None else None
    if isinstance(value, int) and not isinstance(value, bool):
        value = _bounded(value, where)  # before any str(): a huge int has no text form
    if t == "enum":
        text = str(value).strip().lower()
        if prop.name == "environment":
            text = ENV_SYNONYMS.get(text, text)
        if text not in prop.choices:
            raise InputError(
                f"{prop.name} must be one of {', '.join(prop.choices)}, not {_shown(value)}", where
            )
        return text
    if t == "bool":
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in ("true", "yes", "1", "y"):
            return True
        if text in ("false", "no", "0", "n", ""):
            return False
        raise InputError(f"{prop.name} must be true or false, not {_shown(value)}", where)
    if t == "datetime":
        return normalise_datetime(value, where)
    if t == "list":
        if isinstance(value, str):
            value = [v.strip() for v in value.split(";") if v.strip()]
        if not isinstance(value, (list, tuple)):
            raise InputError(f"{prop.name} must be a list, not {_shown(value)}", where)
        return [str(_bounded(v, where)) for v in value]
    if t == "str":
        if isinstance(value, (dict, list)):
            raise InputError(f"{prop.name} must be text, not {type(value).__name__}", where)
        return str(_bounded(value, where))
    # Undeclared property: primitives and flat lists of primitives only, so both stores
    # and every export can hold it.
    if isinstance(value, (str, bool, int, float)):
        return _bounded(value, where)
    if isinstance(value, (list, tuple)) and all(
        isinstance(v, (str, bool, int, float)) for v in value
    ):
        return [v for v in (_bounded(v, where) for v in value) if v is not None]
    raise InputError("property values must be text, numbers, booleans or flat lists", where)


@functools.lru_cache(maxsize=65536)
def _name_check(key: str, is_declared: bool) -> tuple[int, bool]:
    """What :func:`clean_props` makes of a property name, cached (an ingest asks once per
    row about the same few names): (0 not secret, 1 a secret name (refused), 2 a
    secret-looking undeclared name (refused unless the value is a flag); whether the name
    is made of letters, digits and _)."""
    # A property the model declares (e.g. ``inherits_secrets_to``, a list of workflow
    # ids) is vetted there; any other secret-looking name is refused.
    secret = 1 if key.lower() in SECRET_FIELD_NAMES else (
        2 if not is_declared and is_secret_name(key) else 0)
    return secret, bool(key) and key.replace("_", "a").isalnum()


#: Declared types whose normalised form of a text depends on the text only and is an
#: immutable value, so it is worked out once per distinct text (see :func:`clean_props`).
_BY_VALUE = frozenset({"enum", "bool", "datetime"})
#: Distinct texts remembered per property name and kind in one :func:`validate` run.
VALUE_CACHE_LIMIT = 4096


def clean_props(declared: dict, props: dict[str, Any], where: str,
                seen: dict | None = None) -> dict[str, Any]:
    """``props`` checked and normalised (see :func:`_normalise_value`).

    ``seen`` (one dict per kind for one batch) remembers what each distinct text of an
    enum, bool or date property became, so a column of a million rows with a few
    distinct values is checked once per value; a text that fails is never remembered, so
    its row raises the same error, naming that row. Text in a text or undeclared
    property is kept as it is (what :func:`_normalise_value` returns for it)."""
    out: dict[str, Any] = {}
    if not props:
        return out
    for key, value in props.items():
        if key in RESERVED or value is None:
            continue
        secret, good_name = (_name_check(key, key in declared) if isinstance(key, str)
                             else (0, False))
        if secret == 1 or (secret == 2 and not isinstance(value, bool)):
            # An ingester must fingerprint secrets before this point; refuse to store one.
            raise InputError(f"refusing to store secret-looking property {key!r}", where)
        if not good_name:
            raise InputError(f"property names are letters, digits and _: {key!r}", where)
        prop = declared.get(key)
        if type(value) is str:
            t = prop.type if prop is not None else None
            if t is None or t == "str":
                out[key] = value
                continue
            if seen is not None and t in _BY_VALUE:
                known = seen.get((key, value))
                if known is None:
                    known = _normalise_value(prop, value, f"{where}.{key}" if where else key)
                    if len(seen) < VALUE_CACHE_LIMIT:
                        seen[(key, value)] = known
                out[key] = known
                continue
        value = _normalise_value(prop, value, f"{where}.{key}" if where else key)
        if value is not None:
            out[key] = value
    return out


def validate(batch: Batch,
             existing_kind: Callable[[str], str | None] = lambda node_id: None) -> None:
    """Check and normalise a batch in place; raise :class:`InputError` on the first problem.

    ``existing_kind(id)`` returns the kind of a node already in the store (or None), so an
    edge may point at a node another source loaded, and a conflicting kind is caught.
    Duplicate node records in one batch are merged (later properties win) when their kinds
    agree.
    """
    kinds: dict[str, str] = {}
    merged: dict[str, Node] = {}
    # Declared properties per kind, looked up once (a batch can hold millions of records).
    declared_node = {k: node_props(k) for k in NODE_KINDS}
    declared_edge = {k: edge_props(k) for k in EDGE_KINDS}
    # What each distinct text of an enum/bool/date property became, per kind.
    seen_node: dict[str, dict] = {k: {} for k in NODE_KINDS}
    seen_edge: dict[str, dict] = {k: {} for k in EDGE_KINDS}
    for node in batch.nodes:
        where = node.where or node.id
        if not isinstance(node.id, str) or not node.id.strip():
            raise InputError("node without an id", where)
        if node.kind not in NODE_KINDS:
            raise InputError(
                f"unknown node kind {node.kind!r} (expected one of {', '.join(NODE_KINDS)})",
                where,
            )
        node.props = clean_props(declared_node[node.kind], node.props, where,
                                 seen_node[node.kind])
        prior = kinds.get(node.id) or existing_kind(node.id)
        if prior and prior != node.kind:
            raise InputError(
                f"id {node.id!r} is a {node.kind} here but already a {prior}", where
            )
        kinds[node.id] = node.kind
        if node.id in merged:
            merged[node.id].props.update(node.props)
        else:
            merged[node.id] = node
    batch.nodes = list(merged.values())

    edges: dict[tuple, Edge] = {}
    for edge in batch.edges:
        where = edge.where or f"{edge.src} -{edge.kind}-> {edge.dst}"
        spec = EDGE_KINDS.get(edge.kind)
        if spec is None:
            raise InputError(
                f"unknown edge kind {edge.kind!r} (expected one of {', '.join(EDGE_KINDS)})",
                where,
            )
        ends = []
        for end in (edge.src, edge.dst):
            kind = kinds.get(end) or existing_kind(end)
            if kind is None:
                raise InputError(f"edge refers to a missing node {end!r}", where)
            ends.append(kind)
        if tuple(ends) not in spec.allowed:
            allowed = ", ".join(f"{a}->{b}" for a, b in spec.pairs)
            raise InputError(
                f"{edge.kind} cannot join {ends[0]} -> {ends[1]} (allowed: {allowed})", where
            )
        edge.props = clean_props(declared_edge[edge.kind], edge.props, where,
                                 seen_edge[edge.kind])
        if edge.kind == "CAN_ACCESS":
            edge.props.setdefault("access", "unknown")
        key = edge.key
        same = edges.get(key)
        if same is not None:
            same.props.update(edge.props)
        else:
            edges[key] = edge
        if spec.symmetric and edge.src != edge.dst:
            back = (edge.dst, edge.kind, edge.src)
            if back not in edges:
                edges[back] = Edge(edge.dst, edge.kind, edge.src, dict(edge.props), where)
    batch.edges = list(edges.values())


def normalise_environment(value: Any) -> str:
    text = str(value or "").strip().lower()
    text = ENV_SYNONYMS.get(text, text)
    return text if text in ENVIRONMENTS else "unknown"
