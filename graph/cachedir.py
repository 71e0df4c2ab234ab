"""Where nhigraph keeps what it can recompute (never inside a store: a read leaves the
store's folder exactly as it was): ``NHIGRAPH_CACHE_DIR`` (``off`` keeps nothing), else
``$XDG_CACHE_HOME/nhigraph/<part>`` or ``~/.cache/nhigraph/<part>``. Files are written
owner-only (they hold node names and ids, never a secret value)."""

from __future__ import annotations

import os
from pathlib import Path


def cache_folder(part: str) -> Path | None:
    """The folder for ``part`` ("explorer", "search"), or None when caching is off."""
    env = os.environ.get("NHIGRAPH_CACHE_DIR")
    if env:
        return None if env.lower() == "off" else Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(Path.home(), ".cache")
    return Path(base) / "nhigraph" / part


def prune(folder: Path, pattern: str, keep: int) -> None:
    """Remove all but the ``keep`` newest files of ``folder`` matching ``pattern``."""
    try:
        found = sorted(folder.glob(pattern), key=lambda p: p.stat().st_mtime, reverse=True)
    except OSError:
        return
    for old in found[keep:]:
        try:
            old.unlink()
        except OSError:
            pass
