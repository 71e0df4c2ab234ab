"""Concurrent use of one embedded store: two writer processes ingesting at once lose no
stitching (each stitches against the graph it commits onto, under the store's lock), a
reader loop running meanwhile never fails and always sees a complete generation, and two
first-time runs racing to create the fingerprint key agree on one key."""

from __future__ import annotations

import json
import multiprocessing as mp
import os
from pathlib import Path

import pytest

from graph.embedded import EmbeddedStore
from graph.errors import StoreError

ROUNDS = 12


def _inventory(path: Path, writer: str, i: int) -> None:
    doc = {"nhigraph_inventory": 1, "nodes": {"Secret": [
        {"id": f"secret:{writer}:{i}", "name": f"{writer} {i}", "value": f"shared-value-{i}"}]}}
    path.write_text(json.dumps(doc))


def _writer(store: str, folder: str, writer: str, key: str) -> None:
    os.environ["NHIGRAPH_FINGERPRINT_KEY"] = key
    from ingest.pipeline import ingest

    for i in range(ROUNDS):
        p = Path(folder) / f"{writer}-{i}.json"
        _inventory(p, writer, i)
        ingest("inventory", str(p), lambda: EmbeddedStore(store), source=f"{writer}-{i}")


def _reader(store: str, stop, out) -> None:
    reads = failures = 0
    last = -1
    shrank = 0
    while not stop.is_set():
        try:
            s = EmbeddedStore(store, create=False)
        except StoreError as exc:
            if "no nhigraph store here" in str(exc):
                continue  # before the first commit
            failures += 1
            out.put(("error", str(exc)))
            continue
        n = s.graph.number_of_nodes()
        shrank += n < last
        last = n
        reads += 1
    out.put(("done", reads, failures, shrank))


def test_two_writers_and_a_reader_lose_nothing(tmp_path):
    ctx = mp.get_context("spawn")
    store = str(tmp_path / "store")
    key = "concurrency-test-key"
    stop, out = ctx.Event(), ctx.Queue()
    reader = ctx.Process(target=_reader, args=(store, stop, out))
    reader.start()
    writers = [ctx.Process(target=_writer, args=(store, str(tmp_path), w, key))
               for w in ("a", "b")]
    for w in writers:
        w.start()
    for w in writers:
        w.join(300)
        assert w.exitcode == 0
    stop.set()
    messages = [out.get(timeout=120)]
    while messages[-1][0] != "done":
        messages.append(out.get(timeout=120))
    reader.join(60)
    errors = [m for m in messages if m[0] == "error"]
    _, reads, failures, shrank = messages[-1]
    assert errors == [] and failures == 0
    assert reads > 0 and shrank == 0

    g = EmbeddedStore(store, create=False).graph
    assert sorted(n for n in g.nodes) == sorted(f"secret:{w}:{i}" for w in "ab"
                                                for i in range(ROUNDS))
    same = {(a, b) for a, b, k in g.edges(keys=True) if k == "SAME_VALUE_AS"}
    # Each pair holds one value: whichever writer came second stitched it, both ways.
    assert same == {(f"secret:{x}:{i}", f"secret:{y}:{i}") for i in range(ROUNDS)
                    for x, y in (("a", "b"), ("b", "a"))}


def _fingerprint_in(config: str, barrier, out) -> None:
    os.environ.pop("NHIGRAPH_FINGERPRINT_KEY", None)
    os.environ["XDG_CONFIG_HOME"] = config
    barrier.wait()
    try:
        from graph.fingerprint import fingerprint

        out.put(fingerprint("same value"))
    except Exception as exc:  # the race this guards against
        out.put(f"failed: {exc!r}")


@pytest.mark.parametrize("attempt", range(3))
def test_first_runs_racing_on_the_fingerprint_key_agree(tmp_path, attempt):
    ctx = mp.get_context("fork")
    n = 6
    barrier, out = ctx.Barrier(n), ctx.Queue()
    procs = [ctx.Process(target=_fingerprint_in, args=(str(tmp_path), barrier, out))
             for _ in range(n)]
    for p in procs:
        p.start()
    results = [out.get(timeout=60) for _ in procs]
    for p in procs:
        p.join(30)
    assert all(r.startswith("hmac-sha256:") for r in results), results
    assert len(set(results)) == 1
    key = (tmp_path / "nhigraph" / "fingerprint.key").read_text()
    assert len(key) == 64
    assert [p.name for p in (tmp_path / "nhigraph").iterdir()] == ["fingerprint.key"]


@pytest.mark.parametrize("content", ["", "\n", "abc"])
def test_an_empty_or_short_key_is_one_error(tmp_path, monkeypatch, content):
    from click.testing import CliRunner

    import cli
    from graph import fingerprint as fp

    monkeypatch.delenv("NHIGRAPH_FINGERPRINT_KEY", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "cfg"))
    (tmp_path / "cfg" / "nhigraph").mkdir(parents=True)
    (tmp_path / "cfg" / "nhigraph" / "fingerprint.key").write_text(content)
    fp._key.cache_clear()
    p = tmp_path / "inv.json"
    _inventory(p, "a", 0)
    res = CliRunner().invoke(cli.cli, ["ingest", "inventory", str(p), "--store",
                                       str(tmp_path / "s")])
    fp._key.cache_clear()
    assert res.exit_code == 2, res.output
    (line,) = [ln for ln in res.stderr.splitlines() if ln.strip()]
    assert line.startswith("error: ") and "fingerprint key is empty or short" in line
    assert not (tmp_path / "s" / "manifest.json").exists()
