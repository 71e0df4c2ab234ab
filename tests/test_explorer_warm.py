"""The post-ingest warm-up (explorer/warm.py), for real: ``nhigraph ingest`` of an estate
past the explorer's background size starts one detached process that writes the Overview's
parts into the disk cache; the explorer then serves that file without computing (the same
parts as a cold computation); a newer generation stops a warm-up without a file; the
explorer waits for a running warm-up and computes itself when it died.

The suite turns the warm-up off (conftest: ``NHIGRAPH_WARM=0``); these tests turn it on."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

import sample_estate
from explorer import background, warm
from graph.embedded import EmbeddedStore
from graph.records import Batch, Node

ROOT = Path(__file__).resolve().parent.parent
#: Just past warm.MIN_NODES (the generator writes this many nodes).
NODES = 10500


@pytest.fixture(scope="module")
def estate(tmp_path_factory):
    from ingest.synthetic_estate import generate

    out = tmp_path_factory.mktemp("warm") / "estate"
    generate(NODES, 7, out)
    return out


def cli(*args, env: dict) -> float:
    """Run ``nhigraph ARGS`` as a user does (a new process); its wall seconds."""
    t = time.perf_counter()
    subprocess.run([sys.executable, "-c", "from cli import main; main()", *args], env=env,
                   check=True, capture_output=True, cwd=ROOT)
    return time.perf_counter() - t


def leftovers(folder: Path) -> list[str]:
    """Pid files and temporary files in the cache folder."""
    return sorted(p.name for p in folder.iterdir() if p.suffix in (".warm", ".tmp"))


def wait_for(check, seconds: float = 240):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.2)
    raise AssertionError("timed out")


def test_ingest_warms_and_the_explorer_serves_it(tmp_path, estate, monkeypatch):
    store, cache_dir = tmp_path / "store", tmp_path / "cache"
    env = {**os.environ, "NHIGRAPH_WARM": "1", "NHIGRAPH_CACHE_DIR": str(cache_dir),
           "NHIGRAPH_STORE": str(store)}
    env.pop("NEO4J_URI", None)
    cli("ingest", "inventory", str(estate), env=env)
    monkeypatch.setenv("NHIGRAPH_CACHE_DIR", str(cache_dir))
    monkeypatch.setenv("NHIGRAPH_STORE", str(store))
    monkeypatch.delenv("NEO4J_URI", raising=False)
    cache = background.DiskCache(warm.store_key(store))
    names = background.available_parts()
    wait_for(lambda: cache.path.exists() and not leftovers(cache_dir))
    assert [p.name for p in cache_dir.iterdir()] == [cache.path.name]  # nothing else left

    cold = {name: value for name, ok, value in background.compute(names)}
    kept = cache.load(names)
    for name in ("ranking", "shared", "cluster"):
        assert kept[name] == cold[name], name
    assert kept["findings"].rows == cold["findings"].rows
    assert kept["findings"].summary == cold["findings"].summary
    assert kept["shared"].summary["clusters"] > 0 and kept["cluster"][1].nodes

    def no_child(*args, **kwargs):
        raise AssertionError("the explorer computed although the warm-up's file is there")

    monkeypatch.setattr(background, "launch", no_child)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120).run()
    assert not at.exception, [e.value for e in at.exception]
    assert not [c.value for c in at.caption if c.value.startswith("Computing in the background")]
    tops = [df.value for df in at.dataframe if "crown_jewels" in df.value.columns]
    first = [r for r in cold["ranking"][0] if r["kind"] == "Workflow"][0]
    assert tops[0].iloc[0]["id"] == first["id"]
    by_severity = cold["findings"].summary["by_severity"]
    assert {m.label: m.value for m in at.metric}["Critical"] == str(by_severity["critical"])
    at.switch_page("explorer/views/shared_credentials.py").run()
    assert not at.exception, [e.value for e in at.exception]
    number = cold["cluster"][0]
    assert at.selectbox(key="shared-pick").value == number
    assert len(at.get("iframe")) == 1  # the biggest cluster, drawn from the file


#: Put on the warm-up's PYTHONPATH: its computation waits for a "go" file after the first
#: part, so the test writes the newer generation while it is surely mid-way, however fast
#: the machine (the warm-up's own code is unchanged).
PAUSE = """
import os, time
from explorer import background
_compute = background.compute
def compute(names):
    for i, item in enumerate(_compute(names)):
        yield item
        if i == 0:
            open(os.environ["NHIGRAPH_TEST_WARM_GO"] + ".paused", "w").close()
        while i == 0 and not os.path.exists(os.environ["NHIGRAPH_TEST_WARM_GO"]):
            time.sleep(0.05)
