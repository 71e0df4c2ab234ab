"""The embedded store's in-memory walks give exactly what the one-hop-per-query walks
(the Neo4j store's engines, :mod:`graph.traversal`) give, on every hand-built graph, the
sample estate and a generated estate: the same distances, parent edges (so the same
paths), edges seen, nodes and dead credentials, and the same answers from every analysis.

The one-hop engines are forced by wrapping the store in a proxy whose walk methods are the
Neo4j store's, which is how the Neo4j store is walked.
"""

from __future__ import annotations

import pytest

import sample_estate
from graph import traversal
from graph.embedded import EmbeddedStore
from graph.model import ACCESS_EDGES
from graph.neo4j_store import Neo4jStore
from ingest import inventory
from ingest.synthetic_estate import generate
from queries import blast_radius, inbound, orphaned_paths, shared_credentials
from queries.estate import COUNTED, blast_radius_summaries
from queries.traverse import reach, reach_many
from tests.graphs import ALL, fresh


class OneHopOnly:
    """The same store, walked one ``expand``/``get_nodes`` call per hop: ``reach`` and
    ``reach_many`` as the Neo4j store walks, and ``reachable_sets`` by
    :func:`graph.traversal.reachable_sets_by_hops` (the Neo4j store now condenses the
    edges' ends in the client instead, graph/neo4j_columns.py, which the Bolt parity
    tests check; the hop-by-hop engine stays checked here while it exists)."""

    reach = Neo4jStore.reach
    reach_many = Neo4jStore.reach_many

    def reachable_sets(self, kinds, stop):
        return traversal.reachable_sets_by_hops(self, kinds, stop)

    def __init__(self, store):
        self._store = store

    def __getattr__(self, name):
        return getattr(self._store, name)


def _one_hop_engines_differ():
    return all(getattr(EmbeddedStore, m) is not getattr(OneHopOnly, m)
               for m in ("reach", "reach_many", "reachable_sets"))


def _stores(tmp_path_factory):
    out = {name: fresh(spec, tmp_path_factory.mktemp(name)) for name, spec in ALL.items()}
    s = EmbeddedStore(tmp_path_factory.mktemp("sample"))
    out["sample"] = sample_estate.load(s)
    folder = tmp_path_factory.mktemp("gen-csv")
    generate(1500, 3, folder)
    g = EmbeddedStore(tmp_path_factory.mktemp("gen"))
    g.write(inventory.parse(folder), source="gen")
    out["generated"] = g
    return out


@pytest.fixture(scope="module")
def stores(tmp_path_factory):
    return _stores(tmp_path_factory)


def _walk(store, sources, **kw):
    r = reach(store, sources, **kw)
    return r.dist, r.parent, r.edges, r.nodes, r.dead


AS_OF = "2026-01-01T00:00:00Z"


@pytest.mark.parametrize("name", [*ALL, "sample", "generated"])
def test_in_memory_walk_equals_one_hop_walk(stores, name):
    store = stores[name]
    assert _one_hop_engines_differ()
    ids = sorted(store.graph.nodes)
    if name == "generated":
        ids = ids[::7]
    variants = [
        dict(direction="out"),
        dict(direction="in"),
        dict(direction="out", max_depth=2, as_of=AS_OF),
        dict(direction="out", check_validity=False, keep_edges=False),
        dict(direction="in", kinds=("CAN_ACCESS", "CONTAINS"), keep_edges=False),
    ]
    compared = 0
    for kw in variants:
        for nid in ids:
            assert _walk(store, [nid], **kw) == _walk(OneHopOnly(store), [nid], **kw), (nid, kw)
            compared += 1
        many = ids[::3] + ["no-such-node"]
        assert _walk(store, many, **kw) == _walk(OneHopOnly(store), many, **kw)
    assert compared >= 5 * 9


