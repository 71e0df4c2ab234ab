"""The embedded store's on-disk generation, opened (memory-mapped), not loaded.

One generation is five files: ``nodes-<gen>.arrow`` (Arrow IPC: ``id`` in sorted order,
``kind``, ``name``, ``arn``, ``props`` and ``seen_by`` as JSON texts), ``edges-<gen>.arrow``
(``src``/``dst`` node numbers, ``kind`` as a number into the sorted edge-kind list of the
manifest, ``props``, ``seen_by``; rows sorted by source, kind, destination, so they are the
out-adjacency in CSR order) and three NumPy arrays: ``out_ptr`` (CSR row pointers over the
edge rows), ``in_ptr`` and ``in_rows`` (the in-adjacency: edge rows sorted by destination,
kind, source). A node's number is its place in the sorted id column, so number order is id
order and a walk's sort by numbers is the sort by ids every engine uses.

Opening maps the files; an id is found by binary search over the id column's UTF-8 bytes
(no dict of a million strings on open; one is built only after many single lookups, see
:data:`LAZY_DICT_AFTER`), many ids at once with one vectorised ``index_in``; properties are
decoded only for the rows a result returns.
"""

from __future__ import annotations

import bisect
import json
import os
from array import array
from collections.abc import Iterable, Mapping, Sequence
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np

from .errors import StoreError
from .genfiles import ARRAYS, generation_files  # noqa: F401  (re-exported)

NODE_COLUMNS = ("id", "kind", "name", "arn", "props", "seen_by")
#: Up to this many rows are read by scalar access, without pyarrow.compute.
FEW_ROWS = 2000
#: After this many single-id lookups (or an eighth of the node count, if more) a
#: generation builds an id -> number dict, once (see :meth:`Generation.index`).
LAZY_DICT_AFTER = 5000
#: Up to this many nodes a generation keeps the nodes it has decoded (a few hundred bytes
#: each), so reading them again costs a dict each, not a parse.
DECODED_UP_TO = 250_000


def _fsynced(tmp: Path, final: Path) -> None:
    with open(tmp, "rb") as fh:
        os.fsync(fh.fileno())
    os.replace(tmp, final)


def save(folder: Path, gen: int, g: Any) -> dict[str, Any]:
    """Write generation ``gen`` of the NetworkX graph ``g`` (see :func:`save_rows`)."""
    return save_rows(folder, gen, g._node,
                     ((a, b, k, attrs) for a, nbrs in g._succ.items()
                      for b, keyed in nbrs.items() for k, attrs in keyed.items()))


