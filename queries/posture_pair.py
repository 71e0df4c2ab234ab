"""Two postures at once: the "after" side in a child process while this one computes the
"before" side.

``diff`` and a cut's what-if delta judge two graphs that share nothing in memory, and one
posture of a large estate is seconds of CPU in one thread. When both sides are embedded
stores over folders (the live store, a linked snapshot, a snapshot file's temporary columnar
copy, a cut's :func:`graph.columnar_copy.without_edges` copy) and the graph is large, the
child opens the "after" folder itself (read-only, the same committed generation or it gives
up), computes its posture and sends it back pickled; the answer is the one
:func:`queries.posture.posture` gives in this process (tests compare both ways). When the
"after" side is a snapshot file not read yet (``diff --to FILE``), the child reads it
itself and writes its columnar copy into a folder this process opens once the child has
answered, while this process reads the "before" side (opened only once the child is under
way) and computes its posture.

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
import shutil
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any, TypeVar, cast

from graph.gc_pause import gc_paused
from graph.store import Store

from .posture import Posture, SharedReach, _Within, crown_jewels, posture

T = TypeVar("T")

#: Below this many nodes a posture takes less than a child's start-up (about 0.5 s).
PARALLEL_MIN = 20_000


def postures(before: Store | Callable[[], Store], after: Store | Callable[[], Store],
             as_of: str, unknown_as: str = "write", meanwhile: Callable[[], T] | None = None,
             ) -> tuple[Posture, Posture, T | None]:
    """``(posture(before), posture(after), meanwhile())``, the second posture computed in a
    child process when that pays (see the module's text), ``meanwhile`` (other work on
    both stores, or None) run here while the child finishes.

    Either side may be a function that opens it (:meth:`graph.snapshot.Shelf.locate`:
    reading a snapshot file is seconds at 100k nodes). ``before`` is opened once the child
    is under way, so reading it overlaps the child's posture. An ``after`` that is a
    snapshot file (:class:`graph.snapshot.SnapshotFile`) is read by the child itself,
    which writes its columnar copy into a folder this process then opens (when no child
    runs or it fails, this process opens the file, so its errors show as always); whether
    a child pays is then judged on ``after`` (or its file's size) alone."""
    file: Any = after if hasattr(after, "copy_into") else None
    after_: Any = after() if file is None and callable(after) else after  # a folder: now
    lazy = callable(before)  # a store is not callable; a function opening one is
    sizes = [] if lazy else [_size(cast(Store, before))]
    sizes.append(_file_nodes(file.path) if file is not None else _size(after_))
    child, folder = None, None
    if _worth_it(sizes):
        if file is not None:
            folder = Path(tempfile.mkdtemp(prefix="nhigraph-copy-"))
            child = _start(["--file", file.path, str(folder)], as_of, unknown_as)
        else:
            spec = _folder_spec(after_)
            if spec is not None:
                child = _start([spec[0], str(spec[1])], as_of, unknown_as)
    try:
        before_: Any = before() if lazy else before  # type: ignore[operator]
        a = posture(before_, as_of, unknown_as)
        extra = meanwhile() if meanwhile is not None else None
    except BaseException:
        if child is not None:
            _stop(child)
        if folder is not None:
            shutil.rmtree(folder, ignore_errors=True)
        raise
    b = None
    if child is not None:
        warm = _Warm(child, after_ if folder is None else None, folder)
        # the child's posture over the store warmed here, or the copy the child wrote
        b = _receive(child, warm.store if warm.store is not None else
                     after_ if folder is None else partial(_open_copy, folder))
        if b is not None:
            b.upstream, b._node_cache = warm.upstream, warm.cache
    if b is None and folder is not None:  # no answer: this process reads the file
        shutil.rmtree(folder, ignore_errors=True)
    if b is None:
        b = posture(file() if file is not None else after_, as_of, unknown_as)
    return a, b, extra


class _Warm:
    """What :func:`~queries.posture.strongest_path` reads of the "after" side (each crown
    jewel's :class:`~queries.posture._Within`), read while the child is still at work,
    jewel by jewel until it answers: the wait used, never prolonged. The same objects the
    delta would build on demand (``tests/test_posture_pair.py``). ``store``: the "after"
    store, or None for a snapshot file the child copies into ``folder`` (opened here once
    the child has written its manifest)."""

    def __init__(self, child, store: Store | None, folder: Path | None):
        self.store, self.upstream, self.cache = store, {}, {}  # type: ignore[var-annotated]
        try:
            if store is None and folder is not None:
                while child.poll() is None and not (folder / "manifest.json").exists():
                    time.sleep(0.02)
                if child.poll() is not None:
                    return
                self.store = _open_copy(folder)
            if self.store is None:
                return
            shared = cast(Store, SharedReach(self.store))
            for jewel in crown_jewels(shared):
                if child.poll() is not None:
                    break
                self.upstream[jewel] = _Within(shared, jewel, self.cache)
        except Exception:  # nothing warmed: the delta reads what it needs itself
            self.upstream, self.cache = {}, {}


def _open_copy(folder: Path) -> Store:
    from graph.columnar_copy import open_copy  # NumPy: only when a child wrote a copy

    return open_copy(folder)


def _size(store: Store) -> int:
    return sum(store.counts().get("nodes", {}).values())


def _file_nodes(path: str) -> int:
    """About how many nodes a snapshot file holds, from its size (an exported 100k-node
    estate is about 26 bytes a node, gzip'd), without reading it."""
    try:
        return os.path.getsize(path) // 20
    except OSError:
        return 0


def _worth_it(sizes: list[int]) -> bool:
    if os.environ.get("NHIGRAPH_PARALLEL", "1") == "0" or (os.cpu_count() or 1) < 2:
        return False
    try:
        least = int(os.environ.get("NHIGRAPH_PARALLEL_MIN", PARALLEL_MIN))
    except ValueError:
        least = PARALLEL_MIN
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


def _start(args: list[str], as_of: str, unknown_as: str):
    """A child ``python -m queries.posture_pair ARGS AS_OF UNKNOWN_AS`` (ARGS: ``FOLDER
    GENERATION``, or ``--file FILE FOLDER``) with this process's import path, its stdout a
    pipe; None when no process can be started. Not :mod:`multiprocessing`: its ``spawn``
    re-runs the caller's main script in the child, which a user's script without a
    ``__main__`` guard would not survive."""
    import subprocess
    import sys

    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p or os.getcwd() for p in sys.path),
           "NHIGRAPH_PARALLEL": "0"}
    try:
        return subprocess.Popen(
            [sys.executable, "-m", "queries.posture_pair", *args, as_of, unknown_as],
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
            env=env)
    except (OSError, ValueError):  # no processes here: do it in this one
        return None


