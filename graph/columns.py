"""The embedded store's whole-graph column reads (``node_columns``, ``edge_columns``).

A node's or an edge's properties are one JSON text in the generation (see
:mod:`graph.columnar`), so reading one property of every node through ``nodes()`` decodes
every text and builds a dict per node. These reads take the id and kind columns as they
are and decode only the texts that can hold a wanted key: the encoder writes a key as its
JSON form (``"crown_jewel"``) and escapes every quote inside a value, so a text without
that quoted form has no such key. The substring test is a superset (a value could equal
the key's text), and each hit is decoded and read exactly, so the answer is that of
decoding everything.
"""

from __future__ import annotations

import json
import re
from collections.abc import Collection, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from .columnar import _indices, _numbers

if TYPE_CHECKING:
    from .columnar import Generation


def _hits(texts: Any, key: str) -> Any:
    """Rows of the JSON texts ``texts`` (an Arrow array) that mention the key ``key``."""
    import pyarrow.compute as pc

    # indices_nonzero read from its buffer: a boolean to_numpy or numpy's asarray of an
    # Arrow array imports pandas (~1 s).
    found = pc.indices_nonzero(pc.match_substring(texts, json.dumps(key)))
    return _numbers(found, np.uint64).astype(np.int64)


#: One JSON scalar as the encoder writes it: a string, true, false, null or a number.
_SCALAR = r'"(?:[^"\\]|\\.)*"|true|false|null|-?[0-9][0-9.eE+-]*'


def _values(texts: Any, key: str) -> tuple[Any, list[Any]]:
    """``(rows, values)``: the rows of ``texts`` whose object has the key ``key``, and its
    value in each, mostly without decoding them.

    In a flat object (the text's only ``{`` is its first character) written by the
    store's encoder (``", "`` and ``": "`` separators, every quote inside a text escaped),
    ``{"key": `` at the start or ``, "key": `` can only be that key (a quote preceded by a
    space or a brace is not inside a text), and a scalar after it is its whole value: such
    rows are read with one regular expression and each distinct value text decoded once.
    Any other row that mentions the key is decoded whole, so the answer is that of
    ``json.loads`` on every row."""
    import pyarrow.compute as pc

    rows = _hits(texts, key)
    if not len(rows):
        return rows, []
    sub = texts.take(_indices(rows))
    pattern = (r'(?:^\{|, )' + re.escape(json.dumps(key)) + r': (?P<v>' + _SCALAR
               + r')(?:, "|\}$)')
    matched = pc.extract_regex(sub, pattern)
    fast = np.zeros(len(rows), dtype=bool)
    nested = pc.match_substring(pc.utf8_slice_codeunits(sub, 1), "{")
    fast[_nonzero(pc.and_(pc.is_valid(matched), pc.invert(nested)))] = True
    values: list[Any] = [None] * len(rows)
    if fast.any():
        at = np.flatnonzero(fast)
        enc = pc.dictionary_encode(pc.struct_field(matched, [0]).take(
            _indices(at)))
        decoded = [json.loads(t) for t in enc.dictionary.to_pylist()]
        for i, c in zip(at.tolist(), enc.indices.to_pylist(), strict=True):
            values[i] = decoded[c]
    has = fast.copy()
    for i, props in _decoded(sub, np.flatnonzero(~fast)).items():
        if key in props:  # else the text held the key's name in a value
            has[i] = True
            values[i] = props[key]
    return rows[has], [v for v, h in zip(values, has.tolist(), strict=True) if h]


def _nonzero(mask: Any) -> Any:
    """The true rows of an Arrow boolean array (nulls false) as numbers (no pandas)."""
    import pyarrow.compute as pc

    # indices_nonzero skips nulls (fill_null with a Python False would import pandas).
    return _numbers(pc.indices_nonzero(mask), np.uint64).astype(np.int64)


