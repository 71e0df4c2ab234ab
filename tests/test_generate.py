"""``nhigraph generate``: deterministic for a seed, exactly N nodes, about three edges per
node, and the shape the issue asks for (heavy-tailed sharing, role cycles, uneven
workspaces, a few percent orphaned/retired/departed, prod/dev mixing, crown jewels)."""

from __future__ import annotations

import collections

import networkx as nx
from click.testing import CliRunner

import cli
from graph.embedded import EmbeddedStore
from ingest import inventory
from ingest.synthetic_estate import generate
from queries import shared_credentials


def _bytes(folder):
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def test_same_seed_same_bytes_other_seed_other_estate(tmp_path):
    runner = CliRunner()
    for name, seed in (("a", "5"), ("b", "5"), ("c", "6")):
        res = runner.invoke(cli.cli, ["generate", "--nodes", "3000", "--seed", seed,
                                      "-o", str(tmp_path / name)])
        assert res.exit_code == 0, res.output
    assert "wrote 3000 nodes" in res.stdout
    assert _bytes(tmp_path / "a") == _bytes(tmp_path / "b")
    assert _bytes(tmp_path / "a") != _bytes(tmp_path / "c")


def test_estate_shape(tmp_path):
    counts = generate(5000, 11, tmp_path / "estate")
    store = EmbeddedStore(tmp_path / "store")
    store.write(inventory.parse(tmp_path / "estate"), source="gen")
    g = store.graph
    kinds = collections.Counter(k for _, k in g.nodes(data="kind"))
    assert sum(kinds.values()) == 5000
    assert kinds == {k: v for k, v in counts.items() if k not in ("edges", "owned")}
    assert 2.6 <= g.number_of_edges() / g.number_of_nodes() <= 3.4

    # Heavy tail: one secret behind ~100 connectors, most behind one or two.
    users = collections.Counter(b for _, b, k in g.edges(keys=True)
                                if k == "AUTHENTICATES_WITH")
    top = users.most_common()
    assert top[0][1] >= 50 and top[len(top) // 2][1] <= 2

    # Assume-role cycles exist.
    roles = nx.DiGraph((a, b) for a, b, k in g.edges(keys=True) if k == "CAN_ASSUME")
    assert any(len(c) > 1 for c in nx.strongly_connected_components(roles))

    # Workspaces of very different sizes.
    sizes = collections.Counter(a for a, b, k in g.edges(keys=True)
                                if k == "CONTAINS" and g.nodes[b]["kind"] == "Workflow")
    assert max(sizes.values()) >= 10 * min(sizes.values())

    # A few percent retired / revoked / departed; some nodes with no owner at all.
    status = collections.Counter((a["kind"], a.get("status")) for _, a in g.nodes(data=True))
    assert 0.01 <= status["Workflow", "retired"] / kinds["Workflow"] <= 0.1
    assert 0.01 <= status["Secret", "revoked"] / kinds["Secret"] <= 0.1
    assert status["Owner", "departed"] >= 1
    owned = {b for _, b, k in g.edges(keys=True) if k == "OWNS"}
    assert 0 < sum(1 for n, k in g.nodes(data="kind") if k == "Workflow" and n not in owned)

    # Crown jewels, and shared credentials that mix prod with non-prod.
    assert any(a.get("crown_jewel") for _, a in g.nodes(data=True))
    assert shared_credentials(store).summary["mixed_environment_clusters"] >= 1
