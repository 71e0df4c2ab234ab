"""Choosing and opening a store from configuration: Neo4j when a Bolt URI is given (or
``NEO4J_URI`` is set), otherwise the embedded store in a folder. Kept apart from the
:class:`~graph.store.Store` protocol so the stores can import the protocol without the
module that imports them (no circle)."""

from __future__ import annotations

import os

from .store import DEFAULT_STORE_DIR, Store


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


def embedded_holds_graph(path: str | os.PathLike | None = None,
                         neo4j_uri: str | None = None, **_: object) -> bool | None:
    """Does the store :func:`open_store` would open for this configuration hold a graph?
    None when that is a Neo4j store or the question cannot be answered without opening it
    (a damaged manifest); nothing is created or connected to."""
    if neo4j_uri or (None if path else os.environ.get("NEO4J_URI")):
        return None
    import json
    from pathlib import Path

    manifest = Path(path or os.environ.get("NHIGRAPH_STORE") or DEFAULT_STORE_DIR) / \
        "manifest.json"
    if not manifest.exists():
        return False
    try:
        counts = json.loads(manifest.read_text()).get("counts") or {}
        return bool(sum(counts.get("nodes", {}).values()))
    except (OSError, ValueError, AttributeError, TypeError):
        return None
