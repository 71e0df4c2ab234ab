"""Cross-source stitching: the same credential seen in two places becomes a
``SAME_VALUE_AS`` pair, so a blast radius crosses platforms.

Two secrets are the same credential when they share a keyed ``fingerprint`` or a
non-secret ``access_key_id`` (an AWS key id seen in an n8n credential and in the IAM
credential report). Matches are looked up in the batch itself and in the store through
``find_nodes``, so this works the same on every store and never scans the whole graph.
The edges join the batch and so belong to its source (stale ones go with it).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .records import Batch, Edge

if TYPE_CHECKING:
    from .store import Store

STITCH_KEYS = ("fingerprint", "access_key_id")


def stitch(batch: Batch, store: Store | None = None) -> int:
    """Add ``SAME_VALUE_AS`` edges for secrets in ``batch`` that match each other or a
    secret already in ``store``. Returns how many pairs were added."""
    added = 0
    have = {(e.src, e.dst) for e in batch.edges if e.kind == "SAME_VALUE_AS"}
    secrets = [n for n in batch.nodes if n.kind == "Secret"]
    for key in STITCH_KEYS:
        groups: dict[str, set[str]] = {}
        for n in secrets:
            value = n.props.get(key)
            if isinstance(value, str) and value:
                groups.setdefault(value, set()).add(n.id)
        for value, ids in groups.items():
            if store is not None:
                ids = ids | {m["id"] for m in store.find_nodes(key, value)
                             if m.get("kind") == "Secret"}
            ordered = sorted(ids)
            for i, a in enumerate(ordered):
                for b in ordered[i + 1:]:
                    if (a, b) in have or (b, a) in have:
                        continue
                    have.add((a, b))
                    batch.edges.append(Edge(a, "SAME_VALUE_AS", b,
                                            {"reason": f"same {key.replace('_', ' ')}"}))
                    added += 1
    return added
