"""The blast figures in columns: the store's column reads and the vectorised figures of
:mod:`queries.blast_levels`, against hand-worked answers and the per-node loop."""

from __future__ import annotations

import numpy as np
import pytest

from graph.memory import MemoryStore
from graph.store import Store
from queries.blast_levels import figures
from queries.blast_summary import BlastSummaries
from tests.graphs import fresh

AS_OF = "2026-06-01T00:00:00Z"

# wf -> conn -> key -> role <-> role2 (an assume-role cycle); wf also holds a revoked
# secret and an expired one, each of which would open r4 (never reached: not expanded).
# role: read on sys, admin on r1, no level given on the vault (stored "unknown"), "unknown"
# on r6; role2 write on r5.
# sys CONTAINS r1 CONTAINS r2 (the crown jewel) CONTAINS r3; sys CONTAINS r6.
BLAST = (
    [
        ("wf", "Workflow", {"name": "wf"}),
        ("conn", "Connector"),
        ("key", "Secret", {"status": "active"}),
        ("dead", "Secret", {"status": "revoked"}),
        ("exp", "Secret", {"expires_at": "2020-01-01T00:00:00Z"}),
        ("role", "Identity"), ("role2", "Identity"),
        ("sys", "System"), ("vault", "Vault"),
        ("r1", "Resource"), ("r2", "Resource", {"crown_jewel": True}), ("r3", "Resource"),
        ("r4", "Resource"), ("r5", "Resource"), ("r6", "Resource"),
    ],
    [
        ("wf", "USES", "conn"), ("conn", "AUTHENTICATES_WITH", "key"),
        ("key", "AUTHENTICATES_AS", "role"),
        ("wf", "REFERENCES", "dead"), ("wf", "REFERENCES", "exp"),
        ("dead", "CAN_ACCESS", "r4", {"access": "admin"}),
        ("exp", "CAN_ACCESS", "r4", {"access": "admin"}),
        ("role", "CAN_ASSUME", "role2"), ("role2", "CAN_ASSUME", "role"),
        ("role", "CAN_ACCESS", "sys", {"access": "read"}),
        ("role", "CAN_ACCESS", "r1", {"access": "admin"}),
        ("role", "CAN_ACCESS", "vault"),
        ("role", "CAN_ACCESS", "r6", {"access": "unknown"}),
        ("role2", "CAN_ACCESS", "r5", {"access": "write"}),
        ("sys", "CONTAINS", "r1"), ("r1", "CONTAINS", "r2"), ("r2", "CONTAINS", "r3"),
        ("sys", "CONTAINS", "r6"),
    ],
)


@pytest.fixture(scope="module")
def store():
    return fresh(BLAST)


# Worked by hand. wf reaches conn, key, role, role2, dead, exp, sys, r1, r2, r3, vault,
# r5, r6 (13). Levels: sys read; r1 admin (its grant beats sys's read), r2 and r3 admin
# (inherited); vault unknown; r5 write; r6 its own "unknown" against sys's inherited
# read: unknown ranks above read unless unknown counts as read. Weights read 1, write 2,
# admin 3, the crown jewel x3: write -> 1+3+9+3+2+2+2, admin -> 1+3+9+3+3+2+3,
# read -> 1+3+9+3+1+2+1 (r6 read).
BLAST_OF = {"write": 22.0, "admin": 24.0, "read": 20.0}


@pytest.mark.parametrize("unknown_as", ["write", "admin", "read"])
def test_hand_worked_figures(store, unknown_as):
    bs = BlastSummaries(store, AS_OF, unknown_as)
    blast = BLAST_OF[unknown_as]
    assert bs.summary("wf") == {"blast": blast, "crown_jewels": ["r2"], "admin_targets": 3,
                                "reachable": 13}
    assert bs.summary("key") == {"blast": blast, "crown_jewels": ["r2"], "admin_targets": 3,
                                 "reachable": 9}
    # On the cycle: role reaches itself, which is not counted.
    assert bs.summary("role")["reachable"] == 8
    assert bs.summary("role")["blast"] == blast
    assert bs.summary("dead") == {"blast": 0.0, "crown_jewels": [], "admin_targets": 0,
                                  "reachable": 0}
    assert bs.summary("exp")["reachable"] == 0
    # A target: admin over what it contains (the loop's answer, not the batch's).
    assert bs.summary("sys") == {"blast": 3.0 + 9.0 + 3.0 + 3.0, "crown_jewels": ["r2"],
                                 "admin_targets": 4, "reachable": 4}
    assert bs.summary("nowhere")["reachable"] == 0


