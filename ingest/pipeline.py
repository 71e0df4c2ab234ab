"""One ingest run: parse one source with its registered ingester, show its notes and
skips, stitch the batch to what the store holds and write it. The CLI's ``ingest``
commands, :func:`sample_estate.load` and the explorer's upload all go through
:func:`ingest`; the ``collect`` commands, which make their batch from a live API, through
its second half :func:`write`. The store comes from the caller (this package has no store
code).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from graph.errors import InputError
from graph.stitch import stitch
from ingest.registry import Ingester, get


def ingest(kind: str | Ingester, paths, store: Any, *, source: str | None = None,
           replace: bool = False, strict: bool = False, options: dict | None = None,
           say: Callable[[str, str], None] | None = None):
    """Parse ``paths`` with the ingester ``kind`` (a name or an :class:`Ingester`) and write
    the batch to ``store`` as ``source`` (default: the ingester's source name of the paths).
    Returns ``(batch, WriteResult)``.

    ``store`` is a store, or a function returning one: it is then called only once the
    input parsed, so a refused input never creates a store. ``say(prefix, line)`` is told
    each note and skip (``"note"``, ``"skipped"``); with ``strict`` any skip refuses the
    whole batch (every skip is said first) and nothing is written. ``replace`` starts a
    fresh graph with only this source (nothing to stitch to)."""
    ingester = get(kind) if isinstance(kind, str) else kind
    batch = ingester.run_parse(paths, options)
    result = write(batch, store, source=source or ingester.source_name(paths),
                   replace=replace, strict=strict, say=say)
    return batch, result


def write(batch, store: Any, *, source: str, replace: bool = False, strict: bool = False,
          say: Callable[[str, str], None] | None = None):
    """Show ``batch``'s notes and skips, stitch it to ``store`` and write it as ``source``;
    the second half of :func:`ingest`, for a batch made otherwise (the live collectors of
    :mod:`ingest.collect` fetch, then transform into one batch). Same ``store``, ``say``,
    ``strict`` and ``replace`` as :func:`ingest`; returns the store's ``WriteResult``."""
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
    stitch(batch, None if replace else store)
    result = store.write(batch, source=source, replace=replace)
    _snapshot(store, source, tell)
    return result


def _snapshot(store: Any, source: str, tell: Callable[[str, str], None]) -> None:
    """Leave a snapshot of the graph after a successful run (``graph.snapshot``); the
    write is already committed, so a snapshot that fails is told, not raised."""
    from graph.snapshot import Shelf

    try:
        Shelf(store).auto(source)
    except (OSError, InputError) as exc:
        tell("note", f"no snapshot of this run: {exc}")
