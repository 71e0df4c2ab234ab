"""Every analysis on hand-built graphs (tests/graphs.py) with answers worked out by hand."""

from __future__ import annotations

import json

import pytest

from graph.errors import AmbiguousNode, NodeNotFound
from queries import (
    blast_radius,
    inbound,
    orphaned_paths,
    resolve_node,
    shared_credentials,
    shortest_paths,
)
from tests.graphs import CHAIN, ORPHANS, SHARING, batch, fresh


@pytest.fixture(scope="module")
def chain():
    return fresh(CHAIN)


# --- blast radius ------------------------------------------------------------------------

def test_blast_radius_of_workflow_reaches_everything_with_strongest_access(chain):
    r = blast_radius(chain, "wf")
    got = {row["id"]: (row["access"], row["distance"]) for row in r.rows}
    assert got == {
        "conn": ("control", 1),
        "key": ("control", 2),
        "old-key": ("control", 2),  # held, but revoked: it opens nothing
        "deploy-role": ("control", 3),
        "admin-role": ("control", 4),
        # read via deploy-role at 4 hops, admin inherited from the account: admin wins
        "bucket": ("admin", 4),
        "acct": ("admin", 5),
    }
    rows = {row["id"]: row for row in r.rows}
    assert rows["bucket"]["path"] == ["wf", "conn", "key", "deploy-role", "bucket"]
    assert rows["bucket"]["access_path"] == ["wf", "conn", "key", "deploy-role", "admin-role",
                                             "acct", "bucket"]
    assert rows["bucket"]["grant"] == "AdministratorAccess (inherited from aws-prod)"
    assert rows["acct"]["grant"] == "AdministratorAccess"
    assert rows["old-key"]["valid"] is False
    assert r.summary["crown_jewels"] == ["bucket"]
    assert r.summary["dead_credentials"] == ["old-key"]
    assert r.summary["admin_targets"] == 2
    assert r.summary["by_kind"] == {"Connector": 1, "Identity": 2, "Resource": 1, "Secret": 2,
                                    "System": 1}
    # crown jewels first, then other targets, then held nodes nearest first
    assert [row["id"] for row in r.rows] == ["bucket", "acct", "conn", "key", "old-key",
                                             "deploy-role", "admin-role"]


def test_blast_radius_never_follows_metadata_edges(chain):
    # alice OWNS wf: owning is not access, so alice reaches nothing
    assert blast_radius(chain, "alice").rows == []


def test_blast_radius_depth_bound(chain):
    r = blast_radius(chain, "wf", depth=4)
    got = {row["id"]: row["access"] for row in r.rows}
    assert "acct" not in got  # 5 hops away
    assert got["bucket"] == "read"  # the admin grant lies beyond the bound
    assert blast_radius(chain, "wf", depth=0).rows == []


def test_blast_radius_of_secret_and_identity(chain):
    assert {r["id"] for r in blast_radius(chain, "key").rows} == {
        "deploy-role", "admin-role", "bucket", "acct"}
    # a revoked key is a dead end even as the starting point
    assert blast_radius(chain, "old-key").rows == []
    r = blast_radius(chain, "deploy-role")
    assert {row["id"]: row["distance"] for row in r.rows} == {
        "admin-role": 1, "bucket": 1, "acct": 2}


def test_unknown_access_ranks_as_the_analyst_says():
    spec = ([("s", "Secret"), ("i", "Identity"), ("sys", "System")],
            [("s", "CAN_ACCESS", "sys", {"access": "unknown"}),
             ("s", "AUTHENTICATES_AS", "i"),
             ("i", "CAN_ACCESS", "sys", {"access": "write"})])
    store = fresh(spec)
    pick = {r["id"]: r["access"] for r in blast_radius(store, "s").rows}
    assert pick["sys"] == "write"  # tie with unknown-as-write: the known grant wins
    pick = {r["id"]: r["access"] for r in blast_radius(store, "s", unknown_as="admin").rows}
    assert pick["sys"] == "unknown"
    pick = {r["id"]: r["access"] for r in blast_radius(store, "s", unknown_as="read").rows}
    assert pick["sys"] == "write"


def test_expired_credentials_are_dead_ends():
    spec = ([("s", "Secret", {"expires_at": "2025-01-01T00:00:00Z"}), ("sys", "System")],
            [("s", "CAN_ACCESS", "sys", {"access": "admin"})])
    store = fresh(spec)
    assert blast_radius(store, "s", as_of="2026-01-01T00:00:00Z").rows == []
    assert [r["id"] for r in blast_radius(store, "s", as_of="2024-06-01T00:00:00Z").rows] == [
        "sys"]


def test_same_value_as_is_followed_both_ways():
    spec = ([("a", "Secret"), ("b", "Secret"), ("x", "System"), ("y", "System")],
            [("a", "SAME_VALUE_AS", "b"), ("a", "CAN_ACCESS", "x", {"access": "read"}),
             ("b", "CAN_ACCESS", "y", {"access": "write"})])
    store = fresh(spec)
    assert {r["id"] for r in blast_radius(store, "a").rows} == {"b", "x", "y"}
    assert {r["id"] for r in blast_radius(store, "b").rows} == {"a", "x", "y"}


