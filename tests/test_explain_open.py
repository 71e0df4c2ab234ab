"""``nhigraph explain NODE --open`` (cli/launch.py): not on a terminal it prints the explorer
link and starts nothing; on a terminal it serves the explorer on the store the command used
and opens the browser on the node's view. The command line it launches is started for real
(no browser) and must answer its health check."""

from __future__ import annotations

import subprocess
import urllib.request

from click.testing import CliRunner

from cli import cli, launch
from tests import graphs


def _no_launch(*args, **kwargs):
    raise AssertionError(f"nothing may be started off a terminal: {args}")


def test_off_a_terminal_only_the_link_is_printed(tmp_path, monkeypatch):
    path = tmp_path / "s"
    graphs.fresh(graphs.CHAIN, path)
    monkeypatch.setattr(subprocess, "Popen", _no_launch)
    monkeypatch.setattr("webbrowser.open", _no_launch)
    runner = CliRunner()
    # CliRunner's streams are no terminal, as in a pipe or CI
    res = runner.invoke(cli, ["explain", "pii", "--store", str(path), "--open"])
    assert res.exit_code == 0, res.output
    assert res.stderr == "explorer: http://127.0.0.1:8501/?view=inbound&target=bucket\n"
    res = runner.invoke(cli, ["--format", "json", "explain", "deploy", "--store", str(path),
                              "--open"])
    assert res.stderr == "explorer: http://127.0.0.1:8501/?view=blast-radius&node=wf\n"
    assert res.stdout.startswith("{")  # the link never mixes into the JSON


def test_the_link_is_the_explorers_own():
    assert launch.explorer_url({"id": "secret:n8n:acme-prod:cred-stripe-live",
                                "kind": "Secret"}) == \
        "http://127.0.0.1:8501/?view=blast-radius&node=secret:n8n:acme-prod:cred-stripe-live"
    # docs/explorer-urls.md: keep ':' '/' '@', encode '&', '#', '+', '%' and spaces
    assert launch.explorer_url({"id": "resource:x:a&b #c+d%/e@f", "kind": "Resource"}, 9000) \
        == "http://127.0.0.1:9000/?view=inbound&target=resource:x:a%26b%20%23c%2Bd%25/e@f"


def test_the_explorer_gets_the_commands_store():
    base = {"NEO4J_URI": "bolt://elsewhere:7687", "PATH": "/bin", "NEO4J_PASSWORD": "pw"}
    env = launch.explorer_env({"path": "rel/store", "neo4j_uri": None}, base)
    assert "NEO4J_URI" not in env and env["NHIGRAPH_STORE"].endswith("/rel/store")
    assert env["NHIGRAPH_STORE"].startswith("/") and env["PATH"] == "/bin"
    env = launch.explorer_env({"path": None, "neo4j_uri": "bolt://db:7687",
                               "neo4j_user": "reader", "neo4j_database": "nhi"}, base)
    assert (env["NEO4J_URI"], env["NEO4J_USER"], env["NEO4J_DATABASE"]) == \
        ("bolt://db:7687", "reader", "nhi")
    assert env["NEO4J_PASSWORD"] == "pw"  # passed on from the environment, never an option
    assert launch.explorer_env({}, base) == base


def test_on_a_terminal_the_explorer_is_served_and_the_browser_opened(tmp_path, monkeypatch):
    path = tmp_path / "s"
    graphs.fresh(graphs.CHAIN, path)
    started, opened = [], []

    class Proc:
        returncode = None

        def poll(self):
            return self.returncode

        def wait(self):
            self.returncode = 0
            return 0

        def terminate(self):
            raise AssertionError("a server that ended by itself is not terminated")

    def popen(cmd, env):
        started.append((cmd, env))
        return Proc()

    monkeypatch.setattr(launch, "on_terminal", lambda: True)
    monkeypatch.setattr(launch, "free_port", lambda: 8765)
    monkeypatch.setattr(launch, "wait_until_up", lambda port, proc: port == 8765)
    monkeypatch.setattr(subprocess, "Popen", popen)
    monkeypatch.setattr("webbrowser.open", opened.append)
    res = CliRunner().invoke(cli, ["explain", "deploy", "--store", str(path), "--open"])
    assert res.exit_code == 0, res.output
    [(cmd, env)] = started
    assert cmd == launch.explorer_command(8765)
    assert env["NHIGRAPH_STORE"] == str(path.resolve())
    assert opened == ["http://127.0.0.1:8765/?view=blast-radius&node=wf"]
    assert "starting the explorer on http://127.0.0.1:8765/?view=blast-radius&node=wf" \
        in res.stderr


def test_the_launched_command_serves_the_explorer(tmp_path):
    path = tmp_path / "s"
    graphs.fresh(graphs.CHAIN, path)
    port = launch.free_port(0)
    cmd = launch.explorer_command(port)
    assert cmd[1:6] == ["-m", "streamlit", "run", str(launch.APP), "--server.address"]
    assert launch.APP.name == "app.py" and launch.APP.is_file()
    proc = subprocess.Popen(cmd, env=launch.explorer_env({"path": str(path)}),
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        assert launch.wait_until_up(port, proc, timeout=120), proc.stderr
        url = launch.explorer_url({"id": "wf", "kind": "Workflow"}, port)
        with urllib.request.urlopen(url, timeout=10) as page:
            assert page.status == 200 and b"<html" in page.read().lower()
    finally:
        proc.terminate()
        proc.wait(timeout=30)
