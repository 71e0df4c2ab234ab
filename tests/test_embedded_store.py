"""The embedded store: persistence, idempotence, stale cleanup, validation, atomic writes."""

from __future__ import annotations

import json
import os

import pytest

from graph.embedded import EmbeddedStore
from graph.errors import InputError, StoreError
from graph.records import Batch, Edge, Node
from tests.graphs import CHAIN, batch


def snapshot(store: EmbeddedStore):
    nodes = sorted((n["id"], json.dumps(n, sort_keys=True)) for n in store.nodes())
    edges = sorted((e.src, e.kind, e.dst, json.dumps(e.props, sort_keys=True))
                   for e in store.edges())
    return nodes, edges


def files(path):
    return sorted(os.listdir(path))


def generation(gen):
    """The files of one committed generation, with the manifest, sorted."""
    return sorted([f"edges-{gen}.arrow", f"in_ptr-{gen}.npy", f"in_rows-{gen}.npy",
                   "manifest.json", f"nodes-{gen}.arrow", f"out_ptr-{gen}.npy"])


def test_write_persists_and_reloads(store_dir):
    s = EmbeddedStore(store_dir)
    s.write(batch(*CHAIN), source="a")
    again = EmbeddedStore(store_dir)
    assert snapshot(again) == snapshot(s)
    assert again.counts()["nodes"] == {"Connector": 1, "Identity": 2, "Owner": 1,
                                       "Resource": 1, "Secret": 2, "System": 1, "Workflow": 1}
    assert sum(again.counts()["edges"].values()) == 10
    assert again.get_node("bucket")["crown_jewel"] is True
    assert again.get_node("bucket")["source"] == "a"
    assert files(store_dir) == [".lock", *generation(1)]


def test_ingest_twice_is_idempotent(store_dir):
    s = EmbeddedStore(store_dir)
    s.write(batch(*CHAIN), source="a")
    before = snapshot(s)
    r = s.write(batch(*CHAIN), source="a")
    assert (r.nodes_created, r.edges_created, r.nodes_removed, r.edges_removed) == (0, 0, 0, 0)
    assert snapshot(EmbeddedStore(store_dir)) == before
    assert len(s.runs()) == 2


def test_second_source_adds_and_merges(store_dir):
    s = EmbeddedStore(store_dir)
    s.write(batch(*CHAIN), source="a")
    s.write(batch([("bucket", "Resource", {"owner_team": "data"}), ("x", "Secret")],
                  [("x", "CAN_ACCESS", "bucket", {"access": "read"})]), source="b")
    assert s.get_node("bucket")["owner_team"] == "data"
    assert s.get_node("bucket")["crown_jewel"] is True  # a's facts survive b's
    assert s.get_node("x") is not None
    assert sorted(s.graph.nodes["bucket"]["seen_by"]) == ["a", "b"]


def test_stale_data_of_a_source_is_removed_after_success(store_dir):
    s = EmbeddedStore(store_dir)
    s.write(batch([("s1", "Secret"), ("s2", "Secret"), ("sys", "System")],
                  [("s1", "CAN_ACCESS", "sys"), ("s2", "CAN_ACCESS", "sys")]), source="a")
    s.write(batch([("sys", "System"), ("s3", "Secret")], [("s3", "CAN_ACCESS", "sys")]),
            source="b")
    r = s.write(batch([("s1", "Secret"), ("sys", "System")], [("s1", "CAN_ACCESS", "sys")]),
                source="a")
    assert (r.nodes_removed, r.edges_removed) == (1, 1)  # s2 and its edge
    assert sorted(n["id"] for n in s.nodes()) == ["s1", "s3", "sys"]
    # sys is still vouched for by b after a drops it
    s.write(batch([("s1", "Secret")], []), source="a")
    assert sorted(n["id"] for n in s.nodes()) == ["s1", "s3", "sys"]
    assert s.graph.nodes["sys"]["seen_by"] == ["b"]


def test_replace_starts_fresh(store_dir):
    s = EmbeddedStore(store_dir)
    s.write(batch(*CHAIN), source="a")
    s.write(batch([("only", "Secret")], []), source="b", replace=True)
    assert [n["id"] for n in EmbeddedStore(store_dir).nodes()] == ["only"]
    assert [r["source"] for r in s.runs()] == ["b"]


