"""Two postures at once (queries/posture_pair.py): the "after" side computed by a child
process gives exactly the posture, the diff and the cut's delta this process computes
alone; the child really runs (counted), and every way it can fail leaves the answer to this
process. The graphs are tests/test_drift.py's hand-built pair (its diff is worked out by
hand there) and the bundled sample estate's two quarters."""

from __future__ import annotations

import subprocess

import pytest

import sample_estate
from graph.columnar_copy import columnar_copy
from graph.embedded import EmbeddedStore
from graph.memory import MemoryStore
from graph.snapshot import Shelf, open_snapshot, write_snapshot
from queries import posture_pair
from queries.cut import cut
from queries.drift import diff
from queries.posture import posture
from queries.what_if import Plan, what_if
from sample_estate.quarters import last_quarter
from tests.graphs import load
from tests.test_drift import AFTER, AS_OF, BEFORE, check_pair

FIELDS = ("as_of", "unknown_as", "nodes", "access_edges", "jewel_paths", "radii", "sharing",
          "mixing", "orphans", "findings", "risk")


@pytest.fixture
def children(monkeypatch):
    """Children always (any size); the answers each one gave, in order (None: the parent
    computed that side itself)."""
    monkeypatch.setenv("NHIGRAPH_PARALLEL", "1")
    monkeypatch.setenv("NHIGRAPH_PARALLEL_MIN", "0")
    monkeypatch.setattr(posture_pair.os, "cpu_count", lambda: 2)
    seen: list = []
    receive = posture_pair._receive

    def spy(child, after):
        got = receive(child, after)
        seen.append(got)
        return got

    monkeypatch.setattr(posture_pair, "_receive", spy)
    return seen


def _fields(p):
    return {f: getattr(p, f) for f in FIELDS}


def test_child_posture_equals_this_process(tmp_path, children):
    before = load(EmbeddedStore(tmp_path / "a"), BEFORE)
    after = load(EmbeddedStore(tmp_path / "b"), AFTER)
    extra = []
    a, b, got = posture_pair.postures(before, after, AS_OF,
                                      meanwhile=lambda: extra.append(1) or "done")
    assert len(children) == 1 and children[0] is b  # the child's answer was used
    assert got == "done" and extra == [1]  # meanwhile ran once, here
    assert _fields(a) == _fields(posture(before, AS_OF))
    assert _fields(b) == _fields(posture(after, AS_OF))
    assert b.store is not None and b.store.location == after.location
    # by hand (tests/test_drift.py): after holds the planted admin grant's paths to db
    assert b.jewel_paths[("wf-b", "db")]["access"] == "admin"
    assert ("wf-b", "db") not in a.jewel_paths


def test_diff_through_a_child_is_the_hand_worked_diff(tmp_path, children):
    before = load(EmbeddedStore(tmp_path / "a"), BEFORE)
    after = load(EmbeddedStore(tmp_path / "b"), AFTER)
    r = check_pair(before, after)  # every row asserted by hand, both directions
    assert len(children) == 2 and all(c is not None for c in children)
    # the strongest paths are walked on the child's side through this process's store
    assert [x["path"] for x in r.rows if x["change"] == "jewel-path-gained"][0] == [
        "conn-b", "key-b", "role-b", "db"]


def test_sample_quarters_and_snapshot_files_same_diff(tmp_path, children, monkeypatch):
    store = sample_estate.load(EmbeddedStore(tmp_path / "s"))
    old = open_snapshot(write_snapshot(last_quarter(store), tmp_path / "q.nhisnap.json.gz")
                        ["file"])
    assert old.backend == "embedded"  # a temporary columnar folder the child can open
    fast = diff(old, store, as_of=AS_OF)
    assert children and children[-1] is not None
    monkeypatch.setenv("NHIGRAPH_PARALLEL", "0")
    n = len(children)
    slow = diff(old, store, as_of=AS_OF)
    assert len(children) == n  # no child this time
    assert (fast.rows, fast.summary) == (slow.rows, slow.summary)
    assert {"jewel-path-gained", "jewel-path-lost", "finding-opened"} <= {
        r["change"] for r in fast.rows}


