"""The entry-points analysis (queries/entry_points.py) on the hand-built entry graph
(tests/graphs.py ENTRY, answers worked out by hand), the gate-aware walk, ``anyone`` as a
node name, and the ``nhigraph entry-points`` / ``blast-radius anyone`` commands."""

from __future__ import annotations

import csv
import io
import json

from click.testing import CliRunner

from cli import cli
from queries import blast_radius, entry_points, resolve_node
from queries.entry_points import gated_reach
from tests.graphs import ENTRY, FORK, PROD_GATE, entry_store, fresh

AS_OF = "2026-01-01T00:00:00Z"


def test_rows_ranked_ungated_outside_first_then_crown_jewels_admin_systems():
    rows = entry_points(entry_store(), as_of=AS_OF).rows
    got = [(r["rank"], r["actor"], r["workflow"], r["outside"], r["gate"], r["crown_jewels"],
            r["admin_targets"], r["systems"], r["secrets"]) for r in rows]
    assert got == [
        (1, "actor:anyone", "wf-hook", True, None, ["crm"], ["crm"], 2, ["s-crm", "s-llm"]),
        (2, "actor:github:any-user", "wf-pr", True, None, [], [], 1, ["s-deploy"]),
        (3, "actor:github:acme/app:writers", "wf-pr", False, None, [], [], 1, ["s-deploy"]),
        (4, "s-hook-basic", "wf-basic", False, None, [], [], 1, ["s-x"]),
        (5, "actor:github:any-user", "wf-ci", True, FORK, [], [], 0, []),
    ]
    assert rows[0]["agents"] == ["agent"]
    assert rows[0]["path"] == ["actor:anyone", "wf-hook", "c-crm", "s-crm", "crm"]
    assert rows[1]["gated_targets"] == [f"cloud [{PROD_GATE}]", f"s-prod [{PROD_GATE}]"]
    assert rows[3]["actor_type"] == "credential-holder" and rows[3]["authentication"] == "basic"
    assert rows[4]["gated_targets"] == [f"codecov [{FORK}]", f"s-codecov [{FORK}]"]


def test_gated_reach_keeps_gated_paths_and_names_the_gate():
    store = entry_store()
    assert gated_reach(store, ["wf-pr"]) == {
        "wf-pr": None, "c-preview": None, "s-deploy": None, "cdn": None,
        "c-prod": PROD_GATE, "s-prod": PROD_GATE, "cloud": PROD_GATE}
    assert set(gated_reach(store, ["wf-ci"], gate=FORK).values()) == {FORK}
    # Behind a gated trigger everything the blast radius reaches is behind that gate
    # (what entry_points uses instead of this walk for such a trigger).
    behind = sorted(r["id"] for r in blast_radius(store, "wf-ci", as_of=AS_OF).rows)
    assert behind == ["c-ci", "codecov", "s-codecov"]
    assert gated_reach(store, ["wf-ci"], as_of=AS_OF, gate=FORK) == \
        dict.fromkeys(["wf-ci", *behind], FORK)


def test_a_revoked_credential_opens_nothing_behind_the_trigger():
    nodes, edges = ENTRY
    nodes = [(n, k, {**p, "status": "revoked"}) if n == "s-deploy" else (n, k, p)
             for n, k, p in nodes]
    store = fresh((nodes, edges))
    assert "cdn" not in gated_reach(store, ["wf-pr"], as_of=AS_OF)
    (row,) = [r for r in entry_points(store, actor="github:any-user", as_of=AS_OF).rows
              if r["workflow"] == "wf-pr"]
    assert row["systems"] == 0 and row["secrets"] == []


def test_actor_names_resolve_without_the_prefix():
    store = entry_store()
    assert resolve_node(store, "anyone") == "actor:anyone"
    assert resolve_node(store, "github:any-user") == "actor:github:any-user"
    assert [r["workflow"] for r in entry_points(store, actor="anyone").rows] == ["wf-hook"]


def run(*args):
    r = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return r.exit_code, r.stdout, r.stderr


def test_cli_entry_points_table_json_csv_and_blast_radius_anyone(tmp_path):
    path = tmp_path / "store"
    entry_store(path)
    code, out, _ = run("entry-points", "--store", str(path))
    assert code == 0 and "Entry points" in out and "order hook" in out
    assert "summary: entry_points: 5; outside: 3; unauthenticated: 3; gated: 1" in out
    code, out, _ = run("entry-points", "--format", "json", "--store", str(path))
    doc = json.loads(out)
    assert [r["workflow"] for r in doc["entry_points"]] == ["wf-hook", "wf-pr", "wf-pr",
                                                            "wf-basic", "wf-ci"]
    assert doc["summary"]["actors"] == ["actor:anyone", "actor:github:acme/app:writers",
                                        "actor:github:any-user", "s-hook-basic"]
    code, out, _ = run("entry-points", "--format", "csv", "--actor", "github:any-user",
                       "--store", str(path))
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [(r["rank"], r["workflow_name"], r["gate"]) for r in rows] == [
        ("1", "preview", ""), ("2", "ci", FORK)]
    code, out, _ = run("blast-radius", "anyone", "--format", "json", "--store", str(path))
    doc = json.loads(out)
    assert doc["source"] == "actor:anyone"
    assert doc["summary"]["crown_jewels"] == ["crm"]
    assert {r["id"] for r in doc["reachable"]} == {"wf-hook", "agent", "c-crm", "c-llm",
                                                   "s-crm", "s-llm", "crm", "llm"}


def test_cli_unknown_actor_is_one_line_and_exit_2(tmp_path):
    path = tmp_path / "store"
    entry_store(path)
    code, out, err = run("entry-points", "--actor", "nobody", "--store", str(path))
    assert code == 2 and out == ""
    assert err == "error: no node with id or name 'nobody'\n"
