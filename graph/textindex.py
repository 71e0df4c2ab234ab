"""Every node's name, id and ARN folded once (case and separators), for the name search
(:mod:`queries.search`): an unknown node at 1M would otherwise fold 2M texts (1.75 s) and
bound each against the query (1.5 s) on every lookup.

A :class:`TextIndex` holds, for each text ("value") of each node (ids first, then the names,
then the ARNs, as ``Store.node_texts`` gives them), its folded text, its owner (the node's
number), its *skeleton* (the folded text without its ASCII digits, dictionary-encoded: a
generated or real estate repeats a few shapes such as ``salesforce node`` a million times)
and its count of ASCII digits. The search reads the skeletons' few distinct texts, not the
values, to bound every value at once (:meth:`TextIndex.skeleton_lcs`).

The embedded store keeps it in the cache folder (:func:`graph.cachedir.cache_folder`,
never in the store: a read leaves the store's folder as it was), built on the first search
of a generation and written by a rename; a generation never changes, so neither does its
index. The file records the node count and the node file's size, modification time and
inode; a file that does not match is ignored and rebuilt, and the folder keeps the
:data:`KEEP` newest. With caching off (``NHIGRAPH_CACHE_DIR=off``) or a folder that cannot
be written, each process builds its own in memory.
"""

from __future__ import annotations

import itertools
import os
import re
import uuid
from collections.abc import Callable, Sequence
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np

VERSION = "2"
_SEPARATORS = re.compile(r"[\s\-_:/.]+")
#: The separators of :data:`_SEPARATORS` that are not whitespace, as spaces: ``\s`` matches
#: exactly what ``str.isspace`` calls whitespace, so translate + split + join folds alike.
_TO_SPACE = str.maketrans({c: " " for c in "-_:/."})
_NO_DIGITS = str.maketrans("", "", "0123456789")


def fold(value: str) -> str:
    """Case and separators folded, so ``stripe live`` meets ``cred-stripe-live-copy``."""
    return _SEPARATORS.sub(" ", value.casefold()).strip()


def fold_all(values: list[str]) -> list[str]:
    """:func:`fold` of every value, casefolded and translated in one pass over them joined
    by NUL (not a separator, kept by casefold); twice as fast as the regex on each."""
    if not values:
        return []
    joined = "\x00".join(values).casefold().translate(_TO_SPACE).split("\x00")
    if len(joined) != len(values):  # a value holding NUL itself: one at a time
        return [fold(v) for v in values]
    return [" ".join(v.split()) for v in joined]


def _buffer_view(arr: Any, i: int, dtype: Any) -> np.ndarray:
    buf = arr.buffers()[i]
    return np.frombuffer(buf, dtype=dtype) if buf is not None else np.zeros(0, dtype)


