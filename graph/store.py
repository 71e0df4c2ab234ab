"""The store interface both backends implement, and how a store is chosen.

Queries talk to a store only through these methods, so every analysis runs unchanged on
the embedded store and on Neo4j. The reads are small on purpose: fetch nodes, match
nodes by a property, and expand a frontier one hop along chosen edge kinds. A Neo4j store
answers each with one Cypher query, so an analysis never pulls the whole graph across.

Writes take a validated :class:`~graph.records.Batch` for one named *source* and are
atomic: after a successful run, whatever that source wrote before and did not write again
is removed (nodes and edges another source also saw stay), the way Cartography cleans up
stale data with an update tag.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, Protocol

from .records import Batch, Edge

DEFAULT_STORE_DIR = ".nhigraph"


@dataclass
class WriteResult:
    run_id: str
    source: str
    nodes_written: int = 0
    edges_written: int = 0
    nodes_created: int = 0
    edges_created: int = 0
    nodes_removed: int = 0
    edges_removed: int = 0
    skipped: list[str] = field(default_factory=list)
    files_read: int = 0

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


class Store(Protocol):
    backend: str  # "embedded" or "neo4j"
    location: str  # a folder or a URI (never with a password in it)

    def get_node(self, node_id: str) -> dict | None: ...

    def get_nodes(self, ids: Iterable[str]) -> dict[str, dict]: ...

    def nodes(self, kind: str | None = None) -> Iterator[dict]: ...

    def find_nodes(self, key: str, value: Any, case_insensitive: bool = False) -> list[dict]:
        """Nodes whose property ``key`` equals ``value``."""
        ...

    def expand(self, ids: Iterable[str], direction: str, kinds: Iterable[str]) -> list[Edge]:
        """Edges one hop ``out`` of or ``in`` to the given nodes, of the given kinds."""
        ...

    def edges(self, kind: str | None = None) -> Iterator[Edge]: ...

    def counts(self) -> dict[str, dict[str, int]]: ...

    def runs(self) -> list[dict]: ...

    def is_empty(self) -> bool: ...

    def write(self, batch: Batch, source: str, replace: bool = False) -> WriteResult: ...

    def close(self) -> None: ...


def open_store(
    path: str | os.PathLike | None = None,
    neo4j_uri: str | None = None,
    neo4j_user: str | None = None,
    neo4j_password: str | None = None,
    neo4j_database: str | None = None,
    create: bool = True,
) -> Store:
    """Open the configured store: Neo4j when a URI is given (or ``NEO4J_URI`` is set),
    otherwise the embedded store at ``path``, ``NHIGRAPH_STORE`` or ``./.nhigraph``.
    Arguments override environment variables."""
    uri = neo4j_uri or (None if path else os.environ.get("NEO4J_URI"))
    if uri:
        from .neo4j_store import Neo4jStore  # the driver is only needed for Neo4j

        return Neo4jStore(
            uri,
            user=neo4j_user or os.environ.get("NEO4J_USER", "neo4j"),
            password=neo4j_password if neo4j_password is not None
            else os.environ.get("NEO4J_PASSWORD", ""),
            database=neo4j_database or os.environ.get("NEO4J_DATABASE") or None,
        )
    from .embedded import EmbeddedStore

    return EmbeddedStore(path or os.environ.get("NHIGRAPH_STORE") or DEFAULT_STORE_DIR,
                         create=create)
