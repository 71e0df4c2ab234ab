"""A snapshot file's rows written once to a temporary folder of the embedded store's
columnar files and opened from there, so a diff against an exported file reads it with the
same columnar walks and CSR arrays (:mod:`graph.columnar`) as a linked snapshot folder,
instead of building a NetworkX graph of it (:class:`~graph.memory.MemoryStore`). At 100k
nodes the two cost the same CPU (writing the files costs what the faster reads save) and
the columnar copy holds less memory (docs/performance.md, issue #16).
"""

from __future__ import annotations

import json
import shutil
import tempfile
import weakref
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

from . import columnar
from .embedded import MANIFEST, SCHEMA_VERSION, EmbeddedStore
from .records import Edge
from .store import Store


def columnar_copy(nodes: Iterable[dict], edges: Iterable[Sequence], runs: list[dict]
                  ) -> Store | None:
    """``nodes`` (dicts with ``id`` and ``kind``) and ``edges`` (``[src, kind, dst,
    props]`` or :class:`~graph.records.Edge`) as a read-only embedded store over a
    temporary folder (removed when the store is garbage-collected or the process exits).

    None when the rows are not what a store writes (an id that is not a text, a node
    without a kind, an edge end that is no node, a ``seen_by`` property, or no node at
    all): the caller keeps its in-memory store then. A repeated edge key's properties are
    merged, as NetworkX merges them."""
    folder = Path(tempfile.mkdtemp(prefix="nhigraph-copy-"))
    try:
        written = write_copy(folder, nodes, edges, runs)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    if not written:
        shutil.rmtree(folder, ignore_errors=True)
        return None
    return open_copy(folder)


def write_copy(folder: Path, nodes: Iterable[dict], edges: Iterable[Sequence],
               runs: list[dict]) -> bool:
    """The files of :func:`columnar_copy` written into ``folder`` (which exists and is
    empty), its manifest last; False (and no manifest) when the rows are not what a store
    writes. Another process may write a copy this way for :func:`open_copy` here
    (``queries.posture_pair`` reads a snapshot file in its child).

    The files are those :func:`graph.columnar.save_rows` writes for the same graph, byte
    for byte (``tests/test_drift_columnar.py``), built in columns straight from the rows
    (:func:`graph.columnar.save_table`): no node's dict copied, and one JSON encoder made
    for every property text instead of one per text."""
    import numpy as np

    props_of: dict[str, dict] = {}
    kinds: dict[str, str] = {}
    for n in nodes:
        nid, kind = n["id"], n.get("kind")
        if not isinstance(nid, str) or not isinstance(kind, str) or "seen_by" in n:
            return False
        props_of[nid] = n
        kinds[nid] = kind
    keyed: dict[tuple[str, str, str], dict] = {}
    for e in edges:
        src, kind, dst, props = (e.src, e.kind, e.dst, e.props) if isinstance(e, Edge) else e
        if src not in kinds or dst not in kinds or not isinstance(kind, str) \
                or "seen_by" in props:
            return False
        key = (src, kind, dst)
        if key in keyed:
            keyed[key] = {**keyed[key], **props}
        else:
            keyed[key] = props
    if not kinds:
        return False  # nothing to map: the in-memory store is as good
    import pyarrow as pa

    dumps = _encoder()
    ids = sorted(kinds)
    number = {n: i for i, n in enumerate(ids)}
    cols: dict[str, list] = {c: [] for c in columnar.NODE_COLUMNS}
    node_counts: dict[str, int] = {}
    for nid in ids:
        node, kind = props_of[nid], kinds[nid]
        props = {k: v for k, v in node.items() if k not in ("id", "kind")}
        cols["id"].append(nid)
        cols["kind"].append(kind)
        node_counts[kind] = node_counts.get(kind, 0) + 1
        name, arn = props.get("name"), props.get("arn")
        cols["name"].append(name if isinstance(name, str) else None)
        cols["arn"].append(arn if isinstance(arn, str) else None)
        cols["props"].append(dumps(props))
    cols["seen_by"] = ["[]"] * len(ids)  # json.dumps([]): a copy has no ingest sources
    edge_kinds = sorted({k for _, k, _ in keyed})
    code = {k: i for i, k in enumerate(edge_kinds)}
    m = len(keyed)
    src_a = np.fromiter((number[s] for s, _, _ in keyed), dtype=np.int32, count=m)
    kind_a = np.fromiter((code[k] for _, k, _ in keyed), dtype=np.int16, count=m)
    dst_a = np.fromiter((number[d] for _, _, d in keyed), dtype=np.int32, count=m)
    eprops = columnar._strings([dumps(p) for p in keyed.values()])
    del keyed, number
    eseen = columnar._strings(["[]"] * m)
    node_table = pa.table({c: columnar._strings(v) for c, v in cols.items()})
    del cols
    manifest = {"schema_version": SCHEMA_VERSION, "generation": 1, "runs": runs,
                **columnar.save_table(folder, 1, node_table, node_counts,
                                      (src_a, kind_a, dst_a, eprops, eseen), edge_kinds, ())}
    tmp = folder / f"{MANIFEST}.tmp"
    tmp.write_text(json.dumps(manifest, sort_keys=True))
    tmp.replace(folder / MANIFEST)
    return True


