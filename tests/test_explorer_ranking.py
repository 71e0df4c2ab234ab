"""The Overview's blast ranking (explorer/background.py): one walk per workflow and secret on
a small store, one condensation of the graph on a large one; both give the same rows, in
the same order, as each node's blast_radius summary (checked by hand on tests/test_drift's
graph), and the distribution counts every workflow and secret, not only the ranked ones."""

from __future__ import annotations

import sample_estate
from explorer import background
from graph.embedded import EmbeddedStore
from queries import blast_radius
from tests.graphs import load
from tests.test_drift import AFTER, BEFORE


def test_hand_worked_ranking_both_ways(tmp_path):
    store = load(EmbeddedStore(tmp_path / "a"), BEFORE)
    # wf-a -> conn-a -> key-a -> role-a -read-> db (crown jewel); wf-b -> conn-b -> key-b
    # -> role-b (no grant): key-a and wf-a reach db (1 resource, read), the others nothing
    want = [("key-a", 1, 1, 0, 2), ("wf-a", 1, 1, 0, 4), ("key-b", 0, 0, 0, 1),
            ("wf-b", 0, 0, 0, 3)]
    for by_walks in (True, False):
        rows, total, counts = background.ranking(store, by_walks=by_walks)
        assert [(r["id"], r["crown_jewels"], r["targets"], r["admin_targets"],
                 r["reachable"]) for r in rows] == want
        assert total == 4
        assert counts == [[0, "Secret", 1], [0, "Workflow", 1], [1, "Secret", 1],
                          [1, "Workflow", 1]]
    rows, _, _ = background.ranking(load(EmbeddedStore(tmp_path / "b"), AFTER),
                                    by_walks=False)
    # role-b's admin grant on db: wf-b and key-b now reach it with admin
    assert {r["id"]: r["admin_targets"] for r in rows} == {"wf-a": 0, "key-a": 0,
                                                           "wf-b": 1, "key-b": 1}


def test_sample_same_both_ways_and_equal_to_blast_radius(tmp_path, monkeypatch):
    store = sample_estate.load(EmbeddedStore(tmp_path / "s"))
    walks = background.ranking(store, by_walks=True)
    assert background.ranking(store, by_walks=False) == walks
    rows, total, counts = walks
    subjects = [n["id"] for k in ("Workflow", "Secret") for n in store.nodes(k)]
    assert total == len(subjects) == len(rows) and rows[0]["name"] == "Invoice sync"
    for r in rows[:10]:
        s = blast_radius(store, r["id"]).summary
        assert (r["systems"], r["resources"], r["admin_targets"], r["crown_jewels"],
                r["reachable"]) == (s["systems"], s["resources"], s["admin_targets"],
                                    len(s["crown_jewels"]), s["reachable"])
    # only the widest are kept past the cap; the total and the counts cover all
    monkeypatch.setattr(background, "OVERVIEW_MAX_SOURCES", 5)
    capped = background.ranking(store, by_walks=False)
    assert capped == (rows[:5], total, counts)
    assert sum(c for _, _, c in counts) == total


def test_parts_in_two_children_equal_the_parts_computed_here(tmp_path, monkeypatch):
    """The Overview's parts from its background child(ren) are the parts computed in this
    process, and the disk cache keeps all of them once the last child is done; names in
    no group get a child each."""
    import time

    assert background.groups(["ranking", "shared", "findings", "cluster"]) == [
        ["shared", "ranking", "findings", "cluster"]]  # the clusters first, the drawing last
    assert background.groups(["findings", "other"]) == [["findings"], ["other"]]
    store = sample_estate.load(EmbeddedStore(tmp_path / "s"))
    monkeypatch.setenv("NHIGRAPH_STORE", str(tmp_path / "s"))
    monkeypatch.delenv("NEO4J_URI", raising=False)
    launched = []
    launch = background.launch
    monkeypatch.setattr(background, "launch",
                        lambda names, conn: launched.append(list(names)) or launch(names, conn))
    names = ["ranking", "shared", "findings", "cluster"]
    cache = background.DiskCache("k", tmp_path / "cache")
    jobs = background.Jobs()
    jobs.start(names, cache)
    got = {name: jobs.get(name).result(timeout=120) for name in names}
    assert launched == [["shared", "ranking", "findings", "cluster"]]
    assert got["ranking"] == background.ranking(store)
    assert got["shared"].rows == background.shared(store).rows
    assert got["findings"].rows == background.findings(store).rows
    number, drawing, full = got["cluster"]
    assert number == 1 and drawing == background.cluster(store)[1] and full == (129, 159)
    for _ in range(100):  # the last reader thread saves right after its futures are set
        if cache.path.exists():
            break
        time.sleep(0.1)
    assert cache.load(names) == got
