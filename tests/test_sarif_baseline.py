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
