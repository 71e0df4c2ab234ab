"""Interop exports: OpenGraph validated against BloodHound's published JSON schemas,
GraphML read back by networkx, JSON re-ingested into a fresh store."""

from __future__ import annotations

import json
import re
from pathlib import Path

import networkx as nx
import pytest
from click.testing import CliRunner

import sample_estate
from cli import cli
from graph.embedded import EmbeddedStore
from graph.model import ACCESS_EDGES, METADATA_EDGES
from ingest import inventory
from reports.export import edge_kind_name, opengraph_id

SCHEMAS = Path("/work/shared/opengraph")


@pytest.fixture(scope="module")
def estate_dir(tmp_path_factory):
    path = tmp_path_factory.mktemp("estate")
    sample_estate.load(EmbeddedStore(path))
    return path


@pytest.fixture(scope="module")
def exported(estate_dir, tmp_path_factory):
    out = tmp_path_factory.mktemp("export")
    runner = CliRunner()
    for fmt, name in (("opengraph", "og.json"), ("graphml", "g.graphml"), ("json", "g.json")):
        res = runner.invoke(cli, ["export", "--store", str(estate_dir), "--format", fmt,
                                  "-o", str(out / name)], catch_exceptions=False)
        assert res.exit_code == 0, res.output
    return out


def test_opengraph_matches_the_published_schemas(exported):
    doc = json.loads((exported / "og.json").read_text())
    if not SCHEMAS.is_dir():
        print(f"schema validation not run: {SCHEMAS} is absent on this machine")
        return
    import jsonschema

    node_schema = json.loads((SCHEMAS / "opengraph-node.json").read_text())
    edge_schema = json.loads((SCHEMAS / "opengraph-edge.json").read_text())
    jsonschema.Draft202012Validator.check_schema(node_schema)
    nv = jsonschema.Draft202012Validator(node_schema)
    ev = jsonschema.Draft202012Validator(edge_schema)
    for node in doc["graph"]["nodes"]:
        nv.validate(node)
    for edge in doc["graph"]["edges"]:
        ev.validate(edge)
    # the minimal example has the same top-level shape as ours
    minimal = json.loads((SCHEMAS / "opengraph-minimal.json").read_text())
    assert set(minimal) <= set(doc) and set(minimal["graph"]) == set(doc["graph"])


def test_opengraph_ids_kinds_and_properties(exported, estate_dir):
    doc = json.loads((exported / "og.json").read_text())
    assert doc["metadata"] == {"source_kind": "NHI_Base"}
    nodes, edges = doc["graph"]["nodes"], doc["graph"]["edges"]
    store = EmbeddedStore(estate_dir)
    assert len(nodes) == sum(store.counts()["nodes"].values())
    assert len(edges) == sum(store.counts()["edges"].values())
    ids = [n["id"] for n in nodes]
    assert len(set(ids)) == len(ids)
    for n in nodes:
        assert ":" not in n["id"] and re.fullmatch(r"NHI-[0-9A-F]{32}", n["id"])
        assert n["id"] == opengraph_id(n["properties"]["nhigraph_id"])  # stable, recoverable
        assert n["kinds"][0].startswith("NHI_") and len(n["kinds"]) <= 3
        assert not any(k.lower().startswith("tag_") for k in n["kinds"])
        assert "objectid" not in n["properties"] and "fingerprint" not in n["properties"]
        for v in n["properties"].values():
            assert isinstance(v, (str, int, float, bool)) or (
                isinstance(v, list) and all(isinstance(x, str) for x in v))
    deploy = "workflow:github:acme/infra:.github/workflows/deploy.yml"
    [d] = [n for n in nodes if n["properties"]["nhigraph_id"] == deploy]
    assert d["kinds"] == ["NHI_Workflow", "NHI_Base"] and d["id"] == opengraph_id(deploy)
    idset = set(ids)
    for e in edges:
        assert e["start"]["value"] in idset and e["end"]["value"] in idset
        assert re.fullmatch(r"NHI_[A-Za-z0-9]+", e["kind"])
    assert "demo-shipbridge-token" not in json.dumps(doc)
    assert "hmac-sha256" not in json.dumps(doc)


def test_extension_marks_access_edges_traversable(exported):
    ext = json.loads((exported / "og.extension.json").read_text())
    assert ext["schema"]["namespace"] == "NHI"
    assert re.fullmatch(r"v\d+\.\d+\.\d+", ext["schema"]["version"])
    rel = {r["name"]: r["is_traversable"] for r in ext["relationship_kinds"]}
    assert {k for k, t in rel.items() if t} == {edge_kind_name(k) for k in ACCESS_EDGES}
    assert {k for k, t in rel.items() if not t} == {edge_kind_name(k) for k in METADATA_EDGES}
    assert edge_kind_name("CAN_ACCESS") == "NHI_CanAccess" and rel["NHI_CanAccess"] is True
    declared = {k["name"] for k in ext["node_kinds"]}
    doc = json.loads((exported / "og.json").read_text())
    used = {k for n in doc["graph"]["nodes"] for k in n["kinds"]}
    assert used <= declared and all(n.startswith("NHI_") for n in declared | set(rel))


def test_graphml_reads_back_in_networkx(exported, estate_dir):
    g = nx.read_graphml(exported / "g.graphml", force_multigraph=True)
    store = EmbeddedStore(estate_dir)
    assert set(g.nodes) == {n["id"] for n in store.nodes()}
    assert g.number_of_edges() == sum(store.counts()["edges"].values())
    pii = "resource:aws:arn:aws:s3:::acme-customer-pii"
    assert g.nodes[pii]["kind"] == "Resource" and g.nodes[pii]["crown_jewel"] is True
    grants = [d for a, b, d in g.edges(data=True) if b == pii and d["kind"] == "CAN_ACCESS"]
    assert [(d["access"], d["actions"]) for d in grants] == [("read",
                                                              "s3:GetObject;s3:ListBucket")]
    assert "hmac-sha256" not in (exported / "g.graphml").read_text()


def test_json_export_reingests_to_the_same_graph(exported, estate_dir, tmp_path):
    again = EmbeddedStore(tmp_path / "again")
    again.write(inventory.parse(str(exported / "g.json")), source="reimport")
    store = EmbeddedStore(estate_dir)
    assert again.counts() == store.counts()

    def strip(n):
        return {k: v for k, v in n.items() if k not in ("source", "fingerprint")}
    assert sorted(map(repr, map(strip, again.nodes()))) == \
        sorted(map(repr, map(strip, store.nodes())))
    assert {(e.src, e.kind, e.dst) for e in again.edges()} == \
        {(e.src, e.kind, e.dst) for e in store.edges()}


def test_export_errors_are_one_line(estate_dir, tmp_path):
    res = CliRunner().invoke(cli, ["export", "--store", str(estate_dir), "--format", "json",
                                   "-o", str(tmp_path / "missing" / "g.json")])
    assert res.exit_code == 2 and "does not exist" in res.output