def test_vault_access_exposes_its_secrets():
    spec = ([("i", "Identity"), ("v", "Vault"), ("s", "Secret"), ("db", "System")],
            [("i", "CAN_ACCESS", "v", {"access": "read"}), ("v", "STORES", "s"),
             ("s", "CAN_ACCESS", "db", {"access": "admin"})])
    r = blast_radius(fresh(spec), "i")
    assert {row["id"]: row["access"] for row in r.rows} == {"v": "read", "s": "control",
                                                           "db": "admin"}


# --- inbound -----------------------------------------------------------------------------

def test_inbound_of_crown_jewel(chain):
    r = inbound(chain, "pii")  # by name
    assert r.header["target"] == "bucket"
    got = {row["id"]: (row["access"], row["distance"]) for row in r.rows}
    assert got == {
        "acct": ("admin", 1),
        "deploy-role": ("admin", 1),  # it can assume admin-role
        "admin-role": ("admin", 2),
        "key": ("admin", 2),
        "conn": ("admin", 3),
        "wf": ("admin", 4),
    }  # old-key reaches the account but is revoked: left out
    rows = {row["id"]: row for row in r.rows}
    assert rows["wf"]["path"] == ["wf", "conn", "key", "deploy-role", "bucket"]
    assert r.summary["workflows"] == 1
    assert r.summary["dead_credentials"] == ["old-key"]


def test_inbound_levels_differ_by_source():
    spec = ([("r", "Identity"), ("w", "Identity"), ("wf1", "Workflow"), ("wf2", "Workflow"),
             ("c1", "Connector"), ("c2", "Connector"), ("db", "Resource")],
            [("wf1", "USES", "c1"), ("c1", "AUTHENTICATES_WITH", "r"),
             ("wf2", "USES", "c2"), ("c2", "AUTHENTICATES_WITH", "w"),
             ("r", "CAN_ACCESS", "db", {"access": "read"}),
             ("w", "CAN_ACCESS", "db", {"access": "write"})])
    r = inbound(fresh(spec), "db")
    assert {row["id"]: row["access"] for row in r.rows} == {
        "r": "read", "w": "write", "c1": "read", "c2": "write", "wf1": "read", "wf2": "write"}


def test_inbound_of_secret_lists_workflows_workspaces_and_vaults():
    spec = ([("ws", "Workspace"), ("wf", "Workflow"), ("c", "Connector"), ("v", "Vault"),
             ("s", "Secret")],
            [("ws", "CONTAINS", "wf"), ("wf", "USES", "c"), ("c", "AUTHENTICATES_WITH", "s"),
             ("v", "STORES", "s")])
    r = inbound(fresh(spec), "s")
    assert {row["id"]: (row["access"], row["distance"]) for row in r.rows} == {
        "c": ("control", 1), "v": ("control", 1), "wf": ("control", 2), "ws": ("control", 3)}
    assert r.summary["workspaces"] == 1


# --- path --------------------------------------------------------------------------------

def test_shortest_paths_all_of_minimal_length():
    spec = ([("a", "Identity"), ("b", "Identity"), ("c", "Identity"), ("d", "Identity"),
             ("t", "System")],
            [("a", "CAN_ASSUME", "b", {"reason": "trust b"}), ("a", "CAN_ASSUME", "c"),
             ("b", "CAN_ACCESS", "t", {"access": "read", "reason": "b reads t"}),
             ("c", "CAN_ACCESS", "t", {"access": "admin"}),
             ("a", "CAN_ASSUME", "d"), ("d", "CAN_ASSUME", "b")])
    r = shortest_paths(fresh(spec), "a", "t")
    assert [p["path"] for p in r.rows] == [["a", "b", "t"], ["a", "c", "t"]]
    assert r.rows[0]["hops"] == [
        {"from": "a", "kind": "CAN_ASSUME", "to": "b", "access": None, "reason": "trust b"},
        {"from": "b", "kind": "CAN_ACCESS", "to": "t", "access": "read", "reason": "b reads t"},
    ]
    assert r.summary == {"paths": 2, "length": 2}
    assert len(shortest_paths(fresh(spec), "a", "t", limit=1).rows) == 1


def test_no_path_and_no_path_through_revoked_key(chain):
    assert shortest_paths(chain, "bucket", "wf").rows == []  # edges are directed
    assert shortest_paths(chain, "conn", "acct").rows[0]["path"] == [
        "conn", "key", "deploy-role", "admin-role", "acct"]  # not via the revoked old-key


# --- shared credentials ------------------------------------------------------------------

def test_shared_credentials_cluster_and_mixing():
    r = shared_credentials(fresh(SHARING))
    assert len(r.rows) == 1
    c = r.rows[0]
    assert c["secrets"] == ["s-shared"]
    assert c["identities"] == []  # "admin" is reached via a role chain: not shared use
    assert c["workflows"] == ["wf-a", "wf-b"]
    assert c["workspaces"] == ["ws-dev", "ws-prod"]
    assert c["environments"] == ["dev", "prod"]  # wf-b inherits dev from its workspace
    assert c["mixed_environments"] is True
    assert c["mixing_credentials"] == ["s-shared"]
    assert c["reaches"] == ["saas"]
    assert r.summary["clusters"] == 1
    assert shared_credentials(fresh(SHARING), min_workflows=3).rows == []


