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


def _complete(words: list[str]) -> list[str]:
    import os
    import subprocess
    import sys

    env = {**os.environ, "COMP_WORDS": " ".join(words), "COMP_CWORD": str(len(words) - 1),
           "_NHIGRAPH_COMPLETE": "bash_complete"}
    out = subprocess.run([sys.executable, "-c", "from cli import main; main()"], env=env,
                         capture_output=True, text=True, check=True)
    return [line.split(",", 1)[1] for line in out.stdout.splitlines()]


def test_completion_scripts_and_node_names(tmp_path):
    import os
    import subprocess
    import sys

    for shell, marker in (("bash", "complete -o"), ("zsh", "#compdef nhigraph"),
                          ("fish", "complete --no-files --command nhigraph")):
        env = {**os.environ, "_NHIGRAPH_COMPLETE": f"{shell}_source"}
        script = subprocess.run([sys.executable, "-c", "from cli import main; main()"],
                                env=env, capture_output=True, text=True, check=True).stdout
        assert marker in script, shell
    path = tmp_path / "s"
    graphs.fresh(graphs.CHAIN, path)
    # ids starting with "de": deploy-role; one-word names: deploy (wf), deploy-role's own id
    assert _complete(["nhigraph", "blast-radius", "--store", str(path), "de"]) == \
        ["deploy", "deploy-role"]
    assert _complete(["nhigraph", "--store", str(path), "inbound", "pi"]) == ["pii"]
    assert "search" in _complete(["nhigraph", "sea"])


def test_path_prints_a_chain_of_names(tmp_path):
    path = tmp_path / "s"
    graphs.fresh(graphs.CHAIN, path)
    runner = CliRunner()
    out = runner.invoke(cli, ["path", "deploy", "pii", "--store", str(path)])
    assert out.exit_code == 0, out.output
    assert out.output.splitlines() == [
        "Paths deploy (wf) -> pii (bucket)",
        "path 1 (4 hops):",
        "  deploy (wf)",
        "    --USES--> deploy job (conn)",
        "    --AUTHENTICATES_WITH--> deploy key (key)",
        "    --AUTHENTICATES_AS--> deploy-role",
        "    --CAN_ACCESS [read ReadBucket]--> pii (bucket)",
    ]
    table = runner.invoke(cli, ["path", "wf", "bucket", "--ids", "--store", str(path)])
    assert "wf -> conn -> key -> deploy-role -> bucket" in table.output
    assert "{" not in table.output


def test_table_fits_columns_and_shortens_in_the_middle():
    from cli.plumbing import shorten, table
    from queries.results import Result

    assert shorten("workflow:n8n:abcdef", 9) == "work…cdef"
    r = Result(rows=[{"id": "x" * 50 + "END", "kind": "Secret"}], columns=("id", "kind"))
    lines = table(r, "", width=30).splitlines()
    assert max(len(line) for line in lines) <= 30
    assert lines[2].startswith("xxxx") and "…" in lines[2] and lines[2].split()[0].endswith("END")


def test_table_shortens_long_list_cells_but_json_and_csv_keep_every_item(tmp_path):
    from cli.plumbing import emit, table
    from queries.results import Result

    many = [f"wf{i}" for i in range(8)]
    r = Result(rows=[{"id": "s", "workflows": many, "path": many},
                     {"id": "t", "workflows": many[:5], "path": many[:2]}],
               columns=("id", "workflows", "path"))
    lines = table(r, "", width=400).splitlines()
    assert lines[2].split("  ")[1].strip() == "wf0, wf1, wf2, wf3, wf4 (+3 more)"
    assert " -> ".join(many) in lines[2]  # paths are never cut to five
    assert "wf0, wf1, wf2, wf3, wf4" in lines[3] and "more" not in lines[3]
    assert r.rows[0]["workflows"] == many  # the result itself is unchanged
    emit(r, "json", str(tmp_path / "r.json"))
    emit(r, "csv", str(tmp_path / "r.csv"))
    assert '"wf7"' in (tmp_path / "r.json").read_text()
    assert ", ".join(many) in (tmp_path / "r.csv").read_text()
    bare = Result(rows=[{"id": "s", "workflows": many}])  # no columns: the row's keys
    assert "wf0, wf1, wf2, wf3, wf4 (+3 more)" in table(bare, "", width=400)
