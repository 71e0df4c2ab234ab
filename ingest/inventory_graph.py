"""The files' columns joined into one graph, as ``graph.records.validate`` and
``graph.merge.fresh_rows`` make it of the row path's batch (:mod:`ingest.inventory_columns`):
ids unique, edge ends among the nodes and of an allowed pair of kinds, stitched
``SAME_VALUE_AS`` edges added, duplicate edges merged (later properties win), symmetric
edges written both ways. Whatever the row path would refuse raises ``NotColumnar``."""

from __future__ import annotations

import json
from typing import Any

import numpy as np

from graph.model import EDGE_KINDS, NODE_KINDS
from graph.records import Batch, Edge, Node
from graph.stitch import STITCH_KEYS, stitch
from ingest.inventory_cells import (
    NotColumnar,
    Tables,
    bool_array,
    bools,
    compact,
    const_texts,
    text,
)


def _not_columnar(why: str) -> Exception:
    return NotColumnar(why)


def _ints(arr: Any, dtype: Any) -> np.ndarray:
    if arr.null_count:
        raise _not_columnar("missing")
    return np.frombuffer(arr.buffers()[1], dtype=dtype)[arr.offset:arr.offset + len(arr)]


def _texts(parts: list, key: str) -> Any:
    import pyarrow as pa

    cols = []
    for p in parts:
        c = p.cols[key]
        n = len(p.cols["props"])
        cols.append(const_texts(c, n) if isinstance(c, str) else c)
    return pa.concat_arrays(cols) if cols else pa.nulls(0, pa.string())


def _stitched(nodes: list, esrc: Any, edst: Any, ekind: Any) -> list[Edge]:
    """The ``SAME_VALUE_AS`` edges :func:`graph.stitch.stitch` adds to the batch, worked out
    on the secrets that share a value with another (the others can join nothing)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    parts = [p.stitch for p in nodes if p.stitch is not None]
    if not parts or not any(k in s for s in parts for k in STITCH_KEYS):
        return []
    ids = pa.concat_arrays([s["id"] for s in parts])
    keep = ("status", "expires_at", *STITCH_KEYS)
    cols = {k: pa.concat_arrays([s.get(k, pa.nulls(len(s["id"]), pa.string()))
                                 for s in parts]) for k in keep}
    chosen = np.zeros(len(ids), dtype=bool)
    for key in STITCH_KEYS:
        col = cols[key]
        if col.null_count == len(col):
            continue
        enc = pc.dictionary_encode(col)
        valid = bools(pc.is_valid(enc.indices))
        idx = enc.indices
        codes = np.where(valid, np.frombuffer(idx.buffers()[1], dtype=np.int32)[
            idx.offset:idx.offset + len(idx)], 0)
        counts = np.bincount(codes[valid], minlength=len(enc.dictionary))
        chosen |= valid & (counts[codes] >= 2)
    if not chosen.any():
        return []
    mask = bool_array(chosen)
    rows = {k: v.filter(mask).to_pylist() for k, v in cols.items()}
    batch = Batch()
    for i, nid in enumerate(ids.filter(mask).to_pylist()):
        batch.nodes.append(Node(nid, "Secret", {k: rows[k][i] for k in keep
                                                if rows[k][i] is not None}))
    wanted = set(n.id for n in batch.nodes)
    same = pc.equal(ekind, text("SAME_VALUE_AS"))
    for a, b in zip(esrc.filter(same).to_pylist(), edst.filter(same).to_pylist(), strict=True):
        if a in wanted and b in wanted:
            batch.edges.append(Edge(a, "SAME_VALUE_AS", b))
    before = len(batch.edges)
    stitch(batch, None)
    return batch.edges[before:]


def assemble(nodes: list, edges: list, source: str, files_read: int) -> Any:
    import pyarrow as pa
    import pyarrow.compute as pc

    from graph.columnar import _indices, _strings

    node_names = list(NODE_KINDS)
    edge_names = list(EDGE_KINDS)
    ids = _texts(nodes, "id")
    n = len(ids)
    order = _ints(pc.sort_indices(ids), np.uint64).astype(np.int64)
    rows = _indices(order)
    sorted_ids = ids.take(rows)
    if n > 1 and pc.any(pc.equal(sorted_ids.slice(1), sorted_ids.slice(0, n - 1))).as_py():
        raise _not_columnar("duplicate id")
    node_kind = np.concatenate(
        [np.full(len(p.cols["id"]), node_names.index(p.cols["kind"]), dtype=np.int16)
         for p in nodes] or [np.zeros(0, np.int16)])[order]
    node_counts: dict[str, int] = {}
    for p in nodes:
        if len(p.cols["id"]):
            node_counts[p.cols["kind"]] = node_counts.get(p.cols["kind"], 0) + len(p.cols["id"])
    seen = json.dumps([source])
    table = pa.table({
        "id": compact(sorted_ids),
        "kind": compact(_texts(nodes, "kind").take(rows)),
        "name": compact(_texts(nodes, "name").take(rows)),
        "arn": compact(_texts(nodes, "arn").take(rows)),
        "props": compact(_texts(nodes, "props").take(rows)),
        "seen_by": const_texts(seen, n),
    })
    del rows, order

    esrc, edst, ekind = _texts(edges, "src"), _texts(edges, "dst"), _texts(edges, "kind")
    eprops = _texts(edges, "props")
    extra = _stitched(nodes, esrc, edst, ekind)
    if extra:
        esrc = pa.concat_arrays([esrc, _strings([e.src for e in extra])])
        edst = pa.concat_arrays([edst, _strings([e.dst for e in extra])])
        ekind = pa.concat_arrays([ekind, _strings([e.kind for e in extra])])
        eprops = pa.concat_arrays([eprops, _strings([json.dumps(e.props, sort_keys=True)
                                                     for e in extra])])
    src = _ints(pc.index_in(esrc, value_set=sorted_ids), np.int32)
    dst = _ints(pc.index_in(edst, value_set=sorted_ids), np.int32)
    ek = _ints(pc.index_in(ekind, value_set=_strings(edge_names)), np.int32).astype(np.int16)
    del esrc, edst, ekind
    allowed = np.zeros((len(edge_names), len(node_names), len(node_names)), dtype=bool)
    for i, name in enumerate(edge_names):
        for a, b in EDGE_KINDS[name].allowed:
            allowed[i, node_names.index(a), node_names.index(b)] = True
    if len(ek) and not allowed[ek, node_kind[src], node_kind[dst]].all():
        raise _not_columnar("kind pair")
    src, ek, dst, eprops = _merged(src, ek, dst, eprops)
    src, ek, dst, eprops = _both_ways(src, ek, dst, eprops)
    present = sorted({edge_names[i] for i in np.unique(ek).tolist()})
    renumber = np.zeros(len(edge_names), dtype=np.int16)
    for rank, name in enumerate(present):
        renumber[edge_names.index(name)] = rank
    m = len(src)
    return Tables(nodes=table, node_counts=node_counts,
                  edges=(src, renumber[ek], dst, compact(eprops), const_texts(seen, m)),
                  edge_kinds=present, files_read=files_read)


def _dups(src: np.ndarray, ek: np.ndarray, dst: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The rows in key order (stable: row order within a key) and, per sorted position
    after the first, whether its key equals the one before."""
    order = np.lexsort((dst, ek, src))
    s, k, d = src[order], ek[order], dst[order]
    same = (s[1:] == s[:-1]) & (k[1:] == k[:-1]) & (d[1:] == d[:-1])
    return order, same


