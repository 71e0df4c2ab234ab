"""What the Neo4j store pulls across the wire: edge listings come one id range of source
nodes at a time, and the aggregate reads return only result rows. Counted with the
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


def test_edges_are_paged_by_source_id_ranges(neo4j_store, tmp_path, monkeypatch):
    graphs.load(neo4j_store, graphs.SHARING)
    emb = EmbeddedStore(tmp_path / "emb")
    graphs.load(emb, graphs.SHARING)
    monkeypatch.setattr(cy, "EDGE_PAGE", 2)
    q0, r0 = neo4j_store.queries, neo4j_store.records
    got = sorted(map(_key, neo4j_store.edges()))
    assert got == sorted(map(_key, emb.edges()))
    assert len(got) == 14
    # 14 nodes in ranges of 2: 7 ranges, each one query for its end (one record) and one
    # for its edges, then an eighth end query that finds no node; every edge travels once.
    assert neo4j_store.queries - q0 == 8 + 7
    assert neo4j_store.records - r0 == 8 + 14
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