def save_rows(folder: Path, gen: int, node_attrs: Mapping[str, dict],
              edges: Iterable[tuple[str, str, str, dict]]) -> dict[str, Any]:
    """Write generation ``gen`` of a graph given as ``{id: attrs}`` (attrs with ``kind`` and
    ``seen_by``) and ``(src, dst, kind, attrs)`` edges (each key once, ends among the
    nodes); return what the manifest records about it (counts by kind, edge kinds,
    sources). The write path's NetworkX graph and a fresh store's batch both come here, so
    both write the same files for the same graph."""
    import pyarrow as pa

    dumps = json.JSONEncoder(sort_keys=True).encode
    seen_text: dict[tuple, str] = {}

    last: list = [None, ""]  # the list met last and its text (a fresh write shares one)

    def seen_json(values: Iterable[str]) -> str:
        if values is last[0]:
            return last[1]
        key = tuple(sorted(values))
        text = seen_text.get(key)
        if text is None:
            text = seen_text[key] = json.dumps(list(key))
        last[:] = values, text
        return text

    ids = sorted(node_attrs)
    number = {n: i for i, n in enumerate(ids)}
    cols: dict[str, list] = {c: [] for c in NODE_COLUMNS}
    node_counts: dict[str, int] = {}
    sources: set[str] = set()
    for nid in ids:
        attrs = node_attrs[nid]
        props = {k: v for k, v in attrs.items() if k not in ("kind", "seen_by")}
        cols["id"].append(nid)
        cols["kind"].append(attrs["kind"])
        node_counts[attrs["kind"]] = node_counts.get(attrs["kind"], 0) + 1
        name, arn = props.get("name"), props.get("arn")
        cols["name"].append(name if isinstance(name, str) else None)
        cols["arn"].append(arn if isinstance(arn, str) else None)
        cols["props"].append(dumps(props))
        seen = attrs.get("seen_by", ())
        sources.update(seen)
        cols["seen_by"].append(seen_json(seen))
    # Edge ends and kinds as machine integers (not a Python int per row), kinds numbered
    # in the order met and renumbered into the sorted kind list below.
    src_a, dst_a, kind_a = array("i"), array("i"), array("h")
    met: dict[str, int] = {}
    props_l: list[str] = []
    seen_l: list[str] = []
    for a, b, k, attrs in edges:  # texts made here, so no edge's dict outlives its row
        src_a.append(number[a])
        dst_a.append(number[b])
        code = met.get(k)
        if code is None:
            code = met[k] = len(met)
        kind_a.append(code)
        props_l.append(dumps({x: v for x, v in attrs.items() if x != "seen_by"})
                       if len(attrs) > 1 or "seen_by" not in attrs else "{}")
        seen = attrs.get("seen_by", ())
        sources.update(seen)
        seen_l.append(seen_json(seen))
    del number
    edge_kinds = sorted(met)
    renumber = np.zeros(len(met), dtype=np.int16)
    for k, code in met.items():
        renumber[code] = edge_kinds.index(k)
    m = len(props_l)
    src = np.array(src_a, dtype=np.int32).reshape(m)
    dst = np.array(dst_a, dtype=np.int32).reshape(m)
    kind = renumber[np.array(kind_a, dtype=np.int16).reshape(m)]
    del src_a, dst_a, kind_a
    eprops = _strings(props_l)
    del props_l
    eseen = _strings(seen_l)
    del seen_l
    node_table = pa.table({c: _strings(v) for c, v in cols.items()})
    del cols
    return _write_generation(folder, gen, node_table, (src, kind, dst, eprops, eseen),
                             edge_kinds, node_counts, sources)


def save_table(folder: Path, gen: int, nodes: Any, node_counts: dict[str, int],
               edges: tuple, edge_kinds: list[str], sources: Iterable[str]) -> dict[str, Any]:
    """Write generation ``gen`` of a graph given in columns: the files :func:`save_rows`
    writes for the same graph. ``nodes`` is an Arrow table of :data:`NODE_COLUMNS` (string
    columns, rows in id order) holding ``node_counts`` nodes of each kind; ``edges`` is
    ``(src, kind, dst, props, seen_by)``: node numbers (int32), numbers into the sorted
    ``edge_kinds`` (int16) and Arrow string arrays, each edge key once, in any row order."""
    return _write_generation(folder, gen, nodes, edges, edge_kinds, dict(node_counts),
                             set(sources))


def _write_generation(folder: Path, gen: int, node_table: Any, edges: tuple,
                      edge_kinds: list[str], node_counts: dict[str, int],
                      sources: set[str]) -> dict[str, Any]:
    """The edge rows put in CSR order, the adjacency arrays, the five files written."""
    import pyarrow as pa

    src, kind, dst, eprops, eseen = edges
    n, m = node_table.num_rows, len(src)
    order = np.lexsort((dst, kind, src))  # CSR order: by source, kind, destination
    src, kind, dst = src[order], kind[order], dst[order]
    # The texts put in CSR order by Arrow's take (no list of a Python int per row).
    if m:
        rows = _indices(order)
        eprops, eseen = eprops.take(rows), eseen.take(rows)
        del rows
    del order
    edge_counts: dict[str, int] = {}
    for k, c in zip(edge_kinds, np.bincount(kind, minlength=len(edge_kinds)).tolist(),
                    strict=True):
        edge_counts[k] = c
    edge_table = pa.table({"src": _ints(src), "kind": _ints(kind), "dst": _ints(dst),
                           "props": eprops, "seen_by": eseen})
    del eprops, eseen
    in_rows = np.lexsort((src, kind, dst)).astype(np.int32)
    arrays: dict[str, Any] = {
        "out_ptr": np.searchsorted(src, np.arange(n + 1)).astype(np.int64),
        "in_ptr": np.searchsorted(dst[in_rows], np.arange(n + 1)).astype(np.int64),
        "in_rows": in_rows,
    }
    folder.mkdir(parents=True, exist_ok=True)
    for name, table in (("nodes", node_table), ("edges", edge_table)):
        final = folder / f"{name}-{gen}.arrow"
        tmp = final.with_name(final.name + ".tmp")
        with pa.OSFile(str(tmp), "wb") as sink, pa.ipc.new_file(sink, table.schema) as w:
            w.write_table(table, max_chunksize=max(1, table.num_rows))
        _fsynced(tmp, final)
    for name, arr in arrays.items():
        final = folder / f"{name}-{gen}.npy"
        tmp = final.with_name(final.name + ".tmp")
        with open(tmp, "wb") as fh:
            np.save(fh, arr)
        _fsynced(tmp, final)
    return {"counts": {"nodes": dict(sorted(node_counts.items())),
                       "edges": dict(sorted(edge_counts.items()))},
            "edge_kinds": edge_kinds, "sources": sorted(sources)}