@pytest.mark.parametrize("nodes,edges,message", [
    ([("a", "Gadget")], [], "unknown node kind 'Gadget'"),
    ([("a", "Secret")], [("a", "CAN_ACCESS", "zzz")], "edge refers to a missing node 'zzz'"),
    ([("a", "Secret")], [("a", "FRIENDS_WITH", "a")], "unknown edge kind 'FRIENDS_WITH'"),
    ([("a", "Secret"), ("w", "Workflow")], [("a", "USES", "w")],
     "USES cannot join Secret -> Workflow"),
    ([("a", "Secret"), ("a", "Identity")], [], "id 'a' is a Identity here but already a Secret"),
    ([("wf", "Secret")], [], "id 'wf' is a Secret here but already a Workflow"),
    ([("a", "Secret", {"environment": "moon"})], [], "environment must be one of"),
    ([("a", "Secret", {"password": "hunter2"})], [], "refusing to store secret-looking"),
    ([("a", "Secret"), ("b", "System")], [("a", "CAN_ACCESS", "b", {"access": "godmode"})],
     "access must be one of read, write, admin, unknown"),
    ([("a", "Secret", {"created_at": "last tuesday"})], [], "not an ISO 8601 date/time"),
])
def test_bad_batches_leave_the_store_unchanged(store_dir, nodes, edges, message):
    s = EmbeddedStore(store_dir)
    s.write(batch(*CHAIN), source="a")
    before, before_files = snapshot(s), files(store_dir)
    manifest = (store_dir / "manifest.json").read_text()
    with pytest.raises(InputError, match=message):
        s.write(batch(nodes, edges), source="bad")
    assert snapshot(s) == before
    assert snapshot(EmbeddedStore(store_dir)) == before
    assert files(store_dir) == before_files
    assert (store_dir / "manifest.json").read_text() == manifest


def test_error_names_where_the_record_came_from(store_dir):
    b = Batch(nodes=[Node("a", "Gadget", {}, where="inv.yaml: nodes.Gadget[0]")])
    with pytest.raises(InputError) as exc:
        EmbeddedStore(store_dir).write(b, source="x")
    assert str(exc.value).startswith("inv.yaml: nodes.Gadget[0]: unknown node kind")


def test_a_write_that_fails_half_way_leaves_the_last_good_graph(store_dir, monkeypatch):
    s = EmbeddedStore(store_dir)
    s.write(batch(*CHAIN), source="a")
    before = snapshot(s)
    import graph.columnar as columnar

    real = columnar._fsynced
    calls = []

    def failing(tmp, final):
        calls.append(final)
        if len(calls) == 2:  # nodes file written, edges file fails: a crash mid-save
            raise OSError("disk full")
        return real(tmp, final)

    monkeypatch.setattr(columnar, "_fsynced", failing)
    with pytest.raises(OSError, match="disk full"):
        s.write(batch([("new", "Secret")], []), source="b")
    monkeypatch.setattr(columnar, "_fsynced", real)
    assert snapshot(s) == before  # the in-memory graph is rolled back too
    reopened = EmbeddedStore(store_dir)
    assert snapshot(reopened) == before
    assert reopened.get_node("new") is None
    # the half-written generation is left behind, then cleaned by the next good write
    assert "nodes-2.arrow" in files(store_dir)
    s.write(batch([("new", "Secret")], []), source="b")
    assert files(store_dir) == [".lock", *generation(2)]
    assert EmbeddedStore(store_dir).get_node("new") is not None


def test_missing_and_corrupt_stores_give_one_clear_error(tmp_path):
    with pytest.raises(StoreError, match="no nhigraph store here"):
        EmbeddedStore(tmp_path / "nothing", create=False)
    (tmp_path / "bad").mkdir()
    (tmp_path / "bad" / "manifest.json").write_text("{not json")
    with pytest.raises(StoreError, match="unreadable manifest"):
        EmbeddedStore(tmp_path / "bad")
    (tmp_path / "gone").mkdir()
    (tmp_path / "gone" / "manifest.json").write_text(
        json.dumps({"schema_version": 2, "generation": 3, "runs": []}))
    with pytest.raises(StoreError, match="generation 3 is unreadable"):
        EmbeddedStore(tmp_path / "gone")
    (tmp_path / "afile").write_text("x")
    with pytest.raises(StoreError, match="is a file"):
        EmbeddedStore(tmp_path / "afile")


def test_symmetric_edges_are_written_both_ways(store_dir):
    s = EmbeddedStore(store_dir)
    s.write(Batch(nodes=[Node("a", "Secret"), Node("b", "Secret")],
                  edges=[Edge("a", "SAME_VALUE_AS", "b", {"reason": "same fingerprint"})]),
            source="x")
    assert sorted((e.src, e.dst) for e in s.edges("SAME_VALUE_AS")) == [("a", "b"), ("b", "a")]


