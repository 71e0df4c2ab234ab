"""Fast start: ``nhigraph stats`` on an embedded store answers from the manifest, so the
process imports neither pandas, NetworkX, NumPy nor pyarrow (checked in a fresh interpreter,
as a user runs the command); the cheap open check still refuses damaged generation files."""

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
sys.argv = ["nhigraph", "stats", "--format", "json", "--store", sys.argv[1]]
from cli import main
try:
    main()
except SystemExit as exit:
    code = exit.code
heavy = sorted(m for m in ("pandas", "networkx", "numpy", "pyarrow") if m in sys.modules)
print(json.dumps({"code": code, "heavy": heavy}))
"""


def _store(path):
    s = EmbeddedStore(path)
    s.write(Batch(nodes=[Node("w", "Workflow"), Node("c", "Connector"), Node("k", "Secret")],
                  edges=[Edge("w", "USES", "c"), Edge("c", "AUTHENTICATES_WITH", "k")]),
            source="t")
    return path


def test_stats_imports_no_heavy_module(tmp_path):
    store = _store(tmp_path / "s")
    out = subprocess.run([sys.executable, "-c", PROBE, str(store)], capture_output=True,
                         text=True, check=True).stdout.strip().splitlines()
    stats = json.loads("\n".join(out[:-1]))  # the stats json (indented), then the probe
    probe = json.loads(out[-1])
    assert (stats["nodes"], stats["edges"], stats["runs"]) == (3, 2, 1)
    assert stats["edges_by_kind"] == {"AUTHENTICATES_WITH": 1, "USES": 1}
    assert stats["nodes_by_kind"] == {"Connector": 1, "Secret": 1, "Workflow": 1}
    assert probe == {"code": 0, "heavy": []}


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
