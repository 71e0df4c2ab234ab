"""Writing to the Neo4j store: validated, batched, idempotent loading and stale cleanup.

A write first asks the database which of the batch's ids it already holds (one read per
5000 ids) and validates the batch against that, so a bad input changes nothing. Then nodes,
then edges, go in batches of ``UNWIND $rows`` (``batch_size`` rows, one managed transaction
each, so the driver retries transient errors):

* rows that may already exist are **upserted**: ``MATCH ... SET`` returns what it found,
  and ``CREATE`` makes the rest, in the same transaction;
* rows the lookup showed to be new (a node the database did not hold, an edge with such an
  endpoint) are only **created**, which is most of a first load and halves the server's
  work on it.

Two guards keep the create-only path as idempotent as the upsert. A retry of the managed
transaction upserts, since the first attempt may have committed without the reply
arriving. A uniqueness violation, meaning another writer created the node after the lookup,
redoes that batch as an upsert, and the edges touching its nodes are then upserted too.

Only after every batch succeeded is this source's stale data removed (see
:mod:`graph.neo4j_cypher`), then the run is recorded. A first load into a database that
holds no nhigraph data (or a ``--replace``) skips both the lookup and the cleanup: there is
nothing to find and nothing can be stale.
"""

from __future__ import annotations

import time
import uuid
from collections import defaultdict
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from . import neo4j_cypher as cy
from .errors import StoreError
from .model import EDGE_KINDS, NODE_KINDS, edge_props, node_props
from .neo4j_cypher import READ_CHUNK, chunks, kind_of
from .records import Batch, WriteResult, validate

MAX_RUNS_KEPT = 500


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _own(props: dict) -> dict:
    return {k: v for k, v in props.items() if k not in cy.INTERNAL}


