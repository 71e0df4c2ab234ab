"""The canonical inventory format: YAML, JSON and CSV folder, and every bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from graph.embedded import EmbeddedStore
from graph.errors import InputError
from graph.fingerprint import fingerprint
from ingest import inventory

DATA = Path(__file__).parent / "data" / "inventory"


def load(path):
    b = inventory.parse(path)
    from graph.records import validate

    validate(b)
    return b


def as_sets(b):
    nodes = {n.id: (n.kind, n.props) for n in b.nodes}
    edges = {(e.src, e.kind, e.dst): e.props for e in b.edges}
    return nodes, edges


@pytest.mark.parametrize("name", ["small.yaml", "small.json", "csv"])
def test_the_three_variants_give_the_same_records(name):
    nodes, edges = as_sets(load(DATA / name))
    assert set(nodes) == {"owner:t:ann", "ws:1", "wf:1", "wf:2", "c:1", "c:2", "s:1",
                          "sys:slack"}
    assert nodes["ws:1"] == ("Workspace", {"name": "ops", "environment": "prod"})
    assert nodes["wf:2"][1]["environment"] == "dev"  # "development" normalised
    secret = nodes["s:1"][1]
    assert secret == {"name": "slack token", "secret_type": "oauth_token",
                      "fingerprint": fingerprint("xoxb-test-canary-0001"),
                      "created_at": "2024-01-02T00:00:00Z", "tags": ["chat", "bot"]}
    assert nodes["sys:slack"][1]["crown_jewel"] is False
    assert edges[("owner:t:ann", "OWNS", "ws:1")] == {"reason": "owner named in inventory"}
    assert edges[("s:1", "CAN_ACCESS", "sys:slack")] == {
        "access": "write", "actions": ["chat:write", "channels:read"], "grant": "bot scopes"}
    assert edges[("c:1", "AUTHENTICATES_WITH", "s:1")] == {"reason": "credentials block"}
    assert len(edges) == 8


def test_secret_values_never_reach_the_store(tmp_path):
    store = EmbeddedStore(tmp_path / "s")
    store.write(inventory.parse(DATA / "small.yaml"), source="t")
    for f in (tmp_path / "s").iterdir():
        assert b"xoxb-test-canary-0001" not in f.read_bytes()


def test_schema_file_is_the_generated_one():
    on_disk = json.loads((Path(__file__).parents[1] / "docs" / "inventory.schema.json")
                         .read_text())
    assert on_disk == inventory.inventory_schema(), \
        "docs/inventory.schema.json is stale: run python -m ingest.inventory_schema"


BAD_DOCS = [
    ("[1, 2]", "an inventory document is a mapping"),
    ("nodes: {Gadget: [{id: x}]}", "bad.yaml: nodes.Gadget: unknown kind 'Gadget'"),
    ("nodes: {Secret: [{name: x}]}", "bad.yaml: nodes.Secret[0]: node without an id"),
    ("nodes: {Secret: {id: x}}", "bad.yaml: nodes.Secret: must be a list"),
    ("edges: {USES: [{from: a}]}", "bad.yaml: edges.USES[0]: edge without 'to'"),
    ("edges: {LIKES: []}", "bad.yaml: edges.LIKES: unknown kind 'LIKES'"),
    ("nhigraph_inventory: 7", "version 7 is not 1"),
    ("nodes: {}\nextra: 1", "unknown top-level key 'extra'"),
    ("nodes: {Secret: [{id: x, name: {a: 1}}]}", "bad.yaml: nodes.Secret[0].name: "),
    ("nodes:\n  Secret:\n   - id: x\n  - id: y", "bad.yaml:4:3: malformed YAML"),
    ("nodes: {Secret: [{id: x, password: {a: 1}}]}", "secret field 'password' must be text"),
]


@pytest.mark.parametrize("text,message", BAD_DOCS)
def test_bad_documents_give_one_clear_line(tmp_path, text, message):
    p = tmp_path / "bad.yaml"
    p.write_text(text)
    with pytest.raises(InputError) as exc:
        inventory.parse(p)
    assert message in str(exc.value).replace(str(tmp_path) + "/", "")
    assert "\n" not in str(exc.value)


def test_malformed_json_names_line_and_column(tmp_path):
    p = tmp_path / "bad.json"
    p.write_text('{"nodes": {\n  "Secret": [ {"id": "x",, } ]}}')
    with pytest.raises(InputError, match=r"bad.json:2:\d+: malformed JSON"):
        inventory.parse(p)


def test_missing_and_wrong_kind_of_file(tmp_path):
    with pytest.raises(InputError, match="no such file or folder"):
        inventory.parse(tmp_path / "nope.yaml")
    (tmp_path / "x.txt").write_text("hi")
    with pytest.raises(InputError, match="expected a .json, .yaml or .yml file"):
        inventory.parse(tmp_path / "x.txt")
    (tmp_path / "bin.json").write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(InputError, match="not UTF-8 text"):
        inventory.parse(tmp_path / "bin.json")


@pytest.mark.parametrize("files,message", [
    ({"gadgets.csv": "id\nx\n"}, "gadgets.csv: unknown node kind file"),
    ({"secrets.csv": "name\nx\n"}, "secrets.csv:1: missing column 'id'"),
    ({"edges.csv": "kind,from\nUSES,a\n"}, "edges.csv:1: missing column 'to'"),
    ({"edges.csv": "kind,from,to\nLIKES,a,b\n"}, "edges.csv:2: unknown kind 'LIKES'"),
    ({"secrets.csv": "id,name\nx,a,extra\n"}, "secrets.csv:2: more cells than header"),
    ({"notes.txt": "x"}, "no .csv files in the folder"),
])
def test_bad_csv_folders(tmp_path, files, message):
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    with pytest.raises(InputError) as exc:
        inventory.parse(tmp_path)
    assert message in str(exc.value)


def test_a_large_csv_folder_shares_texts_and_still_names_the_bad_row(tmp_path):
    """Equal cells are one text (edge ends are the node's id text), a column of distinct
    names keeps every name, and an enum checked once per distinct text still names the
    row of the first bad one."""
    rows = [f"workflow:w{i},w{i},{'prod' if i % 2 else 'production'},n8n"
            for i in range(3000)]
    (tmp_path / "Workflow.csv").write_text("id,name,environment,platform\n" +
                                           "\n".join(rows) + "\n")
    (tmp_path / "Secret.csv").write_text("id,expires_at\n" + "".join(
        f"secret:s{i},2030-01-0{1 + i % 2}\n" for i in range(2000)))
    (tmp_path / "edges.csv").write_text("kind,from,to\n" + "".join(
        f"REFERENCES,workflow:w{i},secret:s{i}\n" for i in range(2000)))
    b = load(tmp_path)
    assert [n.props["name"] for n in b.nodes if n.kind == "Workflow"] == \
        [f"w{i}" for i in range(3000)]
    assert {n.props["environment"] for n in b.nodes if n.kind == "Workflow"} == {"prod"}
    assert [n.props["expires_at"] for n in b.nodes if n.kind == "Secret"][:3] == \
        ["2030-01-01T00:00:00Z", "2030-01-02T00:00:00Z", "2030-01-01T00:00:00Z"]
    by_id = {n.id: n.id for n in b.nodes}
    assert all(e.src is by_id[e.src] and e.dst is by_id[e.dst] for e in b.edges)
    assert len(b.edges) == 2000
    rows[2500] = rows[1500] = "workflow:w1500,w1500,moon,n8n"
    (tmp_path / "Workflow.csv").write_text("id,name,environment,platform\n" +
                                           "\n".join(rows[:2600]) + "\n")
    with pytest.raises(InputError) as exc:
        load(tmp_path)
    assert str(exc.value) == (f"{tmp_path / 'Workflow.csv'}:1502.environment: environment "
                              "must be one of prod, staging, dev, test, unknown, not 'moon'")
