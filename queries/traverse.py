"""Breadth-first reachability for analyses: the walks every query uses, over any store.

A thin facade over the store's walk methods (:class:`graph.store.Store`), whose two engines
(in memory for the embedded store, one hop per query for Neo4j) sit side by side in
:mod:`graph.traversal`. Analyses import these names from here; the results are the same on
every store (``tests/test_reach_parity.py``, ``tests/test_parity.py``).

Credentials (secrets and identities) that are revoked, expired or disabled are reached but
not expanded: an attacker who finds a revoked key holds it, but it opens nothing.
"""

from __future__ import annotations

from collections.abc import Iterable

from graph.model import ACCESS_EDGES, TARGET_KINDS
from graph.store import Store
from graph.traversal import CREDENTIAL_KINDS, Reach, is_valid_credential, now_iso

__all__ = ["CREDENTIAL_KINDS", "Reach", "is_valid_credential", "now_iso", "reach",
           "reach_many", "targets_of"]


def reach(
    store: Store,
    sources: Iterable[str],
    direction: str = "out",
    kinds: Iterable[str] = ACCESS_EDGES,
    max_depth: int | None = None,
    as_of: str | None = None,
    check_validity: bool = True,
    keep_edges: bool = True,
) -> Reach:
    """Walk from ``sources`` along ``kinds`` edges, ``out`` (what they reach) or ``in``
    (what reaches them), at most ``max_depth`` hops."""
    return store.reach(sources, direction, kinds, max_depth, as_of, check_validity, keep_edges)


def reach_many(
    store: Store,
    start_sets: Iterable[Iterable[str]],
    direction: str = "out",
    kinds: Iterable[str] = ACCESS_EDGES,
    as_of: str | None = None,
) -> tuple[dict[tuple[str, ...], set[str]], dict[str, dict]]:
    """What each of many start sets reaches, and every node met.

    The same sets :func:`reach` gives (``set(reach(store, s, ...).dist)`` for each ``s``,
    keyed by the sorted tuple of ``s``). On Neo4j it is one joint walk: the store expands
    the union of every set's frontier once per hop, two queries per hop for all the sets
    together instead of two per hop per set."""
    return store.reach_many(start_sets, direction, kinds, as_of)


def targets_of(store: Store, start_sets: list[list[str]], as_of: str | None = None,
               ) -> dict[tuple[str, ...], list[str]]:
    """The target nodes (``TARGET_KINDS``) each start set reaches, keyed by its sorted
    tuple."""
    return store.reach_many_kinds(start_sets, TARGET_KINDS, as_of)
