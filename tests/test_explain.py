"""``nhigraph explain`` on the hand-built chain graph (tests/graphs.py CHAIN): the workflow
``wf`` reaches conn, key, old-key, deploy-role, admin-role, acct and bucket (7); of those
only the System and Resource count by access, both admin (admin-role's grant, then CONTAINS);
its crown jewel is the bucket; Alice owns it; its risk is 12.0 (see queries/risk.py)."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
from click.testing import CliRunner

from cli import cli
from queries.explain import explain
from tests import graphs

AS_OF = "2026-06-01T00:00:00Z"


def test_explain_workflow(tmp_path):
    e = explain(graphs.fresh(graphs.CHAIN, tmp_path / "s"), "deploy", as_of=AS_OF)
    assert e.node["id"] == "wf" and e.node["kind"] == "Workflow"
    assert e.owners == [{"id": "alice", "name": "Alice", "status": "active"}]
    assert e.reaches["nodes"] == 7
    assert e.reaches["by_access"] == {"admin": 2}
    assert e.reaches["crown_jewels"] == ["bucket"]
    assert e.reached_by == {"nodes": 0, "by_kind": {}, "workflows": []}  # OWNS is no access
    assert e.risk["risk"] == 12.0


def test_explain_bucket_is_reached_by_the_workflow(tmp_path):
    e = explain(graphs.fresh(graphs.CHAIN, tmp_path / "s"), "pii", as_of=AS_OF)
    assert e.node["id"] == "bucket" and e.node["crown_jewel"] is True
    assert e.owners == [] and e.risk == {}
    assert e.reached_by["workflows"] == ["wf"]
    assert e.reaches["nodes"] == 0


def test_cli_explain_text_json_and_open(tmp_path):
    path = tmp_path / "s"
    graphs.fresh(graphs.CHAIN, path)
    runner = CliRunner()
    out = runner.invoke(cli, ["explain", "wf", "--store", str(path), "--as-of", AS_OF])
    assert out.exit_code == 0, out.output
    assert out.output.splitlines()[0] == "deploy  (Workflow, id wf)"
    assert "owner: Alice (active)" in out.output
    assert "crown jewels: bucket" in out.output
    js = runner.invoke(cli, ["--format", "json", "explain", "wf", "--store", str(path),
                             "--as-of", AS_OF, "--open"])
    assert js.exit_code == 0, js.output
    assert "explorer: http://127.0.0.1:8501/?view=blast-radius&node=wf" in js.output
    data = json.loads(js.output[:js.output.rindex("}") + 1])
    assert data["reaches"]["nodes"] == 7
    bad = runner.invoke(cli, ["explain", "nope-nope", "--store", str(path)])
    assert bad.exit_code == 2


def test_explain_parity(tmp_path, neo4j_store):
    emb = graphs.fresh(graphs.CHAIN, tmp_path / "s")
    graphs.load(neo4j_store, graphs.CHAIN)
    for name in ("wf", "bucket", "key"):
        assert explain(emb, name, as_of=AS_OF).to_dict() == \
            explain(neo4j_store, name, as_of=AS_OF).to_dict()


def test_each_finding_names_its_target(tmp_path):
    """admin-role's findings (worked out by hand): admin-grant, evidence admin-role -> acct,
    targets aws-prod; no-owner, evidence admin-role -> acct -> bucket, targets the crown jewel
    pii (the end of the path, what the unowned role reaches)."""
    path = tmp_path / "s"
    e = explain(graphs.fresh(graphs.CHAIN, path), "admin-role", as_of=AS_OF)
    assert [(f["rule"], f["targets"]) for f in e.findings] == [
        ("admin-grant", [{"id": "acct", "name": "aws-prod", "kind": "System",
                          "crown_jewel": False}]),
        ("no-owner", [{"id": "bucket", "name": "pii", "kind": "Resource", "crown_jewel": True}]),
    ]
    assert e.findings[0]["id"].startswith("admin-grant:")
    assert "AdministratorAccess on aws-prod" in e.findings[0]["detail"]
    out = CliRunner().invoke(cli, ["explain", "admin-role", "--store", str(path),
                                   "--as-of", AS_OF])
    lines = out.output.splitlines()
    i = lines.index("  [high] admin-grant NHI5:2025: Admin or wildcard permissions held by a "
                    "non-human identity")
    assert lines[i + 1] == "    -> aws-prod"
    assert lines[i + 3] == "    -> pii (crown jewel)"
    js = CliRunner().invoke(cli, ["explain", "admin-role", "--store", str(path), "--as-of",
                                  AS_OF, "--format", "json"])
    schema = json.loads((Path(__file__).parent.parent / "docs/schemas/explain.v1.json")
                        .read_text())
    jsonschema.validate(json.loads(js.output), schema)
    assert json.loads(js.output)["findings"][1]["targets"][0]["name"] == "pii"


def test_a_finding_without_paths_targets_its_other_nodes():
    from queries.explain import finding_targets

    assert finding_targets("wf", {"nodes": ["wf", "bob"], "paths": []}) == ["bob"]
    assert finding_targets("a", {"nodes": ["a"], "paths": [["a", "b"], ["a", "c", "b"],
                                                           ["x", "a"]]}) == ["b"]
