"""Find nodes by what an analyst remembers of them: ranked matches of a text against each
node's name, id and ARN (exact, then prefix, then substring, then a difflib similarity), with
kind and id. :func:`closest` is what :mod:`queries.resolve` prints when a node is unknown.
Reads every node's texts through ``store.node_texts()`` (columns on the embedded store, ``nodes()``
elsewhere) and whole nodes only for the few scored exactly, so both stores give the same
answer. difflib is slow
(13 CPU s for 100k nodes), so rapidfuzz bounds every score from above in one vectorised pass
and difflib runs only where a bound could still make the first ``limit``."""

from __future__ import annotations

import heapq
import re
from difflib import SequenceMatcher

from queries.results import Result

KEYS = ("name", "id", "arn")


_SEPARATORS = re.compile(r"[\s\-_:/.]+")


def _fold(value: str) -> str:
    """Case and separators folded, so ``stripe live`` meets ``cred-stripe-live-copy``."""
    return _SEPARATORS.sub(" ", value.casefold()).strip()


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


#: The separators of :data:`_SEPARATORS` that are not whitespace, as spaces: ``\s`` matches
#: exactly what ``str.isspace`` calls whitespace, so translate + split + join folds alike.
_TO_SPACE = str.maketrans({c: " " for c in "-_:/."})


def _fold_all(values: list[str]) -> list[str]:
    """:func:`_fold` of every value, casefolded and translated in one pass over them joined
    by NUL (not a separator, kept by casefold); twice as fast as the regex on each."""
    if not values:
        return []
    joined = "\x00".join(values).casefold().translate(_TO_SPACE).split("\x00")
    if len(joined) != len(values):  # a value holding NUL itself: one at a time
        return [_fold(v) for v in values]
    return [" ".join(v.split()) for v in joined]


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


def _ranked(store, text: str, kind: str | None, minimum: float,
            limit: int | None = None) -> list[dict]:
    """The nodes scoring at least ``minimum``, best first (the first ``limit``). Exact scores
    are computed (:func:`score`) only for nodes whose :func:`upper_bounds` could still enter
    the first ``limit``, best bound first; the answer is the one scoring every node gives."""
    ids, texts = store.node_texts(kind)
    columns = {"name": texts["name"], "id": ids, "arn": texts["arn"]}
    values: list[str] = []
    owner: list[int] = []
    for k in KEYS:  # comprehensions: a 1M-node store is 3M values
        column = columns[k]
        if k == "id":  # every node has one
            values += column
            owner += range(len(column))
            continue
        keep = [i for i, v in enumerate(column) if v is not None]  # text or None
        values += [column[i] for i in keep]
        owner += keep
    if not values or not _fold(text) or (limit is not None and limit <= 0):
        return []
    import numpy as np

    best = np.zeros(len(ids))
    np.maximum.at(best, np.asarray(owner, dtype=np.int64),
                  upper_bounds(text, _fold_all(values), minimum))
    hits: list[dict] = []
    top: list[float] = []  # the `limit` best scores so far (a min-heap)
    order = np.argsort(-best, kind="stable")
    fetched: dict[str, dict] = {}
    for pos, i in enumerate(order.tolist()):
        bound = float(best[i])
        if bound < minimum or (limit is not None and len(top) >= limit
                               and round(bound, 1) < top[0]):
            break  # no node further down can score enough or enter the first `limit`
        if ids[i] not in fetched:  # whole nodes for the next few candidates, in one read
            fetched.update(store.get_nodes(ids[j] for j in order[pos:pos + 32].tolist()))
        hit = _hit(fetched[ids[i]], text)
        if hit.pop("score_exact") >= minimum:
            hits.append(hit)
            if limit is not None:
                (heapq.heappush if len(top) < limit else heapq.heappushpop)(top, hit["score"])
    hits.sort(key=lambda h: (-h["score"], h["name"], h["id"]))
    return hits if limit is None else hits[:limit]


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