background.compute = compute
"""


def test_a_newer_generation_stops_the_warm_up(tmp_path, estate, monkeypatch):
    store, cache_dir = tmp_path / "store", tmp_path / "cache"
    env = {**os.environ, "NHIGRAPH_WARM": "0", "NHIGRAPH_STORE": str(store)}
    env.pop("NEO4J_URI", None)
    cli("ingest", "inventory", str(estate), env=env)
    hook = tmp_path / "hook"
    hook.mkdir()
    (hook / "sitecustomize.py").write_text(PAUSE)
    go = tmp_path / "go"
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(
        [str(hook), *filter(None, [os.environ.get("PYTHONPATH")])]))
    monkeypatch.setenv("NHIGRAPH_TEST_WARM_GO", str(go))
    monkeypatch.setenv("NHIGRAPH_WARM", "1")
    monkeypatch.setenv("NHIGRAPH_CACHE_DIR", str(cache_dir))
    old = warm.store_key(store)
    proc = warm.start(store)
    assert proc is not None
    cache = background.DiskCache(old)
    wait_for(lambda: cache.warming(), 60)  # it holds its pid file: now computing
    wait_for(lambda: Path(f"{go}.paused").exists(), 120)  # mid-way, waiting for "go"
    s = EmbeddedStore(store)
    s.write(Batch(nodes=[Node("workflow:late", "Workflow", {"name": "late"})]), source="late")
    s.close()
    assert warm.store_key(store) != old
    # paused after its first part, only its watch of the generation can end it
    assert proc.wait(timeout=60) == 0
    go.touch()
    assert not cache.warming()
    assert sorted(p.name for p in cache_dir.iterdir()) == []  # no file, no pid, no temp


def test_off_small_or_uncached_stores_start_nothing(tmp_path, monkeypatch):
    small = tmp_path / "small"
    sample_estate.load(EmbeddedStore(small)).close()
    monkeypatch.setenv("NHIGRAPH_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("NHIGRAPH_WARM", "1")
    assert warm.start(small) is None  # 276 nodes: the explorer computes them at once
    assert warm.start(tmp_path / "nothing") is None
    monkeypatch.setattr(warm, "MIN_NODES", 100)
    for off in ("0", "off", "no"):
        monkeypatch.setenv("NHIGRAPH_WARM", off)
        assert warm.start(small) is None
    monkeypatch.setenv("NHIGRAPH_WARM", "1")
    monkeypatch.setenv("NHIGRAPH_CACHE_DIR", "off")
    assert warm.start(small) is None
    assert not (tmp_path / "cache").exists()


@pytest.fixture
def sample(tmp_path, monkeypatch):
    store = tmp_path / "store"
    sample_estate.load(EmbeddedStore(store)).close()
    monkeypatch.setenv("NHIGRAPH_STORE", str(store))
    monkeypatch.setenv("NHIGRAPH_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("NEO4J_URI", raising=False)
    launched: list[list[str]] = []
    launch = background.launch
    monkeypatch.setattr(background, "launch",
                        lambda names, conn: launched.append(list(names)) or launch(names, conn))
    return store, launched


def test_the_explorer_waits_for_a_running_warm_up(sample):
    store, launched = sample
    key = warm.store_key(store)
    cache = background.DiskCache(key)
    names = background.available_parts()
    proc = subprocess.Popen([sys.executable, "-m", "explorer.warm", key], cwd=ROOT,
                            env={**os.environ, "PYTHONPATH": str(ROOT)})
    wait_for(lambda: cache.warming() or cache.path.exists(), 60)
    jobs = background.Jobs()
    jobs.start(names, cache)
    got = {name: jobs.get(name).result(timeout=120) for name in names}
    assert proc.wait(timeout=60) == 0
    assert launched == []  # the warm-up's result, not a second computation
    assert got == cache.load(names)
    assert got["shared"].summary["clusters"] == 3 and got["cluster"][0] == 1
    assert not leftovers(cache.folder)


def test_a_dead_warm_up_is_noticed_and_the_explorer_computes(sample):
    store, launched = sample
    cache = background.DiskCache(warm.store_key(store))
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    cache.folder.mkdir(parents=True)
    cache.pid_path.write_text(f'{{"pid": {dead.pid}, "started": "1"}}')
    assert not cache.warming()
    names = background.available_parts()
    jobs = background.Jobs()
    jobs.start(names, cache)
    got = {name: jobs.get(name).result(timeout=120) for name in names}
    assert launched == [names]
    assert got["shared"].summary["clusters"] == 3