def _child(folder: str, generation: int, as_of: str, unknown_as: str) -> bytes:
    """In the child: open the folder, check it is the generation the parent saw, and
    return ``pickle(posture)`` (``b""`` when it is not: the parent then computes it)."""
    from graph.embedded import EmbeddedStore

    store = EmbeddedStore(Path(folder), create=False)
    if store.manifest.get("generation") != generation:
        return b""
    return _pickled(posture(store, as_of, unknown_as))


def _child_file(file: str, folder: str, as_of: str, unknown_as: str) -> bytes:
    """In the child: the snapshot ``file``'s columnar copy written into ``folder`` (which
    the parent opens afterwards), and ``pickle(posture)`` of it; ``b""`` for a file only an
    in-memory store takes."""
    from graph.embedded import EmbeddedStore
    from graph.snapshot import SnapshotFile

    if not SnapshotFile(file).copy_into(Path(folder)):
        return b""
    return _pickled(posture(EmbeddedStore(Path(folder), create=False), as_of, unknown_as))


def _pickled(p: Posture) -> bytes:
    p.store, p.upstream, p._node_cache = None, {}, {}
    return pickle.dumps(p, protocol=pickle.HIGHEST_PROTOCOL)


def _receive(child, after: Store | Callable[[], Store]) -> Posture | None:
    """The child's posture, its ``store`` ``after`` (or what ``after()`` opens once the
    child has answered); None when the child gave none (or ``after()`` fails)."""
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
    if callable(after):
        try:
            after = after()
        except Exception:  # the folder the child wrote cannot be opened: read the file here
            return None
    p.store = SharedReach(after)  # walked by strongest_path
    return p


def _stop(child) -> None:
    child.kill()
    child.wait()


if __name__ == "__main__":  # the child: answer on stdout, the exit code says if it did
    import sys

    try:
        if sys.argv[1] == "--file":
            out = _child_file(sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5])
        else:
            out = _child(sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4])
    except Exception:  # the parent computes it and reports any error itself
        sys.exit(1)
    sys.stdout.buffer.write(out)
    sys.stdout.flush()