def test_expand_and_find(store_dir):
    s = EmbeddedStore(store_dir)
    s.write(batch(*CHAIN), source="a")
    out = sorted((e.src, e.kind, e.dst) for e in s.expand(["conn"], "out", {"AUTHENTICATES_WITH"}))
    assert out == [("conn", "AUTHENTICATES_WITH", "key"), ("conn", "AUTHENTICATES_WITH", "old-key")]
    inn = sorted((e.src, e.kind) for e in s.expand(["bucket"], "in", {"CAN_ACCESS", "CONTAINS"}))
    assert inn == [("acct", "CONTAINS"), ("deploy-role", "CAN_ACCESS")]
    assert [n["id"] for n in s.find_nodes("name", "PII", case_insensitive=True)] == ["bucket"]
    assert s.find_nodes("name", "PII") == []


def test_a_store_in_the_old_parquet_format_asks_to_re_ingest(tmp_path):
    (tmp_path / "old").mkdir()
    (tmp_path / "old" / "manifest.json").write_text(
        json.dumps({"schema_version": 1, "generation": 4, "runs": []}))
    with pytest.raises(StoreError, match="schema version 1 is not 2 .*re-ingest"):
        EmbeddedStore(tmp_path / "old")


def test_to_networkx_builds_the_whole_graph_or_a_part_on_demand(store_dir):
    s = EmbeddedStore(store_dir)
    s.write(Batch(nodes=[Node(x, "Secret") for x in "abcd"],
                  edges=[Edge("a", "SAME_VALUE_AS", "b", {"reason": "r1"}),
                         Edge("b", "SAME_VALUE_AS", "c", {"reason": "r2"})]), source="s")
    whole = EmbeddedStore(store_dir).to_networkx()
    assert sorted(whole.nodes) == ["a", "b", "c", "d"]
    # symmetric edges are stored both ways: a<->b, b<->c
    assert sorted(whole.edges(keys=True)) == [("a", "b", "SAME_VALUE_AS"),
                                             ("b", "a", "SAME_VALUE_AS"),
                                             ("b", "c", "SAME_VALUE_AS"),
                                             ("c", "b", "SAME_VALUE_AS")]
    assert whole.nodes["a"]["kind"] == "Secret" and "seen_by" not in whole.nodes["a"]
    assert whole.edges["a", "b", "SAME_VALUE_AS"]["reason"] == "r1"
    near = s.to_networkx(around="a", depth=1)
    assert sorted(near.nodes) == ["a", "b"]
    assert sorted(near.edges(keys=True)) == [("a", "b", "SAME_VALUE_AS"),
                                            ("b", "a", "SAME_VALUE_AS")]
    assert sorted(s.to_networkx(ids=["c", "d"]).nodes) == ["c", "d"]
    assert s.to_networkx(ids=["c", "d"]).number_of_edges() == 0
    assert s.to_networkx(kinds=["Workflow"]).number_of_nodes() == 0


def test_ids_are_found_by_bytes_and_then_by_a_lazy_dict(store_dir, monkeypatch):
    # Non-ASCII ids: the bisect compares UTF-8 bytes, which sort as the texts do.
    ids = ["a", "b-é", "b-z", "日本-key", "Ωmega", "z"]
    s = EmbeddedStore(store_dir)
    s.write(Batch(nodes=[Node(i, "Secret") for i in ids],
                  edges=[Edge("a", "SAME_VALUE_AS", "日本-key", {"reason": "same fingerprint"})]),
            source="x")
    gen = s.generation()
    assert [gen.id_of(i) for i in range(gen.n)] == sorted(ids)
    by_bisect = {i: gen.index(i) for i in [*ids, "b", "zz", "\ud800", 7]}
    assert by_bisect == {**{t: sorted(ids).index(t) for t in ids},
                         "b": None, "zz": None, "\ud800": None, 7: None}
    assert gen._number is None  # no dict for a few lookups
    import graph.columnar as columnar

    monkeypatch.setattr(columnar, "LAZY_DICT_AFTER", 3)
    for i in ids:
        gen.index(i)
    assert gen._number is not None
    assert {i: gen.index(i) for i in by_bisect} == by_bisect
    assert gen.indices(["z", "nope", "a"]) == {"z": sorted(ids).index("z"), "a": 0}


def test_expand_ends_are_expand_without_the_properties(store_dir):
    s = EmbeddedStore(store_dir)
    s.write(batch(*CHAIN), source="a")
    for ids, direction, kinds in ((["conn", "wf"], "out", {"AUTHENTICATES_WITH", "USES"}),
                                  (["bucket"], "in", {"CAN_ACCESS", "CONTAINS"})):
        full = s.expand(ids, direction, kinds)
        assert s.expand_ends(ids, direction, kinds) == [(e.src, e.kind, e.dst) for e in full]
        assert full
    props = {(e.src, e.dst): e.props for e in s.edges()}
    assert all(e.props == props[(e.src, e.dst)]
               for e in s.expand(["deploy-role", "conn"], "out", {"CAN_ACCESS",
                                                                  "AUTHENTICATES_WITH"}))


