"""A fresh ingest of an inventory CSV folder in columns (issue #17): each file read by
``pyarrow.csv`` and redacted, fingerprinted and validated with ``pyarrow.compute`` masks,
so no Python object is made per row on the way (only per distinct value of a typed
column, and per row that needs it: an id to trim, a cell holding ``@`` or ``=``, a text
JSON escapes). :func:`read_tables` gives the node and edge columns that
``graph.columnar.save_table`` writes: the files a row ingest of the same folder writes
into an empty store (``tests/test_inventory_columns.py`` compares them byte for byte).

The columns only answer "is this folder clean, and what does it hold". Anything they do
not cover the way :mod:`ingest.inventory` does raises :class:`NotColumnar`, and the ingest
runs the row path from the start (:func:`ingest.pipeline.ingest`): a bad cell, a missing
edge end, an odd quote, a short row, a duplicate id, a merge onto a stored graph. The row
code then gives today's one error line (file, row, key), or today's graph.

Stitching (``SAME_VALUE_AS``) runs :func:`graph.stitch.stitch` itself, on the few secrets
whose fingerprint or access key id another secret shares.
"""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from graph.errors import InputError
from graph.fingerprint import fingerprint
from graph.model import EDGE_KINDS, NODE_KINDS, SECRET_FIELD_NAMES, edge_props, node_props
from graph.records import RESERVED, _name_check, _normalise_value
from graph.redact import _clean_value, clean_text, is_secret_name
from graph.stitch import STITCH_KEYS
from ingest.inventory import _csv_kind
from ingest.inventory_cells import (
    BadCell,
    FileText,
    NotColumnar,
    Tables,
    bool_array,
    const_texts,
    ends_texts,
    joined_props,
    json_texts,
    plain,
    py_texts,
    text,
)

_BOM = b"\xef\xbb\xbf"
#: A quoted field as RFC 4180 has it (doubled quotes inside).
_QUOTED = re.compile(rb'"[^"]*(?:""[^"]*)*"')
#: Columns whose redacted texts are kept: the stored name and arn, and what stitching
#: reads of a secret.
_KEPT = (*STITCH_KEYS, "status", "expires_at", "name", "arn")
OWNS_PROPS = json.dumps({"reason": "owner named in inventory"})


def _header(data: bytes) -> list[str]:
    """The first row as ``csv.reader`` reads it (the row path's header)."""
    try:
        reader = csv.reader(io.TextIOWrapper(io.BytesIO(data), encoding="utf-8", newline=""))
        return next(reader, None) or []
    except (UnicodeDecodeError, csv.Error):
        raise NotColumnar("header") from None


def _quotes_plain(data: bytes) -> bool:
    """Every ``"`` in ``data`` belongs to a quoted field that starts and ends a cell, so
    ``csv.reader`` and Arrow read the same cells."""
    total = covered = 0
    total = data.count(b'"')
    for m in _QUOTED.finditer(data):
        a, b = m.span()
        if a and data[a - 1] not in b",\r\n":
            return False
        if b < len(data) and data[b] not in b",\r\n":
            return False
        covered += m.group().count(b'"')
    return covered == total


def _read(path: Path, need: tuple[str, ...]) -> tuple[list[str], Any, FileText]:
    import pyarrow as pa
    import pyarrow.csv as pacsv

    data = path.read_bytes()
    if data.startswith(_BOM):
        data = data[len(_BOM):]
    if b"\x00" in data:
        raise NotColumnar("NUL")
    header = _header(data)
    if not header or len(set(header)) != len(header) or any(c not in header for c in need):
        raise NotColumnar("header")
    quoted = b'"' in data
    if quoted and not _quotes_plain(data):
        raise NotColumnar("quotes")
    try:
        table = pacsv.read_csv(
            pa.BufferReader(data),
            parse_options=pacsv.ParseOptions(newlines_in_values=quoted),
            convert_options=pacsv.ConvertOptions(
                column_types={h: pa.string() for h in header}, strings_can_be_null=True,
                quoted_strings_can_be_null=True, null_values=[""]))
    except (pa.ArrowInvalid, pa.ArrowException):
        raise NotColumnar("arrow") from None
    ft = FileText.of(data)
    del data
    if table.column_names != header:
        raise NotColumnar("header")
    cols = [table.column(h).combine_chunks() for h in header]
    if any(pa.types.is_large_string(c.type) or _longest(c) > csv.field_size_limit()
           for c in cols):
        raise NotColumnar("large")  # csv.reader refuses a cell past its limit
    return header, _drop_empty_rows(cols), ft


