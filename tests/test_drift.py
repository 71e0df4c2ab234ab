"""Snapshots and drift on a hand-built pair of graphs whose changes are worked out by hand.

BEFORE: wf-a (prod) -> conn-a -> key-a -> role-a -read-> db (crown jewel); wf-b (dev) ->
conn-b -> key-b -> role-b (no grant). AFTER, two planted changes: conn-b also
authenticates with key-a (wf-b now shares key-a with wf-a: prod and dev mixed) and role-b
gets admin on db. So AFTER gains paths to db from conn-b, key-b, role-b and wf-b (all admin:
role-b's grant), and nothing is lost; key-a (and role-a behind it) grow from one
workflow to two, mixing prod and dev.
"""

from __future__ import annotations

import gzip
import json

import pytest

from graph.embedded import EmbeddedStore
from graph.memory import MemoryStore
from graph.snapshot import Shelf, open_snapshot, write_snapshot
from queries.drift import diff, failing
from tests.graphs import load

AS_OF = "2026-06-01T00:00:00Z"
NODES = [
    ("wf-a", "Workflow", {"name": "billing", "environment": "prod", "status": "active"}),
    ("wf-b", "Workflow", {"name": "scratch", "environment": "dev", "status": "active"}),
    ("conn-a", "Connector", {"name": "billing db"}),
    ("conn-b", "Connector", {"name": "scratch db"}),
    ("key-a", "Secret", {"name": "billing key", "status": "active", "fingerprint": "fp-a"}),
    ("key-b", "Secret", {"name": "scratch key", "status": "active", "fingerprint": "fp-b"}),
    ("role-a", "Identity", {"name": "billing-role", "identity_type": "role"}),
    ("role-b", "Identity", {"name": "scratch-role", "identity_type": "role"}),
    ("db", "Resource", {"name": "payments", "crown_jewel": True}),
]
BASE_EDGES = [
    ("wf-a", "USES", "conn-a"), ("conn-a", "AUTHENTICATES_WITH", "key-a"),
    ("key-a", "AUTHENTICATES_AS", "role-a"),
    ("role-a", "CAN_ACCESS", "db", {"access": "read", "grant": "ReadDb"}),
    ("wf-b", "USES", "conn-b"), ("conn-b", "AUTHENTICATES_WITH", "key-b"),
    ("key-b", "AUTHENTICATES_AS", "role-b"),
]
PLANTED = [("conn-b", "AUTHENTICATES_WITH", "key-a"),
           ("role-b", "CAN_ACCESS", "db", {"access": "admin", "grant": "DbAdmin"})]
BEFORE = (NODES, BASE_EDGES)
AFTER = (NODES, BASE_EDGES + PLANTED)


def _changes(result, change):
    return [(r["subject"], r["target"]) for r in result.rows if r["change"] == change]


def check_pair(before, after):
    r = diff(before, after, as_of=AS_OF)
    gained = [(r_["subject"], r_["target"], r_["access"], r_["path"]) for r_ in r.rows
              if r_["change"] == "jewel-path-gained"]
    assert gained == [
        ("conn-b", "db", "admin", ["conn-b", "key-b", "role-b", "db"]),
        ("key-b", "db", "admin", ["key-b", "role-b", "db"]),
        ("role-b", "db", "admin", ["role-b", "db"]),
        ("wf-b", "db", "admin", ["wf-b", "conn-b", "key-b", "role-b", "db"]),
    ]
    assert _changes(r, "jewel-path-lost") == []
    assert _changes(r, "edge-added") == [("conn-b", "key-a"), ("role-b", "db")]
    assert _changes(r, "edge-removed") == [] and _changes(r, "node-added") == []
    # key-a and the role it logs in as are now each held by both workflows
    assert _changes(r, "shared-member-added") == [("wf-a", "key-a"), ("wf-b", "key-a"),
                                                  ("wf-a", "role-a"), ("wf-b", "role-a")]
    assert _changes(r, "env-mixing-added") == [("key-a", None), ("role-a", None)]
    grew = {x["subject"]: (x["grew"], x["crown_jewels_grew"]) for x in r.rows
            if x["change"] == "blast-radius-grew"}
    # wf-b reached conn-b, key-b, role-b; now also key-a, role-a and db: +3 and one jewel.
    assert grew["wf-b"] == (3, 1) and grew["conn-b"] == (3, 1) and grew["role-b"] == (1, 1)
    assert "wf-a" not in grew
    opened = sorted((x["rule"], tuple(x["nodes"])) for x in r.rows
                    if x["change"] == "finding-opened")
    assert opened == [("admin-grant", ("role-b", "db")), ("no-owner", ("key-b",)),
                      ("no-owner", ("role-b",)), ("no-owner", ("wf-b",)),
                      ("shared-credential", ("key-a", "role-a", "wf-a", "wf-b"))]
    assert not [x for x in r.rows if x["change"] == "finding-closed"]
    # the scratch side had no path to anything before, so no orphan; now three
    assert _changes(r, "orphan-appeared") == [("key-b", None), ("role-b", None),
                                              ("wf-b", None)]
    # and backwards: every gain is a loss
    back = diff(after, before, as_of=AS_OF)
    assert [(x[0], x[1]) for x in gained] == _changes(back, "jewel-path-lost")
    assert {x["subject"] for x in back.rows if x["change"] == "finding-closed"} == \
        {x["subject"] for x in r.rows if x["change"] == "finding-opened"}
    assert failing(r.rows, "new-crown-jewel-path") and not failing(back.rows,
                                                                   "new-crown-jewel-path")
    return r


