"""The explorer's disk cache of the Overview's background parts (explorer/background.py):
what a later server start is served equals what the analyses compute, it is keyed by the
store generation and the code, readable by the user only, and a broken file is ignored."""

from __future__ import annotations

import json
import stat

import pytest

import sample_estate
from explorer import background, disk_cache
from graph.embedded import EmbeddedStore

NAMES = ["ranking", "shared", "findings"]


@pytest.fixture(scope="module")
def parts(tmp_path_factory):
    store = sample_estate.load(EmbeddedStore(tmp_path_factory.mktemp("s") / "store"))
    out = {name: background.PARTS[name](store) for name in NAMES}
    store.close()
    return out


def test_round_trip_gives_the_computed_parts(tmp_path, parts):
    cache = background.DiskCache("store-a:gen-3", tmp_path)
    assert cache.load(NAMES) is None  # nothing kept yet
    cache.save(parts)
    back = cache.load(NAMES)
    assert back == parts  # Result dataclasses and the ranking's (rows, total, counts) whole
    ranking, total, _ = back["ranking"]
    assert total == parts["ranking"][1] and ranking[0]["name"] == "Invoice sync"
    assert back["shared"].summary["clusters"] == 3
    assert back["findings"].rows == parts["findings"].rows and len(back["findings"].rows) > 0
    assert stat.S_IMODE(cache.path.stat().st_mode) == 0o600
    assert list(tmp_path.glob(".overview-*")) == []  # no temporary file left


def test_keyed_by_store_generation_and_code(tmp_path, parts, monkeypatch):
    background.DiskCache("store-a:gen-3", tmp_path).save(parts)
    assert background.DiskCache("store-a:gen-4", tmp_path).load(NAMES) is None
    assert background.DiskCache("store-b:gen-3", tmp_path).load(NAMES) is None
    monkeypatch.setattr(disk_cache, "_CODE", "other code")
    assert background.DiskCache("store-a:gen-3", tmp_path).load(NAMES) is None


def test_other_parts_or_a_broken_file_are_not_served(tmp_path, parts):
    cache = background.DiskCache("k", tmp_path)
    cache.save({"ranking": parts["ranking"]})
    assert cache.load(NAMES) is None  # shared and findings missing
    cache.path.write_text("{not json")
    assert cache.load(NAMES) is None
    cache.path.write_text(json.dumps({"ranking": {"rows": []}}))
    assert cache.load(["ranking"]) is None


def test_off_and_folder_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("NHIGRAPH_CACHE_DIR", "off")
    cache = background.DiskCache("k")
    assert cache.path is None and cache.load(NAMES) is None
    cache.save({"ranking": ([], 0, [])})  # does nothing
    monkeypatch.setenv("NHIGRAPH_CACHE_DIR", str(tmp_path / "c"))
    assert background.DiskCache("k").path.parent == tmp_path / "c"
    monkeypatch.delenv("NHIGRAPH_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert background.DiskCache.default_folder() == tmp_path / "xdg" / "nhigraph" / "explorer"


def test_only_the_newest_files_are_kept(tmp_path, monkeypatch):
    import os

    monkeypatch.setattr(disk_cache, "CACHE_KEEP", 2)
    for i in range(4):
        c = background.DiskCache(f"k{i}", tmp_path)
        c.save({"ranking": ([], i, [])})
        os.utime(c.path, (1000 + i, 1000 + i))
    kept = sorted(p.name for p in tmp_path.glob("overview-*.json"))
    assert kept == sorted([background.DiskCache("k2", tmp_path).path.name,
                           background.DiskCache("k3", tmp_path).path.name])


def test_jobs_compute_once_then_serve_from_disk(tmp_path, monkeypatch):
    """A real child computes the parts and they are written; a second Jobs (a restarted
    server) takes them from disk without starting a child."""
    store_dir = tmp_path / "store"
    sample_estate.load(EmbeddedStore(store_dir)).close()
    monkeypatch.setenv("NHIGRAPH_STORE", str(store_dir))
    monkeypatch.delenv("NEO4J_URI", raising=False)
    cache = background.DiskCache(f"{store_dir}:1", tmp_path / "cache")
    first = background.Jobs()
    first.start(NAMES, cache)
    results = {name: first.get(name).result(timeout=120) for name in NAMES}
    for _ in range(100):  # the reader thread writes the file after the last part
        if cache.path.exists():
            break
        import time
        time.sleep(0.1)
    assert cache.path.exists()

    def no_child(*args, **kwargs):
        raise AssertionError("a child was started although the parts are on disk")

    monkeypatch.setattr(background, "launch", no_child)
    second = background.Jobs()
    second.start(NAMES, cache)
    assert {name: second.get(name).result(timeout=1) for name in NAMES} == results
    assert results["shared"].summary["clusters"] == 3


def test_findings_part_keeps_the_worst_rows_and_the_counts_of_all(tmp_path, monkeypatch):
    """The Overview's findings: the worst FINDINGS_SHOWN rows in the order it lists them,
    the summary of every finding, and names of the nodes on those rows' paths only."""
    from queries.findings import findings

    store = sample_estate.load(EmbeddedStore(tmp_path / "s"))
    full = findings(store)
    monkeypatch.setattr(background, "FINDINGS_SHOWN", 5)
    part = background.findings(store)
    assert part.rows == background.worst_first(full.rows)[:5]
    assert part.summary == full.summary and part.summary["findings"] == len(full.rows) > 5
    on_paths = {n for r in part.rows for p in r["paths"] for n in p}
    assert set(part.names) == on_paths & set(full.names)
    assert all(part.names[n] == full.names[n] for n in part.names)
    cache = background.DiskCache("k", tmp_path / "cache")
    cache.save({"findings": part})
    assert cache.load(["findings"])["findings"] == part
