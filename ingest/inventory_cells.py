"""Column helpers of the columnar inventory ingest (:mod:`ingest.inventory_columns`):
cells changed in Python only where a mask says the row path's rule could change them,
JSON texts made the way ``json.dumps`` makes them, one property text per row."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

#: A text whose first or last character is not printable ASCII may lose it to ``strip``.
_STRIPPABLE = r"^[^!-~]|[^!-~]$"
#: Characters ``json.dumps`` escapes (with its default ``ensure_ascii``).
_ESCAPED = r'[^ !#-\[\]-~]'


#: Bytes of a file whose cells JSON writes as they are (printable ASCII, no quote, no
#: backslash; line ends are not in a cell when no quote is).
_PRINTABLE = bytes(range(32, 127)).replace(b'"', b"").replace(b"\\", b"") + b"\r\n"


@dataclass(frozen=True)
class FileText:
    """What one look at a file's bytes rules out for all its cells: ``redact``: some cell
    may hold ``@`` or ``=`` (else no redaction rule can change one); ``plain``: every
    cell is printable ASCII without ``"`` or ``\\`` (so JSON escapes nothing, and only a
    space can be stripped)."""

    redact: bool = True
    plain: bool = False

    @classmethod
    def of(cls, data: bytes) -> FileText:
        return cls(redact=b"@" in data or b"=" in data,
                   plain=data.isascii() and not data.translate(None, _PRINTABLE))


class NotColumnar(Exception):
    """This folder takes the row path (which gives the error, or the same graph)."""


class BadCell(NotColumnar):
    """A cell the row path refuses (an empty id or edge end)."""


@dataclass
class Tables:
    """A folder's graph in columns (see ``graph.columnar.save_table``)."""

    nodes: Any
    node_counts: dict[str, int]
    edges: tuple
    edge_kinds: list[str]
    files_read: int

    @property
    def edge_count(self) -> int:
        return len(self.edges[0])


def text(value: str) -> Any:
    """An Arrow string scalar (``pa.scalar`` of a Python text imports pandas)."""
    from graph.columnar import _strings

    return _strings([value])[0]


def plain(prop: Any) -> bool:
    """Does a text in this declared property (None: undeclared) stay as it is?"""
    return prop is None or prop.type == "str"


def _mask(col: Any, pattern: str) -> Any:
    import pyarrow.compute as pc

    # null AND false is false (Kleene): a missing cell never matches (no Python scalar,
    # whose conversion imports pandas)
    return pc.and_kleene(pc.match_substring_regex(col, pattern), pc.is_valid(col))


def _replace(col: Any, mask: Any, fn: Callable[[str], Any]) -> Any:
    import pyarrow.compute as pc

    from graph.columnar import _strings

    if not pc.any(mask).as_py():
        return col
    new = [fn(t) for t in col.filter(mask).to_pylist()]
    return pc.replace_with_mask(col, mask, _strings(new))


def py_texts(col: Any, pattern: str | None, fn: Callable[[str], str]) -> Any:
    """``col`` with ``fn`` applied to the cells matching ``pattern`` (every present cell,
    once per distinct text, when ``pattern`` is None)."""
    import pyarrow.compute as pc

    from graph.columnar import _strings

    if pattern is not None:
        return _replace(col, _mask(col, pattern), fn)
    enc = pc.dictionary_encode(col)
    return _strings([fn(t) for t in enc.dictionary.to_pylist()]).take(enc.indices)


def ends_texts(col: Any, strip: bool, ft: FileText) -> Any:
    """Ids as the row path keeps them: stripped (``strip``), then URL-redacted; a missing
    or empty one raises :class:`BadCell`."""
    import pyarrow.compute as pc

    from graph.redact import clean_text

    if col.null_count:
        raise BadCell("missing id")
    if strip:
        mask = (pc.or_(pc.starts_with(col, " "), pc.ends_with(col, " ")) if ft.plain
                else _mask(col, _STRIPPABLE))
        col = _replace(col, mask, str.strip)
    if ft.redact:
        col = _replace(col, _mask(col, "[@=]"), clean_text)
    off = np.frombuffer(col.buffers()[1], dtype=np.int32)[col.offset:col.offset + len(col) + 1]
    if len(col) and not np.diff(off).all():
        raise BadCell("empty id")
    return col


