"""Find nodes by what an analyst remembers of them: ranked matches of a text against each
node's name, id and ARN (exact, then prefix, then substring, then a difflib similarity), with
kind and id. :func:`closest` is what :mod:`queries.resolve` prints when a node is unknown.
Reads the store only through ``nodes()``, so both stores give the same answer."""

from __future__ import annotations

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


def _ranked(store, text: str, kind: str | None, minimum: float) -> list[dict]:
    hits = []
    for node in store.nodes(kind):
        best, key = 0.0, ""
        for k in KEYS:
            value = node.get(k)
            if isinstance(value, str):
                s = score(text, value)
                if s > best:
                    best, key = s, k
        if best >= minimum:
            hits.append({"id": node["id"], "kind": node.get("kind", ""),
                         "name": node.get("name") or "", "score": round(best, 1),
                         "matched": key})
    hits.sort(key=lambda h: (-h["score"], h["name"], h["id"]))
    return hits


def search(store, text: str, kind: str | None = None, limit: int = 20) -> Result:
    """The nodes best matching ``text``, best first (ties by name, then id)."""
    text = (text or "").strip()
    hits = _ranked(store, text, kind, 40.0)[:limit] if text else []
    return Result(rows=hits, rows_key="matches", header={"query": text, "kind": kind},
                  summary={"matches": len(hits)},
                  columns=("name", "kind", "id", "score", "matched"))


def closest(store, text: str, limit: int = 5) -> list[dict]:
    """The few nodes closest to ``text``, for a 'did you mean' line."""
    return _ranked(store, text, None, 40.0)[:limit]


def ranked(store, text: str, kind: str | None = None,
           limit: int = 10) -> list[tuple[float, str, str, str]]:
    """The same ranking as :func:`search` as ``(score, id, name, kind)`` rows, for the
    explorer's sidebar search box (a node without a name shows its id)."""
    text = (text or "").strip()
    if not text or limit <= 0:
        return []
    return [(h["score"], h["id"], h["name"] or h["id"], h["kind"])
            for h in _ranked(store, text, kind, 40.0)[:limit]]
