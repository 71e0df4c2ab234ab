"""The Neo4j store's column reads (graph/neo4j_columns.py) against values worked out by hand
on small graphs, and against the embedded store's answer for the same graph.

CHAIN (tests/graphs.py), ids in sorted order with their numbers:
0 acct (System), 1 admin-role, 2 alice (Owner), 3 bucket (Resource, crown jewel),
4 conn, 5 deploy-role, 6 key (active), 7 old-key (revoked), 8 wf.
"""

from __future__ import annotations

import pytest

from graph.embedded import EmbeddedStore
from graph.model import ACCESS_EDGES
from tests import graphs

IDS = ["acct", "admin-role", "alice", "bucket", "conn", "deploy-role", "key", "old-key", "wf"]
KINDS = ["System", "Identity", "Owner", "Resource", "Connector", "Identity", "Secret", "Secret",
         "Workflow"]

# Grants with list and non-text values, for edges_containing.
GRANTS = (
    [("r1", "Identity", {"name": "r1"}), ("r2", "Identity", {"name": "r2"}),
     ("r3", "Identity", {"name": "r3"}), ("b", "Resource", {"name": "b"})],
    [("r1", "CAN_ACCESS", "b", {"access": "write", "actions": ["iam:PassRole", "s3:*"]}),
     ("r2", "CAN_ACCESS", "b", {"access": "read", "actions": ["s3:GetObject"], "max_age": 7}),
     ("r3", "CAN_ACCESS", "b", {"access": "admin"}),
     ("r1", "CAN_ASSUME", "r2", {"reason": "admin trust"})],
)

# An assume-role cycle: each of i1, i2 reaches itself, the other and r.
CYCLE = (
    [("i1", "Identity", {}), ("i2", "Identity", {}), ("r", "Resource", {}),
     ("s", "Secret", {"status": "revoked"})],
    [("i1", "CAN_ASSUME", "i2"), ("i2", "CAN_ASSUME", "i1"), ("i2", "CAN_ACCESS", "r"),
     ("s", "AUTHENTICATES_AS", "i1")],
)


@pytest.fixture
def chain(neo4j_store, tmp_path):
    graphs.load(neo4j_store, graphs.CHAIN)
    return neo4j_store, graphs.fresh(graphs.CHAIN, tmp_path / "emb")


def _sets(answer) -> dict[str, set[str]]:
    ids, comp, reach = answer
    return {n: {ids[x] for x in reach[comp[i]]} for i, n in enumerate(ids)}


def test_node_columns_by_hand(chain):
    neo, emb = chain
    ids, kinds, values = neo.node_columns(["crown_jewel", "status", "kind"])
    assert ids == IDS
    assert kinds == KINDS
    assert values["crown_jewel"] == [None, None, None, True, None, None, None, None, None]
    assert values["status"] == [None, None, "active", None, None, None, "active", "revoked",
                                "active"]
    assert values["kind"] == KINDS
    ids, kinds, values = neo.node_columns(["status"], ["Secret"])
    assert values["status"] == [None] * 6 + ["active", "revoked", None]
    for keys, of in ((["crown_jewel", "status"], None), (["status", "name"], ["Secret"])):
        assert neo.node_columns(keys, of) == emb.node_columns(keys, of)


def test_node_values_by_hand(chain):
    neo, emb = chain
    defaults = {"status": None, "name": "?", "kind": None, "environment": "unknown",
                "id": None}
    ids, col = neo.node_values(["Secret", "Workflow"], defaults)
    assert ids == ["key", "old-key", "wf"]
    assert col == {"status": ["active", "revoked", "active"],
                   "name": ["deploy key", "old key", "deploy"],
                   "kind": ["Secret", "Secret", "Workflow"],
                   "environment": ["unknown", "unknown", "prod"],
                   "id": ["key", "old-key", "wf"]}
    assert (ids, col) == emb.node_values(["Secret", "Workflow"], defaults)
    assert neo.node_values(["Vault"], {"status": None}) == ([], {"status": []})


def test_node_texts_by_hand(chain):
    neo, emb = chain
    assert neo.node_texts("Identity") == (["admin-role", "deploy-role"],
                                          {"name": ["admin-role", "deploy-role"],
                                           "arn": [None, None]})
    ids, texts = neo.node_texts()
    assert ids == IDS and texts["name"][2] == "Alice"
    assert sorted(zip(ids, texts["name"], texts["arn"], strict=True)) == sorted(
        zip(*([emb.node_texts()[0]] + list(emb.node_texts()[1].values())), strict=True))
    assert neo.node_texts("NoSuchKind") == ([], {"name": [], "arn": []})


def test_edge_columns_by_hand(chain):
    neo, emb = chain
    src, dst, levels = neo.edge_columns("CAN_ACCESS", "access")
    got = sorted(zip(src.tolist(), dst.tolist(), levels, strict=True))
    assert got == [(1, 0, "admin"), (5, 3, "read"), (7, 0, "admin")]
    e_src, e_dst, e_levels = emb.edge_columns("CAN_ACCESS", "access")
    assert got == sorted(zip(e_src.tolist(), e_dst.tolist(), e_levels, strict=True))
    src, dst, none = neo.edge_columns("CONTAINS", None)
    assert (src.tolist(), dst.tolist(), none) == ([0], [3], [None])
    assert [len(x) for x in neo.edge_columns("TARGETS", "x")] == [0, 0, 0]


