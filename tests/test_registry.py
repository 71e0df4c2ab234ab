"""A new source format is one module under ``ingest/`` and one fixture, with no other edit.

The throwaway ingester below is written as ONE module into a temporary folder that is put
on the ``ingest`` package's search path (``ingest.__path__``, the list pkgutil walks: the
module is found exactly as a file in ``ingest/`` would be), plus ONE fixture file in a
temporary ``data/<name>/`` folder. Nothing else is edited, and every front end picks it
up: the ``nhigraph ingest <name>`` command, the explorer's upload, and the fuzz and canary
suites (their own helpers, pointed at the temporary data folder). The registry is reset
before and after, so no other test sees the throwaway.
"""

from __future__ import annotations

import json
import sys
import uuid

import pytest
from click.testing import CliRunner

import cli
import ingest
from graph.embedded import EmbeddedStore
from graph.errors import InputError
from ingest import registry
from tests import test_canary, test_fuzz_ingesters

MODULE = '''"""Throwaway source format: JSON ``{"workflow": NAME, "secrets": [{"name", "value"}]}``;
the workflow references each secret, whose value is never read."""

import json
from pathlib import Path

from graph.errors import InputError
from graph.records import Batch, Edge, Node
from ingest.registry import Ingester, Option


def parse(paths, environment=None):
    batch = Batch()
    for p in paths:
        try:
            doc = json.loads(Path(p).read_text(encoding="utf-8"))
        except (OSError, ValueError, RecursionError):
            raise InputError("not readable JSON", str(p)) from None
        if not isinstance(doc, dict) or not isinstance(doc.get("workflow"), str) \\
                or not isinstance(doc.get("secrets"), list) \\
                or not all(isinstance(s, dict) and isinstance(s.get("name"), str)
                           for s in doc["secrets"]):
            raise InputError("not a KIND export", str(p))
        wf = f"workflow:KIND:{doc['workflow']}"
        props = {"name": doc["workflow"]}
        if environment:
            props["environment"] = environment
        batch.nodes.append(Node(wf, "Workflow", props))
        for s in doc["secrets"]:
            sid = f"secret:KIND:{s['name']}"
            batch.nodes.append(Node(sid, "Secret", {"name": s["name"]}))
            batch.edges.append(Edge(wf, "REFERENCES", sid))
        batch.files_read += 1
    return batch


INGESTER = Ingester(
    name="KIND",
    help="Ingest a throwaway export (a test of the registry).",
    parse=parse,
    paths_exist=True,
    options=(Option("--environment", "Environment of the workflow."),),
)
'''


@pytest.fixture
def throwaway(tmp_path):
    """The throwaway ingester's name, its fixture file and the data folder holding it."""
    name = f"throwaway-{uuid.uuid4().hex[:8]}"
    module = name.replace("-", "_")
    src = tmp_path / "src"
    src.mkdir()
    (src / f"{module}.py").write_text(MODULE.replace("KIND", name))
    data = tmp_path / "data"
    (data / name).mkdir(parents=True)
    fixture = data / name / "export.json"
    fixture.write_text(json.dumps({"workflow": "nightly-sync", "secrets": [
        {"name": f"key-{i}", "value": test_canary.MARKER} for i in range(5)]}))
    ingest.__path__.append(str(src))
    registry.reset()
    try:
        yield name, fixture, data
    finally:
        ingest.__path__.remove(str(src))
        sys.modules.pop(f"ingest.{module}", None)
        registry.reset()


def test_it_is_registered_and_has_a_command(throwaway):
    name, _, _ = throwaway
    assert name in registry.ingesters() and name in ingest.INGESTERS  # derived from it
    runner = CliRunner()
    listing = runner.invoke(cli.cli, ["ingest", "--help"])
    assert listing.exit_code == 0 and name in listing.output
    own = runner.invoke(cli.cli, ["ingest", name, "--help"])
    assert own.exit_code == 0
    for option in ("--environment", "--replace", "--source", "--store", "--neo4j"):
        assert option in own.output