def _decoded(texts: Any, rows: Any) -> dict[int, dict]:
    """Row number -> the decoded JSON text of that row, for ``rows`` (one parser call)."""
    if not len(rows):
        return {}

    chosen = texts.take(_indices(rows)).to_pylist()
    return dict(zip(rows.tolist(), json.loads("[" + ",".join(chosen) + "]"), strict=True))


def node_columns(gen: Generation, keys: Sequence[str], kinds: Collection[str] | None = None,
                 ) -> tuple[list[str], list[str], dict[str, list[Any]]]:
    """:meth:`graph.store.Store.node_columns` on a generation (ids are stored sorted). The
    last answer is kept on the generation, so callers must not change its lists."""
    key = (tuple(keys), None if kinds is None else frozenset(kinds))
    last = gen.last_node_columns
    if last is not None and last[0] == key:
        return last[1]
    answer = _node_columns(gen, keys, kinds)
    gen.last_node_columns = (key, answer)
    return answer


def _node_columns(gen: Generation, keys: Sequence[str], kinds: Collection[str] | None,
                  ) -> tuple[list[str], list[str], dict[str, list[Any]]]:
    ids = gen.ids.to_pylist()
    names, codes = gen.node_kinds
    node_kinds = np.asarray(names, dtype=object)[codes].tolist() if gen.n else []
    from .columnar import FEW_ROWS

    if gen.n <= FEW_ROWS:  # every row decoded (the answer of json.loads on each row, as
        # below), without importing pyarrow.compute (0.1 s of a small command)
        at = range(gen.n) if kinds is None else np.flatnonzero(gen.kind_mask(kinds)).tolist()
        props = gen._node_texts[2]
        decoded = json.loads("[" + ",".join(props.text(i) for i in at) + "]")
        small: dict[str, list[Any]] = {k: [None] * gen.n for k in keys}
        for r, d in zip(at, decoded, strict=True):
            for k in keys:
                if k in d:
                    small[k][r] = d[k]
        return ids, node_kinds, small
    texts = gen.nodes.column("props").chunk(0) if gen.n else None
    # The nodes of ``kinds`` only: their texts taken first, so the scans read no others.
    chosen = None if kinds is None else np.flatnonzero(gen.kind_mask(kinds))
    if chosen is not None and texts is not None:
        texts = texts.take(_indices(chosen))
    values: dict[str, list[Any]] = {}
    for key in keys:
        column: list[Any] = [None] * gen.n
        if texts is not None and len(texts):
            rows, found = _values(texts, key)
            if chosen is not None:
                rows = chosen[rows]
            for r, v in zip(rows.tolist(), found, strict=True):
                column[r] = v
        values[key] = column
    return ids, node_kinds, values


def edge_columns(gen: Generation, kind: str, key: str | None,
                 ) -> tuple[Any, Any, list[Any]]:
    """:meth:`graph.store.Store.edge_columns` on a generation: node numbers are the
    stored (sorted id) order; edges in CSR order."""
    none = np.zeros(0, dtype=np.int64)
    if kind not in gen.edge_kinds or not gen.n:
        return none, none, []
    rows = np.flatnonzero(gen.kind == gen.edge_kinds.index(kind))
    src = gen.src[rows].astype(np.int64)
    dst = gen.dst[rows].astype(np.int64)
    values: list[Any] = [None] * len(rows)
    from .columnar import FEW_ROWS, _Ids

    if key is not None and 0 < len(rows) <= FEW_ROWS:  # decoded, no pyarrow.compute
        props = _Ids(gen.edges.column("props").chunk(0))
        decoded = json.loads("[" + ",".join(props.text(i) for i in rows.tolist()) + "]")
        values = [d.get(key) for d in decoded]
    elif key is not None and len(rows):
        texts = gen.edges.column("props").chunk(0).take(_indices(rows))
        hits, found = _values(texts, key)
        for r, v in zip(hits.tolist(), found, strict=True):
            values[r] = v
    return src, dst, values
