"""``nhigraph generate --shape heavy-sharing``: the hub and the cluster are there, scaled
to the estate's size, and the joint walks give what one walk per candidate gives."""

from __future__ import annotations

import csv

from graph import traversal
from graph.embedded import EmbeddedStore
from ingest.pipeline import ingest
from ingest.synthetic_estate import generate
from queries import orphaned_paths, shared_credentials

AS_OF = "2026-06-01T00:00:00Z"


def test_heavy_sharing_shape(tmp_path, monkeypatch):
    generate(5000, 3, tmp_path / "plain")
    generate(5000, 3, tmp_path / "heavy", shape="heavy-sharing")
    plain = (tmp_path / "plain" / "edges.csv").read_text().splitlines()
    heavy = (tmp_path / "heavy" / "edges.csv").read_text().splitlines()
    assert heavy[:len(plain)] == plain  # the same estate first, then the shape's edges
    extra = list(csv.reader(heavy[len(plain):]))
    hub = [r for r in extra if r[4].endswith("hub credential")]
    chain = [r for r in extra if r[4].endswith("cluster")]
    assert len(hub) == 500 and len({r[1] for r in hub}) == 500 and len({r[2] for r in hub}) == 1
    assert len(chain) == 2 * 50
    store = EmbeddedStore(tmp_path / "store")
    ingest("inventory", [str(tmp_path / "heavy")], store)
    clusters = shared_credentials(store, as_of=AS_OF).rows
    assert any({r[1] for r in hub} <= set(c["workflows"]) for c in clusters)
    assert any({r[1] for r in chain} <= set(c["workflows"]) for c in clusters)
    joint = orphaned_paths(store, as_of=AS_OF).to_dict()
    sets = shared_credentials(store, as_of=AS_OF).to_dict()
    monkeypatch.setattr(traversal, "JOINT_FROM", 10**9)  # one walk per candidate
    assert orphaned_paths(store, as_of=AS_OF).to_dict() == joint
    assert shared_credentials(store, as_of=AS_OF).to_dict() == sets
