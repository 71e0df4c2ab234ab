"""Fast start: ``nhigraph stats`` on an embedded store answers from the manifest, so the
process imports neither pandas, NetworkX, NumPy nor pyarrow (checked in a fresh interpreter,
as a user runs the command); ``blast-radius NODE`` maps the tables but reads its few rows by
scalar, so it imports neither pyarrow.compute, pandas, NetworkX nor a renderer; the cheap open
check still refuses damaged generation files."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from graph.embedded import EmbeddedStore
from graph.errors import StoreError
from graph.records import Batch, Edge, Node

PROBE = """
import json, sys
sys.argv = ["nhigraph", *sys.argv[2:], "--store", sys.argv[1]]
from cli import main
try:
    main()
except SystemExit as exit:
    code = exit.code
heavy = sorted(m for m in ("pandas", "networkx", "numpy", "pyarrow", "pyarrow.compute",
                           "scipy", "rich", "jinja2", "openpyxl") if m in sys.modules)
print(json.dumps({"code": code, "heavy": heavy}))
"""


def _probe(store, *args):
    """Run ``nhigraph ARGS --store STORE`` in a fresh interpreter: (its output lines, the
    probe's exit code and heavy modules imported)."""
    out = subprocess.run([sys.executable, "-c", PROBE, str(store), *args],
                         capture_output=True, text=True, check=True).stdout.strip().splitlines()
    return out[:-1], json.loads(out[-1])


def _store(path):
    s = EmbeddedStore(path)
    s.write(Batch(nodes=[Node("w", "Workflow"), Node("c", "Connector"), Node("k", "Secret")],
                  edges=[Edge("w", "USES", "c"), Edge("c", "AUTHENTICATES_WITH", "k")]),
            source="t")
    return path


def test_stats_imports_no_heavy_module(tmp_path):
    store = _store(tmp_path / "s")
    out, probe = _probe(store, "stats", "--format", "json")
    stats = json.loads("\n".join(out))  # the stats json (indented), then the probe
    assert (stats["nodes"], stats["edges"], stats["runs"]) == (3, 2, 1)
    assert stats["edges_by_kind"] == {"AUTHENTICATES_WITH": 1, "USES": 1}
    assert stats["nodes_by_kind"] == {"Connector": 1, "Secret": 1, "Workflow": 1}
    assert probe == {"code": 0, "heavy": []}


def test_blast_radius_imports_only_numpy_and_pyarrow(tmp_path):
    store = _store(tmp_path / "s")
    out, probe = _probe(store, "blast-radius", "w", "--format", "json")
    reached = json.loads("\n".join(out))
    assert (reached["source"], sorted(r["id"] for r in reached["reachable"])) == ("w", ["c", "k"])
    assert probe == {"code": 0, "heavy": ["numpy", "pyarrow"]}


def test_many_rows_still_read_through_take(tmp_path):
    """Past ``FEW_ROWS`` the rows are read with one ``take``: same nodes either way."""
    from graph import columnar

    s = EmbeddedStore(_store(tmp_path / "s"))
    few = s.get_nodes(["k", "w", "c"])
    old, columnar.FEW_ROWS = columnar.FEW_ROWS, 1
    try:
        assert s.get_nodes(["k", "w", "c"]) == few
    finally:
        columnar.FEW_ROWS = old
    assert {n: few[n]["kind"] for n in few} == {"c": "Connector", "k": "Secret",
                                                  "w": "Workflow"}


@pytest.mark.parametrize("name, damage", [
    ("edges-1.arrow", lambda b: b[:-7]),             # cut short: no trailing magic
    ("nodes-1.arrow", lambda b: b"ARROW1\0\0" + b"\0" * 20 + b"ARROW1"),  # bad footer
    ("in_ptr-1.npy", lambda b: b"garbage" + b[7:]),   # not a .npy file
    ("out_ptr-1.npy", None),                           # missing
])
def test_the_cheap_open_check_refuses_damaged_files(tmp_path, name, damage):
    store = _store(tmp_path / "s")
    path = store / name
    if damage is None:
        path.unlink()
    else:
        path.write_bytes(damage(path.read_bytes()))
    with pytest.raises(StoreError, match=f"generation 1 is unreadable \\({name}"):
        EmbeddedStore(store)


def test_a_whole_store_opens_and_reads_after_the_cheap_check(tmp_path):
    s = EmbeddedStore(_store(tmp_path / "s"))
    assert s.reach(["w"], "out", {"USES", "AUTHENTICATES_WITH"}).dist == {"w": 0, "c": 1, "k": 2}
    assert s.get_node("k")["kind"] == "Secret"


READS = """
import json, sys
from graph.embedded import EmbeddedStore
s = EmbeddedStore(sys.argv[1], create=False)
got = {"secrets": len(list(s.nodes("Secret"))),
       "many": len(s.get_nodes([f"w{i}" for i in range(100)] + ["nope"])),
       "named": [n["id"] for n in s.find_nodes("name", "WORKFLOW 7", case_insensitive=True)],
       "kind": len(s.find_nodes("kind", "Workflow"))}
got["pandas"] = "pandas" in sys.modules
print(json.dumps(got))
"""


def test_reads_by_kind_name_and_many_ids_do_not_import_pandas(tmp_path):
    """Selecting rows (``is_in``/``index_in`` on Arrow arrays built on their buffers) and
    reading them back must not pull pandas in: ``pa.array``/``pa.scalar`` of Python values
    and a boolean ``to_numpy`` each import it (~0.5 s of a small command)."""
    s = EmbeddedStore(tmp_path / "s")
    s.write(Batch(nodes=[Node(f"w{i}", "Workflow", {"name": f"workflow {i}"})
                         for i in range(80)] + [Node("k", "Secret")],
                  edges=[Edge("w1", "REFERENCES", "k")]), source="t")
    out = subprocess.run([sys.executable, "-c", READS, str(tmp_path / "s")],
                         capture_output=True, text=True, check=True).stdout
    assert json.loads(out) == {"secrets": 1, "many": 80, "named": ["w7"], "kind": 80,
                               "pandas": False}


@pytest.fixture(scope="module")
def sample_dir(tmp_path_factory):
    import sample_estate

    path = tmp_path_factory.mktemp("sample")
    sample_estate.load(EmbeddedStore(path))
    return path


@pytest.mark.parametrize("args, key, count", [
    (["findings", "--as-of", "2026-12-01T00:00:00Z"], "findings", 81),
    (["orphans"], "orphans", 22),
    (["shared-credentials"], "clusters", 3),
    (["unused-credentials", "--as-of", "2026-12-01T00:00:00Z"], "unused_credentials", 43),
    (["blast-radius-all"], "nodes", 265),  # every node but the 11 owners
    (["diff", "--as-of", "2026-12-01T00:00:00Z"], None, None),
    (["explain", "workflow:n8n:acme-prod:invoice-sync", "--as-of", "2026-12-01T00:00:00Z"],
     None, None),
])
def test_sample_analyses_import_neither_scipy_nor_pyarrow_compute(sample_dir, args, key,
                                                                  count):
    """The sample store's analyses (276 nodes) take the small paths (graph.smallgraph and
    the Python reads of at most FEW_ROWS rows): NumPy and pyarrow only, as blast-radius."""
    out, probe = _probe(sample_dir, *args, "--format", "json")
    got = json.loads("\n".join(out))
    if key is not None:
        assert len(got[key]) == count
    assert probe == {"code": 0, "heavy": ["numpy", "pyarrow"]}