def test_clusters_are_connected_components_and_identities_count():
    # w1,w2 share s1; w2,w3 share s2 -> one cluster of three; w4,w5 use keys of one identity
    spec = ([*[(f"w{i}", "Workflow", {"environment": "prod"}) for i in range(1, 6)],
             ("s1", "Secret"), ("s2", "Secret"), ("k4", "Secret"), ("k5", "Secret"),
             ("user", "Identity")],
            [("w1", "REFERENCES", "s1"), ("w2", "REFERENCES", "s1"), ("w2", "REFERENCES", "s2"),
             ("w3", "EMBEDS", "s2"), ("w4", "REFERENCES", "k4"), ("w5", "REFERENCES", "k5"),
             ("k4", "AUTHENTICATES_AS", "user"), ("k5", "AUTHENTICATES_AS", "user")])
    r = shared_credentials(fresh(spec))
    got = sorted((c["workflows"], c["secrets"], c["identities"]) for c in r.rows)
    assert got == [(["w1", "w2", "w3"], ["s1", "s2"], []), (["w4", "w5"], [], ["user"])]
    assert all(c["mixed_environments"] is False for c in r.rows)


# --- orphans -----------------------------------------------------------------------------

def test_orphans_each_reason_once():
    r = orphaned_paths(fresh(ORPHANS))
    got = sorted((o["node"], o["reason"]) for o in r.rows)
    assert got == [
        ("s-lost", "no_owner"),
        ("s-old", "unused_but_valid"),
        ("s-retired", "unused_but_valid"),
        ("wf-clone", "cloned_inherited"),
        ("wf-gone", "departed_owner"),
        ("wf-lost", "no_owner"),
        ("wf-retired", "retired_but_valid"),
    ]
    rows = {(o["node"], o["reason"]): o for o in r.rows}
    assert rows[("wf-gone", "departed_owner")]["owner"] == ["gone"]
    assert rows[("wf-retired", "retired_but_valid")]["reaches"] == ["app"]
    assert rows[("s-old", "unused_but_valid")]["owner"] == ["team"]  # inherited from ws
    assert r.summary["by_reason"] == {"no_owner": 2, "departed_owner": 1,
                                      "retired_but_valid": 1, "unused_but_valid": 2,
                                      "cloned_inherited": 1}


def test_orphans_that_open_nothing_are_not_access_paths():
    spec = ([("wf", "Workflow", {"status": "retired"}), ("s", "Secret")],
            [("wf", "REFERENCES", "s")])
    assert orphaned_paths(fresh(spec)).rows == []


def test_embedded_secret_inherits_the_owner_of_its_workflow():
    spec = ([("o", "Owner"), ("ws", "Workspace"), ("wf", "Workflow"), ("c", "Connector"),
             ("s", "Secret", {"store": "embedded"}), ("x", "System")],
            [("o", "OWNS", "ws"), ("ws", "CONTAINS", "wf"), ("wf", "USES", "c"),
             ("c", "EMBEDS", "s"), ("s", "CAN_ACCESS", "x", {"access": "write"})])
    assert orphaned_paths(fresh(spec)).rows == []


# --- results and resolution --------------------------------------------------------------

def test_results_convert_to_frame_and_json(chain):
    r = blast_radius(chain, "wf")
    frame = r.to_frame()
    assert list(frame.columns)[:4] == ["id", "kind", "name", "access"]
    assert len(frame) == 7
    assert frame.loc[frame["id"] == "bucket", "path"].item() == \
        "wf -> conn -> key -> deploy-role -> bucket"
    assert r.to_frame(readable=True).loc[0, "path"] == \
        "deploy -> deploy job -> deploy key -> deploy-role -> pii"
    doc = json.loads(r.to_json())
    assert set(doc) == {"source", "source_kind", "source_name", "depth", "reachable", "summary"}


def test_resolve_by_id_name_case_insensitive_and_errors():
    spec = ([("role:1", "Identity", {"name": "Deploy", "arn": "arn:aws:iam::1:role/Deploy"}),
             ("x", "Secret", {"name": "dup"}), ("y", "Secret", {"name": "dup"})], [])
    store = fresh(spec)
    assert resolve_node(store, "role:1") == "role:1"
    assert resolve_node(store, "Deploy") == "role:1"
    assert resolve_node(store, "deploy") == "role:1"
    assert resolve_node(store, "arn:aws:iam::1:role/Deploy") == "role:1"
    with pytest.raises(AmbiguousNode, match="names 2 nodes"):
        resolve_node(store, "dup")
    with pytest.raises(NodeNotFound, match="no node with id or name 'nope'"):
        resolve_node(store, "nope")


def test_batch_helper_round_trip():
    b = batch([("a", "Secret", {"name": "A"})], [])
    assert b.nodes[0].props == {"name": "A"}
