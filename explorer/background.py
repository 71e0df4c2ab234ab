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

import multiprocessing
import threading
from concurrent.futures import Future

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


def shared(store):
    from queries import shared_credentials as q

    return q(store, min_workflows=2)


def findings(store):
    from queries.findings import findings as q

    return q(store)


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
    for name in names:
        try:
            conn.send((name, True, PARTS[name](store)))
        except BaseException as exc:
            conn.send((name, False, exc))
    conn.close()


class Jobs:
    """The background parts of one store: started once, read back as they arrive."""

    def __init__(self) -> None:
        self.futures: dict[str, Future] = {}
        self.lock = threading.Lock()

    def start(self, names: list[str]) -> None:
        """Compute ``names`` (once; later calls do nothing)."""
        with self.lock:
            if self.futures:
                return
            self.futures = {name: Future() for name in names}
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
