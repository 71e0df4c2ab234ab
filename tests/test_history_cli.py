"""The snapshot, diff, baseline and SARIF commands, run as a user runs them (click's runner
over the real command group) on the hand-built pair of tests/test_drift.py."""

from __future__ import annotations

import json

from click.testing import CliRunner

from cli import cli
from graph.embedded import EmbeddedStore
from tests.graphs import load
from tests.test_drift import AFTER, AS_OF, BEFORE


def run(*args, code=0):
    res = CliRunner().invoke(cli, list(args))
    assert res.exit_code == code, res.output
    return res.output


def test_snapshots_save_export_and_diff(tmp_path):
    store = str(tmp_path / "s")
    load(EmbeddedStore(store), BEFORE)
    run("snapshot", "save", "last-quarter", "--store", store)
    load(EmbeddedStore(store), AFTER)
    listed = json.loads(run("snapshots", "--store", store, "--format", "json"))
    assert [s["name"] for s in listed["snapshots"]] == ["last-quarter"]
    out = run("diff", "--from", "last-quarter", "--store", store, "--format", "json",
              "--as-of", AS_OF)
    changes = json.loads(out)["changes"]
    assert sorted(c["subject"] for c in changes if c["change"] == "jewel-path-gained") == \
        ["conn-b", "key-b", "role-b", "wf-b"]
    run("diff", "--from", "last-quarter", "--store", store, "--fail-on",
        "new-crown-jewel-path", code=1)
    run("diff", "--from", "last-quarter", "--to", "last-quarter", "--store", store,
        "--fail-on", "info")
    # a portable file diffs on another store
    run("snapshot", "export", str(tmp_path / "now.nhisnap.json.gz"), "--store", store)
    other = str(tmp_path / "other")
    load(EmbeddedStore(other), BEFORE)
    out = run("diff", "--from", "current", "--to", str(tmp_path / "now.nhisnap.json.gz"),
              "--store", other, "--format", "markdown", "--as-of", AS_OF)
    assert out.startswith("# Changes current -\\> ")
    assert "| jewel-path-gained | critical | wf-b |" in out
    html = run("diff", "--from", "last-quarter", "--store", store, "--format", "html")
    assert '<tr class="jewel-path-gained">' in html


def test_diff_bad_inputs_exit_2(tmp_path):
    store = str(tmp_path / "s")
    load(EmbeddedStore(store), BEFORE)
    out = run("diff", "--from", "no-such", "--store", store, code=2)
    assert "not a snapshot name, file or date" in out
    (tmp_path / "x.gz").write_text("nope")
    assert "x.gz" in run("diff", "--from", str(tmp_path / "x.gz"), "--store", store, code=2)
    assert "no snapshot taken on or before 2001-01-01" in run(
        "diff", "--from", "2001-01-01", "--store", store, code=2)
    assert "snapshot name" in run("snapshot", "save", "../evil", "--store", store, code=2)
