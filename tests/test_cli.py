"""The command-line contract: commands, JSON shapes, exit codes, one-line errors."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli import cli

DATA = Path(__file__).parent / "data" / "inventory"


def run(*args, store=None):
    argv = list(args)
    if store is not None:
        argv += ["--store", str(store)]
    result = CliRunner().invoke(cli, argv, catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def loaded(tmp_path):
    store = tmp_path / "store"
    code, out, err = run("ingest", "inventory", str(DATA / "small.yaml"), store=store)
    assert code == 0, err
    return store


def store_bytes(store: Path) -> dict[str, bytes]:
    return {str(p.relative_to(store)): p.read_bytes() for p in sorted(store.rglob("*"))
            if p.is_file()}  # snapshots/ (every ingest leaves one) included


def test_ingest_reports_counts_and_is_idempotent(tmp_path):
    store = tmp_path / "s"
    code, out, _ = run("ingest", "inventory", str(DATA / "small.yaml"), store=store)
    assert code == 0
    assert "8 nodes (8 new), 8 edges (8 new)" in out
    code, out, _ = run("ingest", "inventory", str(DATA / "small.yaml"), store=store)
    assert "8 nodes (0 new), 8 edges (0 new); removed 0 stale nodes, 0 stale edges" in out
    code, out, _ = run("stats", "--format", "json", store=store)
    stats = json.loads(out)
    assert (stats["nodes"], stats["edges"], stats["runs"]) == (8, 8, 2)


def test_second_source_adds_and_replace_starts_fresh(loaded, tmp_path):
    extra = tmp_path / "extra.yaml"
    extra.write_text("nodes: {Secret: [{id: 'k:9', name: lone key}]}\n"
                     "edges: {CAN_ACCESS: [{from: 'k:9', to: 'sys:slack', access: read}]}\n")
    assert run("ingest", "inventory", str(extra), store=loaded)[0] == 0
    stats = json.loads(run("stats", "--format", "json", store=loaded)[1])
    assert (stats["nodes"], stats["edges"]) == (9, 9)  # the edge joins the first source's node
    assert run("ingest", "inventory", str(DATA / "small.json"), "--replace", store=loaded)[0] == 0
    stats = json.loads(run("stats", "--format", "json", store=loaded)[1])
    assert (stats["nodes"], stats["edges"]) == (8, 8)


def test_blast_radius_json_contract(loaded):
    code, out, _ = run("blast-radius", "sync-dev", "--format", "json", store=loaded)
    assert code == 0
    doc = json.loads(out)
    assert doc["source"] == "wf:2"
    got = {r["id"]: (r["kind"], r["access"], r["distance"], r["path"]) for r in doc["reachable"]}
    assert got == {
        "c:2": ("Connector", "control", 1, ["wf:2", "c:2"]),
        "s:1": ("Secret", "control", 2, ["wf:2", "c:2", "s:1"]),
        "sys:slack": ("System", "write", 3, ["wf:2", "c:2", "s:1", "sys:slack"]),
    }
    assert all({"id", "kind", "name", "access", "distance", "path"} <= set(r)
               for r in doc["reachable"])
    assert doc["summary"]["reachable"] == 3


def test_inbound_json_contract(loaded):
    code, out, _ = run("inbound", "s:1", "--format", "json", store=loaded)
    doc = json.loads(out)
    assert doc["target"] == "s:1"
    got = {r["id"]: (r["distance"], r["path"]) for r in doc["sources"]}
    assert got == {"c:1": (1, ["c:1", "s:1"]), "c:2": (1, ["c:2", "s:1"]),
                   "wf:1": (2, ["wf:1", "c:1", "s:1"]), "wf:2": (2, ["wf:2", "c:2", "s:1"]),
                   "ws:1": (3, ["ws:1", "wf:1", "c:1", "s:1"])}
    assert {r["access"] for r in doc["sources"]} == {"control"}
    assert doc["summary"]["workflows"] == 2


def test_shared_credentials_and_orphans_json(loaded):
    doc = json.loads(run("shared-credentials", "--format", "json", store=loaded)[1])
    assert len(doc["clusters"]) == 1
    c = doc["clusters"][0]
    assert (c["secrets"], c["identities"], c["workflows"], c["workspaces"], c["environments"],
            c["mixed_environments"]) == (["s:1"], [], ["wf:1", "wf:2"], ["ws:1"],
                                         ["dev", "prod"], True)
    doc = json.loads(run("orphans", "--format", "json", store=loaded)[1])
    # workflows are owned through ws:1; the token sits in no owned workspace or vault
    assert [(o["node"], o["kind"], o["reason"], o["reaches"]) for o in doc["orphans"]] == [
        ("s:1", "Secret", "no_owner", ["sys:slack"])]


def test_path_and_formats(loaded, tmp_path):
    doc = json.loads(run("path", "ops", "Slack", "--format", "json", store=loaded)[1])
    assert [p["path"] for p in doc["paths"]] == [["ws:1", "wf:1", "c:1", "s:1", "sys:slack"],
                                                 ["ws:1", "wf:2", "c:2", "s:1", "sys:slack"]]
    out = tmp_path / "br.csv"
    code, _, err = run("blast-radius", "wf:1", "--format", "csv", "-o", str(out), store=loaded)
    assert code == 0 and "wrote" in err
    rows = list(csv.DictReader(io.StringIO(out.read_text())))
    assert [r["id"] for r in rows] == ["sys:slack", "c:1", "s:1"]
    assert rows[0]["path"] == "wf:1 -> c:1 -> s:1 -> sys:slack"
    code, out, _ = run("blast-radius", "wf:1", store=loaded)
    assert code == 0 and "sync -> sync / slack -> slack token -> Slack" in out
    code, out, _ = run("path", "sys:slack", "wf:1", store=loaded)
    assert code == 0 and "no access path from sys:slack to wf:1" in out


BAD_INPUTS = [
    ("missing file", ["ingest", "inventory", "nope.yaml"], "nope.yaml: no such file or folder"),
    ("malformed yaml", ["ingest", "inventory", "{bad}/x.yaml"], "malformed YAML"),
    ("unknown kind", ["ingest", "inventory", "{bad}/kind.yaml"], "unknown kind 'Gadget'"),
    ("edge to missing node", ["ingest", "inventory", "{bad}/edge.yaml"],
     "edges.USES[0]: edge refers to a missing node 'wf:404'"),
    ("conflicting kind", ["ingest", "inventory", "{bad}/dup.yaml"],
     "nodes.Identity[0]: id 's:1' is a Identity here but already a Secret"),
    ("malformed csv", ["ingest", "inventory", "{bad}/csvdir"], "missing column 'id'"),
    ("unknown node", ["blast-radius", "no-such-node"], "no node with id or name 'no-such-node'"),
    ("unknown node (inbound)", ["inbound", "zzz"], "no node with id or name 'zzz'"),
    ("unknown node (path)", ["path", "wf:1", "zzz"], "no node with id or name 'zzz'"),
]


@pytest.mark.parametrize("label,argv,message", BAD_INPUTS, ids=[b[0] for b in BAD_INPUTS])
def test_bad_input_one_line_exit_2_store_unchanged(loaded, tmp_path, label, argv, message):
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "x.yaml").write_text("nodes: [\n")
    (bad / "kind.yaml").write_text("nodes: {Gadget: [{id: g}]}\n")
    (bad / "edge.yaml").write_text("edges: {USES: [{from: 'wf:1', to: 'wf:404'}]}\n")
    (bad / "dup.yaml").write_text("nodes: {Identity: [{id: 's:1'}]}\n")
    (bad / "csvdir").mkdir()
    (bad / "csvdir" / "secrets.csv").write_text("name\nx\n")
    before = store_bytes(loaded)
    argv = [a.replace("{bad}", str(bad)) for a in argv]
    code, out, err = run(*argv, store=loaded)
    assert code == 2
    assert err.count("\n") == 1 and err.startswith("error: ") and message in err
    assert "Traceback" not in err + out
    assert store_bytes(loaded) == before


def test_usage_errors_exit_2(loaded):
    assert run("blast-radius", store=loaded)[0] == 2
    assert run("blast-radius", "wf:1", "--depth", "-1", store=loaded)[0] == 2
    assert run("shared-credentials", "--min-workflows", "1", store=loaded)[0] == 2


def test_analysis_on_a_missing_store_is_one_clear_line(tmp_path):
    code, _, err = run("stats", store=tmp_path / "none")
    assert code == 2 and "no nhigraph store here" in err


def test_ambiguous_name(tmp_path):
    inv = tmp_path / "a.yaml"
    inv.write_text("nodes: {Secret: [{id: a, name: twin}, {id: b, name: twin}]}\n")
    store = tmp_path / "s"
    run("ingest", "inventory", str(inv), store=store)
    code, _, err = run("blast-radius", "twin", store=store)
    assert code == 2 and "'twin' names 2 nodes; use an id: a, b" in err


def test_store_from_environment_and_real_process(tmp_path):
    """The installed console script, a real process, NHIGRAPH_STORE from the environment."""
    env = dict(os.environ, NHIGRAPH_STORE=str(tmp_path / "envstore"))
    exe = Path(sys.executable).with_name("nhigraph")
    p = subprocess.run([str(exe), "ingest", "inventory", str(DATA / "csv")], env=env,
                       capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stderr
    p = subprocess.run([str(exe), "blast-radius", "sync", "--format", "json"], env=env,
                       capture_output=True, text=True, timeout=120)
    assert json.loads(p.stdout)["source"] == "wf:1"
    p = subprocess.run([str(exe), "blast-radius", "nobody"], env=env, capture_output=True,
                       text=True, timeout=120)
    assert p.returncode == 2
    assert p.stderr == "error: no node with id or name 'nobody'\n"


def test_demo_loads_sample_refuses_other_data_and_replaces(loaded, tmp_path):
    fresh = tmp_path / "demo"
    code, out, err = run("demo", store=fresh)
    assert code == 0, err
    assert "Sample estate of Acme Freight loaded" in out
    assert "shared-credential clusters:" in out and "orphaned paths:" in out
    assert "blast radius of workflow:github:acme/infra:.github/workflows/deploy.yml" in out
    first = json.loads(run("stats", "--format", "json", store=fresh)[1])
    assert run("demo", store=fresh)[0] == 0  # its own data: reloads, idempotent
    again = json.loads(run("stats", "--format", "json", store=fresh)[1])
    assert (again["nodes_by_kind"], again["edges_by_kind"]) == (first["nodes_by_kind"],
                                                                first["edges_by_kind"])
    assert again["runs"] == 2 * first["runs"]
    snapshot = store_bytes(loaded)
    code, _, err = run("demo", store=loaded)  # a store with other data
    assert code == 2 and "holds other data" in err and "--replace" in err
    assert store_bytes(loaded) == snapshot
    assert run("demo", "--replace", store=loaded)[0] == 0
    stats = json.loads(run("stats", "--format", "json", store=loaded)[1])
    assert not any(s.startswith("inventory:") for s in stats["sources"])
