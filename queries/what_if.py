"""What if: apply revocations, rotations, splits, grant removals, retirements and MFA
requirements to an in-memory copy of the graph (never to the store) and say what changes
and what breaks.

The delta is :func:`queries.drift.compare` between the copy before and after the plan
(:mod:`queries.plan`): crown-jewel paths lost and gained, blast radii, shared clusters,
orphans, findings and total risk. **What would break** is every remaining workflow that
loses access to a resource or system it reaches today (a retired workflow is meant to
lose everything, so it is not listed), and, for ``--add-mfa``, every caller whose way in
was cut (a principal that can no longer assume the role, a key that can no longer act as
the user, an actor or credential that can no longer trigger the workflow).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from graph.memory import MemoryStore
from graph.model import ACCESS_EDGES
from graph.store import Store

from . import plan as edits
from .drift import delta_result
from .posture_pair import postures
from .results import Result
from .traverse import now_iso, targets_of


@dataclass
class Plan:
    revoke: list[str] = field(default_factory=list)
    rotate: list[str] = field(default_factory=list)
    split: list[str] = field(default_factory=list)
    remove_grant: list[str] = field(default_factory=list)
    retire: list[str] = field(default_factory=list)
    #: exact edges to remove, (src, kind, dst) (what :mod:`queries.cut` proposes)
    remove_edges: list[tuple[str, str, str]] = field(default_factory=list)
    #: ways in (AWS role, IAM user, workflow) that are to require MFA
    add_mfa: list[str] = field(default_factory=list)

    def is_empty(self) -> bool:
        return not any((self.revoke, self.rotate, self.split, self.remove_grant, self.retire,
                        self.remove_edges, self.add_mfa))


def apply(copy: MemoryStore, plan: Plan, as_of: str) -> list[dict]:
    """Apply ``plan`` to ``copy`` in place; returns one line per change made."""
    done: list[dict[str, Any]] = []
    for name in plan.revoke:
        done.append({"change": "revoke", "node": edits.revoke(copy, name)})
    for name in plan.rotate:
        done.append({"change": "rotate", "node": edits.rotate(copy, name, as_of)})
    for name in plan.split:
        copies = edits.split(copy, name)
        done.append({"change": "split", "node": name, "copies": copies})
    for text in plan.remove_grant:
        for src, kind, dst in edits.parse_edge(copy, text):
            copy.remove_edge(src, kind, dst)
            done.append({"change": "remove-grant", "edge": [src, kind, dst]})
    for src, kind, dst in plan.remove_edges:
        if copy.remove_edge(src, kind, dst):
            done.append({"change": "remove-edge", "edge": [src, kind, dst]})
    for name in plan.add_mfa:
        done.append(edits.add_mfa(copy, name))
    for name in plan.retire:
        done.append({"change": "retire", "node": edits.retire(copy, name)})
    return done


def would_break(before: Store, after: Store, as_of: str,
                retired: set[str] = frozenset(),  # type: ignore[assignment]
                removed_from: Iterable[str] | None = None) -> list[dict]:
    """Workflows (still there after) that lose a resource or system they reach before.

    ``removed_from``: when ``after`` is ``before`` less some edges and nothing else (a
    cut's plan), the sources of those edges. A workflow's walk can only change where it
    meets one of them, so only the workflows that can reach one (a backward walk that
    ignores validity: a superset) are walked on both sides; every other workflow reaches
    the same targets after as before and loses nothing."""
    ids, _ = before.node_texts("Workflow")
    candidates = sorted(w for w in ids if w not in retired)
    if removed_from is not None:
        starts = sorted(set(removed_from))
        near = before.reached(starts, "in", ACCESS_EDGES, check_validity=False) | set(starts)
        candidates = [w for w in candidates if w in near]
    present = set(after.node_texts()[0]) if candidates else set()  # every id, no props
    workflows = [w for w in candidates if w in present]
    old = targets_of(before, [[w] for w in workflows], as_of)
    new = targets_of(after, [[w] for w in workflows], as_of)
    rows = []
    for w in workflows:
        lost = sorted(set(old[(w,)]) - set(new[(w,)]))
        for t in lost:
            rows.append({"change": "would-break", "severity": "high", "subject": w,
                         "target": t, "detail": f"loses access to {t}", "path": []})
    return rows


def what_if(store: Store, plan: Plan, as_of: str | None = None, unknown_as: str = "write",
            base: MemoryStore | None = None) -> Result:
    """The delta and the breakage of ``plan`` on a copy of ``store``.

    Examples
    --------
    >>> from tests.graphs import chain_store
    >>> r = what_if(chain_store(), Plan(revoke=["key"]), as_of="2026-01-01T00:00:00Z")
    >>> r.summary["would_break"], [x["target"] for x in r.rows if x["change"] == "would-break"]
    (1, ['acct', 'bucket'])
    """
    as_of = as_of or now_iso()
    quick = _edges_only(store, plan, base)
    if quick is not None:  # a cut's plan: both sides walk the columnar arrays
        after, removed = quick
        done = [{"change": "remove-edge", "edge": list(k)} for k in removed]
        return _delta(store, store, after, done, as_of, unknown_as,
                      removed_from=[k[0] for k in removed])
    copy = base or MemoryStore.copy_of(store)
    after = MemoryStore(copy.graph.copy(), f"what-if on {store.location}", copy.runs())
    done = apply(after, plan, as_of)
    # on the embedded store "before" is the store itself (the copy holds the same graph):
    # read through its columnar walks, not the copy's NetworkX dicts (Neo4j: the copy,
    # one read of the graph instead of a query per step)
    before = base or (store if store.backend == "embedded" else copy)
    return _delta(store, before, after, done, as_of, unknown_as)


def _edges_only(store: Store, plan: Plan, base: MemoryStore | None):
    """``(after, removed)`` for a plan that only removes exact edges (what a cut
    proposes) on the embedded store: the store's generation less those edges, mapped like
    the store itself (:func:`graph.columnar_copy.without_edges`); else None."""
    if base is not None or store.backend != "embedded" or not plan.remove_edges or any(
            (plan.revoke, plan.rotate, plan.split, plan.remove_grant, plan.retire,
             plan.add_mfa)):
        return None
    from graph.columnar_copy import without_edges

    return without_edges(store, plan.remove_edges)


def _delta(store: Store, before: Store, after: Store, done: list[dict], as_of: str,
           unknown_as: str, removed_from: list[str] | None = None) -> Result:
    """``removed_from``: the sources of the removed edges when the plan removed edges
    only (see :func:`would_break`)."""
    retired = {d["node"] for d in done if d["change"] == "retire"}
    a, b, breaks = postures(before, after, as_of, unknown_as,
                            meanwhile=lambda: would_break(before, after, as_of, retired,
                                                          removed_from))
    assert breaks is not None
    result = delta_result(a, b, {"store": store.location, "as_of": as_of, "plan": done},
                          unknown_as)
    seen = {(b["subject"], b["target"]) for b in breaks}
    if isinstance(after, MemoryStore):  # only a copy in memory has add-mfa changes
        breaks += [b for b in edits.mfa_breaks(after, done) if (b["subject"], b["target"])
                   not in seen]
    result.rows = breaks + result.rows
    result.summary["would_break"] = len({b["subject"] for b in breaks})
    result.summary["changes"] = len(result.rows)
    return result