def test_cut_delta_through_a_child(tmp_path, children, monkeypatch):
    store = load(EmbeddedStore(tmp_path / "s"), AFTER)
    fast = cut(store, "wf-b", "db", as_of=AS_OF)
    assert children and children[-1] is not None
    monkeypatch.setenv("NHIGRAPH_PARALLEL", "0")
    slow = cut(store, "wf-b", "db", as_of=AS_OF)
    assert (fast.rows, fast.summary, fast.header) == (slow.rows, slow.summary, slow.header)
    # by hand: wf-b reaches db by role-b's admin grant and (through key-a) role-a's read
    # grant; the two grants (cost 1 each) are cheaper than wf-b's USES (5): all 8 paths
    # to db go, and wf-a (collateral) loses db
    assert [(x["src"], x["dst"]) for x in fast.rows] == [("role-a", "db"), ("role-b", "db")]
    assert fast.summary["cost"] == 2 and fast.summary["would_break"] == 1
    assert fast.header["delta"]["summary"]["jewel_paths"] == {"before": 8, "after": 0}


def test_no_child_for_a_memory_store_or_a_small_graph(tmp_path, children, monkeypatch):
    before = load(EmbeddedStore(tmp_path / "a"), BEFORE)
    mem = MemoryStore.copy_of(load(EmbeddedStore(tmp_path / "b"), AFTER))
    r = what_if(before, Plan(revoke=["key-a"]), as_of=AS_OF)  # the copy is in memory
    diff(before, mem, as_of=AS_OF)
    assert children == [] and r.summary["would_break"] == 1
    monkeypatch.delenv("NHIGRAPH_PARALLEL_MIN")  # the default: 20,000 nodes
    diff(before, before, as_of=AS_OF)
    assert children == []


def test_a_failing_child_leaves_the_answer_to_this_process(tmp_path, children, monkeypatch):
    before = load(EmbeddedStore(tmp_path / "a"), BEFORE)
    after = load(EmbeddedStore(tmp_path / "b"), AFTER)
    ref = _fields(posture(after, AS_OF))
    # the child finds another generation than the one this process saw: it answers b""
    assert posture_pair._child(str(tmp_path / "b"), 999, AS_OF, "write") == b""
    monkeypatch.setattr(posture_pair, "_folder_spec", lambda s: (str(tmp_path / "b"), 999))
    _, b, _ = posture_pair.postures(before, after, AS_OF)
    assert children == [None] and _fields(b) == ref
    # a folder the child cannot open: it exits 1, this process computes the side
    monkeypatch.setattr(posture_pair, "_folder_spec", lambda s: (str(tmp_path / "gone"), 1))
    _, b, _ = posture_pair.postures(before, after, AS_OF)
    assert children == [None, None] and _fields(b) == ref
    # no process can be started at all
    monkeypatch.setattr(subprocess, "Popen", _refuse)
    _, b, _ = posture_pair.postures(before, after, AS_OF)
    assert children == [None, None] and _fields(b) == ref


def _refuse(*a, **k):
    raise OSError("no processes")


def test_an_error_here_stops_the_child(tmp_path, children, monkeypatch):
    before = load(EmbeddedStore(tmp_path / "a"), BEFORE)
    after = load(EmbeddedStore(tmp_path / "b"), AFTER)
    started = []
    start = posture_pair._start

    def spy(*a):
        c = start(*a)
        started.append(c)
        return c

    monkeypatch.setattr(posture_pair, "_start", spy)
    with pytest.raises(ZeroDivisionError):
        posture_pair.postures(before, after, AS_OF, meanwhile=lambda: 1 / 0)
    assert len(started) == 1 and started[0].poll() is not None  # killed and reaped


def test_child_answers_a_columnar_copy_folder(tmp_path, children):
    """A snapshot file's temporary columnar copy (what `diff --from FILE` opens) is a
    folder the child maps by itself."""
    mem = MemoryStore.copy_of(load(EmbeddedStore(tmp_path / "m"), AFTER))
    nodes = [{"id": n["id"], **n} for n in mem.nodes()]
    edges = [[e.src, e.kind, e.dst, dict(e.props)] for e in mem.edges()]
    copy = columnar_copy(nodes, edges, mem.runs())
    assert copy is not None
    before = load(EmbeddedStore(tmp_path / "a"), BEFORE)
    _, b, _ = posture_pair.postures(before, copy, AS_OF)
    assert children[-1] is b
    assert _fields(b) == _fields(posture(copy, AS_OF))