@pytest.mark.parametrize("name", [*ALL, "sample", "generated"])
def test_one_joint_walk_equals_a_walk_per_start_set(stores, name):
    """``reach_many`` (orphans on Neo4j: one walk for every candidate at once) reaches, for
    each start set, exactly the nodes a walk of its own reaches."""
    store = stores[name]
    ids = sorted(store.graph.nodes)[:: 1 if name != "generated" else 7]
    sets = [[i] for i in ids] + [ids[::3], ids[1::4] + ["no-such-node"], []]
    for kw in (dict(direction="out"), dict(direction="in", as_of=AS_OF),
               dict(direction="out", kinds=("CAN_ACCESS", "CONTAINS", "CAN_ASSUME"))):
        seen, nodes = reach_many(OneHopOnly(store), sets, **kw)
        assert len(seen) == len({tuple(sorted(set(s))) for s in sets})
        for s in sets:
            assert seen[tuple(sorted(set(s)))] == set(reach(store, s, **kw).dist), (s, kw)
        assert set(nodes) >= {x for v in seen.values() for x in v} - {"no-such-node"}


def test_in_memory_walk_sees_dead_credentials(stores):
    """Not a vacuous comparison: the chain graph has a revoked key reached but not
    expanded, and paths of several hops."""
    store = stores["chain"]
    dist, parent, edges, nodes, dead = _walk(store, ["wf"], kinds=ACCESS_EDGES)
    assert dead == {"old-key"}
    assert dist == {"wf": 0, "conn": 1, "key": 2, "old-key": 2, "deploy-role": 3,
                    "admin-role": 4, "bucket": 4, "acct": 5}
    assert parent["acct"].src == "admin-role"


@pytest.mark.parametrize("name", [*ALL, "sample", "generated"])
def test_analyses_agree_on_both_paths(stores, name):
    store = stores[name]
    slow = OneHopOnly(store)
    assert shared_credentials(store).to_json() == shared_credentials(slow).to_json()
    fast_orphans = orphaned_paths(store, as_of=AS_OF)
    assert fast_orphans.to_json() == orphaned_paths(slow, as_of=AS_OF).to_json()
    if name in ("orphans", "sample", "generated"):
        assert fast_orphans.rows, "nothing compared"
    ids = sorted(store.graph.nodes)[:: 1 if name != "generated" else 25]
    for nid in ids:
        assert blast_radius(store, nid, as_of=AS_OF).to_json() == \
            blast_radius(slow, nid, as_of=AS_OF).to_json()
        assert inbound(store, nid, as_of=AS_OF).to_json() == \
            inbound(slow, nid, as_of=AS_OF).to_json()


@pytest.mark.parametrize("name", [*ALL, "sample", "generated"])
def test_estate_summaries_equal_one_blast_radius_per_node(stores, name):
    """The condensation path gives every node the figures its own blast radius gives."""
    store = stores[name]
    fast = blast_radius_summaries(store, as_of=AS_OF)
    slow = blast_radius_summaries(OneHopOnly(store), as_of=AS_OF)
    assert fast.to_json() == slow.to_json()
    assert len(fast.rows) == sum(1 for n in store.nodes() if n["kind"] != "Owner")
    for row in fast.rows[:: 1 if name != "generated" else 25]:
        s = blast_radius(store, row["id"], as_of=AS_OF).summary
        own = {"reachable": s["reachable"], "crown_jewels": len(s["crown_jewels"]),
               "dead_credentials": len(s["dead_credentials"])}
        own.update({col: s[col] for col in COUNTED.values()})
        assert {k: row[k] for k in own} == own, row["id"]


def test_estate_summaries_on_a_cycle(tmp_path):
    """Roles that assume each other in a ring all reach the whole ring and its grant."""
    spec = ([("a", "Identity"), ("b", "Identity"), ("c", "Identity"),
             ("db", "Resource", {"crown_jewel": True}), ("k", "Secret")],
            [("a", "CAN_ASSUME", "b"), ("b", "CAN_ASSUME", "c"), ("c", "CAN_ASSUME", "a"),
             ("c", "CAN_ACCESS", "db", {"access": "read"}), ("k", "AUTHENTICATES_AS", "a")])
    rows = {r["id"]: (r["reachable"], r["crown_jewels"], r["identities"])
            for r in blast_radius_summaries(fresh(spec, tmp_path), as_of=AS_OF).rows}
    assert rows == {"a": (3, 1, 2), "b": (3, 1, 2), "c": (3, 1, 2), "k": (4, 1, 3),
                    "db": (0, 0, 0)}
