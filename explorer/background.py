"""The Overview's whole-estate analyses (blast ranking, shared-credential clusters,
findings), computed in child processes so that a large store's first page does not wait
for them and the explorer's server keeps its interpreter to itself meanwhile.

Per store token, one child per group of parts (:data:`GROUPS`: today one, since the parts
share their reads) computes its parts in order and sends each
result back as soon as it is done; a daemon thread of the explorer reads them into :class:`Future` objects
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


#: Below this many nodes a blast-radius walk per workflow and secret is quicker than the
#: condensation of the whole graph (0.2 s against 0.8 s on the 235-node sample).
RANK_BY_WALKS_MAX = 5000


def ranking(store, ctx=None, by_walks: bool | None = None
            ) -> tuple[list[dict], int, list[list]]:
    """The blast-radius figures of every workflow and secret, widest first: the first
    OVERVIEW_MAX_SOURCES rows, how many there were in all, and ``[targets, kind, count]``
    over all of them (the distribution chart). Each row is that node's
    :func:`queries.blast_radius.blast_radius` summary: on a small store one walk each
    (``by_walks``), else every figure from one condensation of the graph
    (:func:`queries.estate.blast_radius_summaries` and the scorer's
    :class:`~queries.blast_summary.BlastSummaries`, shared with the findings' ``ctx``)."""
    if by_walks is None:
        by_walks = sum(store.counts().get("nodes", {}).values()) < RANK_BY_WALKS_MAX
    out = _by_walks(store) if by_walks else _by_condensation(store, ctx)
    out.sort(key=lambda r: (-r["crown_jewels"], -r["targets"], -r["admin_targets"], r["id"]))
    counts: dict[tuple[int, str], int] = {}
    for r in out:
        key = (r["targets"], r["kind"])
        counts[key] = counts.get(key, 0) + 1
    return (out[:OVERVIEW_MAX_SOURCES], len(out),
            [[t, k, n] for (t, k), n in sorted(counts.items())])


def _row(nid: str, kind: str, name: str, systems: int, resources: int, admin: int,
         jewels: int, reachable: int) -> dict:
    return {"id": nid, "kind": kind, "name": name, "targets": systems + resources,
            "systems": systems, "resources": resources, "admin_targets": admin,
            "crown_jewels": jewels, "reachable": reachable}


def _by_walks(store) -> list[dict]:
    from queries import blast_radius as q

    out = []
    for kind in ("Workflow", "Secret"):
        for n in store.nodes(kind):
            s = q(store, n["id"]).summary
            out.append(_row(n["id"], kind, str(n.get("name") or n["id"]), s["systems"],
                            s["resources"], s["admin_targets"], len(s["crown_jewels"]),
                            s["reachable"]))
    return out


def _by_condensation(store, ctx) -> list[dict]:
    from queries.context import Context
    from queries.estate import blast_radius_summaries
    from queries.posture import SharedReach

    if ctx is None:
        ctx = Context(SharedReach(store))
    out = []
    for r in blast_radius_summaries(ctx.store, as_of=ctx.as_of).rows:
        if r["kind"] in ("Workflow", "Secret"):
            out.append(_row(r["id"], r["kind"], str(r["name"] or r["id"]), r["systems"],
                            r["resources"], ctx.blast_summary(r["id"])["admin_targets"],
                            r["crown_jewels"], r["reachable"]))
    return out


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
#: Parts computed by one child each group. One group: the ranking's condensation, node
#: reads and blast figures are the findings' too (one context), and a second child
#: competing with the server and the browser for two cores did not finish the page sooner
#: (15.2 s against 15.3 s for the last part at 100k heavy sharing, docs/performance.md).
GROUPS = (("ranking", "shared", "findings"),)


def groups(names: list[str]) -> list[list[str]]:
    """``names`` split into :data:`GROUPS` (in their order; a name in no group alone)."""
    out = [[n for n in g if n in names] for g in GROUPS]
    grouped = {n for g in GROUPS for n in g}
    return [g for g in out if g] + [[n] for n in names if n not in grouped]


def _child(names: list[str], conn) -> None:
    """In the child process: each part's ``(name, ok, result or exception)``, in order."""
    try:
        store = open_store(create=False)
    except BaseException as exc:  # every part fails the same way
        for name in names:
            conn.send((name, False, exc))
        return
    from queries.context import Context
    from queries.posture import SharedReach

    # one context: the condensation, the blast figures and the clusters computed once
    store = SharedReach(store)
    ctx = Context(store)
    for name in names:
        try:
            conn.send((name, True, PARTS[name](store, ctx)))
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
        rows, total, distribution = value
        return {"rows": rows, "total": total, "distribution": distribution}
    return dataclasses.asdict(value)


def _decode(name: str, data: dict):
    if name == "ranking":
        return data["rows"], data["total"], data["distribution"]
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
        self._saved = False

    def start(self, names: list[str], cache: DiskCache | None = None) -> None:
        """Compute ``names`` (once; later calls do nothing), or take them from ``cache``
        when it holds them all (and keep them there once computed). One child per group
        of :data:`GROUPS`."""
        with self.lock:
            if self.futures:
                return
            self.futures = {name: Future() for name in names}
            self.cache = cache
            self._saved = False
            kept = cache.load(names) if cache is not None else None
            if kept is not None:
                for name, value in kept.items():
                    self.futures[name].set_running_or_notify_cancel()
                    self.futures[name].set_result(value)
                return
        for group in groups(names):
            threading.Thread(target=self._read, args=(group,), daemon=True,
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
        except EOFError:  # the child died (killed, out of memory)
            for name in names:
                if not self.futures[name].done():
                    self.futures[name].set_exception(RuntimeError(
                        f"the background analysis stopped (exit code {child.exitcode})"))
        finally:
            ours.close()
            child.join(timeout=10)
        self._save_when_all_done()

    def _save_when_all_done(self) -> None:
        """The last group to finish keeps every part on disk (when none failed)."""
        with self.lock:
            futures = self.futures.values()
            if self._saved or not all(f.done() for f in futures):
                return
            self._saved = True
        if self.cache is not None and all(f.exception() is None for f in futures):
            self.cache.save({name: f.result() for name, f in self.futures.items()})

    def get(self, name: str) -> Future | None:
        with self.lock:
            return self.futures.get(name)


def launch(names: list[str], conn):
    """Start the child computing ``names`` into ``conn``; returns the process."""
    process = multiprocessing.get_context("spawn").Process(
        target=_child, args=(names, conn), daemon=True, name="nhigraph-overview")
    process.start()
    return process
