"""Global options before the subcommand (git/kubectl style) mean the same as after it, and
the group's help names the environment variables."""

from __future__ import annotations

import json

from click.testing import CliRunner

from cli import cli
from cli.plumbing import hoist_global_options
from tests import graphs


def test_hoist_moves_leading_global_options_only():
    assert hoist_global_options(["--store", "d", "--format=json", "path", "a", "b"]) == \
        ["path", "a", "b", "--store", "d", "--format=json"]
    assert hoist_global_options(["-o", "f", "search", "x", "--", "-y"]) == \
        ["search", "x", "-o", "f", "--", "-y"]
    assert hoist_global_options(["path", "--store", "d"]) == ["path", "--store", "d"]


def test_store_and_format_before_the_command(tmp_path):
    path = tmp_path / "s"
    graphs.fresh(graphs.CHAIN, path)
    runner = CliRunner()
    before = runner.invoke(cli, ["--store", str(path), "--format", "json", "search", "pii"])
    after = runner.invoke(cli, ["search", "pii", "--store", str(path), "--format", "json"])
    assert before.exit_code == 0, before.output
    assert before.output == after.output
    assert json.loads(before.output)["matches"][0]["id"] == "bucket"


def test_help_names_the_environment():
    out = CliRunner().invoke(cli, ["--help"])
    assert out.exit_code == 0
    for name in ("NHIGRAPH_STORE", "NEO4J_URI", "NEO4J_PASSWORD", "COLUMNS"):
        assert name in out.output
