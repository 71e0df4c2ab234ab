"""Drift read through columnar copies gives the answers it gave through NetworkX copies.

A snapshot file now opens as a read-only embedded store over a temporary columnar folder
(``graph/columnar_copy.py``), and a generation keeps its last condensation. Both are
compared here with the in-memory way (``MemoryStore``, what every snapshot file opened as
before) on the sample estate's two shipped quarters and on the hand-built pair of
tests/test_drift.py: the same rows, in the same order, and the same summary; and a what-if
on the embedded store (whose "before" is now read from the store itself) with the same
what-if on a memory copy of it.
"""

from __future__ import annotations

import gzip
import json

import pytest

import sample_estate
from graph.columnar_copy import columnar_copy
from graph.embedded import EmbeddedStore
from graph.memory import MemoryStore
from graph.model import ACCESS_EDGES
from graph.snapshot import open_snapshot, write_snapshot
from queries.drift import diff
from sample_estate.quarters import last_quarter
from tests.graphs import load
from tests.test_drift import AFTER, AS_OF, BEFORE


def _same(r1, r2):
    assert r1.rows == r2.rows
    assert r1.summary == r2.summary


def _pair_two_ways(before: MemoryStore, after: MemoryStore, tmp_path):
    """The diff of two memory stores and of their snapshot files: equal; returns it."""
    ref = diff(before, after, as_of=AS_OF)
    a = open_snapshot(write_snapshot(before, tmp_path / "a.nhisnap.json.gz")["file"])
    b = open_snapshot(write_snapshot(after, tmp_path / "b.nhisnap.json.gz")["file"])
    assert (a.backend, b.backend) == ("embedded", "embedded")
    _same(diff(a, b, as_of=AS_OF), ref)
    return ref


def test_sample_quarters_same_diff_through_columnar_copies(tmp_path):
    store = sample_estate.load(EmbeddedStore(tmp_path / "s"))
    ref = _pair_two_ways(last_quarter(store), MemoryStore.copy_of(store), tmp_path)
    # the comparison covered the planted drift, not an empty delta
    kinds = {r["change"] for r in ref.rows}
    assert {"jewel-path-gained", "jewel-path-lost", "finding-opened",
            "env-mixing-added"} <= kinds
    # and the live store against the old quarter's file, as `diff --from FILE` runs it
    old = open_snapshot(write_snapshot(last_quarter(store), tmp_path / "q.nhisnap.json.gz")
                        ["file"])
    _same(diff(old, store, as_of=AS_OF), ref)


def test_hand_built_pair_same_diff_through_columnar_copies(tmp_path):
    before = MemoryStore.copy_of(load(EmbeddedStore(tmp_path / "a"), BEFORE))
    after = MemoryStore.copy_of(load(EmbeddedStore(tmp_path / "b"), AFTER))
    ref = _pair_two_ways(before, after, tmp_path)
    assert [(r["subject"], r["target"]) for r in ref.rows
            if r["change"] == "jewel-path-gained"] == [
        ("conn-b", "db"), ("key-b", "db"), ("role-b", "db"), ("wf-b", "db")]


def test_rows_a_store_cannot_hold_stay_in_memory(tmp_path):
    """An edge to a node the file does not list (NetworkX adds the node, a store never
    writes one without a kind) keeps the in-memory store, with the same graph."""
    nodes = [{"id": "a", "kind": "Secret"}]
    edges = [["a", "AUTHENTICATES_AS", "ghost", {}]]
    assert columnar_copy(nodes, edges, []) is None
    assert columnar_copy([], [], []) is None
    assert columnar_copy([{"id": "a", "kind": "Secret", "seen_by": ["x"]}], [], []) is None
    path = tmp_path / "g.nhisnap.json.gz"
    path.write_bytes(gzip.compress(json.dumps({
        "format": "nhigraph-snapshot", "version": 1, "name": "g", "nodes": nodes,
        "edges": edges}).encode()))
    opened = open_snapshot(path)
    assert opened.backend == "memory"
    assert sorted(e.key for e in opened.edges()) == [("a", "AUTHENTICATES_AS", "ghost")]


