"""Fuzzy node search: what an analyst half-remembers (a name, an id, an ARN, with typos or
only a part of it) ranked against every node's ``id``, ``name`` and ``arn``. Only those three
labels are compared, never other properties, so no secret value can match or be shown. The
explorer's sidebar search and the ``search`` command both call :func:`search`; exact matches
rank first (100), then prefixes (95), then rapidfuzz's weighted ratio; ties break by id so
both stores give the same rows.
"""

from __future__ import annotations

from rapidfuzz import fuzz, utils

FIELDS = ("id", "name", "arn")
MIN_SCORE = 60.0


def _score(query: str, node: dict) -> float:
    best = 0.0
    for key in FIELDS:
        value = node.get(key)
        if not isinstance(value, str) or not value:
            continue
        label = value.casefold()
        if label == query:
            return 100.0
        if label.startswith(query):
            best = max(best, 95.0)
            continue
        best = max(best, fuzz.WRatio(query, label, processor=utils.default_process))
    return best


def search(store, text: str, kind: str | None = None,
           limit: int = 10) -> list[tuple[float, str, str, str]]:
    """Up to ``limit`` nodes best matching ``text`` as ``(score, id, name, kind)`` rows, best
    first (score 0-100, one decimal; below 60 is left out). ``kind`` keeps one node kind
    (``Workflow``, ``Secret``...); an empty ``text`` gives no rows."""
    query = (text or "").strip().casefold()
    if not query or limit <= 0:
        return []
    rows = []
    for node in store.nodes(kind):
        score = round(_score(query, node), 1)
        if score >= MIN_SCORE:
            rows.append((score, node["id"], str(node.get("name") or node["id"]), node["kind"]))
    rows.sort(key=lambda r: (-r[0], r[1]))
    return rows[:limit]
