"""The Neo4j store: the store interface over Bolt with the official ``neo4j`` driver.

Every read is one Cypher query run in the database (fetch nodes by id, match by a
property, expand a frontier one hop), so an analysis never pulls the whole graph into
Python. Writes (validated, batched ``UNWIND $rows`` upserts, stale cleanup of a source
after its run succeeded) live in :mod:`graph.neo4j_load`; the statements and the layout
in the database in :mod:`graph.neo4j_cypher`.

Connection problems (bad URI, server down, wrong password, missing database) become one
:class:`~graph.errors.StoreError` line; the password is never part of a message or of
``location``.
"""

from __future__ import annotations

import os
import re
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from . import neo4j_cypher as cy
from . import traversal
from .errors import StoreError
from .model import ACCESS_EDGES, NODE_KINDS
from .neo4j_aggregate import AggregateReads
from .neo4j_columns import ColumnReads
from .neo4j_cypher import READ_CHUNK
from .neo4j_cypher import chunks as _chunks
from .neo4j_cypher import kind_of as _kind_of
from .neo4j_load import BatchedLoader
from .neo4j_reach import ReachReads
from .records import Edge
from .store import Store

#: Rows per ``UNWIND`` transaction. benchmarks/neo4j_bench.py on ArcadeDB: 250 to 1000
#: load fastest (5000 about 10% slower); 1000 keeps each transaction small for the
#: server's memory. Override with ``NHIGRAPH_NEO4J_BATCH`` or ``batch_size=``.
DEFAULT_BATCH_SIZE = 1000
BOLT_SCHEMES = ("bolt", "bolt+s", "bolt+ssc", "neo4j", "neo4j+s", "neo4j+ssc")


def safe_uri(uri: str) -> str:
    """The URI without any user:password part, for messages and ``location``."""
    try:
        parts = urlsplit(uri)
        host = parts.hostname or ""
        if parts.port:
            host = f"{host}:{parts.port}"
    except ValueError:
        return "<unparseable URI>"
    return urlunsplit((parts.scheme, host, parts.path, "", ""))


def _public_node(labels: list[str], props: dict) -> dict:
    out = {k: v for k, v in props.items() if k not in cy.INTERNAL}
    out["kind"] = _kind_of(labels)
    return out


def _public_edge(rec: dict) -> Edge:
    return Edge(rec["src"], rec["kind"], rec["dst"],
                {k: v for k, v in rec["props"].items() if k not in cy.INTERNAL})


