"""What-if and cuts on hand-built graphs whose answers are worked out by hand.

The graph is AFTER of tests/test_drift.py: wf-a (prod) -> conn-a -> key-a -> role-a -read->
db; wf-b (dev) -> conn-b -> key-b -> role-b -admin-> db, and conn-b also uses key-a.
"""

from __future__ import annotations

from graph.embedded import EmbeddedStore
from queries.cut import cut
from queries.what_if import Plan, what_if
from tests.graphs import fresh, load
from tests.test_drift import AFTER, AS_OF, NODES


def _store(tmp_path, spec=AFTER):
    return load(EmbeddedStore(tmp_path / "s"), spec)


def _of(r, change):
    return [(x["subject"], x["target"]) for x in r.rows if x["change"] == change]


def _state(store):
    return sorted(n["id"] for n in store.nodes()), sorted(e.key for e in store.edges())


def check_what_if(store):
    before = _state(store)
    # revoking key-a: wf-a loses db (wf-b keeps it through key-b)
    r = what_if(store, Plan(revoke=["key-a"]), as_of=AS_OF)
    assert _of(r, "would-break") == [("wf-a", "db")]
    assert r.summary["would_break"] == 1
    assert _of(r, "jewel-path-lost") == [("conn-a", "db"), ("key-a", "db"), ("wf-a", "db")]
    # revoking key-b: nothing breaks, but wf-b and conn-b drop from admin to read
    r = what_if(store, Plan(revoke=["key-b"]), as_of=AS_OF)
    assert _of(r, "would-break") == []
    assert _of(r, "jewel-access-weaker") == [("conn-b", "db"), ("wf-b", "db")]
    assert _of(r, "jewel-path-lost") == [("key-b", "db")]
    # splitting key-a: each workflow gets its own key, nothing breaks, key-a's sharing ends
    r = what_if(store, Plan(split=["key-a"]), as_of=AS_OF)
    assert _of(r, "would-break") == []
    assert ("key-a#split:wf-a", "db") in _of(r, "jewel-path-gained")
    assert ("key-a#split:wf-b", "db") in _of(r, "jewel-path-gained")
    assert _of(r, "shared-member-removed") == [("wf-a", "key-a"), ("wf-b", "key-a")]
    assert _of(r, "env-mixing-removed") == [("key-a", None)]
    closed = {x["rule"] for x in r.rows if x["change"] == "finding-closed"}
    assert "shared-credential" in closed  # re-opened for role-a alone, still shared
    # removing role-b's grant: wf-b keeps db (read, through key-a); key-b and role-b lose it
    r = what_if(store, Plan(remove_grant=["role-b->db"]), as_of=AS_OF)
    assert _of(r, "would-break") == []
    assert _of(r, "jewel-path-lost") == [("key-b", "db"), ("role-b", "db")]
    # retiring wf-b: it is meant to lose everything, so nothing "breaks"
    r = what_if(store, Plan(retire=["wf-b"]), as_of=AS_OF)
    assert _of(r, "would-break") == [] and ("wf-b", "db") in _of(r, "jewel-path-lost")
    assert _state(store) == before  # never written


def test_what_if(tmp_path):
    check_what_if(_store(tmp_path))


def test_rotate_kills_copies_of_the_old_value(tmp_path):
    spec = (NODES + [("copy", "Secret", {"name": "pasted copy", "status": "active"}),
                     ("wf-c", "Workflow", {"name": "copycat", "status": "active"})],
            AFTER[1] + [("copy", "SAME_VALUE_AS", "key-a"), ("wf-c", "REFERENCES", "copy")])
    store = _store(tmp_path, spec)
    r = what_if(store, Plan(rotate=["key-a"]), as_of=AS_OF)
    assert _of(r, "would-break") == [("wf-c", "db")]  # its copy of the old value dies
    assert ("copy", "key-a") in [(x["subject"], x["target"]) for x in r.rows
                                 if x["change"] == "edge-removed"]


# wf -> conn -> s -AUTHENTICATES_AS-> r, and r holds grants on three crown jewels: cutting
# the one credential binding (cost 2) is cheaper than the three grants (3), the connector's
# credential (3) or the workflow's connector (5).
FAN = ([("wf", "Workflow", {"name": "wf", "status": "active"}), ("conn", "Connector", {}),
        ("s", "Secret", {"status": "active"}), ("r", "Identity", {}),
        *[(f"db{i}", "Resource", {"crown_jewel": True}) for i in (1, 2, 3)]],
       [("wf", "USES", "conn"), ("conn", "AUTHENTICATES_WITH", "s"),
        ("s", "AUTHENTICATES_AS", "r"),
        *[("r", "CAN_ACCESS", f"db{i}", {"access": "read"}) for i in (1, 2, 3)]])