def _strings(values: Sequence[str | None]) -> Any:
    """A list of texts (None for missing) as an Arrow string array built on its buffers:
    ``pa.array`` of a Python list imports pandas (~0.5 s of a small ingest)."""
    import pyarrow as pa

    texts = ["" if v is None else v for v in values]
    joined = "".join(texts)
    data = joined.encode()
    if len(data) == len(joined):  # ASCII: a text's length is its byte count
        lengths = np.fromiter(map(len, texts), dtype=np.int64, count=len(texts))
    else:
        lengths = np.fromiter((len(t.encode()) for t in texts), dtype=np.int64,
                              count=len(texts))
    del joined, texts
    if len(data) >= 2**31:  # past 32-bit offsets: let pyarrow chunk it
        return pa.array(values, type=pa.string())
    offsets = np.zeros(len(values) + 1, dtype=np.int32)
    np.cumsum(lengths, out=offsets[1:])
    missing = [i for i, v in enumerate(values) if v is None]
    valid = None
    if missing:
        bits = np.ones(len(values), dtype=bool)
        bits[missing] = False
        valid = pa.py_buffer(np.packbits(bits, bitorder="little"))
    return pa.Array.from_buffers(pa.string(), len(values),
                                 [valid, pa.py_buffer(offsets), pa.py_buffer(data)],
                                 null_count=len(missing))


def _ints(values: np.ndarray) -> Any:
    """A numpy integer array as an Arrow array on the same buffer (no pandas import)."""
    import pyarrow as pa

    arr = np.ascontiguousarray(values)
    return pa.Array.from_buffers(pa.from_numpy_dtype(arr.dtype), len(arr),
                                 [None, pa.py_buffer(arr)])


class _Ids:
    """The sorted id column as a sequence of UTF-8 bytes for :mod:`bisect`, read straight
    from the Arrow buffers (offsets as a memoryview of ints, no scalar objects): UTF-8 byte
    order is code-point order, so the bytes sort as the texts do."""

    def __init__(self, column: Any):
        import pyarrow as pa

        n = len(column)
        self.n = n
        if not n:
            self.off: Any = [0]
            self.data: Any = b""
            return
        bufs = column.buffers()
        raw = memoryview(bufs[1]).cast("B")
        wide = raw.cast("q") if pa.types.is_large_string(column.type) else raw.cast("i")
        self.off = wide[column.offset:column.offset + n + 1]
        self.data = memoryview(bufs[2]).cast("B")

    def __len__(self) -> int:
        return self.n

    def __getitem__(self, i: int) -> bytes:
        return self.data[self.off[i]:self.off[i + 1]].tobytes()

    def text(self, i: int) -> str:
        return str(self.data[self.off[i]:self.off[i + 1]], "utf-8")


def _numbers(column: Any, dtype: Any) -> np.ndarray:
    """A null-free integer column as a numpy view of its Arrow buffer (no copy). Arrow's own
    ``to_numpy`` imports pandas (~1 s of a small command's start), so the buffer is wrapped."""
    arr = column.combine_chunks() if hasattr(column, "combine_chunks") else column
    if arr.null_count:
        raise StoreError("edge column has missing numbers")
    return np.frombuffer(arr.buffers()[1], dtype=dtype)[arr.offset:arr.offset + len(arr)]


