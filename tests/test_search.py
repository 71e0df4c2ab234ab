"""``nhigraph search`` and the 'closest' line of an unknown node, on the hand-built chain
graph (tests/graphs.py CHAIN), whose scores are worked out by hand: exact 100; prefix
90 + 9*len(text)/len(value); both stores give the same matches."""

from __future__ import annotations

import json

from click.testing import CliRunner

from cli import cli
from graph.embedded import EmbeddedStore
from graph.errors import NodeNotFound
from queries.resolve import resolve_node
from queries.search import score, search
from tests import graphs

# "deploy" (exact), "deploy job"/"deploy key" (prefix, 90 + 9*6/10), "deploy-role" (9*6/11)
TOP = [("deploy", 100.0), ("deploy job", 95.4), ("deploy key", 95.4), ("deploy-role", 94.9)]


def test_scores_by_hand():
    assert score("Deploy", "deploy") == 100.0
    assert score("dep", "deploy") == 94.5          # 90 + 9*3/6
    assert score("role", "deploy-role") == 75.0 + 14.0 * 4 / 11
    assert score("", "x") == 0.0


def test_search_ranks_names(tmp_path):
    store = graphs.fresh(graphs.CHAIN, tmp_path / "s")
    rows = search(store, "deploy", limit=4).rows
    assert [(r["name"], r["score"]) for r in rows] == TOP
    assert rows[0]["id"] == "wf" and rows[0]["kind"] == "Workflow"
    secrets = search(store, "deploy", kind="Secret").rows
    assert [r["id"] for r in secrets][0] == "key"
    assert all(r["kind"] == "Secret" for r in secrets)
    assert search(store, "   ").rows == []


def test_unknown_node_names_the_closest(tmp_path):
    store = graphs.fresh(graphs.CHAIN, tmp_path / "s")
    try:
        resolve_node(store, "deplo-role")
    except NodeNotFound as exc:
        assert "closest: deploy-role (deploy-role)" in str(exc)
    else:
        raise AssertionError("an unknown name resolved")


def test_cli_search_and_unknown_node(tmp_path):
    path = tmp_path / "s"
    graphs.fresh(graphs.CHAIN, path)
    runner = CliRunner()
    out = runner.invoke(cli, ["search", "deploy", "--limit", "4", "--format", "json",
                              "--store", str(path)])
    assert out.exit_code == 0, out.output
    data = json.loads(out.output)
    assert data["query"] == "deploy"
    assert [(m["name"], m["score"]) for m in data["matches"]] == TOP
    table = runner.invoke(cli, ["search", "pii", "--store", str(path)])
    assert table.exit_code == 0 and "bucket" in table.output and "Resource" in table.output
    bad = runner.invoke(cli, ["blast-radius", "deplyo", "--store", str(path)])
    assert bad.exit_code == 2
    assert "no node with id or name 'deplyo'; closest: deploy (wf)" in bad.output


def test_search_parity(tmp_path, neo4j_store):
    emb = graphs.fresh(graphs.CHAIN, tmp_path / "s")
    graphs.load(neo4j_store, graphs.CHAIN)
    assert isinstance(emb, EmbeddedStore)
    for text, kind in (("deploy", None), ("key", "Secret"), ("aws", None), ("zzz", None)):
        assert search(emb, text, kind=kind).rows == search(neo4j_store, text, kind=kind).rows
