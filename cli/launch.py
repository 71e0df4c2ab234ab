"""Start the explorer on one node (``nhigraph explain NODE --open``).

On a terminal: ``streamlit run app.py`` on 127.0.0.1 (port 8501, or a free one when 8501 is
taken, so an explorer already running on another store is never reused), with the store the
command used passed the way the explorer reads it (``NHIGRAPH_STORE``, ``NEO4J_*``), then the
browser opened on the node's link once the server answers; Ctrl+C stops it. Not on a terminal
(a script, CI, a pipe): only the link, on standard error. The link is the explorer's own
(docs/explorer-urls.md): ``?view=inbound&target=ID`` for a resource, system or vault (what
reaches it), ``?view=blast-radius&node=ID`` for anything else (what it reaches).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import quote

import click

HOST = "127.0.0.1"
PORT = 8501
APP = Path(__file__).resolve().parent.parent / "app.py"
#: Kinds the explorer opens on Inbound (as its sidebar search does); the rest on Blast radius.
INBOUND_KINDS = ("Resource", "System", "Vault")


def explorer_url(node: dict, port: int = PORT) -> str:
    """The explorer link that opens on ``node`` (a dict with ``id`` and ``kind``)."""
    nid = quote(node["id"], safe=":/@")
    if node.get("kind") in INBOUND_KINDS:
        return f"http://{HOST}:{port}/?view=inbound&target={nid}"
    return f"http://{HOST}:{port}/?view=blast-radius&node={nid}"


def explorer_command(port: int = PORT) -> list[str]:
    """The command line that serves the explorer on ``port`` (no browser of its own)."""
    return [sys.executable, "-m", "streamlit", "run", str(APP), "--server.address", HOST,
            "--server.port", str(port), "--server.headless", "true",
            "--server.fileWatcherType", "none"]


def explorer_env(store_config: dict, environ: dict | None = None) -> dict[str, str]:
    """The environment that makes the explorer open the store ``store_config`` names."""
    env = dict(os.environ if environ is None else environ)
    if store_config.get("neo4j_uri"):
        env["NEO4J_URI"] = store_config["neo4j_uri"]
        for key in ("neo4j_user", "neo4j_database"):
            if store_config.get(key):
                env[key.upper()] = store_config[key]
    elif store_config.get("path"):
        env.pop("NEO4J_URI", None)  # --store means the embedded store, as in open_store
        env["NHIGRAPH_STORE"] = str(Path(store_config["path"]).resolve())
    return env


def free_port(preferred: int = PORT) -> int:
    """``preferred`` when nothing listens there, else a port the system hands out."""
    for port in (preferred, 0):
        with socket.socket() as s:
            try:
                s.bind((HOST, port))
            except OSError:
                continue
            return s.getsockname()[1]
    raise click.ClickException("no free port for the explorer")


def on_terminal() -> bool:
    try:
        return sys.stdin.isatty() and sys.stdout.isatty()
    except (AttributeError, ValueError):
        return False


def wait_until_up(port: int, proc, timeout: float = 60.0) -> bool:
    """Whether the explorer answered its health check before ``timeout`` (or exiting)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            with urllib.request.urlopen(f"http://{HOST}:{port}/_stcore/health", timeout=2):
                return True
        except OSError:
            time.sleep(0.3)
    return False


def open_explorer(node: dict, store_config: dict) -> None:
    """Serve the explorer and open it on ``node`` (on a terminal), else print its link."""
    if not on_terminal():
        click.echo(f"explorer: {explorer_url(node)}", err=True)
        return
    port = free_port()
    url = explorer_url(node, port)
    click.echo(f"starting the explorer on {url} (Ctrl+C to stop)", err=True)
    proc = subprocess.Popen(explorer_command(port), env=explorer_env(store_config))
    try:
        if not wait_until_up(port, proc):
            click.echo(f"error: the explorer did not start (exit {proc.poll()}); run "
                       f"streamlit run {APP} and open {url}", err=True)
            raise SystemExit(1)
        import webbrowser

        webbrowser.open(url)
        proc.wait()
    except KeyboardInterrupt:
        pass
    finally:
        if proc.poll() is None:
            proc.terminate()
            proc.wait()