class BatchedLoader:
    """The write half of :class:`graph.neo4j_store.Neo4jStore` (which provides ``_run``,
    ``_read``, ``_write``, ``batch_size`` and the driver's exception module ``_neo4j``)."""

    _schema_done = False
    _writing = False

    if TYPE_CHECKING:  # provided by Neo4jStore
        batch_size: int
        _neo4j: Any

        def _run(self, write: bool, fn: Callable, *args: Any,
                 passthrough: tuple = ()) -> Any: ...

        def _read(self, query: str, **params: Any) -> list[dict]: ...

        def _write(self, query: str, **params: Any) -> list[dict]: ...

        def is_empty(self) -> bool: ...

    def ensure_schema(self) -> None:
        """Uniqueness constraints on ``id`` and lookup indexes; idempotent."""
        if self._schema_done:
            return
        for statement in cy.schema_statements():
            self._write(statement)
        self._schema_done = True

    def _existing_kinds(self, ids: set[str]) -> dict[str, str]:
        out: dict[str, str] = {}
        for chunk in chunks(sorted(ids), READ_CHUNK):
            for rec in self._read(cy.KINDS_OF, ids=chunk):
                kind = kind_of(rec["labels"])
                if kind:
                    out[rec["id"]] = kind
        return out

    @staticmethod
    def _ids_of(batch: Batch) -> set[str]:
        ids = {n.id for n in batch.nodes if isinstance(n.id, str)}
        return ids | {x for e in batch.edges for x in (e.src, e.dst) if isinstance(x, str)}

    def write(self, batch: Batch, source: str, replace: bool = False) -> WriteResult:
        if not source or cy.TAG_SEP in source:
            raise StoreError("a source name must be non-empty text without control characters")
        self._writing = True
        try:
            return self._write_batch(batch, source, replace)
        finally:
            self._writing = False

    def _write_batch(self, batch: Batch, source: str, replace: bool) -> WriteResult:
        run_id = uuid.uuid4().hex[:12]
        started = _now()
        self.ensure_schema()
        # A first load (or --replace) has nothing to look up, and leaves nothing stale.
        first = replace or self.is_empty()
        existing = {} if first else self._existing_kinds(self._ids_of(batch))
        validate(batch, existing.get)  # raises before anything changes
        kinds = dict(existing)
        kinds.update((n.id, n.kind) for n in batch.nodes)
        result = WriteResult(run_id=run_id, source=source, skipped=list(batch.skipped),
                             files_read=batch.files_read)
        if replace:
            self._clear()
        params = {"source": source, "prefix": source + cy.TAG_SEP,
                  "tag": f"{source}{cy.TAG_SEP}{run_id}"}
        self._write_nodes(batch, existing, params, result)
        self._write_edges(batch, existing, kinds, params, result)
        if not first:
            self._cleanup(params, result)
        run = {
            "run_id": run_id, "source": source, "started_at": started, "finished_at": _now(),
            "replace": replace, "nodes_written": result.nodes_written,
            "edges_written": result.edges_written, "nodes_removed": result.nodes_removed,
            "edges_removed": result.edges_removed, "files_read": result.files_read,
            "skipped": len(result.skipped), "seq": time.time_ns(),
        }
        self._write(cy.RECORD_RUN, run=run)
        self._write(cy.TRIM_RUNS, keep=MAX_RUNS_KEPT)
        return result

    def _write_nodes(self, batch: Batch, existing: dict[str, str], params: dict,
                     result: WriteResult) -> None:
        declared = {k: node_props(k) for k in NODE_KINDS}
        groups: dict[tuple, list[dict]] = defaultdict(list)
        for node in batch.nodes:
            props = _own(node.props)
            groups[(node.kind, *cy.split_props(props, declared[node.kind]))].append(
                {"id": node.id, "props": props})

        def conflict(rows: list[dict]) -> None:  # created by someone else since the lookup
            existing.update((r["id"], "?") for r in rows)

        result.nodes_created += self._load(
            groups, lambda kind, keys, rest: (cy.update_nodes(kind),
                                              cy.create_nodes(kind, keys, rest)),
            params, key=lambda r: r["id"], known_new=lambda r: r["id"] not in existing,
            on_conflict=conflict)
        result.nodes_written += len(batch.nodes)

    def _write_edges(self, batch: Batch, existing: dict[str, str], kinds: dict[str, str],
                     params: dict, result: WriteResult) -> None:
        declared = {k: edge_props(k) for k in EDGE_KINDS}
        groups: dict[tuple, list[dict]] = defaultdict(list)
        for e in batch.edges:
            props = _own(e.props)
            groups[(e.kind, kinds[e.src], kinds[e.dst],
                    *cy.split_props(props, declared[e.kind]))].append(
                {"src": e.src, "dst": e.dst, "props": props})
        # An edge with an endpoint the database did not hold before this run cannot exist.
        result.edges_created += self._load(
            groups, lambda kind, a, b, keys, rest: (cy.update_edges(kind, a, b),
                                                    cy.create_edges(kind, a, b, keys, rest)),
            params, key=lambda r: (r["src"], r["dst"]),
            known_new=lambda r: r["src"] not in existing or r["dst"] not in existing)
        result.edges_written += len(batch.edges)

    def _load(self, groups: dict[tuple, list[dict]], statements: Callable, params: dict,
              key: Callable, known_new: Callable, on_conflict: Callable | None = None) -> int:
        """Write each group's rows in batches; return how many were created.
        ``statements(*group)`` gives the group's (update, create) pair."""
        created = 0
        for group in sorted(groups):
            update, create = statements(*group)

            def upsert(tx: Any, rows: list[dict], update: str = update,
                       create: str = create) -> int:
                found = {key(r) for r in tx.run(update, rows=rows, **params)}
                new = [r for r in rows if key(r) not in found]
                if new:
                    tx.run(create, rows=new, **params).consume()
                return len(new)

            new: list[dict] = []
            maybe: list[dict] = []
            for r in groups[group]:
                (new if known_new(r) else maybe).append(r)
            for chunk in chunks(maybe, self.batch_size):
                created += self._run(True, upsert, chunk)
            for chunk in chunks(new, self.batch_size):
                created += self._create(create, upsert, chunk, params, on_conflict)
        return created

    def _create(self, create: str, upsert: Callable, rows: list[dict], params: dict,
                on_conflict: Callable | None) -> int:
        attempts = 0

        def create_only(tx: Any, rows: list[dict]) -> int:
            nonlocal attempts
            attempts += 1
            if attempts > 1:  # a retry: the first attempt may have committed unseen
                return upsert(tx, rows)
            tx.run(create, rows=rows, **params).consume()
            return len(rows)

        conflict = self._neo4j.exceptions.ConstraintError
        try:
            return self._run(True, create_only, rows, passthrough=(conflict,))
        except conflict:
            if on_conflict:
                on_conflict(rows)
            return self._run(True, upsert, rows)

    def _sliced(self, query: str, params: dict) -> tuple[int, int]:
        """Run a LIMIT-ed cleanup statement until a slice comes back short."""
        total = extra = 0
        while True:
            recs = self._write(query, limit=self.batch_size, **params)
            n = recs[0]["n"] if recs else 0
            total += n
            extra += (recs[0].get("edges") or 0) if recs else 0
            if n < self.batch_size:
                return total, extra

    def _cleanup(self, params: dict, result: WriteResult) -> None:
        removed, _ = self._sliced(cy.STALE_EDGES_DELETE, params)
        result.edges_removed += removed
        self._sliced(cy.STALE_EDGES_UNTAG, params)
        removed, degree = self._sliced(cy.STALE_NODES_DELETE, params)
        result.nodes_removed += removed
        result.edges_removed += degree
        self._sliced(cy.STALE_NODES_UNTAG, params)

    def _clear(self) -> None:
        """Remove every node nhigraph wrote and every ingest run (``--replace``). Data
        nhigraph did not write stays."""
        self._sliced(cy.CLEAR_SLICE, {})
        self._write(cy.CLEAR_RUNS)