def test_expand_of_many_nodes_gives_the_rows_of_one_node_at_a_time(store_dir):
    # From VECTOR_EXPAND_FROM nodes on, expand finds the rows with array operations: the
    # same edges in the same order (node by node as asked, each node's in CSR order).
    import graph.embedded as embedded

    hubs = [f"wf{i:03d}" for i in range(80)]
    nodes = [Node(w, "Workflow") for w in hubs] + [Node(f"s{j}", "Secret") for j in range(5)]
    edges = [Edge(w, "REFERENCES", f"s{(i * 7 + k) % 5}", {"n": i * 10 + k})
             for i, w in enumerate(hubs) for k in range(i % 3)]
    edges += [Edge(w, "EMBEDS", "s0") for w in hubs[::9]]
    s = EmbeddedStore(store_dir)
    s.write(Batch(nodes=nodes, edges=edges), source="x")
    asked = ["nope", *reversed(hubs), "s3", "wf000"]  # an unknown id and a repeat
    assert len(asked) >= embedded.VECTOR_EXPAND_FROM
    for direction, ids in (("out", asked), ("in", [f"s{j}" for j in range(5)] * 13)):
        for kinds in ({"REFERENCES"}, {"REFERENCES", "EMBEDS"}, {"CAN_ACCESS"}):
            one_by_one = [e for i in dict.fromkeys(ids) for e in s.expand([i], direction, kinds)]
            assert s.expand(ids, direction, kinds) == one_by_one
            assert s.expand_ends(ids, direction, kinds) == \
                [(e.src, e.kind, e.dst) for e in one_by_one]
    got = s.expand(["wf002", *hubs[3:70]], "out", {"REFERENCES"})
    assert [(e.src, e.dst, e.props["n"]) for e in got[:2]] == \
        [("wf002", "s0", 21), ("wf002", "s4", 20)]  # by (source, kind, destination)


def test_nodes_read_again_are_new_dicts_with_the_same_properties(store_dir):
    # A generation keeps the nodes it decoded (scalar properties only) and rebuilds them:
    # what one caller changes in its dict never shows in the next read.
    s = EmbeddedStore(store_dir)
    s.write(Batch(nodes=[Node("k", "Secret", {"name": "key"}),
                         Node("t", "Secret", {"name": "tagged", "tags": ["a", "b"]})]),
            source="x")
    first = s.get_nodes(["k", "t"])
    first["k"]["name"] = "changed"
    first["t"]["tags"].append("c")
    again = s.get_nodes(["t", "k"])
    assert again == {
        "k": {"id": "k", "name": "key", "source": "x", "kind": "Secret"},
        "t": {"id": "t", "name": "tagged", "source": "x", "tags": ["a", "b"], "kind": "Secret"}}
    assert s.get_node("k") is not again["k"]
    gen = s.generation()
    assert set(gen._decoded) == {gen.index("k")}  # the node with a list is decoded each time


def test_find_nodes_by_property_on_a_large_store(store_dir):
    """Past 10,000 nodes a property lookup looks only at the nodes whose properties' text
    names the key: the same answer as reading every node, whether the key is a property,
    a word inside another property's text or list, or differs in case."""
    nodes = [Node(f"r{i:05d}", "Resource", {"name": f"bucket {i}"}) for i in range(10_050)]
    nodes[7] = Node("r00007", "Resource", {"crown_jewel": True})
    nodes[8] = Node("r00008", "Resource", {"crown_jewel": False})
    nodes[9] = Node("r00009", "Resource", {"note": 'see "crown_jewel" policy'})
    nodes[10] = Node("r00010", "Resource", {"tags": ["crown_jewel", "pii"]})
    nodes[11] = Node("r00011", "Resource", {"crown_jewel": True, "owner_team": "Data"})
    nodes[12] = Node("r00012", "Resource", {"owner_team": "DATA"})
    s = EmbeddedStore(store_dir)
    s.write(Batch(nodes=nodes, edges=[]), source="x")
    assert [n["id"] for n in s.find_nodes("crown_jewel", True)] == ["r00007", "r00011"]
    assert [n["id"] for n in s.find_nodes("crown_jewel", False)] == ["r00008"]
    assert [n["id"] for n in s.find_nodes("owner_team", "data", case_insensitive=True)] == \
        ["r00011", "r00012"]
    assert s.find_nodes("owner_team", "data") == []
    assert s.find_nodes("no_such_key", True) == []