def _encoder() -> Callable[[Any], str]:
    """``json.JSONEncoder(sort_keys=True).encode`` (what :func:`graph.columnar.save_rows`
    writes a property text with), its C encoder made once: ``encode`` makes one per call,
    most of its cost for a small dict."""
    from json import encoder

    enc = json.JSONEncoder(sort_keys=True)
    make = getattr(encoder, "c_make_encoder", None)
    if make is None:
        return enc.encode
    it = make({}, enc.default, encoder.encode_basestring_ascii, None, enc.key_separator,
              enc.item_separator, True, False, True)
    return lambda value: "".join(it(value, 0))


def open_copy(folder: Path) -> EmbeddedStore:
    """The copy :func:`write_copy` left in ``folder``, opened read-only; the folder goes
    with the store (or at exit), and at once if opening fails."""
    try:
        store = EmbeddedStore(folder, create=False)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    weakref.finalize(store, shutil.rmtree, folder, True)
    return store


def _opened(folder: Path, manifest: dict) -> EmbeddedStore:
    """``folder``'s generation committed with ``manifest`` and opened read-only; the folder
    goes with the store (or at exit), and at once if opening fails."""
    try:
        (folder / MANIFEST).write_text(json.dumps(manifest, sort_keys=True))
        store = EmbeddedStore(folder, create=False)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    weakref.finalize(store, shutil.rmtree, folder, True)
    return store


def without_edges(store: Store, keys: Iterable[tuple[str, str, str]],
                  ) -> tuple[Store, list[tuple[str, str, str]]] | None:
    """The embedded ``store``'s committed generation less the edges ``keys`` (``(src,
    kind, dst)``; only that direction of a symmetric edge, as
    :meth:`graph.memory.MemoryStore.remove_edge` removes it), as a read-only embedded
    store over a temporary folder, and the keys that were there, in the order given.

    The node file is shared by a hard link (copied where links are refused) and the edge
    table filtered in its CSR order, so nothing is decoded: the copy a cut's what-if delta
    walks costs a fraction of a second at 100k nodes, where a NetworkX copy cost seconds and
    walked slower. None when ``store`` is not an embedded store with a committed
    generation (the caller copies it into memory then)."""
    import os

    import numpy as np
    import pyarrow as pa

    manifest = getattr(store, "manifest", None)
    src_dir = getattr(store, "dir", None)
    if store.backend != "embedded" or not isinstance(manifest, dict) \
            or not manifest.get("generation") or src_dir is None or store.is_empty():
        return None
    gen = store.generation()  # type: ignore[attr-defined]
    keep = np.ones(len(gen.kind), dtype=bool)
    removed: list[tuple[str, str, str]] = []
    kinds = gen.edge_kinds
    for src, kind, dst in keys:
        a, b = gen.index(src), gen.index(dst)
        if a is None or b is None or kind not in kinds:
            continue
        lo, hi = int(gen.out_ptr[a]), int(gen.out_ptr[a + 1])
        hit = np.flatnonzero((gen.kind[lo:hi] == kinds.index(kind)) & (gen.dst[lo:hi] == b)
                             & keep[lo:hi])
        if len(hit):
            keep[lo + hit] = False
            removed.append((src, kind, dst))
    folder = Path(tempfile.mkdtemp(prefix="nhigraph-cut-"))
    try:
        number = manifest["generation"]
        try:
            os.link(src_dir / f"nodes-{number}.arrow", folder / "nodes-1.arrow")
        except OSError:
            shutil.copyfile(src_dir / f"nodes-{number}.arrow", folder / "nodes-1.arrow")
        table = gen.edges.filter(pa.array(keep))
        with pa.OSFile(str(folder / "edges-1.arrow"), "wb") as sink, \
                pa.ipc.new_file(sink, table.schema) as w:
            w.write_table(table, max_chunksize=max(1, table.num_rows))
        src, kind, dst = gen.src[keep], gen.kind[keep], gen.dst[keep]
        in_rows = np.lexsort((src, kind, dst)).astype(np.int32)
        n = gen.n
        for name, arr in (("out_ptr", np.searchsorted(src, np.arange(n + 1)).astype(np.int64)),
                          ("in_ptr", np.searchsorted(dst[in_rows], np.arange(n + 1))
                           .astype(np.int64)),
                          ("in_rows", in_rows)):
            np.save(folder / f"{name}-1.npy", arr)
        counts = dict(manifest["counts"]["edges"])
        for _, kind_name, _ in removed:
            counts[kind_name] -= 1
        copy = {**manifest, "generation": 1,
                "counts": {**manifest["counts"],
                           "edges": {k: c for k, c in counts.items() if c}}}
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return _opened(folder, copy), removed
