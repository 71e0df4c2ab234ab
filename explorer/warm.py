"""Post-ingest warm-up: the explorer's Overview parts computed once a command has written a
new store generation, so that the explorer's first visit finds them on disk.

As BloodHound analyses after each collection and ``git gc --auto`` detaches: when
``nhigraph ingest``, ``collect`` or ``demo`` has committed a new generation of an embedded
store of more than :data:`MIN_NODES` nodes, :func:`start` launches ONE detached process
(its own session, no terminal, ``os.nice(NICE)``) and returns at once; the command's own
time grows by the few milliseconds a process start costs. That process (:func:`main`)
computes :data:`explorer.background.PARTS` into the explorer's disk cache
(:class:`explorer.background.DiskCache`, keyed by the store's generation and the code).

- A pid file beside the cache file (``overview-<key>.warm``: pid and start time) says it
  is running; a second warm-up of the same generation leaves at once, and the explorer's
  first visit (:meth:`explorer.background.Jobs.start`) waits for its file instead of
  computing a second time. A pid file whose process is gone (killed, crashed) is stale:
  the explorer computes itself.
- A newer generation (another ingest) stops it: it checks the store every
  :data:`POLL` seconds and before and after writing, and never keeps a file of a
  generation that is no longer the store's, nor leaves a temporary file.
- Off with ``NHIGRAPH_WARM=0`` (the test suite's default), with ``NHIGRAPH_CACHE_DIR=off``
  (no cache to fill), and for a Neo4j store (whose content changes without a generation).

The cache holds what the pages show (ids, names, counts, findings' text), never a secret
value: the store holds none. Imports nothing heavy until the warm-up process itself runs.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

#: Stores with more nodes than this are warmed (as the explorer computes their Overview
#: in the background: ``store_cache.BACKGROUND_MIN_NODES`` is this).
MIN_NODES = 10000
#: The warm-up's niceness: the user's next command comes first.
NICE = 10
#: Seconds between the warm-up's checks that its generation is still the store's.
POLL = 0.5
ROOT = Path(__file__).resolve().parents[1]


def enabled() -> bool:
    """False when ``NHIGRAPH_WARM`` is 0, off, no or false."""
    return os.environ.get("NHIGRAPH_WARM", "1").strip().lower() not in (
        "0", "off", "no", "false")


def _manifest(location) -> tuple[str, dict] | None:
    path = Path(location).resolve()
    manifest = path / "manifest.json"
    try:
        stat = manifest.stat()
        data = json.loads(manifest.read_bytes())
    except (OSError, ValueError):
        return None
    return f"embedded:{path}:{data.get('generation')}:{stat.st_mtime_ns}", data


def store_key(location) -> str | None:
    """The generation of the embedded store at ``location``: its resolved folder, the
    manifest's generation and modification time (None when there is no store). The disk
    cache's key, the same whatever path spelling the CLI and the explorer were given."""
    found = _manifest(location)
    return found[0] if found else None


def start(location) -> subprocess.Popen | None:
    """Launch the warm-up of the embedded store at ``location`` (detached; returns at
    once), or do nothing (None) when it is off or the store is small."""
    if not enabled():
        return None
    from graph.cachedir import cache_folder

    if cache_folder("explorer") is None:
        return None
    found = _manifest(location)
    if found is None:
        return None
    key, data = found
    if sum((data.get("counts") or {}).get("nodes", {}).values()) <= MIN_NODES:
        return None
    env = {**os.environ, "NHIGRAPH_STORE": str(Path(location).resolve())}
    env.pop("NEO4J_URI", None)  # the embedded store this command wrote
    env["PYTHONPATH"] = os.pathsep.join(
        [str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])])
    return subprocess.Popen(
        [sys.executable, "-m", "explorer.warm", key], env=env, cwd=str(ROOT),
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        start_new_session=True, close_fds=True)


# --- the pid file ------------------------------------------------------------------------

def claim(cache) -> bool:
    """Write this process's pid file for ``cache`` (False: another live warm-up has it).
    Written whole, then linked into place, so nobody reads half a file."""
    from explorer.disk_cache import process_started

    path = cache.pid_path
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    tmp = path.parent / f".warm-{os.getpid()}.tmp"
    tmp.write_text(json.dumps({"pid": os.getpid(), "started": process_started(os.getpid())}))
    try:
        for _ in range(2):
            try:
                os.link(tmp, path)
                return True
            except FileExistsError:
                if cache.warming():
                    return False
                path.unlink(missing_ok=True)  # a dead warm-up's
        return False
    finally:
        tmp.unlink(missing_ok=True)


def release(cache) -> None:
    """Remove the pid file when it is this process's."""
    path = cache.pid_path
    try:
        if json.loads(path.read_bytes()).get("pid") == os.getpid():
            path.unlink()
    except (OSError, ValueError, AttributeError):
        pass


# --- the warm-up process -----------------------------------------------------------------

def warm(key: str, location: str) -> bool:
    """Compute the parts of the store at ``location`` into the disk cache, if its
    generation is ``key`` and stays so. True when the cache file was written."""
    from explorer import background

    cache = background.DiskCache(key)
    names = background.available_parts()
    if cache.path is None or store_key(location) != key or not claim(cache):
        return False
    lock = threading.Lock()

    def current() -> bool:
        return store_key(location) == key

    def watch() -> None:  # a newer generation: stop now (never while the file is written)
        while True:
            time.sleep(POLL)
            if not current():
                with lock:
                    release(cache)
                    os._exit(0)

    threading.Thread(target=watch, daemon=True, name="nhigraph-warm-watch").start()
    try:
        if cache.load(names) is not None:
            return False  # warm already (an explorer computed it first)
        parts = {}
        for name, ok, value in background.compute(names):
            if not ok:
                return False  # the explorer will compute, and say what failed
            parts[name] = value
        with lock:
            return cache.save(parts, current=current)
    finally:
        with lock:
            release(cache)


def main() -> None:
    os.nice(NICE)
    # Stopped (SIGTERM): unwind, so that the pid file and any temporary file go.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    warm(sys.argv[1], os.environ["NHIGRAPH_STORE"])


if __name__ == "__main__":
    main()
