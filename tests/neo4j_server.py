"""A real Bolt + Cypher server for the tests and benchmarks: ArcadeDB from the
``arcadedb-embedded`` wheel, started as a plain subprocess (its bundled JRE, its server
jars, the Bolt plugin) on free loopback ports with a root path of its own.

:class:`BoltServer` starts it, waits until Bolt answers, creates the database over HTTP
and stops it. ``kill()`` sends SIGKILL (the fault test) and ``start()`` again on the same
root path brings the same data back. Nothing here skips: when the server cannot start the
caller gets an exception with the server's log tail.
"""

from __future__ import annotations

import base64
import json
import os
import secrets
import signal
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

DATABASE = "g"
USER = "root"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def arcadedb_home() -> Path:
    import arcadedb_embedded

    return Path(arcadedb_embedded.__file__).parent


def arcadedb_version() -> str:
    from importlib.metadata import version

    return version("arcadedb-embedded")


class BoltServer:
    """One ArcadeDB server process with the Bolt plugin, on loopback."""

    def __init__(self, root: str | os.PathLike | None = None, heap: str = "1g",
                 settings: dict[str, str] | None = None):
        """``settings``: extra ArcadeDB global settings (``arcadedb.<key>``), e.g.
        ``{"txWalFlush": "2"}`` to force the write-ahead log to disk at every commit."""
        self.root = Path(root or tempfile.mkdtemp(prefix="nhigraph-arcadedb-"))
        self.settings = dict(settings or {})
        self.password = secrets.token_urlsafe(12)
        self.heap = heap
        self.proc: subprocess.Popen | None = None
        self.bolt_port = 0
        self.http_port = 0

    @property
    def uri(self) -> str:
        return f"bolt://127.0.0.1:{self.bolt_port}"

    @property
    def log_path(self) -> Path:
        return self.root / "server.log"

    def start(self, timeout: float = 90.0) -> BoltServer:
        home = arcadedb_home()
        java = home / "jre" / "bin" / "java"
        self.bolt_port, self.http_port = _free_port(), _free_port()
        cmd = [
            str(java), f"-Xmx{self.heap}",
            f"-Darcadedb.server.rootPath={self.root}",
            f"-Darcadedb.server.databaseDirectory={self.root / 'databases'}",
            f"-Darcadedb.server.rootPassword={self.password}",
            "-Darcadedb.server.httpIncomingHost=127.0.0.1",
            f"-Darcadedb.server.httpIncomingPort={self.http_port}",
            "-Darcadedb.bolt.host=127.0.0.1",
            f"-Darcadedb.bolt.port={self.bolt_port}",
            "-Darcadedb.server.plugins=Bolt:com.arcadedb.bolt.BoltProtocolPlugin",
            *(f"-Darcadedb.{k}={v}" for k, v in sorted(self.settings.items())),
            "-cp", f"{home / 'jars'}/*",
            "com.arcadedb.server.ArcadeDBServer",
        ]
        self.root.mkdir(parents=True, exist_ok=True)
        log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL, cwd=self.root)
        log.close()
        deadline = time.monotonic() + timeout
        while not self._http_ready():
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"ArcadeDB did not start; log tail:\n{self.log_tail()}")
            time.sleep(0.25)
        if not self._has_database():
            self._command(f"create database {DATABASE}")
        self._wait_bolt(deadline)
        return self

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"

    def _request(self, path: str, body: dict | None = None):
        req = urllib.request.Request(
            f"http://127.0.0.1:{self.http_port}{path}",
            data=None if body is None else json.dumps(body).encode(),
            headers={"Authorization": "Basic " + base64.b64encode(
                f"{USER}:{self.password}".encode()).decode(),
                "Content-Type": "application/json"},
        )
        with urllib.request.urlopen(req, timeout=30) as resp:
            return json.loads(resp.read() or b"{}")

    def _http_ready(self) -> bool:
        try:
            self._request("/api/v1/ready")
            return True
        except (urllib.error.URLError, OSError, ValueError):
            return False

    def _has_database(self) -> bool:
        return DATABASE in self._request("/api/v1/databases").get("result", [])

    def _command(self, command: str) -> None:
        self._request("/api/v1/server", {"command": command})

    def _wait_bolt(self, deadline: float) -> None:
        from neo4j import GraphDatabase

        last: Exception | None = None
        while time.monotonic() < deadline:
            try:
                with GraphDatabase.driver(self.uri, auth=(USER, self.password)) as d:
                    d.execute_query("RETURN 1", database_=DATABASE)
                return
            except Exception as exc:  # not up yet
                last = exc
                time.sleep(0.25)
        self.stop()
        raise RuntimeError(f"ArcadeDB Bolt never answered ({last}); log tail:\n"
                           f"{self.log_tail()}")

    def kill(self) -> None:
        """SIGKILL, as a crash or an OOM killer would."""
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(30)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(30)
        self.proc = None

    def __enter__(self) -> BoltServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
