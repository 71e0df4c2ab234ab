"""SARIF 2.1.0 output and baselines.

The SARIF log of real findings (the GitHub Actions and n8n fixtures) is validated against
tests/data/sarif/sarif-schema-2.1.0-reduced.json (the required parts of the published
schema, written from the OASIS standard) and its locations point at the workflow files the
ingesters recorded. Baselines round-trip: a baseline of today's findings hides all of them;
an accepted risk whose expiry passed shows again, with its reason; one that has not expired
stays hidden.
"""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from graph.embedded import EmbeddedStore
from graph.errors import InputError
from ingest import github, n8n
from queries.baseline import apply_baseline, load_baseline, make_baseline, write_baseline
from queries.findings import findings
from reports.sarif import to_sarif
from tests.graphs import load
from tests.test_drift import AFTER, AS_OF

DATA = Path(__file__).parent / "data"
SCHEMA = json.loads((DATA / "sarif" / "sarif-schema-2.1.0-reduced.json").read_text())


def _estate(tmp_path):
    store = EmbeddedStore(tmp_path / "s")
    store.write(github.parse(DATA / "github" / "shipping-api", repo="acme/shipping-api",
                             secrets=DATA / "github" / "secrets" / "repo.json"), source="gh")
    store.write(n8n.parse(DATA / "n8n" / "acme-test", instance="acme-test",
                          environment="prod"), source="n8n")
    return store


def test_sarif_validates_and_points_at_workflow_files(tmp_path):
    store = _estate(tmp_path)
    rows = findings(store, as_of=AS_OF).rows
    assert rows
    log = to_sarif(rows, store.get_nodes({n for f in rows for n in f["nodes"]}))
    jsonschema.Draft7Validator(SCHEMA).validate(log)
    results = log["runs"][0]["results"]
    assert len(results) == len(rows)
    assert [r["partialFingerprints"]["nhigraph/v1"] for r in results] == [f["id"] for f in rows]
    uris = {loc["physicalLocation"]["artifactLocation"]["uri"] for r in results
            for loc in r["locations"] if "physicalLocation" in loc}
    assert any(u.startswith(".github/workflows/") for u in uris), uris
    assert any(u.endswith(".json") and not u.startswith(".github") for u in uris), uris
    rules = log["runs"][0]["tool"]["driver"]["rules"]
    assert all(rules[r["ruleIndex"]]["id"] == r["ruleId"] for r in results)


def test_schema_rejects_what_sarif_forbids():
    bad = {"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "x"}},
                                         "results": [{"message": {"text": "m"},
                                                      "level": "critical"}]}]}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft7Validator(SCHEMA).validate(bad)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft7Validator(SCHEMA).validate({"version": "2.0.0", "runs": []})


def test_baseline_round_trip_and_expiry(tmp_path):
    store = load(EmbeddedStore(tmp_path / "b"), AFTER)
    rows = findings(store, as_of=AS_OF).rows
    path = tmp_path / "baseline.json"
    assert write_baseline(path, rows) == len(rows) == 8
    known = load_baseline(path)
    assert apply_baseline(rows, known, AS_OF) == []
    # accept the admin grant until 2026-03-01 (past) and the no-owner of wf-b until 2027
    doc = json.loads(path.read_text())
    admin = next(e for e in doc["findings"] if e["rule"] == "admin-grant")
    admin.update(reason="break-glass role, reviewed", expires="2026-03-01")
    owner = next(e for e in doc["findings"] if e["rule"] == "no-owner"
                 and e["nodes"] == ["wf-b"])
    owner.update(reason="owner being hired", expires="2027-01-01")
    dropped = next(e for e in doc["findings"] if e not in (admin, owner))
    doc["findings"].remove(dropped)
    path.write_text(json.dumps(doc))
    shown = apply_baseline(rows, load_baseline(path), AS_OF)
    assert sorted((f["id"], f["baseline"]) for f in shown) == sorted(
        [(admin["id"], "expired"), (dropped["id"], "new")])
    assert next(f for f in shown if f["baseline"] == "expired")["accepted_reason"] == \
        "break-glass role, reviewed"
    # a new baseline keeps the reasons and expiry given before
    again = make_baseline(rows, load_baseline(path))
    kept = {e["id"]: e.get("reason") for e in again["findings"]}
    assert kept[owner["id"]] == "owner being hired" and kept[dropped["id"]] is None


