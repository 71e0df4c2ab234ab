"""Two postures at once: the "after" side in a child process while this one computes the
"before" side.

``diff`` and a cut's what-if delta judge two graphs that share nothing in memory, and one
posture of a large estate is seconds of CPU in one thread. When both sides are embedded
stores over folders (the live store, a linked snapshot, a snapshot file's temporary columnar
copy, a cut's :func:`graph.columnar_copy.without_edges` copy) and the graph is large, the
child opens the "after" folder itself (read-only, the same committed generation or it gives
up), computes its posture and sends it back pickled; the answer is the one
:func:`queries.posture.posture` gives in this process (tests compare both ways).

Anything that stops the child (a process that cannot be started, the store replaced
meanwhile, any error in the child) leaves the work to this process, which then computes the
second posture itself, so errors surface exactly as they would without a child. The child
is a new interpreter (``python -m queries.posture_pair``): it imports what it needs and
maps the store's files, sharing no thread pool or lock state with this process. With one
core, ``NHIGRAPH_PARALLEL=0`` or fewer than ``NHIGRAPH_PARALLEL_MIN`` nodes (default
20,000) on either side, no child is started.
"""

from __future__ import annotations

import os
import pickle
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from graph.gc_pause import gc_paused
from graph.store import Store

from .posture import Posture, SharedReach, posture

T = TypeVar("T")

#: Below this many nodes a posture takes less than a child's start-up (about 0.5 s).
PARALLEL_MIN = 20_000


def postures(before: Store, after: Store, as_of: str, unknown_as: str = "write",
             meanwhile: Callable[[], T] | None = None) -> tuple[Posture, Posture, T | None]:
    """``(posture(before), posture(after), meanwhile())``, the second posture computed in a
    child process when that pays (see the module's text), ``meanwhile`` (other work on
    both stores, or None) run here while the child finishes."""
    spec = _folder_spec(after)
    child = _start(spec, as_of, unknown_as) if spec and _worth_it(before, after) else None
    try:
        a = posture(before, as_of, unknown_as)
        extra = meanwhile() if meanwhile is not None else None
    except BaseException:
        if child is not None:
            _stop(child)
        raise
    b = _receive(child, after) if child is not None else None
    if b is None:
        b = posture(after, as_of, unknown_as)
    return a, b, extra


def _worth_it(before: Store, after: Store) -> bool:
    if os.environ.get("NHIGRAPH_PARALLEL", "1") == "0" or (os.cpu_count() or 1) < 2:
        return False
    try:
        least = int(os.environ.get("NHIGRAPH_PARALLEL_MIN", PARALLEL_MIN))
    except ValueError:
        least = PARALLEL_MIN
    sizes = [sum(s.counts().get("nodes", {}).values()) for s in (before, after)]
    return min(sizes) >= least


def _folder_spec(store: Store) -> tuple[str, int] | None:
    """``(folder, generation)`` of an embedded store whose committed generation a child
    can open by itself; None for any other store."""
    if store.backend != "embedded":
        return None
    folder = getattr(store, "dir", None)
    manifest = getattr(store, "manifest", None)
    if folder is None or not isinstance(manifest, dict) or not manifest.get("generation"):
        return None
    return str(folder), int(manifest["generation"])


def _start(spec: tuple[str, int], as_of: str, unknown_as: str):
    """A child ``python -m queries.posture_pair FOLDER GENERATION AS_OF UNKNOWN_AS`` with
    this process's import path, its stdout a pipe; None when no process can be started.
    Not :mod:`multiprocessing`: its ``spawn`` re-runs the caller's main script in the
    child, which a user's script without a ``__main__`` guard would not survive."""
    import subprocess
    import sys

    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p or os.getcwd() for p in sys.path),
           "NHIGRAPH_PARALLEL": "0"}
    try:
        return subprocess.Popen(
            [sys.executable, "-m", "queries.posture_pair", spec[0], str(spec[1]), as_of,
             unknown_as], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL, env=env)
    except (OSError, ValueError):  # no processes here: do it in this one
        return None


def _child(folder: str, generation: int, as_of: str, unknown_as: str) -> bytes:
    """In the child: open the folder, check it is the generation the parent saw, and
    return ``pickle(posture)`` (``b""`` when it is not: the parent then computes it)."""
    from graph.embedded import EmbeddedStore

    store = EmbeddedStore(Path(folder), create=False)
    if store.manifest.get("generation") != generation:
        return b""
    p = posture(store, as_of, unknown_as)
    p.store, p.upstream, p._node_cache = None, {}, {}
    return pickle.dumps(p, protocol=pickle.HIGHEST_PROTOCOL)


def _receive(child, after: Store) -> Posture | None:
    try:
        data, _ = child.communicate()
    except OSError:  # the child died before sending
        data = b""
    if child.returncode != 0 or not data:
        return None
    try:
        with gc_paused():  # a posture is a few hundred thousand small containers: no cycles
            p: Any = pickle.loads(data)
    except Exception:  # a truncated answer: compute it here
        return None
    if not isinstance(p, Posture):
        return None
    p.store = SharedReach(after)  # walked by strongest_path
    return p


def _stop(child) -> None:
    child.kill()
    child.wait()


if __name__ == "__main__":  # the child: answer on stdout, the exit code says if it did
    import sys

    try:
        out = _child(sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4])
    except Exception:  # the parent computes it and reports any error itself
        sys.exit(1)
    sys.stdout.buffer.write(out)
    sys.stdout.flush()