def test_the_command_writes_its_nodes(throwaway, tmp_path):
    name, fixture, _ = throwaway
    store = tmp_path / "store"
    res = CliRunner().invoke(cli.cli, ["ingest", name, str(fixture), "--environment", "prod",
                                       "--store", str(store)])
    assert res.exit_code == 0, res.output
    assert f"{name}:{fixture.resolve()}: 1 file(s) read" in res.output
    g = EmbeddedStore(store, create=False).graph
    wf = f"workflow:{name}:nightly-sync"
    assert g.nodes[wf]["environment"] == "prod"
    assert {f"secret:{name}:key-{i}" for i in range(5)} <= set(g.nodes)
    missing = CliRunner().invoke(cli.cli, ["ingest", name, str(tmp_path / "nope.json"),
                                           "--store", str(store)])
    assert missing.exit_code == 2  # paths_exist: refused before parsing


def test_the_explorer_upload_lists_and_ingests_it(throwaway, tmp_path, monkeypatch):
    from explorer.views.data import ingest_upload

    name, fixture, _ = throwaway
    monkeypatch.setenv("NHIGRAPH_STORE", str(tmp_path / "store"))
    monkeypatch.delenv("NEO4J_URI", raising=False)
    message = ingest_upload("export.json", fixture.read_bytes(), name)
    assert message.startswith("export.json: 6 nodes (6 new)")
    g = EmbeddedStore(tmp_path / "store", create=False).graph
    assert f"workflow:{name}:nightly-sync" in g.nodes


def test_the_fuzz_suite_covers_it(throwaway, tmp_path):
    name, _, data = throwaway
    assert test_fuzz_ingesters.seeds(name, data)
    test_fuzz_ingesters.fuzz(name, tmp_path, data=data, examples=40)


def test_the_canary_suite_covers_it(throwaway, tmp_path):
    name, fixture, data = throwaway
    assert name not in test_canary.uncovered(data)  # the marked fixture is its canary case
    values = test_canary.canaries(10)
    ran = test_canary.plant_and_run(tmp_path, {name: test_canary.fixture_cases(name, data)},
                                    values)
    assert ran["refused"] == 0
    assert f"secret:{name}:key-0" in ran["secrets"]
    assert [v for v in values for b in ran["blobs"] if v.encode() in b] == []
    # Without the marker (or builders, or NO_SECRET_VALUES) the suite fails it loudly.
    fixture.write_text(fixture.read_text().replace(test_canary.MARKER, "plain"))
    assert name in test_canary.uncovered(data)


def test_a_broken_ingester_module_fails_loudly(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    module = f"broken_{uuid.uuid4().hex[:8]}"
    (src / f"{module}.py").write_text("import no_such_module_anywhere\n")
    ingest.__path__.append(str(src))
    registry.reset()
    try:
        with pytest.raises(ModuleNotFoundError):
            registry.ingesters()
    finally:
        ingest.__path__.remove(str(src))
        sys.modules.pop(f"ingest.{module}", None)
        registry.reset()


def test_key_value_options_are_checked_for_every_front_end():
    eks = next(o for o in registry.get("aws-iam").options if isinstance(o, registry.Option))
    assert eks.convert(("abc=prod",)) == {"abc": "prod"}
    for bad in ("abc", "=prod", "abc="):
        with pytest.raises(InputError, match="--eks-cluster wants OIDC_ID=CLUSTER"):
            eks.convert((bad,))
    env = next(o for o in registry.get("github-actions").options
               if isinstance(o, registry.Option) and o.name == "--env-secrets")
    assert env.convert(("prod=a.json", "=b.json")) == ["prod=a.json", "=b.json"]
    with pytest.raises(InputError, match="--env-secrets wants ENV=FILE, not 'prod'"):
        env.convert(("prod",))