def _indices(rows: Sequence[int] | np.ndarray) -> Any:
    """Row numbers as an Arrow array built on their numpy buffer: ``take`` given a numpy
    array converts it through a path that imports pandas."""
    import pyarrow as pa

    idx = np.ascontiguousarray(rows, dtype=np.int64)
    return pa.Array.from_buffers(pa.int64(), len(idx), [None, pa.py_buffer(idx)])


class Generation:
    """One committed generation, memory-mapped: lookups by id, rows by number, CSR."""

    def __init__(self, folder: Path, gen: int, edge_kinds: list[str]):
        import pyarrow as pa

        try:
            self.nodes = pa.ipc.open_file(pa.memory_map(str(folder / f"nodes-{gen}.arrow"))
                                          ).read_all().combine_chunks()
            self.edges = pa.ipc.open_file(pa.memory_map(str(folder / f"edges-{gen}.arrow"))
                                          ).read_all().combine_chunks()
            arr = {a: np.load(folder / f"{a}-{gen}.npy", mmap_mode="r") for a in ARRAYS}
        except (OSError, ValueError) as exc:
            raise StoreError(f"{folder}: generation {gen} is unreadable ({exc})") from None
        self.n = self.nodes.num_rows
        self.edge_kinds = edge_kinds
        self.ids = self.nodes.column("id").chunk(0) if self.n else pa.array([], pa.string())
        self._ids = _Ids(self.ids)
        self._lookups = 0
        self._number: dict[str, int] | None = None
        #: ``((kinds, stop), answer)`` of the last ``traversal.reachable_sets_csr`` here.
        self.last_reachable_sets: tuple[Any, Any] | None = None
        #: ``((keys, kinds), answer)`` of the last ``columns.node_columns`` here (a
        #: posture's estate rows and its risk scorer read the same columns).
        self.last_node_columns: tuple[Any, Any] | None = None
        #: Node number -> (id, kind, properties) decoded once (see :meth:`public`).
        self._decoded: dict[int, tuple[str, str, dict]] | None = \
            {} if self.n <= DECODED_UP_TO else None
        # Plain ndarray views of the maps: np.memmap's Python-level __getitem__ costs a
        # function call per element read, and the walks read one per node expanded.
        self.out_ptr, self.in_ptr, self.in_rows = (np.asarray(arr[a]) for a in ARRAYS)
        m = self.edges.num_rows
        self.src = _numbers(self.edges.column("src"), np.int32) if m else np.zeros(0, np.int32)
        self.dst = _numbers(self.edges.column("dst"), np.int32) if m else np.zeros(0, np.int32)
        self.kind = _numbers(self.edges.column("kind"), np.int16) if m else np.zeros(0, np.int16)

    # --- ids and rows ---------------------------------------------------------------

    def index(self, node_id: Any) -> int | None:
        if not isinstance(node_id, str):
            return None
        if self._number is not None:
            return self._number.get(node_id)
        self._lookups += 1
        if self._lookups > max(LAZY_DICT_AFTER, self.n // 8):
            # A run asking this many single ids (findings: one walk per workflow) pays
            # less for one dict than for ~20 probes per id from here on; never on open.
            self._number = {t: i for i, t in enumerate(self.ids.to_pylist())}
            return self._number.get(node_id)
        try:
            key = node_id.encode()
        except UnicodeEncodeError:  # a lone surrogate: no stored id has one
            return None
        i = bisect.bisect_left(self._ids, key)
        return i if i < self.n and self._ids[i] == key else None

    def indices(self, ids: Iterable[str]) -> dict[str, int]:
        """The numbers of the ids that exist (one vectorised lookup for many ids)."""
        distinct = dict.fromkeys(ids)
        if self._number is None and len(distinct) > max(LAZY_DICT_AFTER, self.n // 16):
            # A read of a large share of the graph (an analysis' every workflow): one dict,
            # once, costs less than hashing every stored id again for each such read.
            self._number = {t: i for i, t in enumerate(self.ids.to_pylist())}
        if self._number is not None:  # its keys are texts: any other id finds nothing
            get = self._number.get
            return {w: i for w in distinct if (i := get(w)) is not None}
        wanted = [i for i in distinct if isinstance(i, str)]
        if len(wanted) < 64 or self.n <= FEW_ROWS:  # a small table: no pyarrow.compute
            found = ((w, self.index(w)) for w in wanted)
            return {w: i for w, i in found if i is not None}
        import pyarrow.compute as pc

        pos = pc.index_in(_strings(wanted), value_set=self.ids).to_pylist()
        return {w: p for w, p in zip(wanted, pos, strict=True) if p is not None}

    def id_of(self, i: int) -> str:
        return self._ids.text(i)

    def ids_of(self, rows: Sequence[int]) -> list[str]:
        """The ids at these numbers (one ``take`` for many)."""
        if len(rows) <= FEW_ROWS:
            return [self._ids.text(int(i)) for i in rows]
        return self.ids.take(_indices(rows)).to_pylist()

    def public(self, rows: Sequence[int]) -> list[dict]:
        """The nodes at these numbers as the store shows them (id, properties, kind): a
        new dict per node and call. In a generation of at most :data:`DECODED_UP_TO` nodes
        a node whose properties are all scalars is decoded once and rebuilt from that on
        later calls (a findings run reads most nodes four or five times)."""
        if not len(rows):
            return []
        cache = self._decoded
        if cache is None:
            return [_node(*row) for row in zip(*self._decode(rows), strict=True)]
        todo = [i for i in rows if i not in cache]
        if todo:
            fresh = dict(zip(todo, zip(*self._decode(todo), strict=True), strict=True))
            cache.update((i, got) for i, got in fresh.items()
                         if all(type(v) in _SCALARS for v in got[2].values()))
            return [_node(*(cache.get(i) or fresh[i])) for i in rows]
        return [_node(*cache[i]) for i in rows]

    def _decode(self, rows: Sequence[int]) -> tuple[list[str], list[str], list[dict]]:
        """The ids, kinds and decoded properties of these rows (one parser call)."""
        if len(rows) <= FEW_ROWS:  # from the buffers: ``take`` imports pyarrow.compute
            ids, kinds, texts = ([col.text(int(i)) for i in rows] for col in self._node_texts)
        else:
            d = self.nodes.take(_indices(rows)).select(["id", "kind", "props"]).to_pydict()
            ids, kinds, texts = d["id"], d["kind"], d["props"]
        return ids, kinds, json.loads("[" + ",".join(texts) + "]")

    def rows_where(self, column: str, value: Any, case_insensitive: bool = False) -> list[int]:
        col = self.nodes.column(column)
        if self.n <= FEW_ROWS and not case_insensitive:  # no pyarrow.compute (its import
            return [i for i, v in enumerate(col.to_pylist()) if v == value]  # is 60 ms)
        import pyarrow.compute as pc

        if case_insensitive:
            col, value = pc.utf8_lower(col), value.lower()
        # ``is_in`` against a one-text array: a Python scalar in ``equal`` (pa.scalar) and a
        # boolean ``to_numpy`` both import pandas. Missing values never match.
        hits = pc.indices_nonzero(pc.is_in(col, value_set=_strings([value])))
        return _numbers(hits, np.uint64).tolist()

    def rows_naming(self, key: str) -> list[int]:
        """The rows whose properties' JSON text holds ``"key"`` (a property of that name,
        or a text containing it): a superset of the nodes having property ``key``, for a
        plain key (letters, digits, ``_``: written unescaped)."""
        import pyarrow.compute as pc

        hits = pc.indices_nonzero(pc.match_substring(self.nodes.column("props"), f'"{key}"'))
        return _numbers(hits, np.uint64).tolist()

    @cached_property
    def _node_texts(self) -> tuple[_Ids, _Ids, _Ids]:
        """The id, kind and props columns read straight from their buffers (none has a
        missing value), so a few rows cost no Arrow scalar each."""
        column = self.nodes.column
        return self._ids, _Ids(column("kind").chunk(0)), _Ids(column("props").chunk(0))

    @cached_property
    def node_kinds(self) -> tuple[list[str], np.ndarray]:
        """``(names, codes)``: each node's kind as a number into ``names``."""
        if not self.n:
            return [], np.zeros(0, dtype=np.int32)
        if self.n <= FEW_ROWS:  # as dictionary_encode numbers them: in order first met
            number: dict[str, int] = {}
            codes = [number.setdefault(k, len(number))
                     for k in self.nodes.column("kind").to_pylist()]
            return list(number), np.asarray(codes, dtype=np.int32)
        import pyarrow.compute as pc

        enc = pc.dictionary_encode(self.nodes.column("kind")).combine_chunks()
        return enc.dictionary.to_pylist(), _numbers(enc.indices, np.int32)

    def kind_mask(self, kinds: Iterable[str]) -> np.ndarray:
        """A boolean array over the nodes: is the node's kind one of ``kinds``."""
        names, codes = self.node_kinds
        wanted = [i for i, k in enumerate(names) if k in set(kinds)]
        return np.isin(codes, np.asarray(wanted, dtype=np.int32))

    @cached_property
    def _edge_texts(self) -> Any:
        return self.edges.column("props").chunk(0)

    @cached_property
    def _edge_text(self) -> _Ids:
        return _Ids(self._edge_texts)

    def edge_props(self, row: int) -> dict:
        text = self._edge_text.text(row)
        return {} if text == "{}" else json.loads(text)

    def edges_props(self, rows: Sequence[int]) -> list[dict]:
        """The properties of these edge rows, decoded in one parser call (``{}`` rows
        cost nothing; each row gets its own dict)."""
        if not rows:
            return []
        col = self._edge_texts
        if len(rows) <= FEW_ROWS:
            one = self._edge_text.text
            texts = [one(r) for r in rows]
        else:
            texts = col.take(_indices(rows)).to_pylist()
        full = [t for t in texts if t != "{}"]
        decoded = iter(_decode(full))
        return [{} if t == "{}" else next(decoded) for t in texts]

    def kind_codes(self, kinds: Iterable[str]) -> set[int]:
        return {i for i, k in enumerate(self.edge_kinds) if k in set(kinds)}

    def edge_rows(self, i: int, out: bool) -> Any:
        """Edge rows leaving (``out``) or entering node ``i``, in CSR order."""
        if out:
            return range(int(self.out_ptr[i]), int(self.out_ptr[i + 1]))
        return self.in_rows[int(self.in_ptr[i]):int(self.in_ptr[i + 1])].tolist()

    def to_networkx(self) -> Any:
        """The whole generation as the write path's NetworkX graph (with ``seen_by``)."""
        import networkx as nx

        g = nx.MultiDiGraph()
        d = self.nodes.select(["id", "kind", "props", "seen_by"]).to_pydict()
        ids = d["id"]
        g.add_nodes_from(
            (nid, {**p, "kind": k, "seen_by": s})
            for nid, k, p, s in zip(ids, d["kind"], _decode(d["props"]),
                                    _decode(d["seen_by"]), strict=True))
        e = self.edges.select(["props", "seen_by"]).to_pydict()
        kinds = self.edge_kinds
        g.add_edges_from(
            (ids[a], ids[b], kinds[k], {**p, "seen_by": s})
            for a, k, b, p, s in zip(self.src.tolist(), self.kind.tolist(), self.dst.tolist(),
                                     _decode(e["props"]), _decode(e["seen_by"]), strict=True))
        return g


#: Property values a cached node may share between the dicts built from it.
_SCALARS = frozenset({str, int, float, bool, type(None)})


def _node(nid: str, kind: str, props: dict) -> dict:
    # One display: ``id`` first, then the properties, ``kind`` last, and a property named
    # ``id`` or ``kind`` keeps its place but gives way to the column's value, as
    # ``{"id": nid}; update(props); ["kind"] = kind`` would (without two method calls).
    return {"id": nid, **props, "kind": kind}


def _decode(column: list[str]) -> list:
    """Decode a column of JSON texts in one parser call; each row gets its own objects."""
    return json.loads("[" + ",".join(column) + "]") if column else []
