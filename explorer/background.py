"""The Overview's whole-estate analyses (blast ranking, shared-credential clusters,
findings), computed in a child process so that a large store's first page does not wait
for them and the explorer's server keeps its interpreter to itself meanwhile.

One child per store token computes the parts in order and sends each result back as soon
as it is done; a daemon thread of the explorer reads them into :class:`Future` objects
(:class:`Jobs`). The child is spawned (never forked from the threaded server), opens its
own handle on the store the environment names, and is a daemon process: stopping the
explorer stops it. No Streamlit here, so the child imports none.
"""

from __future__ import annotations

import dataclasses
import hashlib
import multiprocessing
import os
import tempfile
import threading
from concurrent.futures import Future
from pathlib import Path

import orjson

from graph import open_store

#: At most this many workflows and secrets are ranked on the Overview.
OVERVIEW_MAX_SOURCES = 2000


def ranking(store) -> tuple[list[dict], int]:
    """Blast-radius summary of every workflow and secret (at most OVERVIEW_MAX_SOURCES),
    and how many there were in all."""
    from queries import blast_radius as q

    subjects = sorted((n["id"], n.get("kind"), str(n.get("name") or n["id"]))
                      for kind in ("Workflow", "Secret") for n in store.nodes(kind))
    out = []
    for nid, kind, name in subjects[:OVERVIEW_MAX_SOURCES]:
        s = q(store, nid).summary
        out.append({"id": nid, "kind": kind, "name": name,
                    "targets": s["systems"] + s["resources"], "systems": s["systems"],
                    "resources": s["resources"], "admin_targets": s["admin_targets"],
                    "crown_jewels": len(s["crown_jewels"]), "reachable": s["reachable"]})
    out.sort(key=lambda r: (-r["crown_jewels"], -r["targets"], -r["admin_targets"], r["id"]))
    return out, len(subjects)


def shared(store, ctx=None):
    """The shared-credential clusters (2 or more workflows); from ``ctx``, a findings
    :class:`~queries.context.Context` of the store, when the caller has one (the findings
    read the same clusters, so the child computes them once)."""
    if ctx is not None:
        return ctx.shared
    from queries import shared_credentials as q

    return q(store, min_workflows=2)


def findings(store, ctx=None):
    from queries.findings import findings as q

    return q(store, ctx=ctx)


#: The Overview's parts, in the order they are computed, and what computes each.
PARTS = {"ranking": ranking, "shared": shared, "findings": findings}


def _child(names: list[str], conn) -> None:
    """In the child process: each part's ``(name, ok, result or exception)``, in order."""
    try:
        store = open_store(create=False)
    except BaseException as exc:  # every part fails the same way
        for name in names:
            conn.send((name, False, exc))
        return
    ctx = None
    if {"shared", "findings"} <= set(names):  # one context: the clusters computed once
        from queries.context import Context

        ctx = Context(store)
    for name in names:
        try:
            part = PARTS[name]
            conn.send((name, True, part(store, ctx) if part is not ranking else part(store)))
        except BaseException as exc:
            conn.send((name, False, exc))
    conn.close()


#: How many stores' parts the disk cache keeps (the oldest files go first).
CACHE_KEEP = 16
_CODE: str | None = None


def code_version() -> str:
    """A hash of the analyses' source (``graph``, ``queries`` and this module): results
    computed by other code are never served."""
    global _CODE
    if _CODE is None:
        root = Path(__file__).resolve().parents[1]
        h = hashlib.sha256()
        for path in sorted([*root.joinpath("graph").rglob("*.py"),
                            *root.joinpath("queries").rglob("*.py"), Path(__file__)]):
            h.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes())
        _CODE = h.hexdigest()
    return _CODE


def _encode(name: str, value) -> dict:
    if name == "ranking":
        rows, total = value
        return {"rows": rows, "total": total}
    return dataclasses.asdict(value)


def _decode(name: str, data: dict):
    if name == "ranking":
        return data["rows"], data["total"]
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

    def load(self, names: list[str]) -> dict | None:
        """Every part of ``names``, or None (no file, another set of parts, unreadable)."""
        if self.path is None:
            return None
        try:
            data = orjson.loads(self.path.read_bytes())
            return {name: _decode(name, data[name]) for name in names}
        except (OSError, ValueError, KeyError, TypeError):  # orjson's error is a ValueError
            return None

    def save(self, parts: dict) -> None:
        """Write the parts atomically (a new file, then one rename); a folder that cannot
        be written only costs the next start its computation."""
        if self.path is None:
            return
        tmp: str | None = None
        try:
            self.folder.mkdir(parents=True, exist_ok=True, mode=0o700)
            fd, tmp = tempfile.mkstemp(dir=self.folder, prefix=".overview-", suffix=".tmp")
            with os.fdopen(fd, "wb") as fh:  # mkstemp: mode 0600
                fh.write(orjson.dumps({name: _encode(name, v) for name, v in parts.items()},
                                      default=str))
            os.replace(tmp, self.path)
            old = sorted(self.folder.glob("overview-*.json"), key=lambda p: p.stat().st_mtime)
            for stale in old[:-CACHE_KEEP]:
                stale.unlink(missing_ok=True)
        except OSError:
            if tmp is not None and os.path.exists(tmp):
                os.unlink(tmp)


class Jobs:
    """The background parts of one store: started once, read back as they arrive."""

    def __init__(self) -> None:
        self.futures: dict[str, Future] = {}
        self.lock = threading.Lock()
        self.cache: DiskCache | None = None

    def start(self, names: list[str], cache: DiskCache | None = None) -> None:
        """Compute ``names`` (once; later calls do nothing), or take them from ``cache``
        when it holds them all (and keep them there once computed)."""
        with self.lock:
            if self.futures:
                return
            self.futures = {name: Future() for name in names}
            self.cache = cache
            kept = cache.load(names) if cache is not None else None
            if kept is not None:
                for name, value in kept.items():
                    self.futures[name].set_running_or_notify_cancel()
                    self.futures[name].set_result(value)
                return
        threading.Thread(target=self._read, args=(names,), daemon=True,
                         name="nhigraph-overview").start()

    def _read(self, names: list[str]) -> None:
        ours, theirs = multiprocessing.Pipe(duplex=False)
        child = launch(names, theirs)
        theirs.close()
        try:
            for _ in names:
                name, ok, value = ours.recv()
                future = self.futures[name]
                future.set_running_or_notify_cancel()
                if ok:
                    future.set_result(value)
                else:
                    future.set_exception(value)
            if self.cache is not None and all(f.exception() is None
                                              for f in self.futures.values()):
                self.cache.save({name: f.result() for name, f in self.futures.items()})
        except EOFError:  # the child died (killed, out of memory)
            for future in self.futures.values():
                if not future.done():
                    future.set_exception(RuntimeError(
                        f"the background analysis stopped (exit code {child.exitcode})"))
        finally:
            ours.close()
            child.join(timeout=10)

    def get(self, name: str) -> Future | None:
        with self.lock:
            return self.futures.get(name)


def launch(names: list[str], conn):
    """Start the child computing ``names`` into ``conn``; returns the process."""
    process = multiprocessing.get_context("spawn").Process(
        target=_child, args=(names, conn), daemon=True, name="nhigraph-overview")
    process.start()
    return process