def test_edges_containing_lists_and_other_values(neo4j_store, tmp_path):
    graphs.load(neo4j_store, GRANTS)
    emb = graphs.fresh(GRANTS, tmp_path / "emb")

    def ends(edges):
        return sorted((e.src, e.kind, e.dst) for e in edges)

    star = list(neo4j_store.edges_containing("CAN_ACCESS", ["*"]))
    assert ends(star) == [("r1", "CAN_ACCESS", "b")]  # a text in a list value
    assert star[0].props == {"access": "write", "actions": ["iam:PassRole", "s3:*"]}
    assert ends(neo4j_store.edges_containing("CAN_ACCESS", ["admin", "*"])) == [
        ("r1", "CAN_ACCESS", "b"), ("r3", "CAN_ACCESS", "b")]
    # CAN_ASSUME's "admin trust" is not a CAN_ACCESS edge; a number is no text
    assert ends(neo4j_store.edges_containing("CAN_ACCESS", ["7"])) == []
    assert ends(neo4j_store.edges_containing("CAN_ACCESS", [])) == []
    # at least every edge the embedded store's (text-superset) answer holds a match in
    for texts in (["*"], ["admin"], ["Get"], ["nothing"]):
        want = [e for e in emb.edges_containing("CAN_ACCESS", texts)
                if any(t in v for v in e.props.values() for t in texts
                       for v in (v if isinstance(v, list) else [v]) if isinstance(v, str))]
        assert ends(neo4j_store.edges_containing("CAN_ACCESS", texts)) == ends(want)


def test_expand_ends_are_expands(chain):
    neo, _ = chain
    for ids, direction, kinds in ((["conn", "wf"], "out", ACCESS_EDGES),
                                  (["acct"], "in", ("CAN_ACCESS",)), (["bucket"], "out", ())):
        assert sorted(neo.expand_ends(ids, direction, kinds)) == sorted(
            (e.src, e.kind, e.dst) for e in neo.expand(ids, direction, kinds))
    assert sorted(neo.expand_ends(["conn"], "out", ACCESS_EDGES)) == [
        ("conn", "AUTHENTICATES_WITH", "key"), ("conn", "AUTHENTICATES_WITH", "old-key")]


def test_reachable_sets_by_hand(chain):
    neo, emb = chain
    below_role = {"admin-role", "bucket", "acct"}
    want = {"wf": {"conn", "key", "old-key", "deploy-role"} | below_role,
            "conn": {"key", "old-key", "deploy-role"} | below_role,
            "key": {"deploy-role"} | below_role, "deploy-role": below_role,
            "admin-role": {"acct", "bucket"}, "acct": {"bucket"}, "bucket": set(),
            "old-key": set(), "alice": set()}
    got = neo.reachable_sets(ACCESS_EDGES, {"old-key"})
    assert got[0] == IDS
    assert _sets(got) == want
    assert _sets(got) == _sets(emb.reachable_sets(ACCESS_EDGES, {"old-key"}))
    assert _sets(neo.reachable_sets(ACCESS_EDGES, set()))["old-key"] == {"acct", "bucket"}


def test_reachable_sets_cycle_and_a_write_between(neo4j_store, tmp_path):
    graphs.load(neo4j_store, CYCLE)
    both = {"i1", "i2", "r"}
    assert _sets(neo4j_store.reachable_sets(ACCESS_EDGES, {"s"})) == {
        "i1": both, "i2": both, "r": set(), "s": set()}
    assert _sets(neo4j_store.reachable_sets(ACCESS_EDGES, set()))["s"] == both
    emb = EmbeddedStore(tmp_path / "emb")
    graphs.load(emb, CYCLE)
    assert _sets(emb.reachable_sets(ACCESS_EDGES, {"s"})) == _sets(
        neo4j_store.reachable_sets(ACCESS_EDGES, {"s"}))
    # the store keeps the id list and the counts between reads; a write must not leave
    # them stale
    counts = {"nodes": {"Identity": 2, "Resource": 1, "Secret": 1},
              "edges": {"AUTHENTICATES_AS": 1, "CAN_ACCESS": 1, "CAN_ASSUME": 2}}
    assert neo4j_store.counts() == counts
    q0 = neo4j_store.queries
    assert neo4j_store.counts() == counts
    assert neo4j_store.queries - q0 == 1  # the graph token only
    graphs.load(neo4j_store, ([("r0", "Resource", {})], [("i1", "CAN_ACCESS", "r0")]),
                source="more")
    got = neo4j_store.reachable_sets(ACCESS_EDGES, {"s"})
    assert got[0] == ["i1", "i2", "r", "r0", "s"]
    assert _sets(got)["i2"] == both | {"r0"}
    assert neo4j_store.node_columns(["name"])[0] == ["i1", "i2", "r", "r0", "s"]
    assert neo4j_store.counts() == {
        "nodes": {"Identity": 2, "Resource": 2, "Secret": 1},
        "edges": {"AUTHENTICATES_AS": 1, "CAN_ACCESS": 2, "CAN_ASSUME": 2}}
