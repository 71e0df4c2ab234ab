"""Stats: what the store holds (counts by kind, sources, ingest runs)."""

from __future__ import annotations


def stats(store) -> dict:
    counts = store.counts()
    runs = store.runs()
    return {
        "backend": store.backend,
        "location": store.location,
        "nodes": sum(counts["nodes"].values()),
        "edges": sum(counts["edges"].values()),
        "nodes_by_kind": counts["nodes"],
        "edges_by_kind": counts["edges"],
        "sources": sorted({r["source"] for r in runs}),
        "runs": len(runs),
        "last_run": runs[-1] if runs else None,
    }
