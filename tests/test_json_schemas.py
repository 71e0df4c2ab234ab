"""Every ``--format json`` output has a published, versioned JSON Schema under docs/schemas/
(``<command>.v1.json``) and validates against it on the hand-built chain graph; a command
with json output and no schema fails here. ``snapshots`` and ``diff`` run after a saved
snapshot and a second source that adds a key to the chain (so the diff has changes);
``export`` writes its file, which validates against the inventory schema it refers to."""

from __future__ import annotations

import json
from pathlib import Path

import click
import jsonschema
import pytest
from click.testing import CliRunner
from referencing import Registry, Resource

from cli import cli
from queries.drift import CHANGES
from tests import graphs

SCHEMAS = Path(__file__).resolve().parent.parent / "docs" / "schemas"
AS_OF = ["--as-of", "2026-06-01T00:00:00Z"]
RUNS = {
    "stats": [], "search": ["deploy"], "blast-radius": ["wf"], "blast-radius-all": [],
    "inbound": ["bucket"], "path": ["wf", "bucket"], "shared-credentials": [], "orphans": [],
    "entry-points": [], "explain": ["wf", *AS_OF], "findings": AS_OF,
    "unused-credentials": AS_OF,
    "snapshots": [], "diff": ["--from", "before", *AS_OF], "what-if": ["--revoke", "key", *AS_OF],
    "cut": ["wf", *AS_OF], "export": ["-o", "OUT"],
}
#: A second source after the "before" snapshot: a new key on the connector writes the bucket.
LATER = ([("key2", "Secret", {"name": "key two", "status": "active"})],
         [("conn", "AUTHENTICATES_WITH", "key2"),
          ("key2", "CAN_ACCESS", "bucket", {"access": "write", "grant": "WriteBucket"})])
REGISTRY = Registry().with_resource(
    "https://nhigraph.invalid/schema/inventory-1.json",
    Resource.from_contents(json.loads((SCHEMAS.parent / "inventory.schema.json").read_text())))


def _json_commands(group: click.Group, prefix: str = "") -> set[str]:
    out = set()
    for name, cmd in group.commands.items():
        if isinstance(cmd, click.Group):
            out |= _json_commands(cmd, f"{prefix}{name} ")
            continue
        for p in cmd.params:
            if p.name == "fmt" and "json" in getattr(p.type, "choices", ()):
                out.add(prefix + name)
    return out


def test_every_json_command_has_a_schema():
    commands = _json_commands(cli)
    have = {p.name.removesuffix(".v1.json") for p in SCHEMAS.glob("*.v1.json")}
    assert commands - have == set(), "json output without a schema"
    assert have == set(RUNS), "every schema is exercised below"


def test_change_kinds_are_the_drift_kinds():
    """A change kind added to queries.drift must be added to the schemas that list them."""
    for name in ("diff", "what-if", "cut"):
        schema = json.loads((SCHEMAS / f"{name}.v1.json").read_text())
        kinds = schema["$defs"]["change"]["properties"]["change"]["enum"]
        assert sorted(kinds) == sorted([*CHANGES, "would-break"]), name


@pytest.mark.parametrize("command", sorted(RUNS))
def test_output_validates(command, tmp_path, monkeypatch):
    # conftest points every store at one shared snapshot folder; this store keeps its own
    monkeypatch.setenv("NHIGRAPH_SNAPSHOTS", str(tmp_path / "snapshots"))
    path = tmp_path / "s"
    store = graphs.fresh(graphs.CHAIN, path)
    runner, written = CliRunner(), tmp_path / "export.json"
    if command in ("snapshots", "diff"):
        assert runner.invoke(cli, ["snapshot", "save", "before", "--store", str(path)]) \
            .exit_code == 0
        graphs.load(store, LATER, source="later")
    args = [str(written) if a == "OUT" else a for a in RUNS[command]]
    out = runner.invoke(cli, [command, *args, "--format", "json", "--store", str(path)])
    assert out.exit_code == 0, out.output
    document = json.loads(written.read_text() if command == "export" else out.output)
    schema = json.loads((SCHEMAS / f"{command}.v1.json").read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema, registry=REGISTRY)
    validator.validate(document)
    # a schema that accepts anything would pass the line above: it must reject {}
    with pytest.raises(jsonschema.ValidationError):
        validator.validate({})
    if command == "diff":  # the second source's key and its two edges are changes
        added = [(r["change"], r["subject"], r["target"]) for r in document["changes"]
                 if r["change"] in ("node-added", "edge-added")]
        assert added == [("node-added", "key2", None), ("edge-added", "conn", "key2"),
                         ("edge-added", "key2", "bucket")]
    if command == "snapshots":
        assert [s["name"] for s in document["snapshots"]] == ["before"]