def test_a_snapshot_file_is_read_by_the_child(tmp_path, children, monkeypatch):
    """``diff FILE FILE`` as the CLI runs it (graph.snapshot.Shelf.locate: neither file
    read yet): the child reads the "to" file and writes its columnar copy, this process
    reads the "from" file meanwhile; the diff is the one of both files opened here, with
    no child. A "to" file that is no snapshot fails in the child and then here, with the
    error it always gives."""
    import gc
    import tempfile
    from pathlib import Path

    from graph.errors import InputError
    from graph.snapshot import SnapshotFile

    store = sample_estate.load(EmbeddedStore(tmp_path / "s"))
    a = write_snapshot(last_quarter(store), tmp_path / "a.nhisnap.json.gz")["file"]
    b = write_snapshot(store, tmp_path / "b.nhisnap.json.gz")["file"]
    shelf = Shelf(store)
    label_a, open_a = shelf.locate(a)
    label_b, open_b = shelf.locate(b)
    assert (label_a, label_b) == (a, b) and isinstance(open_b, SnapshotFile)
    temp = Path(tempfile.gettempdir())
    copies = set(temp.glob("nhigraph-copy-*"))
    fast = diff(open_a, open_b, as_of=AS_OF)
    assert len(children) == 1 and children[0] is not None  # the child's posture was used
    assert children[0].store.backend == "embedded"  # over the copy the child wrote
    monkeypatch.setenv("NHIGRAPH_PARALLEL", "0")
    slow = diff(open_snapshot(a), open_snapshot(b), as_of=AS_OF)
    assert len(children) == 1
    assert (fast.rows, fast.summary) == (slow.rows, slow.summary)
    assert {"jewel-path-gained", "jewel-path-lost", "finding-opened"} <= {
        r["change"] for r in fast.rows}
    del fast, slow, children[:]
    gc.collect()
    assert set(temp.glob("nhigraph-copy-*")) <= copies  # every copy went with its store
    monkeypatch.setenv("NHIGRAPH_PARALLEL", "1")
    bad = tmp_path / "bad.nhisnap.json.gz"
    bad.write_bytes(b"not gzip")
    with pytest.raises(InputError, match="not a readable nhigraph snapshot") as raised:
        diff(open_a, SnapshotFile(bad), as_of=AS_OF)
    assert children == [None]  # the child failed; this process read the file and failed
    del raised  # its traceback holds the "from" side's store
    gc.collect()
    assert set(temp.glob("nhigraph-copy-*")) <= copies  # the child's folder went too


def test_the_wait_warms_what_the_delta_would_read(tmp_path):
    """While the child works this process builds each crown jewel's _Within of the
    "after" side: the very nodes, properties and edges strongest_path builds on demand,
    and the same strongest paths; it stops as soon as the child has answered. The "child"
    here is a real process that waits (or one that has exited)."""
    import sys

    from queries.posture import _Within, crown_jewels, strongest_path

    store = sample_estate.load(EmbeddedStore(tmp_path / "s"))
    jewels = crown_jewels(store)
    assert len(jewels) >= 3
    busy = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        warm = posture_pair._Warm(busy, store, None)
    finally:
        busy.kill()
        busy.wait()
    assert sorted(warm.upstream) == jewels
    for jewel in jewels:
        cold = _Within(store, jewel, {})
        got = warm.upstream[jewel]
        assert (got.nodes, got.props, got.out) == (cold.nodes, cold.props, cold.out)
    warmed, lazy = posture(store, AS_OF), posture(store, AS_OF)
    warmed.upstream, warmed._node_cache = warm.upstream, warm.cache
    pairs = sorted(lazy.jewel_paths)
    assert len(pairs) > 20
    assert [strongest_path(warmed, s, j) for s, j in pairs] == [
        strongest_path(lazy, s, j) for s, j in pairs]
    assert any(strongest_path(lazy, s, j) for s, j in pairs)
    done = subprocess.Popen([sys.executable, "-c", "pass"])
    done.wait()
    assert posture_pair._Warm(done, store, None).upstream == {}  # answered: nothing read