def _merged(src: np.ndarray, ek: np.ndarray, dst: np.ndarray, eprops: Any) -> tuple:
    """Edges of one key as one edge: the first row, its properties updated by each later
    row's (``validate``); a symmetric kind's duplicate takes the row path."""
    import pyarrow.compute as pc

    from graph.columnar import _indices, _strings

    if len(src) < 2:
        return src, ek, dst, eprops
    order, same = _dups(src, ek, dst)
    if not same.any():
        return src, ek, dst, eprops
    symmetric = np.array([EDGE_KINDS[k].symmetric for k in EDGE_KINDS])
    if symmetric[ek[order][1:][same]].any():
        raise _not_columnar("symmetric duplicate")
    starts = np.concatenate([[True], ~same])
    group = np.cumsum(starts) - 1
    dup_groups = np.unique(group[1:][same])
    in_dup = np.isin(group, dup_groups)
    rows = order[in_dup]
    groups = group[in_dup]
    texts = eprops.take(_indices(rows)).to_pylist()
    keep = np.ones(len(src), dtype=bool)
    first: dict[int, int] = {}
    merged: dict[int, dict] = {}
    for row, g, one in zip(rows.tolist(), groups.tolist(), texts, strict=True):
        if g in first:
            keep[row] = False
            merged[g].update(json.loads(one))
        else:
            first[g] = row
            merged[g] = json.loads(one)
    heads = sorted((row, g) for g, row in first.items())
    mask = np.zeros(len(src), dtype=bool)
    mask[[row for row, _ in heads]] = True
    eprops = pc.replace_with_mask(eprops, bool_array(mask), _strings(
        [json.dumps(merged[g], sort_keys=True) for _, g in heads]))
    kept = bool_array(keep)
    return src[keep], ek[keep], dst[keep], eprops.filter(kept)


def _both_ways(src: np.ndarray, ek: np.ndarray, dst: np.ndarray, eprops: Any) -> tuple:
    """A symmetric kind's edge also written reversed, with the same properties; a reversed
    edge that is also in the file takes the row path."""
    import pyarrow as pa

    from graph.columnar import _indices

    symmetric = np.array([EDGE_KINDS[k].symmetric for k in EDGE_KINDS])
    back = symmetric[ek] & (src != dst)
    if not back.any():
        return src, ek, dst, eprops
    rows = np.flatnonzero(back)
    src2 = np.concatenate([src, dst[rows]])
    dst2 = np.concatenate([dst, src[rows]])
    ek2 = np.concatenate([ek, ek[rows]])
    _, same = _dups(src2, ek2, dst2)
    if same.any():
        raise _not_columnar("symmetric edge given both ways")
    return src2, ek2, dst2, pa.concat_arrays([eprops, eprops.take(_indices(rows))])
