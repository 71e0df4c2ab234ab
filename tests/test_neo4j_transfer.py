"""What the Neo4j store pulls across the wire: node and edge listings are one streamed
query each (per source label), and the aggregate reads return only result rows. Counted with the
store's own counters (``queries``, ``records``) on hand-built graphs whose answers are
worked out below."""

from __future__ import annotations

import graph.neo4j_cypher as cy
from graph.embedded import EmbeddedStore
from graph.model import EDGE_KINDS
from queries import shared_credentials
from tests import graphs


def _key(e):
    return (e.src, e.kind, e.dst, sorted(e.props.items()))


def test_edges_and_nodes_are_streamed_once(neo4j_store, tmp_path):
    graphs.load(neo4j_store, graphs.SHARING)
    emb = EmbeddedStore(tmp_path / "emb")
    graphs.load(emb, graphs.SHARING)
    q0, r0 = neo4j_store.queries, neo4j_store.records
    got = sorted(map(_key, neo4j_store.edges()))
    assert got == sorted(map(_key, emb.edges()))
    assert len(got) == 14
    # one query over every node's out-edges; every edge travels once, as one record
    assert (neo4j_store.queries - q0, neo4j_store.records - r0) == (1, 14)
    assert [e.src for e in neo4j_store.edges()] == sorted(e.src for e in neo4j_store.edges())
    # AUTHENTICATES_AS leaves only secrets: one query, over Secret nodes
    q0 = neo4j_store.queries
    assert sorted(e.dst for e in neo4j_store.edges("AUTHENTICATES_AS")) == ["admin", "role"]
    assert neo4j_store.queries - q0 == len(cy.edge_sources("AUTHENTICATES_AS")) == 1
    q0, r0 = neo4j_store.queries, neo4j_store.records
    ids = [n["id"] for n in neo4j_store.nodes()]
    assert ids == sorted(ids) == sorted(n["id"] for n in emb.nodes())
    assert (neo4j_store.queries - q0, neo4j_store.records - r0) == (1, len(ids))
    assert [n["id"] for n in neo4j_store.nodes("Workflow")] == ["wf-a", "wf-b", "wf-c"]
    for kind in EDGE_KINDS:
        assert sorted(map(_key, neo4j_store.edges(kind))) == sorted(map(_key, emb.edges(kind)))
    assert [e.dst for e in neo4j_store.edges("AUTHENTICATES_AS")] in (
        ["role", "admin"], ["admin", "role"])


def test_credential_users_returns_only_shared_rows(neo4j_store):
    graphs.load(neo4j_store, graphs.SHARING)
    q0, r0 = neo4j_store.queries, neo4j_store.records
    # s-shared: wf-a and wf-b through their connectors; role only through s-solo (wf-a);
    # admin through s-c (wf-c), not through role's CAN_ASSUME (a chain is not use).
    assert neo4j_store.credential_users(2) == {"s-shared": {"wf-a", "wf-b"}}
    assert (neo4j_store.queries - q0, neo4j_store.records - r0) == (1, 1)
    assert neo4j_store.credential_users(1) == {
        "s-shared": {"wf-a", "wf-b"}, "s-solo": {"wf-a"}, "role": {"wf-a"},
        "s-c": {"wf-c"}, "admin": {"wf-c"}}


def test_shared_credentials_transfers_a_few_records_per_row(neo4j_store):
    graphs.load(neo4j_store, graphs.SHARING)
    r0 = neo4j_store.records
    result = shared_credentials(neo4j_store)
    assert [c["secrets"] for c in result.rows] == [["s-shared"]]
    assert result.rows[0]["workflows"] == ["wf-a", "wf-b"]
    assert result.rows[0]["reaches"] == ["saas"]
    # the shared row, its credential node, the two workflows, their two CONTAINS edges,
    # ws-dev: 7; and the walk from s-shared: its node, CAN_ACCESS, saas, one empty hop.
    assert neo4j_store.records - r0 <= 12


def test_targets_of_many_sets_is_one_sweep_of_their_union(neo4j_store):
    """What many start sets reach is one breadth-first sweep of the union of the sets, one
    record per node met (its neighbours' ids inside), then one condensation in the client;
    a later walk of the same analysis asks only the nodes not met yet."""
    from graph.model import TARGET_KINDS

    graphs.load(neo4j_store, graphs.SHARING)
    q0, r0 = neo4j_store.queries, neo4j_store.records
    got = neo4j_store.reach_many_kinds([["wf-a"], ["wf-b"], ["wf-c"], ["wf-c", "s-shared"]],
                                       TARGET_KINDS)
    # wf-a -> c-a -> s-shared -> saas and wf-a -> s-solo -> role -> admin; wf-b -> c-b ->
    # s-shared -> saas; wf-c -> c-c -> s-c -> admin (an identity, not a target).
    assert got == {("wf-a",): ["saas"], ("wf-b",): ["saas"], ("wf-c",): [],
                   ("s-shared", "wf-c"): ["saas"]}
    # the graph token (1 record), then 4 hops: {3 workflows, s-shared}, {c-a, c-b, c-c,
    # s-solo, saas}, {role, s-c}, {admin}: 12 nodes, one record each.
    assert (neo4j_store.queries - q0, neo4j_store.records - r0) == (5, 13)
    q0, r0 = neo4j_store.queries, neo4j_store.records
    assert neo4j_store.reached(["wf-a"]) == {"wf-a", "c-a", "s-shared", "saas", "s-solo",
                                             "role", "admin"}
    assert (neo4j_store.queries - q0, neo4j_store.records - r0) == (1, 1)  # the token only
    # inbound: CONTAINS is an access edge, so the workspaces of wf-a and wf-b too
    assert neo4j_store.reached(["saas"], "in") == {"saas", "s-shared", "c-a", "c-b", "wf-a",
                                                   "wf-b", "ws-prod", "ws-dev"}
    # a write changes the graph token: the adjacency is read afresh
    graphs.load(neo4j_store, ([("wf-d", "Workflow")], [("wf-d", "USES", "c-c")]),
                source="more")
    q0, r0 = neo4j_store.queries, neo4j_store.records
    assert neo4j_store.reached(["wf-d"]) == {"wf-d", "c-c", "s-c", "admin"}
    assert (neo4j_store.queries - q0, neo4j_store.records - r0) == (5, 5)