def _longest(col: Any) -> int:
    """The byte length of the longest cell (at least its length in characters)."""
    if not len(col):
        return 0
    off = np.frombuffer(col.buffers()[1], dtype=np.int32)[col.offset:col.offset + len(col) + 1]
    return int(np.diff(off).max())


def _drop_empty_rows(cols: list) -> list:
    """Rows with no cell are skipped, as the row path skips them."""
    import pyarrow.compute as pc

    nulls = sum(c.null_count for c in cols)
    if not nulls:
        return cols
    some = pc.is_valid(cols[0])
    for c in cols[1:]:
        some = pc.or_(some, pc.is_valid(c))
    if pc.all(some).as_py():
        return cols
    return [c.filter(some) for c in cols]


def _prop_key(column: str) -> tuple[str, bool]:
    """The property a column becomes (``_scrub``), and whether its cells are fingerprinted."""
    if column.lower() in SECRET_FIELD_NAMES or is_secret_name(column):
        low = column.lower()
        return ("fingerprint" if low in ("value", "secret_value") else f"{low}_fingerprint",
                True)
    return column, False


def _props(header: list[str], cols: list, skip: set[str], kinds: list[str],
           kind_rows: Any, ft: FileText) -> tuple[dict[str, Any], dict[str, Any]]:
    """The JSON pieces (``"<encoded value>"`` or null) per property, and the redacted texts
    of the stitch columns. ``kinds`` are the kinds of the rows (``kind_rows``: their
    codes into ``kinds``, or None when one kind)."""
    pieces: dict[str, Any] = {}
    texts: dict[str, Any] = {}
    declared = {k: (node_props(k) if k in NODE_KINDS else edge_props(k)) for k in kinds}
    for column, col in zip(header, cols, strict=True):
        if column in skip:
            continue
        key, secret = _prop_key(column)
        if key in pieces or key in RESERVED or clean_text(key) != key:
            raise NotColumnar("property name")
        for k in kinds:
            check, good = _name_check(key, key in declared[k])
            if check or not good:
                raise NotColumnar("property name")
        if col.null_count == len(col):
            continue
        if secret:
            col = py_texts(col, None, fingerprint)
        else:
            col = py_texts(col, "[@=]", _clean_value) if ft.redact else col
        if key in _KEPT:
            texts[key] = col
        props = [declared[k].get(key) for k in kinds]
        piece = json_texts(col, ft.plain and not secret) if any(plain(p) for p in props) \
            else None
        for code, prop in enumerate(props):
            if plain(prop):
                continue
            rows = None if kind_rows is None else kind_rows == code
            piece = _typed(col, prop, rows, piece)
        pieces[key] = piece
    return pieces, texts


def _typed(col: Any, prop: Any, rows: Any, piece: Any) -> Any:
    """``piece`` with the rows of one kind (``rows``, None for all) replaced by the JSON of
    their values as the declared ``prop`` stores them, worked out once per distinct text."""
    import pyarrow as pa
    import pyarrow.compute as pc

    from graph.columnar import _strings

    def encode(text: str) -> str:
        try:
            return json.dumps(_normalise_value(prop, text, ""))
        except InputError:
            raise NotColumnar("value") from None

    if rows is None:
        mask = pc.is_valid(col)
    else:
        mask = pc.and_(pc.is_valid(col), bool_array(rows))
    sub = col.filter(mask)
    if not len(sub):
        return piece
    enc = pc.dictionary_encode(sub)
    values = _strings([encode(t) for t in enc.dictionary.to_pylist()])
    done = values.take(enc.indices)
    if piece is None:
        piece = pa.nulls(len(col), pa.string())
    return pc.replace_with_mask(piece, mask, done)


@dataclass
class _Part:
    """One file's rows: node columns, or edge columns (``src``/``dst``/``kind``)."""

    cols: dict[str, Any]
    stitch: dict[str, Any] | None = None