@pytest.mark.parametrize("unknown_as", ["write", "admin", "read"])
def test_the_batch_is_the_loop(store, unknown_as, monkeypatch):
    from graph import smallgraph
    from graph.condensation import Closure

    # the condensation's closure, which a store this small would not build (smallgraph)
    monkeypatch.setattr(smallgraph, "SMALL_CLOSURE", 0)
    store.generation().last_reachable_sets = None
    bs = BlastSummaries(store, AS_OF, unknown_as)
    store.generation().last_reachable_sets = None
    assert isinstance(bs.reach, Closure)
    nodes = np.flatnonzero(~bs.target)
    got = figures(bs, nodes)
    assert got == {v: bs._compute(v) for v in nodes.tolist()}


def test_the_memory_store_gives_the_same_figures(store):
    memory = MemoryStore(store.to_networkx())  # the protocol's default column reads
    a, b = BlastSummaries(store, AS_OF), BlastSummaries(memory, AS_OF)
    for nid in [n for n, *_ in BLAST[0]]:
        assert a.summary(nid) == b.summary(nid), nid


# Texts that mention a key without having it, braces and quotes inside texts, nested
# lists: the column reads must give what decoding every node gives.
TRICKY = (
    [
        ("a", "Resource", {"name": 'x, "crown_jewel": true', "crown_jewel": False}),
        ("b", "Resource", {"description": '{"crown_jewel": true}', "name": "b"}),
        ("c", "Secret", {"name": 'say "status": "revoked"', "status": "active",
                         "tags": ["status", '"status": "revoked"']}),
        ("d", "Secret", {"status": "revoked", "description": "a } and a {"}),
        ("e", "Identity", {"expires_at": "2020-01-01T00:00:00Z", "name": "é ü \\ \""}),
        ("f", "Resource", {"crown_jewel": True, "tags": ["a", "b"]}),
        ("g", "Workflow", {"status": "revoked", "name": "status"}),
        ("h", "System"),
    ],
    [
        ("c", "CAN_ACCESS", "a", {"access": "read", "reason": 'x, "access": "admin"'}),
        ("d", "CAN_ACCESS", "b", {"grant": '{"access": "admin"}', "access": "write"}),
        ("e", "CAN_ACCESS", "f", {"actions": ["access", "s3:*"]}),
        ("e", "CAN_ACCESS", "h", {"reason": '"access": "admin"'}),
        ("h", "CONTAINS", "f"),
    ],
)


def test_column_reads_are_the_decoded_nodes():
    store = fresh(TRICKY)
    keys = ["crown_jewel", "status", "expires_at", "name", "tags", "description"]
    assert store.node_columns(keys) == Store.node_columns(store, keys)
    kinds = {"Secret", "Identity"}
    assert store.node_columns(keys, kinds) == Store.node_columns(store, keys, kinds)
    ids, kinds_of, values = store.node_columns(["crown_jewel", "status"])
    assert ids == sorted(ids) and kinds_of[ids.index("h")] == "System"
    assert [ids[i] for i, v in enumerate(values["crown_jewel"]) if v] == ["f"]
    assert values["status"][ids.index("c")] == "active"
    for kind in ("CAN_ACCESS", "CONTAINS", "USES"):
        for key in ("access", "reason", "actions", "grant", None):
            mine, default = store.edge_columns(kind, key), Store.edge_columns(store, kind, key)
            assert mine[0].tolist() == default[0].tolist()
            assert mine[1].tolist() == default[1].tolist()
            assert mine[2] == default[2]
    src, dst, access = store.edge_columns("CAN_ACCESS", "access")
    assert sorted(zip((ids[i] for i in src), (ids[i] for i in dst), access, strict=True)) \
        == [("c", "a", "read"), ("d", "b", "write"), ("e", "f", "unknown"),
           ("e", "h", "unknown")]  # validation gives a grant without a level "unknown"


def test_nodes_the_caller_already_read_give_the_same_figures(store):
    from queries.context import Context

    known = Context(store, as_of=AS_OF).by_kind  # Workflow, Connector, Secret, ...
    a, b = BlastSummaries(store, AS_OF), BlastSummaries(store, AS_OF, known=known)
    assert b.stop.tolist() == a.stop.tolist() and b.crown.tolist() == a.crown.tolist()
    for nid in [n for n, *_ in BLAST[0]]:
        assert a.summary(nid) == b.summary(nid), nid
