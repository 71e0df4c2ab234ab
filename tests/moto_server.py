"""moto's standalone server (``moto[server]``, a test extra) on a free loopback port: AWS's
IAM API for the collector tests, with no request leaving the machine.

:class:`MotoServer` starts ``python -m moto.server`` with ``MOTO_IAM_LOAD_MANAGED_POLICIES``
(AWS managed policies such as ReadOnlyAccess exist, as in a real account), waits until it
answers and gives the environment a boto3 client needs to talk to it (``AWS_ENDPOINT_URL``
and fake keys). Nothing here skips: a server that cannot start is an exception.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class MotoServer:
    """``managed_policies``: load AWS's managed policies (about 1,600; slower to collect)."""

    def __init__(self, managed_policies: bool = True):
        self.managed_policies = managed_policies
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen | None = None
        self.log = Path(tempfile.mkdtemp(prefix="nhigraph-moto-")) / "moto.log"

    @property
    def client_env(self) -> dict[str, str]:
        """What a boto3 client (or `nhigraph collect aws`) needs to use this server."""
        return {"AWS_ENDPOINT_URL": self.url, "AWS_ACCESS_KEY_ID": "testing",
                "AWS_SECRET_ACCESS_KEY": "testing", "AWS_SESSION_TOKEN": "testing",
                "AWS_DEFAULT_REGION": "us-east-1", "AWS_CONFIG_FILE": os.devnull,
                "AWS_SHARED_CREDENTIALS_FILE": os.devnull, "AWS_EC2_METADATA_DISABLED": "true"}

    def start(self, timeout: float = 60) -> None:
        env = {**os.environ,
               "MOTO_IAM_LOAD_MANAGED_POLICIES": "true" if self.managed_policies else "false"}
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(self.port)],
            env=env, stdout=open(self.log, "ab"), stderr=subprocess.STDOUT,
            start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"moto server exited: {self.log.read_text()[-2000:]}")
            try:
                with urllib.request.urlopen(self.url + "/moto-api/", timeout=2):
                    return
            except (urllib.error.URLError, OSError):
                time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"moto server did not answer within {timeout}s")

    def reset(self) -> None:
        """Empty every account (managed policies come back)."""
        req = urllib.request.Request(self.url + "/moto-api/reset", method="POST")
        urllib.request.urlopen(req, timeout=30).read()

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        self.proc = None
