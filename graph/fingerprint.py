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

from .errors import StoreError

PREFIX = "hmac-sha256:"


def key_path() -> Path:
    base = os.environ.get("XDG_CONFIG_HOME") or os.path.join(os.path.expanduser("~"), ".config")
    return Path(base) / "nhigraph" / "fingerprint.key"


#: A key file shorter than this (after stripping) is refused: it was truncated or emptied.
MIN_KEY_CHARS = 32


@lru_cache(maxsize=4)
def _key(env_key: str | None, path: str) -> bytes:
    if env_key:
        return env_key.encode()
    p = Path(path)
    if not p.exists():
        _create_key(p)
    try:
        text = p.read_text().strip()
    except (OSError, UnicodeDecodeError) as exc:
        raise StoreError(f"{p}: cannot read the fingerprint key ({exc})") from None
    if len(text) < MIN_KEY_CHARS:
        raise StoreError(f"{p}: the fingerprint key is empty or short ({len(text)} characters); "
                         "restore it, or delete it to start a new key (fingerprints made "
                         "with the old key will no longer match)")
    return text.encode()


def _create_key(p: Path) -> None:
    """Write a new key atomically: a private temporary file, fsynced, then linked to the
    key's name, which fails if another process got there first (whose key then wins)."""
    p.parent.mkdir(parents=True, exist_ok=True)
    tmp = p.with_name(f".{p.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_hex(32))
            fh.flush()
            os.fsync(fh.fileno())
        try:
            os.link(tmp, p)  # atomic: exists with its whole content, or not at all
        except FileExistsError:
            pass
    finally:
        try:
            os.unlink(tmp)
        except OSError:
            pass


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
