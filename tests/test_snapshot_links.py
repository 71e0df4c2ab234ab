"""Cheap snapshots: a shelf snapshot of the embedded store is hard links to the committed
generation's files (no re-serialisation). The live store writes new files and renames, never
modifying a generation in place, so the snapshot reads back exactly what the store held
however often the store is rewritten afterwards."""

from __future__ import annotations

import hashlib

from graph.embedded import EmbeddedStore
from graph.records import Batch, Edge, Node
from graph.snapshot import LINKED, Shelf, open_snapshot, snapshot_data


def _digest(folder):
    return {p.name: (p.stat().st_ino, hashlib.sha256(p.read_bytes()).hexdigest())
            for p in sorted(folder.iterdir())}


def _graph(store):
    data = snapshot_data(store, "x")
    return data["counts"], sorted((n["id"], n["kind"]) for n in data["nodes"]), \
        sorted(tuple(e[:3]) for e in data["edges"])


def test_a_linked_snapshot_survives_rewrites_of_the_live_store(tmp_path, monkeypatch):
    monkeypatch.delenv("NHIGRAPH_SNAPSHOTS", raising=False)
    store = EmbeddedStore(tmp_path / "s")
    store.write(Batch(nodes=[Node("w", "Workflow"), Node("c", "Connector"), Node("k", "Secret")],
                      edges=[Edge("w", "USES", "c"), Edge("c", "AUTHENTICATES_WITH", "k")]),
                source="a")
    shelf = Shelf(store)
    meta = shelf.save("q1")
    folder = tmp_path / "s" / "snapshots" / f"q1{LINKED}"
    assert meta["file"] == str(folder) and (meta["nodes"], meta["edges"]) == (3, 2)
    live = {p.name: p.stat().st_ino for p in (tmp_path / "s").glob("*-1.*")}
    before = _digest(folder)
    assert {n: ino for n, (ino, _) in before.items() if n != "manifest.json"} == live  # links
    # rewrite the live store twice: a new source, then the first one replaced by less
    store.write(Batch(nodes=[Node("w2", "Workflow")], edges=[Edge("w2", "USES", "c")]),
                source="b")
    store.write(Batch(nodes=[Node("w", "Workflow")]), source="a", replace=True)
    assert not list((tmp_path / "s").glob("*-1.*"))  # the live store dropped generation 1
    assert _digest(folder) == before  # and the linked files were never touched
    snap = open_snapshot(shelf.path("q1"))
    assert _graph(snap) == (
        {"nodes": {"Connector": 1, "Secret": 1, "Workflow": 1},
         "edges": {"AUTHENTICATES_WITH": 1, "USES": 1}},
        [("c", "Connector"), ("k", "Secret"), ("w", "Workflow")],
        [("c", "AUTHENTICATES_WITH", "k"), ("w", "USES", "c")])
    # a replacing write starts the graph afresh: the live graph moved on
    assert _graph(EmbeddedStore(tmp_path / "s"))[1:] == ([("w", "Workflow")], [])
    assert [m["name"] for m in shelf.list()] == ["q1"]
    shelf.save("q1")  # saved again under its name: replaced by the current graph
    assert _graph(open_snapshot(shelf.path("q1")))[1] == [("w", "Workflow")]
    shelf.delete("q1")
    assert not folder.exists() and shelf.list() == []
