"""The explorer's disk cache of the background parts (:mod:`explorer.background`) of one
store generation: one JSON file per store generation and code version, owner-only, written
atomically; and the pid file beside it that says a post-ingest warm-up
(:mod:`explorer.warm`) of that generation is running. No Streamlit, no heavy import.

The file holds what the pages show (ids, names, counts, the findings' text and evidence),
never a secret value: the store holds none.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any

import orjson

#: How many stores' parts the disk cache keeps (the oldest files go first).
CACHE_KEEP = 16
_CODE: str | None = None


#: The explorer's modules whose code computes or encodes the parts.
CODE_MODULES = ("background.py", "disk_cache.py", "subgraph.py")


def code_version() -> str:
    """A hash of the analyses' source (``graph``, ``queries`` and :data:`CODE_MODULES`):
    results computed by other code are never served."""
    global _CODE
    if _CODE is None:
        root = Path(__file__).resolve().parents[1]
        here = Path(__file__).resolve().parent
        h = hashlib.sha256()
        for path in sorted([*root.joinpath("graph").rglob("*.py"),
                            *root.joinpath("queries").rglob("*.py"),
                            *(here / m for m in CODE_MODULES)]):
            h.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes())
        _CODE = h.hexdigest()
    return _CODE


def _encode(name: str, value) -> dict | None:
    if name == "ranking":
        rows, total, distribution = value
        return {"rows": rows, "total": total, "distribution": distribution}
    if name == "cluster":
        if value is None:
            return None
        number, drawing, full = value
        return {"number": number, "drawing": dataclasses.asdict(drawing), "full": full}
    return dataclasses.asdict(value)


def _decode(name: str, data: Any):
    if name == "ranking":
        return data["rows"], data["total"], data["distribution"]
    if name == "cluster":
        if data is None:
            return None
        from explorer.subgraph import Drawing
        from graph.records import Edge

        d = data["drawing"]
        drawing = Drawing(**{**d, "edges": [Edge(**e) for e in d["edges"]]})
        return data["number"], drawing, tuple(data["full"])
    from queries.results import Result

    return Result(**{**data, "columns": tuple(data["columns"])})


class DiskCache:
    """The Overview's parts of one store generation, as one JSON file under ``folder``
    (``NHIGRAPH_CACHE_DIR``, else ``$XDG_CACHE_HOME/nhigraph/explorer`` or
    ``~/.cache/nhigraph/explorer``; ``NHIGRAPH_CACHE_DIR=off`` turns it off). ``key`` names
    the store and its generation (the explorer's store token); the code version is added."""

    def __init__(self, key: str, folder: Path | None = None) -> None:
        self.folder = folder or self.default_folder()
        digest = hashlib.sha256(f"{key}\0{code_version()}".encode()).hexdigest()[:32]
        self.path = None if self.folder is None else self.folder / f"overview-{digest}.json"

    @staticmethod
    def default_folder() -> Path | None:
        from graph.cachedir import cache_folder

        return cache_folder("explorer")

    @property
    def pid_path(self) -> Path | None:
        """The warm-up's pid file of this generation (:mod:`explorer.warm`)."""
        return None if self.path is None else self.path.with_suffix(".warm")

    def warming(self) -> bool:
        """True while a warm-up of this generation is alive: its pid file names a live
        process started when the file says (a killed or crashed one's is stale)."""
        if self.pid_path is None:
            return False
        try:
            data = json.loads(self.pid_path.read_bytes())
            started = process_started(int(data["pid"]))
        except (OSError, ValueError, KeyError, TypeError):
            return False
        return started is not None and (started == "" or started == data.get("started"))

    def load(self, names: list[str]) -> dict | None:
        """Every part of ``names``, or None (no file, another set of parts, unreadable)."""
        if self.path is None:
            return None
        try:
            data = orjson.loads(self.path.read_bytes())
            return {name: _decode(name, data[name]) for name in names}
        except (OSError, ValueError, KeyError, TypeError):  # orjson's error is a ValueError
            return None

    def save(self, parts: dict, current=None) -> bool:
        """Write the parts atomically (a new file, then one rename); a folder that cannot
        be written only costs the next start its computation. With ``current`` (a function
        saying whether this generation is still the store's), nothing is kept once it
        says no, before or right after the rename. True when the file was written."""
        if self.path is None:
            return False
        tmp: str | None = None
        try:
            self.folder.mkdir(parents=True, exist_ok=True, mode=0o700)
            fd, tmp = tempfile.mkstemp(dir=self.folder, prefix=".overview-", suffix=".tmp")
            with os.fdopen(fd, "wb") as fh:  # mkstemp: mode 0600
                fh.write(orjson.dumps({name: _encode(name, v) for name, v in parts.items()},
                                      default=str))
            if current is not None and not current():
                return False
            os.replace(tmp, self.path)
            tmp = None
            if current is not None and not current():  # a new generation meanwhile
                self.path.unlink(missing_ok=True)
                return False
            old = sorted(self.folder.glob("overview-*.json"), key=lambda p: p.stat().st_mtime)
            for stale in old[:-CACHE_KEEP]:
                stale.unlink(missing_ok=True)
            return True
        except OSError:
            return False
        finally:  # also when the warm-up is stopped (SystemExit) while writing
            if tmp is not None and os.path.exists(tmp):
                os.unlink(tmp)



def process_started(pid: int) -> str | None:
    """The process's start time (clock ticks since boot), None when there is no such
    process; "" where /proc is not there (the pid alone is checked then)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return None
    except PermissionError:
        pass
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[19]
    except (OSError, IndexError):
        return "" if not Path("/proc/self/stat").exists() else None