class TextIndex:
    """The folded values of a store's nodes and what bounds them (see the module doc)."""

    def __init__(self, table: Any, n: int, ids_of: Callable[[Sequence[int]], list[str]]):
        self.n = n
        self.ids_of = ids_of
        self.size = table.num_rows
        folded, skel = (_one(table.column(c)) for c in ("folded", "skeleton"))
        self._folded = folded
        self.off = _buffer_view(folded, 1, np.int32)[folded.offset:
                                                    folded.offset + self.size + 1]
        self.data = _buffer_view(folded, 2, np.uint8)
        self.owner = _ints(table.column("owner"), np.int32)
        self.digits = _ints(table.column("digits"), np.int16)
        #: Each value's length in code points.
        self.length = _ints(table.column("length"), np.int32)
        self.skeleton = _ints(skel.indices, np.int32)
        self.skeletons: list[str] = skel.dictionary.to_pylist()

    @classmethod
    def build(cls, ids: list[str], texts: dict[str, list[str | None]],
              ids_of: Callable[[Sequence[int]], list[str]] | None = None) -> TextIndex:
        """The index of ``ids`` and their ``name``/``arn`` texts (``Store.node_texts``)."""
        return cls(build_table(ids, texts), len(ids),
                   ids_of or (lambda rows: [ids[i] for i in rows]))

    @cached_property
    def runs(self) -> list[tuple[int, int]]:
        """The values after the ids (one per node, first) as runs in which each node has
        at most one value, its owners ascending (the names, then the ARNs)."""
        rest = self.owner[self.n:]
        cuts = [0, *(np.flatnonzero(np.diff(rest) <= 0) + 1).tolist(), len(rest)]
        return [(self.n + a, self.n + b) for a, b in itertools.pairwise(cuts) if b > a]

    def rows_of(self, nodes: np.ndarray) -> np.ndarray:
        """The rows of these nodes' values: their ids (in ``nodes``' order), then the others."""
        rows = [nodes]
        for a, b in self.runs:
            own = self.owner[a:b]
            at = np.minimum(np.searchsorted(own, nodes), len(own) - 1)
            rows.append(a + at[own[at] == nodes])
        return np.concatenate(rows)

    def per_node(self, bound: np.ndarray) -> np.ndarray:
        """The best of each node's value bounds (``bound`` over every value)."""
        best = bound[:self.n].copy()
        for a, b in self.runs:
            own = self.owner[a:b]
            best[own] = np.maximum(best[own], bound[a:b])
        return best

    def best_of(self, nodes: np.ndarray, rows: np.ndarray, bound: np.ndarray) -> np.ndarray:
        """The best bound of each of ``nodes`` over its values ``rows`` (:meth:`rows_of`)."""
        best = bound[:len(nodes)].copy()
        if len(rows) > len(nodes):
            place = np.argsort(nodes, kind="stable")
            at = place[np.searchsorted(nodes, self.owner[rows[len(nodes):]], sorter=place)]
            np.maximum.at(best, at, bound[len(nodes):])
        return best

    def values(self, rows: Sequence[int] | np.ndarray) -> list[str]:
        """The folded texts of these values."""
        if len(rows) > 256:
            from .columnar import _indices

            return self._folded.take(_indices(rows)).to_pylist()
        off, data = self.off, self.data
        return [data[off[i]:off[i + 1]].tobytes().decode() for i in np.asarray(rows).tolist()]

    def containing(self, t: str) -> tuple[np.ndarray, np.ndarray]:
        """``(rows, at)``: the values holding ``t``, and where its first match starts (a
        byte offset into the value). A byte match of whole UTF-8 texts starts on a code point
        boundary, so it is a text match; matches spanning two values are dropped."""
        pat = np.frombuffer(t.encode(), dtype=np.uint8)
        m, data = len(pat), self.data
        if not m or len(data) < m:
            return np.zeros(0, np.int64), np.zeros(0, np.int64)
        pos = self._few_positions(t.encode())  # every byte of each checked already
        if pos is not None:
            pos = pos.astype(np.int64)
        elif m == 1:
            pos = np.flatnonzero(data == pat[0])
        else:  # the first two bytes at once, at even and at odd offsets
            pair = int(pat[0]) | int(pat[1]) << 8
            even = data[:len(data) - len(data) % 2].view(np.uint16)
            odd = data[1:len(data) - (len(data) - 1) % 2].view(np.uint16)
            pos = np.sort(np.concatenate([2 * np.flatnonzero(even == pair),
                                          2 * np.flatnonzero(odd == pair) + 1]))
            pos = pos[pos <= len(data) - m]
        if m > 2:
            for k in range(2, m):
                if not len(pos):
                    break
                pos = pos[data[pos + k] == pat[k]]
        row = np.searchsorted(self.off, pos, side="right") - 1
        keep = pos + m <= self.off[row + 1]
        pos, row = pos[keep], row[keep]
        rows, first = np.unique(row, return_index=True)  # positions ascend: the first
        return rows, pos[first] - self.off[rows]

    #: At most this many matches are found by ``bytes.find`` (a C scan), more by NumPy.
    FEW_MATCHES = 4096

    @cached_property
    def _bytes(self) -> bytes:
        return self.data.tobytes()

    def _few_positions(self, pat: bytes) -> np.ndarray | None:
        """Every start of ``pat`` in the folded bytes (overlapping ones too), ascending, as
        int32, when there are at most :data:`FEW_MATCHES` of them; else None."""
        data = self._bytes
        if data.count(pat) > self.FEW_MATCHES // 2:  # count skips overlaps: a cheap test
            return None
        found: list[int] = []
        at = data.find(pat)
        while at >= 0:
            found.append(at)
            if len(found) > self.FEW_MATCHES:
                return None
            at = data.find(pat, at + 1)
        return np.asarray(found, dtype=np.int32)

    def equal(self, t: str) -> np.ndarray:
        """The rows of the values whose folded text is ``t`` (folded by :func:`fold_all`):
        by byte length first, then one byte at a time over the few left."""
        pat = np.frombuffer(t.encode(), dtype=np.uint8)
        rows = np.flatnonzero(np.diff(self.off) == len(pat))
        start = self.off[rows].astype(np.int64)
        for k in range(len(pat)):
            if not len(rows):
                break
            keep = self.data[start + k] == pat[k]
            rows, start = rows[keep], start[keep]
        return rows

    @cached_property
    def not_ascii(self) -> np.ndarray:
        """The rows of the values holding a character past ASCII (more bytes than code
        points), whose case a lookup cannot judge from their fold."""
        return np.flatnonzero(np.diff(self.off) != self.length)

    def skeleton_lcs(self, t: str) -> np.ndarray:
        """The length of the longest common subsequence of ``t`` with each distinct skeleton.
        A common subsequence of ``t`` and a value splits into one with the value's skeleton
        and one with its digits, so this plus the fewer of ``t``'s and the value's digits
        bounds the value's."""
        from rapidfuzz import process
        from rapidfuzz.distance import LCSseq

        if not self.skeletons:
            return np.zeros(0, dtype=np.int64)
        return process.cdist([t], self.skeletons, scorer=LCSseq.similarity,
                             dtype=np.int64)[0]

    @staticmethod
    def digits_in(t: str) -> int:
        return len(t) - len(t.translate(_NO_DIGITS))


