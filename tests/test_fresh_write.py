"""An ingest into an empty store writes the validated batch's rows straight to the columnar
files (no NetworkX graph); it must write exactly the files the merge path writes for the
same graph: the sample inventory (OWNS shortcuts, symmetric SAME_VALUE_AS edges, duplicate
records), plus non-ASCII texts and missing names/ARNs in the string columns."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pyarrow as pa

from graph.embedded import EmbeddedStore
from graph.records import Batch, Edge, Node
from graph.stitch import stitch
from ingest import inventory

SAMPLE = Path(__file__).resolve().parent.parent / "sample_estate" / "inventory.yaml"


def _files(folder: Path):
    m = json.loads((folder / "manifest.json").read_text())
    g = m["generation"]
    tables = {n: pa.ipc.open_file(pa.memory_map(str(folder / f"{n}-{g}.arrow"))).read_all()
              for n in ("nodes", "edges")}
    arrays = {a: np.load(folder / f"{a}-{g}.npy") for a in ("out_ptr", "in_ptr", "in_rows")}
    return {k: m[k] for k in ("counts", "edge_kinds", "sources")}, tables, arrays


def _both(tmp_path, make_batch, monkeypatch):
    fresh = EmbeddedStore(tmp_path / "fresh")
    r1 = fresh.write(make_batch(), source="inv")
    merged = EmbeddedStore(tmp_path / "merged")
    # The same write through the merge path: the store claims to hold data, so the batch
    # is merged into its (empty) NetworkX graph and saved from it.
    monkeypatch.setattr(merged, "is_empty", lambda: False)
    r2 = merged.write(make_batch(), source="inv")
    monkeypatch.undo()
    return (fresh, r1), (merged, r2)


def test_a_fresh_write_writes_what_the_merge_path_writes(tmp_path, monkeypatch):
    def sample():
        b = inventory.parse(SAMPLE)
        stitch(b, None)
        return b

    (fresh, r1), (merged, r2) = _both(tmp_path, sample, monkeypatch)
    assert fresh._graph is None and merged._graph is not None  # only the merge built one
    meta1, t1, a1 = _files(tmp_path / "fresh")
    meta2, t2, a2 = _files(tmp_path / "merged")
    assert meta1 == meta2
    assert t1["nodes"].num_rows == 206 and t1["nodes"].equals(t2["nodes"])
    assert t1["edges"].num_rows == 365 and t1["edges"].equals(t2["edges"])
    assert all(np.array_equal(a1[k], a2[k]) for k in a1)
    assert (r1.nodes_written, r1.edges_written, r1.nodes_created, r1.edges_created) == (
        r2.nodes_written, r2.edges_written, r2.nodes_created, r2.edges_created)
    assert r1.nodes_written == 206


def test_string_columns_keep_non_ascii_texts_and_missing_values(tmp_path, monkeypatch):
    def small():
        return Batch(
            nodes=[Node("w", "Workflow", {"name": "Zürich ✓ sync"}),
                   Node("k", "Secret", {}),
                   Node("i", "Identity", {"arn": "arn:aws:iam::1:role/ø"}),
                   Node("w", "Workflow", {"environment": "prod"})],  # a duplicate record
            edges=[Edge("w", "REFERENCES", "k"), Edge("k", "AUTHENTICATES_AS", "i")])

    (fresh, _), (merged, _) = _both(tmp_path, small, monkeypatch)
    _, t1, _ = _files(tmp_path / "fresh")
    _, t2, _ = _files(tmp_path / "merged")
    assert t1["nodes"].equals(t2["nodes"]) and t1["edges"].equals(t2["edges"])
    reopened = EmbeddedStore(tmp_path / "fresh")
    assert reopened.get_node("w")["name"] == "Zürich ✓ sync"
    assert reopened.get_node("w")["environment"] == "prod"
    assert t1["nodes"].column("arn").to_pylist() == ["arn:aws:iam::1:role/ø", None, None]
    assert t1["nodes"].column("name").to_pylist() == ["i", "k", "Zürich ✓ sync"]
    assert reopened.find_nodes("name", "zürich ✓ SYNC", case_insensitive=True)[0]["id"] == "w"