def json_texts(col: Any, plain: bool = False) -> Any:
    """Each present text as ``json.dumps`` writes it (missing cells stay missing); with
    ``plain`` every text is known to need no escape."""
    import pyarrow.compute as pc

    quoted = pc.binary_join_element_wise(text('"'), col, text('"'), text(""))
    if plain:
        return quoted
    mask = _mask(col, _ESCAPED)
    if not pc.any(mask).as_py():
        return quoted
    from graph.columnar import _strings

    new = [json.dumps(t) for t in col.filter(mask).to_pylist()]
    return pc.replace_with_mask(quoted, mask, _strings(new))


def const_texts(text: str, n: int) -> Any:
    """``n`` copies of ``text`` as one Arrow string array."""
    import pyarrow as pa

    data = text.encode()
    offsets = np.arange(n + 1, dtype=np.int64) * len(data)
    if offsets[-1] >= 2**31:
        raise BadCell("too large")
    return pa.Array.from_buffers(pa.string(), n, [None, pa.py_buffer(offsets.astype(np.int32)),
                                                  pa.py_buffer(data * n)])


def joined_props(pieces: dict[str, Any], n: int) -> Any:
    """One JSON object text per row from ``{key: encoded value or null}``: the keys in
    sorted order, missing ones left out, as ``JSONEncoder(sort_keys=True)`` writes it."""
    import pyarrow.compute as pc

    if not pieces:
        return const_texts("{}", n)
    empty = text("")
    parts = [pc.fill_null(pc.binary_join_element_wise(text(f", {json.dumps(key)}: "),
                                                      pieces[key], empty), empty)
             for key in sorted(pieces)]
    body = parts[0] if len(parts) == 1 else pc.binary_join_element_wise(*parts, empty)
    return pc.binary_join_element_wise(text("{"), pc.utf8_slice_codeunits(body, 2), text("}"),
                                       empty)


def compact(col: Any) -> Any:
    """A string array laid out as ``graph.columnar._strings`` lays it out (offsets from 0,
    only the bytes used, a validity bitmap only when a value is missing, missing values
    empty), so the Arrow file holds the same bytes whichever way it was made."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if hasattr(col, "combine_chunks"):
        col = col.combine_chunks()
    n = len(col)
    missing = col.null_count
    texts = pc.fill_null(col, text("")) if missing else col
    bufs = texts.buffers()
    off = np.frombuffer(bufs[1], dtype=np.int32)[texts.offset:texts.offset + n + 1]
    start = int(off[0]) if n else 0
    data = bufs[2].slice(start, int(off[-1]) - start) if n and bufs[2] is not None else \
        pa.py_buffer(b"")
    offsets = (off - start).astype(np.int32) if n else np.zeros(1, dtype=np.int32)
    valid = None
    if missing:
        bits = bools(pc.is_valid(col))
        valid = pa.py_buffer(np.packbits(bits, bitorder="little"))
    return pa.Array.from_buffers(pa.string(), n, [valid, pa.py_buffer(offsets), data],
                                 null_count=missing)


def bools(arr: Any) -> np.ndarray:
    """A null-free Arrow boolean array as numpy (its ``to_numpy`` imports pandas)."""
    n = len(arr)
    if not n:
        return np.zeros(0, dtype=bool)
    bits = np.frombuffer(arr.buffers()[1], dtype=np.uint8)
    return np.unpackbits(bits, bitorder="little")[arr.offset:arr.offset + n].astype(bool)


def bool_array(values: np.ndarray) -> Any:
    """A numpy boolean array as an Arrow one, on packed bits (no pandas import)."""
    import pyarrow as pa

    return pa.Array.from_buffers(pa.bool_(), len(values),
                                 [None, pa.py_buffer(np.packbits(values, bitorder="little"))])