def test_diff_hand_built_pair(tmp_path):
    before = load(EmbeddedStore(tmp_path / "a"), BEFORE)
    after = load(EmbeddedStore(tmp_path / "b"), AFTER)
    check_pair(before, after)


def test_snapshot_file_round_trip(tmp_path):
    store = load(EmbeddedStore(tmp_path / "s"), AFTER)
    meta = write_snapshot(store, tmp_path / "x.nhisnap.json.gz")
    assert (meta["nodes"], meta["edges"]) == (9, 9)
    snap = open_snapshot(tmp_path / "x.nhisnap.json.gz")
    assert sorted(n["id"] for n in snap.nodes()) == sorted(n["id"] for n in store.nodes())
    assert sorted(e.key for e in snap.edges()) == sorted(e.key for e in store.edges())
    assert snap.get_node("db")["crown_jewel"] is True
    assert diff(snap, store, as_of=AS_OF).rows == []


def test_every_ingest_leaves_a_snapshot_with_retention(tmp_path, monkeypatch):
    from ingest.pipeline import _snapshot

    store = load(EmbeddedStore(tmp_path / "s"), BEFORE)
    monkeypatch.setenv("NHIGRAPH_SNAPSHOT_KEEP", "2")
    monkeypatch.delenv("NHIGRAPH_SNAPSHOTS", raising=False)  # a user may point it elsewhere
    shelf = Shelf(store)
    assert shelf.dir == tmp_path / "s" / "snapshots"
    for i in range(3):
        _snapshot(store, f"run{i}", lambda *a: None)
    shelf.save("q1")
    snaps = shelf.list()
    assert [m["kind"] for m in snaps] == ["auto", "auto", "saved"]
    assert [m["name"].split("-", 1)[1] for m in snaps[:2]] == ["run1", "run2"]
    assert not [p for p in shelf.dir.iterdir() if p.name.endswith(".tmp")]


def test_bad_snapshot_file_is_one_clear_error(tmp_path):
    from graph.errors import InputError

    bad = tmp_path / "bad.nhisnap.json.gz"
    with gzip.open(bad, "wt") as fh:
        json.dump({"format": "other"}, fh)
    with pytest.raises(InputError, match="format"):
        open_snapshot(bad)
    (tmp_path / "junk").write_text("not gzip")
    with pytest.raises(InputError, match="junk"):
        open_snapshot(tmp_path / "junk")


def test_snapshot_holds_no_secret_values(tmp_path):
    store = MemoryStore.from_rows([{"id": "k", "kind": "Secret", "value": "CANARY-x",
                                    "fingerprint": "fp"}], [])
    write_snapshot(store, tmp_path / "k.nhisnap.json.gz")
    text = gzip.open(tmp_path / "k.nhisnap.json.gz", "rt").read()
    assert "CANARY" not in text and "fp" in text


def test_diff_parity_on_neo4j(neo4j_store, tmp_path):
    before = load(EmbeddedStore(tmp_path / "a"), BEFORE)
    load(neo4j_store, AFTER)
    check_pair(before, neo4j_store)
    check_pair(open_snapshot(write_snapshot(before, tmp_path / "a.gz")["file"]),
               open_snapshot(write_snapshot(neo4j_store, tmp_path / "b.gz")["file"]))