def check_cuts(chain, fan, pair):
    r = cut(chain, "wf", "bucket", as_of=AS_OF)
    # two ways in (the read grant, and admin on the account containing it): both grants
    assert [(x["src"], x["kind"], x["dst"]) for x in r.rows] == [
        ("admin-role", "CAN_ACCESS", "acct"), ("deploy-role", "CAN_ACCESS", "bucket")]
    assert r.summary["cost"] == 2
    r = cut(fan, "wf", as_of=AS_OF)
    assert [(x["src"], x["kind"], x["dst"]) for x in r.rows] == [("s", "AUTHENTICATES_AS", "r")]
    assert r.rows[0]["closes"] == ["db1", "db2", "db3"]
    assert r.summary["cost"] == 2 and r.summary["would_break"] == 0  # only wf, as meant
    breaks = [b["target"] for b in r.header["delta"]["changes"] if b["change"] == "would-break"]
    assert breaks == ["db1", "db2", "db3"]
    # wf-b reaches db two ways (role-b's admin, and key-a's role-a read): both grants, 2
    r = cut(pair, "wf-b", "db", as_of=AS_OF)
    assert [(x["src"], x["dst"]) for x in r.rows] == [("role-a", "db"), ("role-b", "db")]
    assert [(b["subject"], b["target"]) for b in r.header["would_break"]] == [("wf-a", "db")]
    assert r.summary["would_break"] == 1  # wf-a loses db with role-a's grant


def test_cuts_are_minimal(tmp_path):
    from tests.graphs import CHAIN

    check_cuts(fresh(CHAIN, tmp_path / "c"), fresh(FAN, tmp_path / "f"),
               fresh(AFTER, tmp_path / "p"))


def test_parity_on_neo4j(neo4j_store, tmp_path):
    from graph.memory import MemoryStore
    from tests.graphs import CHAIN

    load(neo4j_store, AFTER)
    check_what_if(neo4j_store)
    emb = _store(tmp_path)
    assert what_if(neo4j_store, Plan(split=["key-a"]), as_of=AS_OF).rows == \
        what_if(emb, Plan(split=["key-a"]), as_of=AS_OF).rows
    assert cut(neo4j_store, "wf-b", "db", as_of=AS_OF).rows == \
        cut(emb, "wf-b", "db", as_of=AS_OF).rows
    check_cuts(MemoryStore.copy_of(fresh(CHAIN, tmp_path / "c")),
               MemoryStore.copy_of(fresh(FAN, tmp_path / "f")), neo4j_store)


def test_cli_what_if_and_cut(tmp_path):
    import json

    from click.testing import CliRunner

    from cli import cli

    store = str(tmp_path / "s")
    load(EmbeddedStore(store), AFTER)
    r = CliRunner().invoke(cli, ["what-if", "--revoke", "billing key", "--store", store,
                                 "--format", "json", "--as-of", AS_OF])
    assert r.exit_code == 0, r.output
    out = json.loads(r.output)
    assert [(c["subject"], c["target"]) for c in out["changes"]
            if c["change"] == "would-break"] == [("wf-a", "db")]
    r = CliRunner().invoke(cli, ["cut", "wf-b", "--to", "db", "--store", store])
    assert r.exit_code == 0 and "would break: wf-a loses access to db" in r.output
    r = CliRunner().invoke(cli, ["cut", "wf-b", "--to", "db", "--no-delta", "--store", store,
                                 "--format", "json"])
    assert r.exit_code == 0 and [(c["src"], c["dst"]) for c in json.loads(r.output)["cut"]] \
        == [("role-a", "db"), ("role-b", "db")]
    r = CliRunner().invoke(cli, ["what-if", "--store", store])
    assert r.exit_code == 2 and "at least one of" in r.output
    r = CliRunner().invoke(cli, ["what-if", "--remove-grant", "db->wf-a", "--store", store])
    assert r.exit_code == 2 and "no access edge" in r.output


