"""Find nodes by what an analyst remembers of them: ranked matches of a text against each
node's name, id and ARN (exact, then prefix, then substring, then a difflib similarity), with
kind and id. :func:`closest` is what :mod:`queries.resolve` prints when a node is unknown.
Reads every node's texts folded, from a :class:`graph.textindex.TextIndex` (kept per
generation by the embedded store, built from ``store.node_texts()`` elsewhere), and whole
nodes only for the few scored exactly, so both stores give the same answer. difflib is slow
(13 CPU s for 100k nodes), so every score is bounded from above first: from the index's
distinct skeletons for every value at once, then by rapidfuzz for the best-bounded nodes, and
difflib runs only where a bound could still make the first ``limit``."""

from __future__ import annotations

import heapq
from difflib import SequenceMatcher

from graph import textindex
from queries.results import Result

KEYS = ("name", "id", "arn")


_SEPARATORS = textindex._SEPARATORS
_fold = textindex.fold
_fold_all = textindex.fold_all


def score(text: str, value: str) -> float:
    """How well ``value`` matches ``text`` (case and separators folded), 0 to 100."""
    t, v = _fold(text), _fold(value)
    if not t or not v:
        return 0.0
    if t == v:
        return 100.0
    if v.startswith(t):
        return 90.0 + 9.0 * len(t) / len(v)
    if t in v:
        return 75.0 + 14.0 * len(t) / len(v)
    # a misspelt word ("invoce") is compared with each run of as many words of the value
    n, words = len(t.split()), v.split()
    pieces = {v} | {" ".join(words[i:i + n]) for i in range(max(1, len(words) - n + 1))}
    best = max(SequenceMatcher(None, t, p, autojunk=False).ratio() for p in pieces)
    return round(70.0 * best, 2)


def upper_bounds(text: str, folded: list[str], cutoff: float = 0.0):
    """For each folded value, a number no smaller than ``score(text, value)``: the exact score
    where ``text`` is the value, a prefix or a substring (cheap), otherwise 70 times the best
    Indel similarity (rapidfuzz's ``fuzz.ratio``) of ``text`` against the value and its runs of
    words. difflib's ratio is ``2*M/T`` with ``M`` the characters of its matching blocks, a
    common subsequence, so it never exceeds the Indel similarity ``2*LCS/T``; the 0.01 added
    covers :func:`score` rounding to two decimals. Runs of words are only built for values
    whose coarser bound reaches ``cutoff``: with ``L`` the longest common subsequence of the
    text and the whole value, no run scores above ``70*2L/(len(text)+L)``."""
    import numpy as np
    from rapidfuzz import fuzz, process
    from rapidfuzz.distance import LCSseq

    t = _fold(text)
    bound = np.zeros(len(folded))
    inside = [i for i, v in enumerate(folded) if t in v]
    for i in inside:
        v = folded[i]
        bound[i] = 100.0 if t == v else 90.0 + 9.0 * len(t) / len(v) \
            if v.startswith(t) else 75.0 + 14.0 * len(t) / len(v)
    mask = np.fromiter((bool(v) for v in folded), bool, len(folded))
    mask[inside] = False
    rest = np.flatnonzero(mask)
    if not len(rest):
        return bound
    lcs = process.cdist([t], [folded[i] for i in rest.tolist()], scorer=LCSseq.similarity,
                        dtype=np.int64)[0]
    coarse = 140.0 * lcs / (len(t) + lcs) + 0.01
    bound[rest] = coarse
    n = len(t.split())
    pieces: list[str] = []
    owner: list[int] = []
    for i in rest[coarse >= cutoff].tolist():
        v = folded[i]
        pieces.append(v)
        owner.append(i)
        words = v.split()
        for j in range(len(words) - n + 1) if len(words) > n else ():
            pieces.append(" ".join(words[j:j + n]))
            owner.append(i)
    if pieces:
        ratio = process.cdist([t], pieces, scorer=fuzz.ratio, dtype=np.float64)[0]
        fine = np.zeros(len(folded))
        np.maximum.at(fine, np.asarray(owner, dtype=np.int64), 0.7 * ratio + 0.01)
        hit = np.unique(np.asarray(owner, dtype=np.int64))
        bound[hit] = np.minimum(bound[hit], fine[hit])
    return bound