def test_columnar_copy_reads_like_the_memory_store(tmp_path):
    """Nodes, edges (properties merged for a repeated key, as NetworkX does), counts and
    runs of a columnar copy are the memory store's."""
    nodes = [{"id": "k", "kind": "Secret", "name": "key"}, {"id": "r", "kind": "Identity"}]
    edges = [["k", "AUTHENTICATES_AS", "r", {"a": 1}], ["k", "AUTHENTICATES_AS", "r", {"b": 2}]]
    runs = [{"run_id": "x", "source": "s"}]
    mem = MemoryStore.from_rows(nodes, edges, runs=runs)
    col = columnar_copy(nodes, edges, runs)
    assert col is not None and col.backend == "embedded"
    assert sorted(col.nodes(), key=lambda n: n["id"]) == sorted(mem.nodes(),
                                                                key=lambda n: n["id"])
    assert [(e.key, e.props) for e in col.edges()] == [(e.key, e.props) for e in mem.edges()] \
        == [(("k", "AUTHENTICATES_AS", "r"), {"a": 1, "b": 2})]
    assert col.counts() == mem.counts() and col.runs() == runs
    folder = col.dir
    assert folder.is_dir()
    del col
    import gc

    gc.collect()
    assert not folder.exists()  # the temporary folder goes with the store


@pytest.mark.parametrize("stop", [set(), {"key-a"}, {"key-a", "key-b"}])
def test_kept_condensation_is_the_one_asked_for(tmp_path, stop):
    """The generation's kept condensation answers only the same kinds and stop set: asked
    in turn for other ones, each answer is that of a fresh generation."""
    store = load(EmbeddedStore(tmp_path / "a"), AFTER)
    for other in (set(), {"key-a"}, {"key-a", "key-b"}):
        store.reachable_sets(ACCESS_EDGES, other)  # fill the kept one with another key
        got = store.reachable_sets(ACCESS_EDGES, stop)
        fresh = EmbeddedStore(tmp_path / "a", create=False).reachable_sets(ACCESS_EDGES, stop)
        ids, comp, reach = got
        fids, fcomp, freach = fresh
        assert ids == fids
        assert [{ids[u] for u in reach[comp[v]]} for v in range(len(ids))] == \
            [{fids[u] for u in freach[fcomp[v]]} for v in range(len(fids))]
    ids, comp, reach = store.reachable_sets(ACCESS_EDGES, {"key-a"})
    from_conn_a = {ids[u] for u in reach[comp[ids.index("conn-a")]]}
    assert from_conn_a == {"key-a"}  # stopped: key-a is reached but not expanded
    ids, comp, reach = store.reachable_sets(ACCESS_EDGES, set())
    assert {ids[u] for u in reach[comp[ids.index("conn-a")]]} == {"key-a", "role-a", "db"}


def test_what_if_before_read_from_the_store_is_the_copy_s(tmp_path):
    """what-if on the embedded store reads "before" from the store; on a memory copy of it,
    from the copy: the same delta and the same would-break rows."""
    from queries.what_if import Plan, what_if

    store = sample_estate.load(EmbeddedStore(tmp_path / "s"))
    secret = "secret:aws:AKIAACMELEGACYETL001"
    plan = Plan(revoke=[secret])
    on_store = what_if(store, plan, as_of=AS_OF)
    on_copy = what_if(MemoryStore.copy_of(store), plan, as_of=AS_OF)
    assert on_store.rows == on_copy.rows and on_store.summary == on_copy.summary
    assert on_store.summary["changes"] > 0


def test_columnar_copy_writes_save_rows_files_byte_for_byte(tmp_path):
    """A snapshot file's copy is built in columns (graph.columnar_copy.write_copy), not
    through save_rows: the same five files, byte for byte, as save_rows writes for the
    same rows (the sample estate, whose properties hold texts, numbers, lists and nested
    maps; a repeated edge key merged; a non-ASCII name)."""
    from graph import columnar

    store = sample_estate.load(EmbeddedStore(tmp_path / "s"))
    nodes = [dict(n) for n in store.nodes()]
    nodes[0]["name"] = "Zürich ✓ \u2028"
    edges = [[e.src, e.kind, e.dst, dict(e.props)] for e in store.edges()]
    edges.append([edges[0][0], edges[0][1], edges[0][2], {"note": "merged", "n": 1.5}])
    copy = columnar_copy(nodes, edges, [])
    assert copy is not None
    attrs = {n["id"]: {**{k: v for k, v in n.items() if k != "id"}, "seen_by": ()}
             for n in nodes}
    keyed: dict = {}
    for s, k, d, p in edges:
        keyed[(s, k, d)] = {**keyed.get((s, k, d), {}), **p}
    ref = tmp_path / "ref"
    meta = columnar.save_rows(ref, 1, attrs, ((s, d, k, p) for (s, k, d), p in keyed.items()))
    names = sorted(p.name for p in ref.iterdir())
    assert len(names) == 5
    for name in names:
        assert (copy.dir / name).read_bytes() == (ref / name).read_bytes(), name
    assert {k: copy.manifest[k] for k in meta} == meta
    assert copy.get_node(nodes[0]["id"])["name"] == "Zürich ✓ \u2028"