def _one(column: Any) -> Any:
    """A table column as one array (a file written here holds one batch: no copy)."""
    return column.chunk(0) if column.num_chunks == 1 else column.combine_chunks()


def _ints(column: Any, dtype: Any) -> np.ndarray:
    arr = column.combine_chunks() if hasattr(column, "combine_chunks") else column
    return _buffer_view(arr, 1, dtype)[arr.offset:arr.offset + len(arr)]


def build_table(ids: list[str], texts: dict[str, list[str | None]]) -> Any:
    """The index's Arrow table: ``folded``, ``owner``, ``skeleton`` (dictionary), ``digits``,
    ``length`` (code points)."""
    import pyarrow as pa

    from .columnar import _ints as arrow_ints
    from .columnar import _strings

    values: list[str] = list(ids)
    owner: list[int] = list(range(len(ids)))
    for key in ("name", "arn"):
        column = texts[key]
        keep = [i for i, v in enumerate(column) if v is not None]
        values += [column[i] for i in keep]  # type: ignore[misc]
        owner += keep
    folded = fold_all(values)
    del values
    skeletons = "\n".join(folded).translate(_NO_DIGITS).split("\n") if folded else []
    codes: dict[str, int] = {}
    skel = np.fromiter((codes.setdefault(s, len(codes)) for s in skeletons), dtype=np.int32,
                       count=len(skeletons))
    digits = np.fromiter((len(f) - len(s) for f, s in zip(folded, skeletons, strict=True)),
                         dtype=np.int16, count=len(folded))
    del skeletons
    return pa.table({
        "folded": _strings(folded),
        "owner": arrow_ints(np.asarray(owner, dtype=np.int32)),
        "skeleton": pa.DictionaryArray.from_arrays(arrow_ints(skel), _strings(list(codes))),
        "digits": arrow_ints(digits),
        "length": arrow_ints(np.fromiter(map(len, folded), dtype=np.int32, count=len(folded))),
    })


#: How many indexes the cache folder keeps (the oldest go first; 74 MB each at 1M nodes).
KEEP = 8


def load_or_build(folder: Path | None, key: str, nodes_file: Path, n: int,
                  texts: Callable[[], tuple[list[str], dict[str, list[str | None]]]],
                  ids_of: Callable[[Sequence[int]], list[str]],
                  build: bool = True) -> TextIndex | None:
    """The index of the generation whose node file is ``nodes_file`` (``n`` nodes) from
    ``folder`` (:func:`graph.cachedir.cache_folder`, ``textindex-<key>.arrow``, ``key``
    naming the store and generation), else built from ``texts()`` (``Store.node_texts``)
    and saved there for the next search (owner-only, written by a rename). A file whose
    node count or node file (size, modification time) no longer matches is rebuilt; with
    no folder (caching off) or one that cannot be written, this process keeps its own.
    With ``build=False``, None instead of building."""
    import pyarrow as pa

    try:
        st = nodes_file.stat()
        stamp = f"{st.st_size}:{st.st_mtime_ns}:{st.st_ino}"
    except OSError:
        stamp = "-1"
    meta = {b"version": VERSION.encode(), b"nodes": str(n).encode(),
            b"nodes_file": stamp.encode()}
    final = None if folder is None else folder / f"textindex-{key}.arrow"
    if final is not None:
        try:
            table = pa.ipc.open_file(pa.memory_map(str(final))).read_all()
            if table.schema.metadata == meta:
                return TextIndex(table, n, ids_of)
        except (OSError, pa.ArrowInvalid):
            pass
    if not build:
        return None
    ids, columns = texts()
    table = build_table(ids, columns).replace_schema_metadata(meta)
    del ids, columns
    if final is None:
        return TextIndex(table, n, ids_of)
    tmp = final.with_name(f"{final.name}.{uuid.uuid4().hex}.tmp")
    try:
        final.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as fh, pa.PythonFile(fh, mode="w") as sink, \
                pa.ipc.new_file(sink, table.schema) as w:
            w.write_table(table, max_chunksize=max(1, table.num_rows))
        os.replace(tmp, final)
        from .cachedir import prune

        prune(final.parent, "textindex-*.arrow", KEEP)
    except OSError:  # a folder that cannot be written: this process keeps its own
        try:
            tmp.unlink()
        except OSError:
            pass
    return TextIndex(table, n, ids_of)
