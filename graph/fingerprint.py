"""Keyed fingerprints of secret values.

Duplicate detection needs to know that two stored credentials hold the same value without
ever keeping the value. A fingerprint is HMAC-SHA256 under a local key, so someone who
holds the graph (or an export of it) cannot test guesses against it without the key.

The key comes from ``NHIGRAPH_FINGERPRINT_KEY`` (any text; hex is fine) or from a file
``$XDG_CONFIG_HOME/nhigraph/fingerprint.key`` (default ``~/.config``), created with mode
0600 on first use. Every ingest on one machine therefore fingerprints alike, whichever
store it writes to.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from functools import lru_cache
from pathlib import Path

PREFIX = "hmac-sha256:"


def key_path() -> Path:
    base = os.environ.get("XDG_CONFIG_HOME") or os.path.join(os.path.expanduser("~"), ".config")
    return Path(base) / "nhigraph" / "fingerprint.key"


@lru_cache(maxsize=4)
def _key(env_key: str | None, path: str) -> bytes:
    if env_key:
        return env_key.encode()
    p = Path(path)
    if not p.exists():
        p.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(p, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_hex(32))
    return p.read_text().strip().encode()


def fingerprint(value: str | bytes) -> str:
    """Keyed fingerprint of a secret value; the value itself goes nowhere.

    Examples
    --------
    >>> os.environ["NHIGRAPH_FINGERPRINT_KEY"] = "doctest-key"
    >>> fingerprint("s3cr3t") == fingerprint(b"s3cr3t")
    True
    >>> fingerprint("s3cr3t").startswith("hmac-sha256:") and "s3cr3t" not in fingerprint("s3cr3t")
    True
    """
    data = value.encode() if isinstance(value, str) else value
    key = _key(os.environ.get("NHIGRAPH_FINGERPRINT_KEY"), str(key_path()))
    return PREFIX + hmac.new(key, data, hashlib.sha256).hexdigest()
