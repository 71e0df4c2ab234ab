"""Cross-source stitching: the same credential seen in two places is joined by
``SAME_VALUE_AS``, so a blast radius crosses platforms.

Two secrets are the same credential when they share a keyed ``fingerprint`` or a
non-secret ``access_key_id`` (an AWS key id seen in an n8n credential and in the IAM
credential report). Matches are looked up in the batch itself and in the store through
``find_nodes``, so this works the same on every store and never scans the whole graph.

A same-value set is a **star**, never all pairs: the batch's copies of one value are
each joined to one centre (the copy that stops working last, see
:func:`_centre_rank`, then the smallest id), and the centre to every stored
copy outside the batch. ``SAME_VALUE_AS`` is symmetric (the stores write it both ways),
so every walk still reaches every copy (a copy is one hop from the centre, two from
another copy) and each hop says why ("same fingerprint"); an ingest adds at most one edge
per copy it can see, so 1,000 copies of one value are 999 edges, not 499,500. The edges
join the batch and so belong to its source: stale ones go with it, and re-ingesting the
same batch against the same store gives the same edges. Linking the centre to every
stored copy (not one) keeps the set connected whichever source later drops a copy.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .model import INVALID_CREDENTIAL_STATUSES
from .records import Batch, Edge

if TYPE_CHECKING:
    from .store import Store

STITCH_KEYS = ("fingerprint", "access_key_id")


def _centre_rank(props: dict) -> tuple:
    """Order in which copies are preferred as the centre: one that works and never
    expires, else the one that expires last, else any; the smallest id breaks ties.
    A revoked or expired copy is reached but not expanded by the walks, so the centre
    must be the copy that stops working last: when it no longer works no copy does, and
    no walk needed to cross it."""
    dead = props.get("status") in INVALID_CREDENTIAL_STATUSES
    expires = props.get("expires_at") or ""
    return (dead, bool(expires), "".join(chr(0x10FFFF - ord(c)) for c in expires))


def stitch(batch: Batch, store: Store | None = None) -> int:
    """Add ``SAME_VALUE_AS`` edges joining the secrets in ``batch`` that match each other
    or a secret already in ``store`` (a star per value, see the module docstring).
    Returns how many edges were added."""
    added = 0
    have = {frozenset((e.src, e.dst)) for e in batch.edges if e.kind == "SAME_VALUE_AS"}
    secrets = [n for n in batch.nodes if n.kind == "Secret"]
    by_id = {n.id: n.props for n in secrets}
    for key in STITCH_KEYS:
        groups: dict[str, set[str]] = {}
        for n in secrets:
            value = n.props.get(key)
            if isinstance(value, str) and value:
                groups.setdefault(value, set()).add(n.id)
        reason = {"reason": f"same {key.replace('_', ' ')}"}
        for value, ids in sorted(groups.items()):
            stored: dict[str, dict] = {}
            if store is not None:
                stored = {m["id"]: m for m in store.find_nodes(key, value)
                          if m.get("kind") == "Secret" and m["id"] not in ids}
            centre = min(ids, key=lambda i: (_centre_rank(by_id[i]), i))
            links = [(other, centre) for other in sorted(ids - {centre})]
            links += [(centre, other) for other in sorted(stored)]
            if stored:
                # A stored copy that outlives every copy in the batch is a second hub,
                # so a walk between stored copies never has to cross a dead centre.
                best = min(stored, key=lambda i: (_centre_rank(stored[i]), i))
                if _centre_rank(stored[best]) < _centre_rank(by_id[centre]):
                    links += [(other, best) for other in sorted(ids - {centre})]
            for a, b in links:
                pair = frozenset((a, b))
                if pair in have:
                    continue
                have.add(pair)
                batch.edges.append(Edge(a, "SAME_VALUE_AS", b, dict(reason)))
                added += 1
    return added
