"""One ingest run: parse one source with its registered ingester under the input guard,
redact the batch (:mod:`graph.redact`), show its notes and skips, then, holding the store's
writer lock, stitch the batch to the graph it commits onto and write it. The CLI's
``ingest`` commands, :func:`sample_estate.load` and the explorer's upload all go through
:func:`ingest`; the ``collect`` commands, which make their batch from a live API, through
its second half :func:`write`. The store comes from the caller (this package has no store
code). After a successful write a snapshot of the graph is kept (:mod:`graph.snapshot`).

The guard (:func:`guarded_parse`) turns any exception the input causes inside a parser into
one :class:`InputError` naming the input (and the innermost ingest module and line, so a
report is actionable); with ``NHIGRAPH_DEBUG=1`` or :data:`RAISE_BUGS` set (the fuzz tests
set it) an unexpected exception surfaces as it is, so our own bugs stay visible.
"""

from __future__ import annotations

import os
import traceback
from collections.abc import Callable
from contextlib import nullcontext
from pathlib import Path
from typing import Any

from graph.errors import InputError, NhiGraphError
from graph.redact import redact_batch, scrub
from graph.stitch import stitch
from ingest.registry import Ingester, get

#: Let unexpected parser exceptions through (tests that hunt our bugs set this).
RAISE_BUGS = False


def _named(paths) -> str:
    items = [paths] if isinstance(paths, (str, Path)) else list(paths)
    shown = ", ".join(str(p) for p in items[:3])
    return shown + (f" and {len(items) - 3} more" if len(items) > 3 else "")


def _origin(exc: BaseException) -> str:
    """The innermost frame of the project's ingest code the exception passed through."""
    frames = [f for f in traceback.extract_tb(exc.__traceback__)
              if f"{os.sep}ingest{os.sep}" in f.filename or f"{os.sep}graph{os.sep}" in
              f.filename]
    return f" [{Path(frames[-1].filename).stem}:{frames[-1].lineno}]" if frames else ""


def guarded_parse(ingester: Ingester, paths, options: dict | None = None):
    """``ingester.run_parse(paths, options)``; anything but the project's own errors that
    the input causes becomes one :class:`InputError` naming the input."""
    try:
        return ingester.run_parse(paths, options)
    except NhiGraphError:
        raise
    except RecursionError:
        raise InputError("input nested too deeply to read", _named(paths)) from None
    except MemoryError:
        raise InputError("input too large to read in memory", _named(paths)) from None
    except (KeyboardInterrupt, SystemExit, GeneratorExit):
        raise
    except Exception as exc:
        if RAISE_BUGS or os.environ.get("NHIGRAPH_DEBUG"):
            raise
        if isinstance(exc, IsADirectoryError):
            why = "a folder where a file is expected"
        elif isinstance(exc, OSError):
            why = f"cannot read ({exc.strerror or type(exc).__name__})"
        else:
            why = (f"cannot read this input ({type(exc).__name__}{_origin(exc)}: "
                   f"{scrub(_short(exc))})")
        raise InputError(why, _named(paths)) from None


def _short(exc: BaseException) -> str:
    try:
        text = str(exc)
    except Exception:  # str() of a huge integer raises
        return "unprintable value"
    return text[:120]


