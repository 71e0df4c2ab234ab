"""Baselines for CI: the findings a team has already seen or accepted, so a pipeline fails
only on new ones.

A baseline file is JSON: ``{"format": "nhigraph-baseline", "version": 1, "created_at",
"findings": [{"id", "rule", "severity", "nodes", "detail", "reason"?, "expires"?}]}``,
keyed by the findings' stable ids (a hash of rule and nodes). :func:`make_baseline` writes
one from a findings result (keeping the ``reason``/``expires`` of entries carried over from
an older baseline); :func:`apply_baseline` keeps only findings not in it, plus those whose
accepted risk has expired (``expires`` before the as-of date), marked
``baseline: "expired"`` with the reason that had been given.
"""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from graph.errors import InputError

FORMAT = "nhigraph-baseline"


def load_baseline(path: str | os.PathLike) -> dict[str, dict]:
    """Baseline entries by finding id; one clear error naming the file and key."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError, UnicodeDecodeError) as exc:
        raise InputError(f"not a readable baseline ({type(exc).__name__})", str(path)) from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise InputError(f"not an nhigraph baseline (key 'format' must be {FORMAT!r})",
                         str(path))
    entries = data.get("findings")
    if not isinstance(entries, list):
        raise InputError("key 'findings' must be a list", str(path))
    out = {}
    for i, e in enumerate(entries):
        if not isinstance(e, dict) or not isinstance(e.get("id"), str):
            raise InputError(f"findings[{i}]: each entry needs a text 'id'", str(path))
        exp = e.get("expires")
        if exp is not None:
            from graph.records import normalise_datetime

            e["expires"] = normalise_datetime(exp, f"{path}: findings[{i}].expires")
        out[e["id"]] = e
    return out


def make_baseline(rows: list[dict], previous: dict[str, dict] | None = None) -> dict[str, Any]:
    """The baseline document of these findings."""
    previous = previous or {}
    entries = []
    for f in sorted(rows, key=lambda f: f["id"]):
        e = {"id": f["id"], "rule": f["rule"], "severity": f["severity"],
             "nodes": f["nodes"], "detail": f["detail"]}
        for key in ("reason", "expires"):
            if previous.get(f["id"], {}).get(key):
                e[key] = previous[f["id"]][key]
        entries.append(e)
    return {"format": FORMAT, "version": 1,
            "created_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "findings": entries}


def write_baseline(path: str | os.PathLike, rows: list[dict],
                   previous: dict[str, dict] | None = None) -> int:
    doc = make_baseline(rows, previous)
    Path(path).write_text(json.dumps(doc, indent=1) + "\n", encoding="utf-8")
    return len(doc["findings"])


def apply_baseline(rows: list[dict], baseline: dict[str, dict], as_of: str) -> list[dict]:
    """Findings not in ``baseline``, and those whose acceptance expired before ``as_of``."""
    out = []
    for f in rows:
        e = baseline.get(f["id"])
        if e is None:
            out.append({**f, "baseline": "new"})
        elif e.get("expires") and e["expires"] < as_of:
            out.append({**f, "baseline": "expired",
                        "accepted_reason": e.get("reason"), "accepted_until": e["expires"]})
    return out