class Neo4jStore(ReachReads, AggregateReads, ColumnReads, BatchedLoader, Store):
    backend = "neo4j"

    def __init__(self, uri: str, user: str = "neo4j", password: str = "",
                 database: str | None = None, batch_size: int | None = None,
                 retry_seconds: float = 30.0, connect_timeout: float = 10.0):
        try:
            import neo4j
        except ImportError:  # pragma: no cover - a declared dependency
            raise StoreError("the neo4j driver is not installed (pip install neo4j)") from None
        self._neo4j = neo4j
        self.database = database or None
        self.location = safe_uri(uri) + (f" (database {database})" if database else "")
        raw = batch_size or os.environ.get("NHIGRAPH_NEO4J_BATCH") or DEFAULT_BATCH_SIZE
        try:
            self.batch_size = int(raw)
        except ValueError:
            self.batch_size = 0
        if self.batch_size < 1:
            raise StoreError(f"NHIGRAPH_NEO4J_BATCH must be a whole number of rows, 1 or more, "
                             f"not {raw!r}")
        self._schema_done = False
        self._writing = False
        self._counts_cache: tuple[tuple, dict[str, dict[str, int]]] | None = None
        #: Queries run and records received by this store (reads and writes), what an
        #: analysis pulls across the wire; see ``_report_transfer``.
        self.queries = 0
        self.records = 0
        #: ``NHIGRAPH_NEO4J_TRACE=FILE``: one line per finished query (time, seconds since
        #: the store opened, records, the query's first words), to see how far a long
        #: analysis got (benchmarks/neo4j_bench.py). Never a parameter value.
        self._trace = os.environ.get("NHIGRAPH_NEO4J_TRACE") or None
        self._opened = time.monotonic()
        stats = os.environ.get("NHIGRAPH_NEO4J_STATS")
        if stats:
            import atexit

            atexit.register(self._report_transfer, stats)
        self._check_uri(uri)
        try:
            self.driver = neo4j.GraphDatabase.driver(
                uri, auth=(user, password), max_transaction_retry_time=retry_seconds,
                connection_timeout=connect_timeout, connection_acquisition_timeout=connect_timeout,
            )
        except Exception as exc:  # ConfigError, ValueError: a malformed URI
            raise StoreError(f"not a usable Neo4j URI {safe_uri(uri)!r}: "
                             f"{self._clean(str(exc), password)}") from None
        self._user = user
        self._password_hint = password  # only to scrub it from messages, never shown
        try:
            self._probe()
        except BaseException:
            self.driver.close()
            raise

    # --- plumbing ----------------------------------------------------------------------

    @staticmethod
    def _check_uri(uri: str) -> None:
        shown = safe_uri(uri)
        try:
            parts = urlsplit(uri)
            parts.port  # noqa: B018 - raises on a bad port
        except ValueError:
            raise StoreError(f"not a usable Neo4j URI {shown!r}: malformed") from None
        if parts.scheme not in BOLT_SCHEMES:
            raise StoreError(f"not a usable Neo4j URI {shown!r}: the scheme must be one of "
                             f"{', '.join(BOLT_SCHEMES)} (e.g. bolt://localhost:7687)")
        if parts.username or parts.password:
            # never echo it back: the URI may hold a password
            raise StoreError(f"not a usable Neo4j URI {shown!r}: put the user in NEO4J_USER "
                             "and the password in NEO4J_PASSWORD, not in the URI")
        if not parts.hostname:
            raise StoreError(f"not a usable Neo4j URI {shown!r}: no host")

    @staticmethod
    def _clean(text: str, password: str | None) -> str:
        text = text.splitlines()[0] if text else ""
        if password:
            text = text.replace(password, "***")
        return text[:300]

    def _error(self, exc: Exception) -> StoreError:
        """One line for a driver error; never a password, never a traceback."""
        n = self._neo4j.exceptions
        code = getattr(exc, "code", None) or ""
        where = f"Neo4j at {self.location}"
        if isinstance(exc, n.AuthError) or code.endswith("Security.Unauthorized"):
            return StoreError(f"{where} refused user {self._user!r}: wrong user or password "
                              "(set NEO4J_USER / NEO4J_PASSWORD)")
        if code.endswith("Database.DatabaseNotFound"):
            return StoreError(f"{where}: there is no database {self.database!r} "
                              "(check --neo4j-database / NEO4J_DATABASE)")
        if isinstance(exc, (n.ServiceUnavailable, n.SessionExpired)) or isinstance(exc, OSError):
            hint = ("; the ingest stopped part-way: re-run the same command once the server "
                    "is back (writes are idempotent)" if self._writing else "")
            return StoreError(f"cannot reach {where}: the server is down, unreachable or not "
                              f"speaking Bolt{hint}")
        message = getattr(exc, "message", None) or str(exc)
        return StoreError(f"{where}: {code or type(exc).__name__}: "
                          f"{self._clean(message, self._password_hint)}")

    def _probe(self) -> None:
        """Fail fast with one line: an auto-commit query is not retried, so a server that
        is down is reported at once instead of after the retry window."""
        try:
            with self._session() as session:
                session.run("RETURN 1 AS ok").consume()
        except (self._neo4j.exceptions.Neo4jError, self._neo4j.exceptions.DriverError,
                OSError) as exc:
            raise self._error(exc) from None

    def _session(self) -> Any:
        return self.driver.session(database=self.database) if self.database \
            else self.driver.session()

    def _run(self, write: bool, fn: Callable, *args: Any, passthrough: tuple = ()) -> Any:
        try:
            with self._session() as session:
                run = session.execute_write if write else session.execute_read
                return run(fn, *args)
        except (StoreError, *passthrough):
            raise
        except (self._neo4j.exceptions.Neo4jError, self._neo4j.exceptions.DriverError,
                OSError) as exc:
            raise self._error(exc) from None

    def _read(self, query: str, **params: Any) -> list[dict]:
        return self._count(self._run(False, lambda tx: tx.run(query, params).data()), query)

    def _write(self, query: str, **params: Any) -> list[dict]:
        return self._count(self._run(True, lambda tx: tx.run(query, params).data()), query)

    def _stream(self, query: str, **params: Any) -> Iterator[Any]:
        """One read whose records are streamed as they arrive (the driver's fetch size),
        counted like ``_read``'s: for a whole-graph read, one query instead of keyset
        pages. ArcadeDB answers a keyset page (``WHERE n.id > $after ORDER BY n.id LIMIT
        $page``) by scanning and sorting everything after ``$after``: at 1M nodes about
        40 s for the first page of 20,000, about 17 minutes for the pages of one read,
        against under two minutes for the same read streamed. An auto-commit read: not
        retried, so a failure mid-stream is one error, never records given twice."""
        self.queries += 1
        try:
            with self.driver.session(database=self.database,
                                     default_access_mode=self._neo4j.READ_ACCESS) as session:
                n = 0
                for rec in session.run(query, params):
                    n += 1
                    self.records += 1
                    yield rec
                self._traced(query, n)
        except StoreError:
            raise
        except (self._neo4j.exceptions.Neo4jError, self._neo4j.exceptions.DriverError,
                OSError) as exc:
            raise self._error(exc) from None

    def _count(self, records: list[dict], query: str = "") -> list[dict]:
        self.queries += 1
        self.records += len(records)
        if self._trace:
            self._traced(query, len(records))
        return records

    def _traced(self, query: str, records: int) -> None:
        if not self._trace:
            return
        import traceback

        caller = next((f"{f.filename.rsplit('/', 2)[-2]}/{f.name}" for f in
                       reversed(traceback.extract_stack()[:-2])
                       if "/queries/" in f.filename), "")
        try:
            with open(self._trace, "a", encoding="utf-8") as fh:
                fh.write(f"{time.monotonic() - self._opened:9.1f} s {self.queries:6d} q "
                         f"{records:8d} rec {self.records:9d} total {caller} "
                         f"{' '.join(query.split())[:60]}\n")
        except OSError:
            pass  # a figure for a benchmark; never the reason a command fails

    def _report_transfer(self, path: str) -> None:
        """Append this process's query and record counts to ``path`` (one JSON line), for
        benchmarks/neo4j_bench.py: ``NHIGRAPH_NEO4J_STATS=FILE nhigraph ...``."""
        import json

        try:
            with open(path, "a", encoding="utf-8") as fh:
                fh.write(json.dumps({"queries": self.queries, "records": self.records}) + "\n")
        except OSError:
            pass  # a figure for a benchmark; never the reason a command fails

    # --- reads -------------------------------------------------------------------------

    def get_node(self, node_id: str) -> dict | None:
        return self.get_nodes([node_id]).get(node_id)

    def get_nodes(self, ids: Iterable[str]) -> dict[str, dict]:
        wanted = sorted({i for i in ids if isinstance(i, str)})
        out: dict[str, dict] = {}
        for chunk in _chunks(wanted, READ_CHUNK):
            for rec in self._read(cy.GET_NODES, ids=chunk):
                node = _public_node(rec["labels"], rec["props"])
                out[node["id"]] = node
        return out

    def nodes(self, kind: str | None = None) -> Iterator[dict]:
        """Every node (of ``kind``) in id order, streamed from one query."""
        if kind is not None and kind not in NODE_KINDS:
            return
        for rec in self._stream(cy.nodes_all(kind)):
            yield _public_node(rec["labels"], rec["props"])

    def find_nodes(self, key: str, value: Any, case_insensitive: bool = False) -> list[dict]:
        if not isinstance(value, (str, int, float, bool)):
            return []
        ci = case_insensitive and isinstance(value, str)
        query = cy.find_nodes(key, ci)
        if query is None:
            return []
        # Java regex, ignoring (Unicode) case; every non-alphanumeric character escaped.
        pattern = "(?iu)" + re.sub(r"([^\w])", r"\\\1", str(value)) if ci else None
        recs = self._read(query, key=key, value=value, pattern=pattern)
        return [_public_node(r["labels"], r["props"]) for r in recs]

    def expand(self, ids: Iterable[str], direction: str, kinds: Iterable[str]) -> list[Edge]:
        types = cy.rel_types(kinds)
        ids = [i for i in ids if isinstance(i, str)]
        if not types or not ids:
            return []
        query = cy.expand("out" if direction == "out" else "in", types)
        out: list[Edge] = []
        for chunk in _chunks(ids, READ_CHUNK):
            out.extend(_public_edge(r) for r in self._read(query, ids=chunk))
        return out

    def expand_ends(self, ids: Iterable[str], direction: str, kinds: Iterable[str],
                    ) -> list[tuple[str, str, str]]:
        """:meth:`expand` without the edges' properties (which then do not travel)."""
        types = cy.rel_types(kinds)
        ids = [i for i in ids if isinstance(i, str)]
        if not types or not ids:
            return []
        query = cy.expand("out" if direction == "out" else "in", types, props=False)
        return [(r["src"], r["kind"], r["dst"]) for chunk in _chunks(ids, READ_CHUNK)
                for r in self._read(query, ids=chunk)]

    def edges(self, kind: str | None = None) -> Iterator[Edge]:
        """Every edge (of ``kind``), streamed from one query per label that can be the
        source of ``kind`` (the model's pairs), in source id order."""
        if kind is not None and not cy.rel_types([kind]):
            return
        for lab in cy.edge_sources(kind):
            for rec in self._stream(cy.edges_all(lab, kind)):
                yield _public_edge(rec)

    def counts(self) -> dict[str, dict[str, int]]:
        """Nodes per kind and edges per kind. Counting the edges scans every one (70-90 s
        on ArcadeDB at 1M under load), and an analysis may ask more than once
        (shared-credentials does, per kind it reads): the answer is kept while the graph
        token stays the same."""
        import copy

        token = self._graph_token()
        if self._counts_cache is not None and self._counts_cache[0] == token:
            return copy.deepcopy(self._counts_cache[1])
        answer = self._count_all()
        self._counts_cache = (token, answer)
        return copy.deepcopy(answer)

    def _count_all(self) -> dict[str, dict[str, int]]:
        nodes: dict[str, int] = defaultdict(int)
        for rec in self._read(cy.COUNT_NODES):
            nodes[_kind_of(rec["labels"]) or "?"] += rec["n"]
        edges = {r["kind"]: r["n"] for r in self._read(cy.COUNT_EDGES)}
        return {"nodes": dict(sorted(nodes.items())), "edges": dict(sorted(edges.items()))}

    def runs(self) -> list[dict]:
        return [{k: v for k, v in r["run"].items() if k != "seq"}
                for r in self._read(cy.RUNS)]

    def is_empty(self) -> bool:
        return not self._read(cy.ANY_NODE)

    def foreign_data(self) -> str | None:
        """Labels of a node nhigraph did not write, if the database holds any."""
        recs = self._read(cy.FOREIGN_NODE)
        return ":".join(recs[0]["labels"]) or "(no label)" if recs else None

    def sources(self) -> set[str]:
        return {r["source"] for r in self._read(cy.SOURCES)}

    # --- walks: the one-hop-per-query engines of graph.traversal -------------------------

    def reach(self, sources: Iterable[str], direction: str = "out",
              kinds: Iterable[str] = ACCESS_EDGES, max_depth: int | None = None,
              as_of: str | None = None, check_validity: bool = True,
              keep_edges: bool = True) -> traversal.Reach:
        return traversal.walk_by_hops(self, sources, direction, kinds, max_depth,
                                      traversal.expandable(as_of, check_validity), keep_edges)

    def reach_many(self, start_sets: Iterable[Iterable[str]], direction: str = "out",
                   kinds: Iterable[str] = ACCESS_EDGES, as_of: str | None = None,
                   ) -> tuple[dict[traversal.StartKey, set[str]], dict[str, dict]]:
        return traversal.reach_many_by_hops(self, start_sets, direction, kinds,
                                            traversal.expandable(as_of))

    def close(self) -> None:
        self.driver.close()

    def __enter__(self) -> Neo4jStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