def test_edge_removals_on_the_columns_equal_a_copy_in_memory(tmp_path):
    """A plan of exact edge removals (a cut's) on the embedded store walks the store's own
    generation less those edges (graph.columnar_copy.without_edges), not a NetworkX copy:
    the same result as the copy in memory, row for row; one direction of a symmetric edge
    goes, an edge that is not there is not "done", and the store is never written."""
    import gc
    from pathlib import Path

    from graph.columnar_copy import without_edges
    from graph.memory import MemoryStore

    store = _store(tmp_path, (NODES, AFTER[1] + [("key-a", "SAME_VALUE_AS", "key-b")]))
    before = _state(store)
    plan = Plan(remove_edges=[("role-b", "CAN_ACCESS", "db"),
                              ("conn-b", "AUTHENTICATES_WITH", "key-a"),
                              ("nope", "USES", "conn-a"), ("wf-a", "USES", "conn-b")])
    fast = what_if(store, plan, as_of=AS_OF)
    slow = what_if(store, plan, as_of=AS_OF, base=MemoryStore.copy_of(store))
    assert (fast.rows, fast.summary, fast.header) == (slow.rows, slow.summary, slow.header)
    # by hand: wf-b reached db by role-b's admin grant and by key-a's role-a; both ways
    # are cut, but key-b's copy of key-a (key-b -SAME_VALUE_AS-> key-a stays) still leads
    # to role-a's read grant: nothing breaks, wf-b drops from admin to read
    assert _of(fast, "would-break") == []
    assert ("wf-b", "db") in _of(fast, "jewel-access-weaker")
    assert _of(fast, "jewel-path-lost") == [("role-b", "db")]
    assert [d["edge"] for d in fast.header["plan"]] == [
        ["role-b", "CAN_ACCESS", "db"], ["conn-b", "AUTHENTICATES_WITH", "key-a"]]
    after, removed = without_edges(store, [("key-a", "SAME_VALUE_AS", "key-b"),
                                           ("key-a", "SAME_VALUE_AS", "key-b")])
    assert removed == [("key-a", "SAME_VALUE_AS", "key-b")]  # once: the second finds none
    assert [e.key for e in after.edges("SAME_VALUE_AS")] == [("key-b", "SAME_VALUE_AS", "key-a")]
    assert [e.key for e in after.expand(["key-b"], "in", ["SAME_VALUE_AS"])] == []
    assert after.counts()["edges"]["SAME_VALUE_AS"] == 1
    assert after.counts()["nodes"] == store.counts()["nodes"]
    assert sorted(e.key for e in after.edges()) == sorted(
        k for k in before[1] if k != ("key-a", "SAME_VALUE_AS", "key-b"))
    folder = Path(after.location)
    assert folder.exists() and _state(store) == before
    del after
    gc.collect()
    assert not folder.exists()  # the temporary folder goes with the store


def test_would_break_walks_only_what_reaches_a_removed_edge(tmp_path, monkeypatch):
    """``removed_from`` (a plan of edge removals only) walks only the workflows that can
    reach a removed edge's source, and gives the rows of the walk of every workflow: by
    hand on AFTER, then on the sample estate with random removals (property style)."""
    import random

    import sample_estate
    from graph.columnar_copy import without_edges
    from graph.memory import MemoryStore
    from queries import what_if as wi

    store = _store(tmp_path)
    walked: list = []
    targets_of = wi.targets_of

    def spy(s, starts, as_of):
        walked.append(sorted(w for (w,) in map(tuple, starts)))
        return targets_of(s, starts, as_of)

    monkeypatch.setattr(wi, "targets_of", spy)
    after, removed = without_edges(store, [("role-a", "CAN_ACCESS", "db")])
    # by hand: role-a is reached from key-a (conn-a and conn-b hold it), so both
    # workflows are walked; wf-a loses db (its one way there), wf-b keeps role-b's
    rows = wi.would_break(store, after, AS_OF, removed_from=[k[0] for k in removed])
    assert [(r["subject"], r["target"]) for r in rows] == [("wf-a", "db")]
    assert walked == [["wf-a", "wf-b"], ["wf-a", "wf-b"]]
    walked.clear()
    after, removed = without_edges(store, [("conn-a", "AUTHENTICATES_WITH", "key-a")])
    rows = wi.would_break(store, after, AS_OF, removed_from=["conn-a"])
    # only wf-a reaches conn-a: wf-b is not walked; wf-a loses db
    assert walked == [["wf-a"], ["wf-a"]]
    assert [(r["subject"], r["target"]) for r in rows] == [("wf-a", "db")]
    sample = sample_estate.load(EmbeddedStore(tmp_path / "sample"))
    keys = sorted(e.key for e in sample.edges() if e.kind != "OWNS")
    rnd = random.Random(16)
    seen_breaks = narrowed = 0
    for _ in range(12):
        picked = rnd.sample(keys, rnd.randint(1, 6))
        after, removed = without_edges(sample, picked)
        full = wi.would_break(sample, after, AS_OF)
        every = len(walked[-1])
        part = wi.would_break(sample, after, AS_OF, removed_from=[k[0] for k in removed])
        assert part == full
        narrowed += len(walked[-1]) < every
        mem = MemoryStore.copy_of(sample)
        for k in picked:
            mem.remove_edge(*k)
        assert wi.would_break(sample, mem, AS_OF, removed_from=[k[0] for k in picked]) == full
        seen_breaks += len(full)
    assert seen_breaks > 0  # some removals did break workflows: the check compared rows
    assert narrowed > 0  # and some walked fewer workflows than all
