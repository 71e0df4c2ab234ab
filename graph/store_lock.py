"""The embedded store's writer lock: one exclusive ``fcntl`` lock on the store's ``.lock``
file, held across re-reading the committed graph, stitching against it and writing, so two
ingests on one store never lose each other's links.

The lock is re-entrant within a process (a per-path :class:`threading.RLock` plus a depth
count; the ``flock`` itself is taken once), so :meth:`EmbeddedStore.write` can take it again
inside the ingest pipeline's hold. Threads of one process (the explorer) still exclude each
other through the RLock. Where ``fcntl`` is missing (Windows) only the in-process lock holds.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

_guard = threading.Lock()
_held: dict[str, tuple[threading.RLock, list]] = {}


@contextmanager
def locked(path: Path) -> Iterator[None]:
    """Hold the exclusive lock on ``path`` (created if missing) until the block ends."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    key = str(path.resolve())
    with _guard:
        entry = _held.setdefault(key, (threading.RLock(), [None, 0]))
    rlock, state = entry
    with rlock:
        if state[1] == 0:
            fh = open(path, "a+")  # noqa: SIM115 - held open across the block
            try:
                import fcntl

                fcntl.flock(fh, fcntl.LOCK_EX)
            except ImportError:  # pragma: no cover - Windows
                pass
            state[0] = fh
        state[1] += 1
        try:
            yield
        finally:
            state[1] -= 1
            if state[1] == 0:
                state[0].close()  # closing the file releases the flock
                state[0] = None