def ingest(kind: str | Ingester, paths, store: Any, *, source: str | None = None,
           replace: bool = False, strict: bool = False, options: dict | None = None,
           say: Callable[[str, str], None] | None = None, columns: bool = False):
    """Parse ``paths`` with the ingester ``kind`` (a name or an :class:`Ingester`) and write
    the batch to ``store`` as ``source`` (default: the ingester's source name of the paths).
    Returns ``(batch, WriteResult)``.

    ``store`` is a store, or a function returning one: it is then called only once the
    input parsed, so a refused input never creates a store. ``say(prefix, line)`` is told
    each note and skip (``"note"``, ``"skipped"``); with ``strict`` any skip refuses the
    whole batch (every skip is said first) and nothing is written. ``replace`` starts a
    fresh graph with only this source (nothing to stitch to).

    With ``columns`` an inventory CSV folder written as the whole graph of an embedded
    store (an empty one, or ``replace``) is read in columns (:mod:`ingest.inventory_columns`;
    the batch returned is then empty); any other input, or one the columns do not cover,
    takes the row path from the start."""
    ingester = get(kind) if isinstance(kind, str) else kind
    if columns and ingester.name == "inventory" and not options:
        result, store = _in_columns(paths, store, source or ingester.source_name(paths),
                                    replace, say)
        if result is not None:
            return result
    batch = guarded_parse(ingester, paths, options)
    result = write(batch, store, source=source or ingester.source_name(paths),
                   replace=replace, strict=strict, say=say)
    return batch, result


def _in_columns(paths, store: Any, source: str, replace: bool,
                say: Callable[[str, str], None] | None) -> tuple[Any, Any]:
    """``((batch, result), store)`` of a fresh ingest in columns, else ``(None, store)``
    (``store`` opened if it was asked for) for the row path to run."""
    from graph.records import Batch
    from ingest.inventory_columns import NotColumnar, read_tables

    path = Path(paths) if isinstance(paths, (str, Path)) else None
    if path is None or not path.is_dir():
        return None, store
    try:
        tables = read_tables(path, source)
    except NotColumnar:
        return None, store
    except (KeyboardInterrupt, SystemExit, GeneratorExit):
        raise
    except Exception:
        if RAISE_BUGS or os.environ.get("NHIGRAPH_DEBUG"):
            raise
        return None, store  # the row path reads it, and says what is wrong
    store = store() if callable(store) else store
    if not hasattr(store, "write_table"):
        return None, store
    with store.write_lock():
        result = store.write_table(tables, source=source, replace=replace)
        if result is not None:
            _snapshot(store, source, say or (lambda prefix, line: None))
    if result is None:
        return None, store
    return (Batch(files_read=tables.files_read), result), store


def write(batch, store: Any, *, source: str, replace: bool = False, strict: bool = False,
          say: Callable[[str, str], None] | None = None):
    """Show ``batch``'s notes and skips, stitch it to ``store`` and write it as ``source``;
    the second half of :func:`ingest`, for a batch made otherwise (the live collectors of
    :mod:`ingest.collect` fetch, then transform into one batch). Same ``store``, ``say``,
    ``strict`` and ``replace`` as :func:`ingest`; returns the store's ``WriteResult``."""
    batch = redact_batch(batch)
    tell = say or (lambda prefix, line: None)
    for line in batch.notes:
        tell("note", line)
    if strict:  # show every skip, not only the first, before failing
        for line in batch.skipped:
            tell("skipped", line)
    store = store() if callable(store) else store
    if strict and batch.skipped:
        raise InputError(f"{len(batch.skipped)} input(s) skipped under --strict; first: "
                         f"{batch.skipped[0]}")
    for line in batch.skipped:
        tell("skipped", line)
    # Stitch against exactly the graph this write commits onto: another ingest may have
    # written since the store was opened (the embedded store re-reads under its lock).
    lock = getattr(store, "write_lock", None)
    with lock() if lock is not None else nullcontext():
        stitch(batch, None if replace else store)
        result = store.write(batch, source=source, replace=replace)
        # Still under the lock: the snapshot is exactly the graph this run committed (a
        # writer after us would replace the generation it reads).
        _snapshot(store, source, tell)
    return result


def _snapshot(store: Any, source: str, tell: Callable[[str, str], None]) -> None:
    """Leave a snapshot of the graph after a successful run (``graph.snapshot``); the
    write is already committed, so a snapshot that fails is told, not raised."""
    from graph.snapshot import Shelf

    try:
        Shelf(store).auto(source)
    except (OSError, NhiGraphError) as exc:
        tell("note", f"no snapshot of this run: {exc}")
