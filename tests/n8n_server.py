"""A real n8n server for the collector tests: the n8n that ``scripts/install-n8n.sh``
installed from the npm registry (once per machine, linked from ``.cache/n8n``), started as a
plain subprocess on loopback ports with a user folder of its own (SQLite), every phone-home switched off.

:class:`N8nServer` imports seed credentials and workflows with n8n's own CLI before the
start, starts it, waits until ``GET /rest/settings`` answers 200 with JSON (while its
database migrates n8n answers every route with 200 and the text "n8n is starting up. Please
wait"), sets up the owner
(``POST /rest/owner/setup``) and creates an API key (``POST /rest/api-keys``). Nothing here
skips: when n8n is missing or cannot start, the caller gets an exception with the log tail.
"""

from __future__ import annotations

import http.cookiejar
import json
import os
import signal
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
N8N_DIR = Path(os.environ.get("NHIGRAPH_N8N_DIR", ROOT / ".cache" / "n8n"))
OWNER = {"email": "owner@acme.test", "firstName": "Olive", "lastName": "Owner",
         "password": "Nhigraph-test-1"}
ENCRYPTION_KEY = "nhigraph-test-encryption-key"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _starting_up(body: bytes) -> bool:
    """n8n's answer to every route while its database migrates (HTTP 200, plain text)."""
    return body.lstrip()[:40].lower().startswith(b"n8n is starting up")


def n8n_bin() -> Path:
    path = N8N_DIR / "node_modules" / ".bin" / "n8n"
    if not path.exists():
        raise RuntimeError(f"n8n is not installed at {path}: run `make test-deps` "
                           "(scripts/install-n8n.sh)")
    return path


class N8nServer:
    """One n8n process on loopback; ``url``, ``api_key`` once started."""

    def __init__(self, folder: str | os.PathLike | None = None):
        self.folder = Path(folder or tempfile.mkdtemp(prefix="nhigraph-n8n-"))
        self.port = _free_port()
        self.broker_port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen | None = None
        self.api_key: str | None = None
        self.start_seconds = 0.0
        self._cookies = http.cookiejar.CookieJar()
        self._opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self._cookies))

    @property
    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("N8N_", "NODE_"))}
        env.update({
            "N8N_USER_FOLDER": str(self.folder), "N8N_PORT": str(self.port),
            "N8N_LISTEN_ADDRESS": "127.0.0.1", "N8N_HOST": "127.0.0.1",
            "N8N_RUNNERS_BROKER_PORT": str(self.broker_port),
            "N8N_ENCRYPTION_KEY": ENCRYPTION_KEY,
            "N8N_DIAGNOSTICS_ENABLED": "false", "N8N_VERSION_NOTIFICATIONS_ENABLED": "false",
            "N8N_PERSONALIZATION_ENABLED": "false", "N8N_TEMPLATES_ENABLED": "false",
            "N8N_HIRING_BANNER_ENABLED": "false", "N8N_SECURE_COOKIE": "false",
            "N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS": "false",
            "N8N_PUBLIC_API_SWAGGERUI_DISABLED": "true",
            "N8N_DISABLE_PRODUCTION_MAIN_PROCESS": "false",
            "EXTERNAL_FRONTEND_HOOKS_URLS": "", "N8N_LOG_LEVEL": "warn",
            "DB_SQLITE_POOL_SIZE": "2", "WEBHOOK_URL": self.url + "/",
        })
        return env

    def cli(self, *args: str, timeout: float = 300) -> str:
        """Run an n8n CLI command on this server's user folder; its output, or an error."""
        res = subprocess.run([str(n8n_bin()), *args], env=self.env, capture_output=True,
                             text=True, timeout=timeout, cwd=self.folder)
        if res.returncode != 0:
            raise RuntimeError(f"n8n {' '.join(args)} failed ({res.returncode}): "
                               f"{(res.stdout + res.stderr)[-2000:]}")
        return res.stdout

    def start(self, timeout: float = 240) -> None:
        t0 = time.monotonic()
        log = open(self.folder / "n8n.log", "ab")
        self.proc = subprocess.Popen([str(n8n_bin()), "start"], env=self.env, stdout=log,
                                     stderr=subprocess.STDOUT, cwd=self.folder,
                                     start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"n8n exited with {self.proc.returncode}: {self.log_tail()}")
            try:
                with urllib.request.urlopen(self.url + "/rest/settings", timeout=5) as r:
                    if r.status == 200 and not _starting_up(r.read()):
                        self.start_seconds = time.monotonic() - t0
                        return
            except (urllib.error.URLError, OSError):
                pass
            time.sleep(0.5)
        self.stop()
        raise RuntimeError(f"n8n did not answer /rest/settings within {timeout}s: "
                           f"{self.log_tail()}")

    def log_tail(self, n: int = 3000) -> str:
        try:
            return (self.folder / "n8n.log").read_text(errors="replace")[-n:]
        except OSError:
            return "(no log)"

    def rest(self, method: str, path: str, body=None, api: bool = False):
        """A call to the internal REST API (owner session) or, with ``api``, the public API."""
        url = self.url + (("/api/v1" + path) if api else ("/rest" + path))
        data = None if body is None else json.dumps(body).encode()
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        if api:
            headers["X-N8N-API-KEY"] = self.api_key or ""
        req = urllib.request.Request(url, data=data, method=method, headers=headers)
        try:
            with self._opener.open(req, timeout=60) as r:
                text = r.read()
        except urllib.error.HTTPError as exc:
            raise RuntimeError(f"{method} {path}: HTTP {exc.code} "
                               f"{exc.read()[:500].decode(errors='replace')}") from None
        if _starting_up(text):
            raise RuntimeError(f"{method} {path}: n8n is still starting up")
        return json.loads(text) if text else None

    def setup_owner(self, timeout: float = 60) -> None:
        # /rest/settings can answer a moment before the owner routes are mounted (404), or
        # while the database still migrates (200, "n8n is starting up").
        deadline = time.monotonic() + timeout
        while True:
            try:
                self.rest("POST", "/owner/setup", OWNER)
                break
            except RuntimeError as exc:
                retry = "HTTP 404" in str(exc) or "still starting up" in str(exc)
                if not retry or time.monotonic() > deadline:
                    raise
                time.sleep(1)
        scopes = self.rest("GET", "/api-keys/scopes")
        scopes = scopes.get("data", scopes) if isinstance(scopes, dict) else scopes
        answer = self.rest("POST", "/api-keys", {"label": "nhigraph-test", "expiresAt": None,
                                                 "scopes": scopes})
        data = answer.get("data", answer)
        self.api_key = data.get("rawApiKey") or data.get("apiKey")
        if not self.api_key:
            raise RuntimeError(f"POST /rest/api-keys gave no key: {sorted(data)}")

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=10)
        self.proc = None
