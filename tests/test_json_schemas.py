"""Every ``--format json`` output has a published, versioned JSON Schema under docs/schemas/
(``<command>.v1.json``) and validates against it on the hand-built chain graph; a command
with json output and no schema fails here unless it is in PENDING (which may only shrink)."""

from __future__ import annotations

import json
from pathlib import Path

import click
import jsonschema
import pytest
from click.testing import CliRunner

from cli import cli
from tests import graphs

SCHEMAS = Path(__file__).resolve().parent.parent / "docs" / "schemas"
AS_OF = ["--as-of", "2026-06-01T00:00:00Z"]
RUNS = {
    "stats": [], "search": ["deploy"], "blast-radius": ["wf"], "blast-radius-all": [],
    "inbound": ["bucket"], "path": ["wf", "bucket"], "shared-credentials": [], "orphans": [],
    "entry-points": [], "explain": ["wf", *AS_OF], "findings": AS_OF,
    "unused-credentials": AS_OF,
}
#: Commands whose json output has no schema yet (export, history and plan commands).
PENDING = {"export", "snapshots", "diff", "what-if", "cut"}


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
    assert commands - PENDING - have == set(), "json output without a schema"
    assert PENDING & have == set(), "remove it from PENDING"
    assert have == set(RUNS), "every schema is exercised below"


@pytest.mark.parametrize("command", sorted(RUNS))
def test_output_validates(command, tmp_path):
    path = tmp_path / "s"
    graphs.fresh(graphs.CHAIN, path)
    out = CliRunner().invoke(cli, [command, *RUNS[command], "--format", "json",
                                   "--store", str(path)])
    assert out.exit_code == 0, out.output
    schema = json.loads((SCHEMAS / f"{command}.v1.json").read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.validate(json.loads(out.output), schema)
    # a schema that accepts anything would pass the line above: it must reject {}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({}, schema)