def _index(store, kind: str | None):
    """``(index, nodes)``: the store's :class:`graph.textindex.TextIndex` (kept per generation
    by the embedded store; built here from ``node_texts`` elsewhere) and a boolean mask of the
    nodes of ``kind`` in it (None: every node)."""
    own = getattr(store, "text_index", None)
    if own is not None:
        return own(kind)
    ids, texts = store.node_texts(kind)
    return textindex.TextIndex.build(ids, texts), None


def _ranked(store, text: str, kind: str | None, minimum: float,
            limit: int | None = None) -> list[dict]:
    """The nodes scoring at least ``minimum``, best first (the first ``limit``).

    Every node gets a cheap upper bound on its score at once (:func:`_first_bounds`); the
    nodes are then taken best bound first, in growing batches, and given the tighter
    :func:`upper_bounds`; a node is scored exactly (:func:`score`, on the whole node) only
    when its tight bound is at least every bound not yet tightened. The walk stops once no
    bound left can reach ``minimum`` or, with ``limit`` scores found, the ``limit``-th best of
    them (rounded, as the rows show it): every node not scored then scores less than the
    rows kept, so the answer is the one scoring every node gives, whatever the bounds."""
    import numpy as np

    t = _fold(text)
    if not t or (limit is not None and limit <= 0):
        return []
    index, wanted = _index(store, kind)
    if not index.size:
        return []
    best = _first_bounds(index, t, minimum)
    if wanted is not None:
        best[~wanted] = 0.0
    cand = np.flatnonzero(best >= minimum)
    order = cand[np.argsort(-best[cand], kind="stable")]

    top: list[float] = []  # the `limit` best scores so far (a min-heap)

    def out(bound: float) -> bool:  # can no node bounded by `bound` make the answer?
        return bound < minimum or (limit is not None and len(top) >= limit
                                   and round(bound, 1) < top[0])

    hits: list[dict] = []
    heap: list[tuple[float, int]] = []  # (-tight bound, node number)
    pos, batch = 0, 64
    while True:
        ahead = float(best[order[pos]]) if pos < len(order) else -1.0
        if pos < len(order) and out(ahead):
            pos, ahead = len(order), -1.0
        if heap and -heap[0][0] >= ahead:
            # up to 32 nodes at least as promising as any bound not yet tightened, read
            # whole in one call, then scored best bound first
            taken: list[tuple[float, int]] = []
            while heap and len(taken) < 32 and -heap[0][0] >= ahead:
                bound, i = heapq.heappop(heap)
                taken.append((-bound, i))
            ids = index.ids_of([i for _, i in taken])
            nodes = store.get_nodes(ids)
            for (bound, _), nid in zip(taken, ids, strict=True):
                if out(bound):  # so is every bound after it, and all in the heap
                    heap.clear()
                    break
                hit = _hit(nodes[nid], text)
                if hit.pop("score_exact") >= minimum:
                    hits.append(hit)
                    if limit is not None:
                        (heapq.heappush if len(top) < limit else heapq.heappushpop)(
                            top, hit["score"])
            continue
        if pos >= len(order):
            break
        rows = order[pos:pos + batch]
        pos += len(rows)
        batch = min(batch * 4, 1 << 16)
        cutoff = minimum if limit is None or len(top) < limit else max(minimum, top[0] - 0.05)
        for i, bound in zip(rows.tolist(), _tight_bounds(index, text, rows, cutoff),
                            strict=True):
            if not out(bound):
                heapq.heappush(heap, (-bound, i))
    hits.sort(key=lambda h: (-h["score"], h["name"], h["id"]))
    return hits if limit is None else hits[:limit]


