"""First shortest paths of many (source, target) pairs over the columnar store's CSR
arrays, every source walking at once, one vectorised hop per depth.

The walk is the one :func:`queries.joint_paths.first_paths` describes (and gives through
any store): per source, a hop's edges are met in (from, kind, to) order and the first edge
to reach a node is its parent. As node numbers are in id order, that parent is the
smallest-numbered node of the source's frontier with an edge of a wanted kind to the node,
which is what a hop here computes for all (source, node) pairs together: no Python loop
per edge, so tens of thousands of paths through a shared hub cost a few array sorts per
hop instead of one dict update per (edge, source).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

import numpy as np

from .condensation import distinct, edge_rows

if TYPE_CHECKING:
    from .columnar import Generation


def first_paths_csr(gen: Generation, pairs: Iterable[tuple[str, str]], kinds: Iterable[str],
                    invalid: Iterable[str]) -> dict[tuple[str, str], list[str]]:
    """``(src, dst)`` -> the first shortest path (``[src, dst]`` when none), in one joint
    walk of every source. A source is always expanded, an ``invalid`` credential it reaches
    never, and a source stops with the hop that reaches its last wanted target."""
    codes = np.fromiter(gen.kind_codes(kinds), dtype=np.int16)
    pairs = list(pairs)
    invalid = set(invalid)
    # One lookup for the pairs' ids and the invalid ones: each lookup of a few thousand
    # ids scans the whole id column (0.8 s at 1M).
    number = gen.indices({x for p in pairs for x in p} | invalid)
    bad = np.zeros(gen.n, dtype=bool)
    bad[[i for x, i in number.items() if x in invalid]] = True
    out: dict[tuple[str, str], list[str]] = {}
    walked: list[tuple[str, str]] = []
    for src, dst_id in pairs:
        if src == dst_id:
            out[(src, dst_id)] = [src]
        elif src in number and dst_id in number:
            walked.append((src, dst_id))
        else:
            out[(src, dst_id)] = [src, dst_id]
    if not walked:
        return out
    n = np.int64(gen.n)
    # Sources by position s in `starts`; a (source, node) pair is the key s * n + node.
    starts = distinct([number[s] for s, _ in walked])
    s_of = np.searchsorted(starts, [number[s] for s, _ in walked])
    want = distinct(s_of * n + np.asarray([number[d] for _, d in walked], dtype=np.int64))
    missing = np.bincount(want // n, minlength=len(starts))
    seen = np.arange(len(starts), dtype=np.int64) * n + starts  # a source is not its own
    found_keys, found_parents = [], []
    f_src, f_node = np.arange(len(starts), dtype=np.int64), starts.astype(np.int64)
    ptr, kind, dst = gen.out_ptr, gen.kind, gen.dst
    while len(f_src):
        rows = edge_rows(ptr, f_node)
        lens = np.asarray(ptr[f_node + 1], dtype=np.int64) - np.asarray(ptr[f_node],
                                                                         dtype=np.int64)
        c_src, c_here = np.repeat(f_src, lens), np.repeat(f_node, lens)
        keep = np.isin(kind[rows], codes)
        c_src, c_here = c_src[keep], c_here[keep]
        key = c_src * n + dst[rows[keep]].astype(np.int64)
        fresh = ~_member(seen, key)
        key, c_here = key[fresh], c_here[fresh]
        if not len(key):
            break
        order = np.lexsort((c_here, key))  # per new pair, its smallest parent first
        key, c_here = key[order], c_here[order]
        first = np.r_[True, key[1:] != key[:-1]]
        key, c_here = key[first], c_here[first]
        found_keys.append(key)
        found_parents.append(c_here)
        seen = np.sort(np.concatenate((seen, key)), kind="stable")
        hit = _member(want, key)
        missing -= np.bincount(key[hit] // n, minlength=len(starts))
        f_src, f_node = key // n, key % n
        go = (missing[f_src] > 0) & ~bad[f_node]
        f_src, f_node = f_src[go], f_node[go]
    keys = np.concatenate(found_keys) if found_keys else np.zeros(0, dtype=np.int64)
    parents = np.concatenate(found_parents) if found_parents else keys
    order = np.argsort(keys)
    keys, parents = keys[order], parents[order]
    return _chains(gen, walked, s_of, starts, keys, parents, number, out)


def _member(sorted_keys: np.ndarray, keys: np.ndarray) -> np.ndarray:
    """Which of ``keys`` are in ``sorted_keys`` (sorted, distinct): one binary search each."""
    if not len(sorted_keys):
        return np.zeros(len(keys), dtype=bool)
    pos = np.minimum(np.searchsorted(sorted_keys, keys), len(sorted_keys) - 1)
    return sorted_keys[pos] == keys


def _chains(gen: Generation, walked: list[tuple[str, str]], s_of: np.ndarray,
            starts: np.ndarray, keys: np.ndarray, parents: np.ndarray,
            number: dict[str, int], out: dict[tuple[str, str], list[str]],
            ) -> dict[tuple[str, str], list[str]]:
    """Each walked pair's path, followed back from its target through the parents (the
    pairs' chains step back together, one lookup per depth)."""
    n = np.int64(gen.n)
    src = starts[s_of].astype(np.int64)
    at = np.asarray([number[d] for _, d in walked], dtype=np.int64)
    steps = [at]
    live = _member(keys, s_of * n + at)  # reached at all
    reached = live.copy()
    cur = at.copy()
    while live.any():
        pos = np.searchsorted(keys, s_of[live] * n + cur[live])
        cur = cur.copy()
        cur[live] = parents[pos]
        steps.append(np.where(live, cur, -1))
        live &= cur != src
    names: dict[int, str] = {i: s for s, i in number.items()}
    todo = sorted({int(x) for step in steps[1:] for x in step[step >= 0]} - names.keys())
    names.update(zip(todo, gen.ids_of(todo), strict=True))
    table = np.stack(steps, axis=1).tolist() if len(steps) > 1 else None
    for k, (s, d) in enumerate(walked):
        if not reached[k] or table is None:
            out[(s, d)] = [s, d]
            continue
        row = table[k]
        chain = [names[x] for x in row if x >= 0]
        out[(s, d)] = chain[::-1]
    return out


def parent_paths(src: str, dsts: Iterable[str], parent: dict[str, str],
                 out: dict[tuple[str, str], list[str]]) -> None:
    """Into ``out``: each ``(src, dst)``'s path back along ``parent`` (a node's first
    parent of the walk from ``src``): ``[src]`` for itself, and ``[src, dst]`` for a
    ``dst`` the walk did not reach (the convention of every ``first_paths``)."""
    for dst in dsts:
        if dst == src:
            out[(src, dst)] = [src]
        elif dst in parent:
            chain = [dst]
            while chain[-1] != src:
                chain.append(parent[chain[-1]])
            out[(src, dst)] = chain[::-1]
        else:
            out[(src, dst)] = [src, dst]
