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
import multiprocessing
import threading
import time
from concurrent.futures import Future

from graph import open_store

from . import disk_cache

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


#: Findings the Overview lists, worst first (its counts are of all): past a few hundred a
#: table is scrolled, not read, and every row is sent on each visit (1.2 MB at 100k nodes).
FINDINGS_SHOWN = 500
SEVERITY_ORDER = ("critical", "high", "medium", "low", "info")


def worst_first(rows: list[dict]) -> list[dict]:
    """Findings by severity, then risk (highest first), otherwise in the order given: the
    order the Overview lists them in, whose first row is "the worst finding"."""
    order = {s: i for i, s in enumerate(SEVERITY_ORDER)}
    return sorted(rows, key=lambda r: (order.get(str(r.get("severity")), len(order)),
                                       -(r.get("risk") or 0)))


def findings(store, ctx=None):
    """The findings the Overview shows: the worst :data:`FINDINGS_SHOWN` rows (in
    :func:`worst_first` order), the names of the nodes on their evidence paths (what the
    page shows as names), and the summary (its counts are of every finding). Every row and
    the names of every node they involve were 10 MB of the disk cache at 100k heavy
    sharing (9,626 findings, 51,491 names), for a page that lists 500."""
    from queries.findings import findings as q

    full = q(store, ctx=ctx)
    rows = worst_first(full.rows)[:FINDINGS_SHOWN]
    nodes = {n for r in rows for p in (r.get("paths") or []) for n in p}
    return dataclasses.replace(full, rows=rows,
                               names={n: v for n, v in full.names.items() if n in nodes})


def biggest_cluster(rows: list[dict]) -> int | None:
    """The number of the cluster with the most workflows (ties: the first listed)."""
    if not rows:
        return None
    return min(rows, key=lambda r: (-r["size"], r["cluster"]))["cluster"]


def cluster(store, ctx=None):
    """``(number, drawing, (nodes, edges) before bounding)`` of the biggest
    shared-credential cluster (2 or more workflows), the one the Shared credentials page
    opens on, drawn and bounded; None when there is no cluster. Seconds at 100k heavy
    sharing (a cluster of thousands of workflows), so kept with the Overview's parts."""
    from explorer.subgraph import bound, most_shared
    from explorer.subgraph import cluster_drawing as draw

    rows = shared(store, ctx).rows
    number = biggest_cluster(rows)
    if number is None:
        return None
    row, note = most_shared(next(r for r in rows if r["cluster"] == number))
    d = draw(store, row)
    full = (len(d.nodes), len(d.edges))
    d = bound(d)
    if note:
        d.notes.insert(0, note)
    return number, d, full


#: The parts computed in the background, in the order they are computed, and what
#: computes each: the clusters first (the Shared credentials page waits for them), the
#: drawing of the biggest cluster last (the Overview does not show it).
PARTS = {"shared": shared, "ranking": ranking, "findings": findings, "cluster": cluster}
#: The parts the Overview page shows (it is complete once these are).
OVERVIEW = ("ranking", "shared", "findings")
#: Parts computed by one child each group. One group: the ranking's condensation, node
#: reads and blast figures are the findings' too (one context), and a second child
#: competing with the server and the browser for two cores did not finish the page sooner
#: (15.2 s against 15.3 s for the last part at 100k heavy sharing, docs/performance.md).
GROUPS = (("shared", "ranking", "findings", "cluster"),)


def findings_available() -> bool:
    try:
        from queries.findings import findings  # noqa: F401
    except ImportError:
        return False
    return True


def available_parts() -> list[str]:
    """Every part of :data:`PARTS` this installation computes."""
    return [n for n in PARTS if n != "findings" or findings_available()]


def groups(names: list[str]) -> list[list[str]]:
    """``names`` split into :data:`GROUPS` (in their order; a name in no group alone)."""
    out = [[n for n in g if n in names] for g in GROUPS]
    grouped = {n for g in GROUPS for n in g}
    return [g for g in out if g] + [[n] for n in names if n not in grouped]


def compute(names: list[str]):
    """Each part's ``(name, ok, result or exception)``, in order, on the store the
    environment names (in a child process: the explorer's, or the post-ingest warm-up)."""
    try:
        store = open_store(create=False)
    except Exception as exc:  # every part fails the same way
        for name in names:
            yield name, False, exc
        return
    from queries.context import Context
    from queries.posture import SharedReach

    # one context: the condensation, the blast figures and the clusters computed once
    store = SharedReach(store)
    ctx = Context(store)
    for name in names:
        try:
            yield name, True, PARTS[name](store, ctx)
        except Exception as exc:
            yield name, False, exc


def _child(names: list[str], conn) -> None:
    """In the child process: each part's ``(name, ok, result or exception)``, in order."""
    for item in compute(names):
        conn.send(item)
    conn.close()


# The disk cache, kept in explorer/disk_cache.py; named here for the callers.
DiskCache = disk_cache.DiskCache
code_version = disk_cache.code_version


class Jobs:
    """The background parts of one store: started once, read back as they arrive."""

    def __init__(self) -> None:
        self.futures: dict[str, Future] = {}
        self.lock = threading.Lock()
        self.cache: DiskCache | None = None
        self._saved = False

    def start(self, names: list[str], cache: DiskCache | None = None) -> None:
        """Compute ``names`` (once; later calls do nothing), or take them from ``cache``
        when it holds them all (and keep them there once computed). When the post-ingest
        warm-up (:mod:`explorer.warm`) of this generation is still running, its result is
        waited for instead (and computed here only if it stops without one). One child
        per group of :data:`GROUPS`."""
        with self.lock:
            if self.futures:
                return
            self.futures = {name: Future() for name in names}
            self.cache = cache
            self._saved = False
            kept = cache.load(names) if cache is not None else None
            if kept is not None:
                self._set(kept)
                return
        if cache is not None and cache.warming():
            threading.Thread(target=self._await_warm, args=(names,), daemon=True,
                             name="nhigraph-overview").start()
            return
        self._compute(names)

    def _set(self, kept: dict) -> None:
        self._saved = True  # they came from the disk
        for name, value in kept.items():
            self.futures[name].set_running_or_notify_cancel()
            self.futures[name].set_result(value)

    def _compute(self, names: list[str]) -> None:
        for group in groups(names):
            threading.Thread(target=self._read, args=(group,), daemon=True,
                             name="nhigraph-overview").start()

    def _await_warm(self, names: list[str], poll: float = 0.1) -> None:
        """Wait for the warm-up's file; if it stops without one, compute here."""
        assert self.cache is not None
        while True:
            kept = self.cache.load(names)
            if kept is not None:
                with self.lock:
                    self._set(kept)
                return
            if not self.cache.warming():
                kept = self.cache.load(names)  # it may have written just before it ended
                if kept is not None:
                    with self.lock:
                        self._set(kept)
                    return
                self._compute(names)
                return
            time.sleep(poll)

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