def _first_bounds(index, t: str, cutoff: float):
    """Each node's first upper bound: the best over its values of the exact score where
    ``t`` is in the value, otherwise of the bound :func:`upper_bounds` would give, from the
    distinct skeletons (:mod:`graph.textindex`) instead of each value. With ``L`` the bound
    on the value's longest common subsequence with ``t`` (its skeleton's plus ``d``, the
    fewer of the two's digits), no piece scores above ``70*2L/(len(t)+L)``; the whole value
    not above ``70*2L/(len(t)+len(value))``; a run of words not above ``70*2(L'+d)/(len(t)+l)``
    with ``L'`` the LCS of ``t`` with the run's skeleton and ``l`` the skeleton run's length
    plus one for each word that was all digits (each held at least one)."""
    import numpy as np

    lt, nd = len(t), index.digits_in(t)
    per = index.skeleton_lcs(t)
    # The coarse bound depends only on (skeleton, fewer digits): computed once per pair
    # (the same float64 operations on the same integers) and gathered, not per value.
    table_lcs = per[:, None] + np.arange(nd + 1)
    table = (140.0 * table_lcs / (lt + table_lcs) + 0.01).ravel()
    if nd:
        pair = index.skeleton * np.int64(nd + 1) + np.minimum(index.digits, nd)
        bound = table[pair]  # every piece (the coarse bound)
    else:
        bound = table[index.skeleton]
    near = np.flatnonzero(bound >= cutoff)  # the others cannot score enough anyway
    if len(near):
        runs = _run_bounds(index, t, per, cutoff)
        d = np.minimum(index.digits[near], nd)
        lcs_near = per[index.skeleton[near]] + d
        whole = 140.0 * lcs_near / (lt + index.length[near])
        bound[near] = np.minimum(bound[near], np.maximum(whole, runs[index.skeleton[near], d])
                                 + 0.01)
    size = index.length
    bound[size == 0] = 0.0  # an empty value scores nothing
    rows, at = index.containing(t)
    if len(rows):
        m = size[rows].astype(np.float64)
        bound[rows] = np.where(at == 0, np.where(m == lt, 100.0, 90.0 + 9.0 * lt / m),
                               75.0 + 14.0 * lt / m)
    return index.per_node(bound)


def _run_bounds(index, t: str, per, cutoff: float):
    """``runs[k, e]``: a bound on ``70 * ratio`` of ``t`` against any run of as many words
    as ``t`` has in a value of skeleton ``k`` whose digits could add ``e`` to a common
    subsequence (-1 where there is no run, or where no value of the skeleton reaches
    ``cutoff`` at all)."""
    import numpy as np
    from rapidfuzz import process
    from rapidfuzz.distance import LCSseq

    lt, nd, n = len(t), index.digits_in(t), len(t.split())
    runs = np.full((len(per), nd + 1), -1.0)
    reach = 140.0 * (per + nd) / (lt + per + nd) + 0.01
    pieces: list[str] = []
    owner: list[int] = []
    extra: list[int] = []
    for k in np.flatnonzero(reach >= cutoff).tolist():
        words = index.skeletons[k].split(" ")
        for j in range(len(words) - n + 1) if len(words) > n else ():
            run = words[j:j + n]
            pieces.append(" ".join(run))
            owner.append(k)
            extra.append(run.count(""))  # a word that was all digits: one or more
    if pieces:
        got = process.cdist([t], pieces, scorer=LCSseq.similarity, dtype=np.int64)[0]
        low = np.fromiter(map(len, pieces), np.int64, len(pieces)) + np.asarray(extra)
        at = np.asarray(owner, dtype=np.int64)
        for e in range(nd + 1):
            np.maximum.at(runs[:, e], at, 140.0 * (got + e) / (lt + low))
    return runs


def _tight_bounds(index, text: str, nodes, cutoff: float) -> list[float]:
    """:func:`upper_bounds` of these nodes' values, the best per node."""
    values = index.rows_of(nodes)
    bound = upper_bounds(text, index.values(values), cutoff)
    return index.best_of(nodes, values, bound).tolist()


def _hit(node: dict, text: str) -> dict:
    best, key = 0.0, ""
    for k in KEYS:
        value = node.get(k)
        if isinstance(value, str):
            s = score(text, value)
            if s > best:
                best, key = s, k
    return {"id": node["id"], "kind": node.get("kind", ""), "name": node.get("name") or "",
            "score": round(best, 1), "matched": key, "score_exact": best}


def search(store, text: str, kind: str | None = None, limit: int = 20) -> Result:
    """The nodes best matching ``text``, best first (ties by name, then id)."""
    text = (text or "").strip()
    hits = _ranked(store, text, kind, 40.0, limit) if text else []
    return Result(rows=hits, rows_key="matches", header={"query": text, "kind": kind},
                  summary={"matches": len(hits)},
                  columns=("name", "kind", "id", "score", "matched"))


def closest(store, text: str, limit: int = 5) -> list[dict]:
    """The few nodes closest to ``text``, for a 'did you mean' line."""
    return _ranked(store, text, None, 40.0, limit)


def ranked(store, text: str, kind: str | None = None,
           limit: int = 10) -> list[tuple[float, str, str, str]]:
    """The same ranking as :func:`search` as ``(score, id, name, kind)`` rows, for the
    explorer's sidebar search box (a node without a name shows its id)."""
    text = (text or "").strip()
    if not text or limit <= 0:
        return []
    return [(h["score"], h["id"], h["name"] or h["id"], h["kind"])
            for h in _ranked(store, text, kind, 40.0, limit)]