def test_bad_baseline_is_one_clear_error(tmp_path):
    p = tmp_path / "b.json"
    p.write_text(json.dumps({"format": "nhigraph-baseline", "findings": [{"rule": "x"}]}))
    with pytest.raises(InputError, match=r"findings\[0\]"):
        load_baseline(p)
    p.write_text("{")
    with pytest.raises(InputError, match="b.json"):
        load_baseline(p)


def test_findings_cli_baseline_and_sarif(tmp_path):
    from click.testing import CliRunner

    from cli import cli

    store = str(tmp_path / "s")
    load(EmbeddedStore(store), AFTER)
    base = str(tmp_path / "base.json")
    r = CliRunner().invoke(cli, ["findings", "--store", store, "--as-of", AS_OF,
                                 "--write-baseline", base, "--format", "json"])
    assert r.exit_code == 0, r.output
    r = CliRunner().invoke(cli, ["findings", "--store", store, "--as-of", AS_OF, "--baseline",
                                 base, "--format", "json", "--fail-on", "info"])
    assert r.exit_code == 0 and json.loads(r.output)["findings"] == []
    r = CliRunner().invoke(cli, ["findings", "--store", store, "--format", "sarif"])
    assert r.exit_code == 0
    jsonschema.Draft7Validator(SCHEMA).validate(json.loads(r.output))


def test_sarif_start_lines_of_jobs_steps_and_n8n_nodes(tmp_path):
    """tests/data/sarif/lines: lines counted by hand. release.yml: job ``build`` on line 8,
    ``publish`` on 13, its second step (``- name: Upload``, an unpinned third-party action
    given a secret) on 19; crm-sync.json: the community node's ``"id"`` key on line 21
    (after its credentials block, so the first ``"id"`` of the node is not the one)."""
    store = EmbeddedStore(tmp_path / "s")
    store.write(github.parse(DATA / "sarif" / "lines", repo="acme/lines"), source="gh")
    store.write(n8n.parse(DATA / "sarif" / "lines-n8n", instance="lines",
                          environment="prod"), source="n8n")
    job = "connector:github:acme/lines:.github/workflows/release.yml"
    assert {n: store.get_node(n).get("line") for n in (f"{job}:build", f"{job}:publish",
                                                       f"{job}:publish:step:1")} == {
        f"{job}:build": 8, f"{job}:publish": 13, f"{job}:publish:step:1": 19}
    rows = findings(store, as_of=AS_OF).rows
    log = to_sarif(rows, store.get_nodes({n for f in rows for n in f["nodes"]}))
    jsonschema.Draft7Validator(SCHEMA).validate(log)
    located = sorted((r["ruleId"], loc["physicalLocation"]["artifactLocation"]["uri"],
                      loc["physicalLocation"]["region"]["startLine"])
                     for r in log["runs"][0]["results"] for loc in r["locations"]
                     if "region" in loc.get("physicalLocation", {}))
    assert located == [("third-party-credential", ".github/workflows/release.yml", 19),
                       ("third-party-credential", "crm-sync.json", 21),
                       ("third-party-unpinned", ".github/workflows/release.yml", 19)]


def test_n8n_node_lines_in_an_array_export(tmp_path):
    """Two workflows of one array file with the same node id (an exported copy): each node
    gets the line of its own ``"id"`` key, in file order."""
    node = {"id": "same", "name": "CRM", "type": "n8n-nodes-acme-crm.acmeCrm",
            "credentials": {"acmeCrmApi": {"id": "c1", "name": "CRM"}}}
    doc = [{"id": f"wf{i}", "name": f"flow {i}", "nodes": [node]} for i in (1, 2)]
    text = json.dumps(doc, indent=1)
    (tmp_path / "all.json").write_text(text)
    lines = [i for i, line in enumerate(text.splitlines(), 1) if '"id": "same"' in line]
    assert len(lines) == 2
    batch = n8n.parse(tmp_path, instance="arr")
    got = {n.id: n.props.get("line") for n in batch.nodes if n.kind == "Connector"}
    assert got == {"connector:n8n:arr:wf1:same": lines[0], "connector:n8n:arr:wf2:same": lines[1]}
