"""A few properties of every node of some kinds, as columns, from the columnar store.

A node's properties are one JSON text per row (``props``); reading every node of a kind
through :meth:`graph.columnar.Generation.public` builds a dict per node with all of them.
An analysis that needs two or three of them (a status, a type, an expiry) of every
workflow, secret and identity parses the texts here in one call of Arrow's JSON reader,
keeping only those keys as string columns, and never holds a dict per node.

The answer is exactly ``[node.get(key, default) ...]`` of every node: a value that is not a
string (or any text Arrow's reader refuses) sends the whole read to Python's ``json``; a
null value is told apart from a missing key by the key's text in that row (the store writes
``"key": `` for every key it holds, see :func:`graph.columnar.save_rows`), and rows that
hold the key as null are decoded by Python.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any
from weakref import WeakKeyDictionary

import numpy as np

from .model import INVALID_CREDENTIAL_STATUSES

if TYPE_CHECKING:
    from .columnar import Generation


def node_values(gen: Generation, kinds: Iterable[str], defaults: Mapping[str, Any],
                ) -> tuple[list[str], dict[str, list[Any]]]:
    """``(ids, {key: values})`` of every node whose kind is one of ``kinds``, in id order:
    each value ``node.get(key, defaults[key])`` (``id`` and ``kind`` from their columns)."""
    rows, out = _rows_values(gen, kinds, {k: d for k, d in defaults.items() if k != "id"})
    ids = gen.ids_of(rows.tolist())
    if "id" in defaults:
        out["id"] = list(ids)
    return ids, {k: out[k] for k in defaults}


def _rows_values(gen: Generation, kinds: Iterable[str], defaults: Mapping[str, Any],
                 ) -> tuple[Any, dict[str, list[Any]]]:
    """``(rows, {key: values})``: :func:`node_values` by node number (no ``id``)."""
    rows = np.flatnonzero(gen.kind_mask(kinds)) if gen.n else np.zeros(0, np.int64)
    out: dict[str, list[Any]] = {}
    props = [k for k in defaults if k != "kind"]
    if "kind" in defaults:
        names, codes = gen.node_kinds
        out["kind"] = [names[c] for c in codes[rows].tolist()]
    if props and len(rows):
        out.update(_prop_values(gen, rows, props, defaults))
    elif props:
        out.update({k: [] for k in props})
    return rows, out


def _prop_values(gen: Generation, rows: Any, keys: list[str], defaults: Mapping[str, Any],
                 ) -> dict[str, list[Any]]:
    from .columnar import FEW_ROWS, _Ids

    if len(rows) <= FEW_ROWS:  # Python's json, as below when Arrow's reader refuses: no
        # pyarrow.compute import (0.1 s of a small command)
        props = _Ids(gen.nodes.column("props").combine_chunks())
        decoded = json.loads("[" + ",".join(props.text(i) for i in rows.tolist()) + "]")
        return {k: [d.get(k, defaults[k]) for d in decoded] for k in keys}
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.json as pj

    from .columnar import _indices, _numbers, _strings

    texts = gen.nodes.column("props").take(_indices(rows)).combine_chunks()
    # Scalars taken from an array: a Python text here would go through ``pa.scalar``,
    # which imports pandas (~0.5 s of a small command).
    ends = _strings(["", "\n"])
    lines = pc.binary_join_element_wise(texts, ends[0], ends[1])
    if isinstance(lines, pa.ChunkedArray):
        lines = lines.combine_chunks()
    offsets = np.frombuffer(lines.buffers()[1], dtype=np.int32, count=len(lines) + 1,
                            offset=lines.offset * 4)
    data = lines.buffers()[2][int(offsets[0]):int(offsets[-1])]
    schema = pa.schema([(k, pa.string()) for k in keys])
    try:
        table = pj.read_json(pa.BufferReader(data), parse_options=pj.ParseOptions(
            explicit_schema=schema, unexpected_field_behavior="ignore"))
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        table = None
    if table is None or table.num_rows != len(rows):  # not all strings: Python decodes
        decoded = json.loads("[" + ",".join(texts.to_pylist()) + "]")
        return {k: [d.get(k, defaults[k]) for d in decoded] for k in keys}
    out: dict[str, list[Any]] = {}
    for k in keys:
        col = table.column(k)
        values = col.to_pylist()
        if col.null_count and defaults[k] is not None:  # a null read as None already is
            nulls = _numbers(pc.indices_nonzero(col.is_null()), np.uint64).astype(np.int64)
            held = pc.match_substring(texts.take(_indices(nulls)), json.dumps(k) + ": ")
            held_at = nulls[_numbers(pc.indices_nonzero(held), np.uint64).astype(np.int64)]
            default = defaults[k]
            for i in nulls.tolist():
                values[i] = default
            for i in held_at.tolist():  # the key is there: its value (null) as Python reads it
                values[i] = json.loads(texts[i].as_py()).get(k, default)
        out[k] = values
    return out



#: Per generation: the kinds asked, the credentials' node numbers, statuses and expiries
#: (read once; which of them work depends on the time asked, so that is worked out per call).
_CREDENTIALS: WeakKeyDictionary[Any, tuple[frozenset[str], Any, list[Any], list[Any]]] = \
    WeakKeyDictionary()


def invalid_credentials(gen: Generation, kinds: frozenset[str], now: str) -> Any:
    """A boolean array over the nodes: the nodes of ``kinds`` that
    :func:`graph.traversal.is_valid_credential` finds not working at ``now`` (an invalid
    status, or an expiry before ``now``), for every node at once."""
    got = _CREDENTIALS.get(gen)
    if got is None or got[0] != kinds:
        rows, values = _rows_values(gen, kinds, {"status": None, "expires_at": None})
        got = _CREDENTIALS[gen] = (kinds, rows, values["status"], values["expires_at"])
    _, rows, status, expires = got
    bad = np.zeros(gen.n, dtype=bool)
    bad[rows] = [st in INVALID_CREDENTIAL_STATUSES or bool(ex and ex < now)
                 for st, ex in zip(status, expires, strict=True)]
    return bad
