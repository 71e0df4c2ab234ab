"""Shared test setup: a fixed fingerprint key, and stores in temporary folders."""

from __future__ import annotations

import os

import pytest

# Fingerprints must not depend on a key file in the user's home.
os.environ.setdefault("NHIGRAPH_FINGERPRINT_KEY", "nhigraph-test-key")
os.environ.pop("NEO4J_URI", None)
# No post-ingest warm-up process (explorer/warm.py) unless a test asks for one.
os.environ.setdefault("NHIGRAPH_WARM", "0")
# The explorer's disk cache of Overview results goes to a folder of this run, never the user's.
if "NHIGRAPH_CACHE_DIR" not in os.environ:
    import tempfile

    os.environ["NHIGRAPH_CACHE_DIR"] = tempfile.mkdtemp(prefix="nhigraph-test-cache-")


@pytest.fixture
def store_dir(tmp_path):
    return tmp_path / "store"


@pytest.fixture(scope="session")
def bolt_server(tmp_path_factory):
    """A real ArcadeDB Bolt server for the whole session (see tests/neo4j_server.py).

    It must start: a missing JRE or wheel fails the run loudly instead of skipping."""
    from tests.neo4j_server import BoltServer

    server = BoltServer(tmp_path_factory.mktemp("arcadedb"))
    server.start()
    yield server
    server.stop()


@pytest.fixture
def neo4j_store(bolt_server):
    """A Neo4j store on the session's server, emptied of nhigraph data before the test."""
    from graph.neo4j_store import Neo4jStore
    from tests.neo4j_server import DATABASE, USER

    store = Neo4jStore(bolt_server.uri, user=USER, password=bolt_server.password,
                       database=DATABASE, retry_seconds=5)
    store._clear()
    yield store
    store.close()