def _node_file(path: Path, kind: str, source: str) -> tuple[_Part, _Part | None]:
    import pyarrow as pa
    import pyarrow.compute as pc

    header, cols, ft = _read(path, ("id",))
    by = dict(zip(header, cols, strict=True))
    ids = ends_texts(by["id"], True, ft)
    n = len(ids)
    pieces, texts = _props(header, cols, {"id", "owner"}, [kind], None, ft)
    if "name" in pieces and not plain(node_props(kind).get("name")) or \
            "arn" in pieces and not plain(node_props(kind).get("arn")):
        raise NotColumnar("name type")
    name = pc.coalesce(texts["name"], ids) if "name" in texts else ids
    pieces["name"] = json_texts(name, ft.plain)
    src = json.dumps(source)
    pieces["source"] = (pc.coalesce(pieces["source"], text(src)) if "source" in pieces
                        else const_texts(src, n))
    part = _Part({"id": ids, "name": name, "arn": texts.get("arn", pa.nulls(n, pa.string())),
                  "props": joined_props(pieces, n), "kind": kind},
                 stitch={"id": ids, **texts} if kind == "Secret" else None)
    owns = None
    if "owner" in by and by["owner"].null_count < n:
        has = pc.is_valid(by["owner"])
        owners = ends_texts(by["owner"].filter(has), False, ft)
        owned = ids.filter(has)
        owns = _Part({"src": owners, "dst": owned, "kind": "OWNS",
                      "props": const_texts(OWNS_PROPS, len(owned))})
    return part, owns


def _edge_file(path: Path) -> _Part:
    import pyarrow as pa
    import pyarrow.compute as pc

    from graph.columnar import _strings

    header, cols, ft = _read(path, ("kind", "from", "to"))
    by = dict(zip(header, cols, strict=True))
    kind = by["kind"]
    if kind.null_count or not pc.all(pc.is_in(kind, value_set=_strings(list(EDGE_KINDS))),
                                     min_count=0).as_py():
        raise NotColumnar("edge kind")
    enc = pc.dictionary_encode(kind)
    kinds = enc.dictionary.to_pylist()
    codes = np.frombuffer(enc.indices.buffers()[1], dtype=np.int32)[
        enc.indices.offset:enc.indices.offset + len(kind)]
    if any(h in RESERVED - {"kind"} for h in header):
        raise NotColumnar("reserved column")
    pieces, _ = _props(header, cols, {"kind", "from", "to"}, kinds, codes, ft)
    if "CAN_ACCESS" in kinds:
        access = bool_array(codes == kinds.index("CAN_ACCESS"))
        have = pieces.get("access")
        unknown = text(json.dumps("unknown"))
        pieces["access"] = (pc.if_else(access, unknown, pa.nulls(len(kind), pa.string()))
                            if have is None else
                            pc.if_else(pc.and_(access, pc.is_null(have)), unknown, have))
    return _Part({"src": ends_texts(by["from"], True, ft),
                  "dst": ends_texts(by["to"], True, ft), "kind": kind,
                  "props": joined_props(pieces, len(kind))})


def read_tables(folder: Path, source: str) -> Tables:
    """The graph a fresh row ingest of the CSV folder ``folder`` as ``source`` writes, in
    columns; :class:`NotColumnar` when the folder needs the row path."""
    files = sorted(p for p in folder.iterdir() if p.suffix.lower() == ".csv")
    if not files:
        raise NotColumnar("no files")
    try:
        return _read_tables(files, source)
    except BadCell:
        raise NotColumnar("cell") from None


def _read_tables(files: list[Path], source: str) -> Tables:
    nodes: list[_Part] = []
    edges: list[_Part] = []
    for path in files:
        if path.stem.lower() == "edges":
            edges.append(_edge_file(path))
            continue
        kind = _csv_kind(path.stem)
        if kind is None:
            raise NotColumnar("file name")
        part, owns = _node_file(path, kind, source)
        nodes.append(part)
        if owns is not None:
            edges.append(owns)
    from ingest.inventory_graph import assemble

    return assemble(nodes, edges, source, len(files))
