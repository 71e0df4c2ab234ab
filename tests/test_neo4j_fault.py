"""The server dies in the middle of an ingest (SIGKILL): the ingest fails with one clear
line; a server restarted on the same data folder, given the same ingest again, ends with
exactly the graph a clean load gives, with no duplicate nodes or edges."""

from __future__ import annotations

import threading
import time

from graph.embedded import EmbeddedStore
from graph.errors import StoreError
from graph.neo4j_store import Neo4jStore
from tests import graphs
from tests.generated import estate
from tests.neo4j_server import DATABASE, USER, BoltServer
from tests.test_neo4j_store import _duplicates, _snapshot


def _store(server: BoltServer, **kw) -> Neo4jStore:
    return Neo4jStore(server.uri, user=USER, password=server.password, database=DATABASE,
                      **kw)


def test_killed_mid_ingest_then_rerun_converges(tmp_path):
    spec = estate(2000, seed=5)
    server = BoltServer(tmp_path / "arcadedb").start()
    try:
        store = _store(server, batch_size=50, retry_seconds=2)
        outcome: dict = {}

        def ingest():
            try:
                store.write(graphs.batch(*spec), source="generated")
            except BaseException as exc:  # noqa: BLE001 - handed to the test thread
                outcome["error"] = exc

        worker = threading.Thread(target=ingest)
        worker.start()
        watcher = _store(server)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and worker.is_alive():
            if watcher.counts()["nodes"].get("Connector", 0) >= 100:
                break  # some batches are in, most are not
            time.sleep(0.05)
        watcher.close()
        assert worker.is_alive(), "the ingest finished before the server could be killed"
        server.kill()
        worker.join(120)
        assert not worker.is_alive()
        error = outcome.get("error")
        assert isinstance(error, StoreError), repr(error)
        assert str(error).startswith(f"cannot reach Neo4j at {server.uri} (database g)")
        assert "re-run" in str(error) and server.password not in str(error)
        store.driver.close()

        server.start()  # same root path, new ports
        again = _store(server, batch_size=50)
        partial = again.counts()["nodes"]
        assert 0 < sum(partial.values()) < len(spec[0])  # the kill did land mid-load
        again.write(graphs.batch(*spec), source="generated")
        clean = graphs.load(EmbeddedStore(tmp_path / "clean"), spec, source="generated")
        assert _snapshot(again) == _snapshot(clean)
        assert _duplicates(again) == (0, 0)
        assert again.counts() == clean.counts()
        again.close()

        server.kill()  # what a finished ingest committed survives a crash
        server.start()
        after = _store(server)
        assert _snapshot(after) == _snapshot(clean)
        assert [r["source"] for r in after.runs()] == ["generated"]
        after.close()
    finally:
        server.stop()

