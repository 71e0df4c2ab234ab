"""Benchmark of drift and cuts: ``nhigraph diff`` of two 100k-node snapshots and one
``nhigraph cut`` on the 100k-node synthetic estate, each run as a separate process the way
a user runs it (wall seconds, CPU seconds and peak RSS of that child, from ``wait4``, and
the 1-minute load average).

The estate comes from :mod:`ingest.synthetic_estate`; the second snapshot is the first
with planted drift (200 grants removed, 200 admin grants onto crown jewels added). Both
are written twice: as snapshot folders (``a.nhisnap/``, ``b.nhisnap/``: what ingest and
``snapshot save`` leave on the embedded store, opened as read-only embedded stores) and
as exported files (``*.nhisnap.json.gz``, what ``snapshot export`` writes and another
machine diffs). Steps: ``diff-folder``, ``diff-file``, ``cut`` (``--no-delta`` and with
the what-if delta). ``--code DIR`` runs the commands on another checkout's code (e.g. an
exported copy of main, for a before/after pair). Usage::

    python benchmarks/drift_bench.py --nodes 100000 --work /tmp/nhigraph-drift-bench

Not a test: timings depend on the machine (target: under 10 s each).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def timed(step: str, args: list[str], env: dict) -> dict:
    """Run ``nhigraph ARGS`` as a child; its own CPU seconds and peak RSS (``wait4``)."""
    load0 = os.getloadavg()[0]
    t0 = time.perf_counter()
    with tempfile.TemporaryFile() as err:
        proc = subprocess.Popen([str(Path(sys.executable).parent / "nhigraph"), *args], env=env,
                                stdout=subprocess.DEVNULL, stderr=err)
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        err.seek(0)
        stderr = err.read().decode(errors="replace")
    wall = time.perf_counter() - t0
    out = {"step": step, "exit": proc.returncode, "wall_s": round(wall, 2),
           "cpu_s": round(usage.ru_utime + usage.ru_stime, 2),
           "peak_rss_mb": round(usage.ru_maxrss / 1024),
           "load": f"{load0:.1f}-{os.getloadavg()[0]:.1f}"}
    if proc.returncode not in (0, 1):
        out["stderr"] = stderr[-500:]
    print(json.dumps(out), flush=True)
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--nodes", type=int, default=100_000)
    ap.add_argument("--work", default="/tmp/nhigraph-drift-bench")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--steps", default="diff-folder,diff-file,cut",
                    help="comma-separated: diff-folder, diff-file, cut (setup and "
                    "snapshots always run)")
    ap.add_argument("--code", default=str(ROOT),
                    help="checkout whose code the commands run (default: this one)")
    ap.add_argument("--as-of", default="2026-06-01T00:00:00Z")
    a = ap.parse_args()
    os.environ.setdefault("NHIGRAPH_FINGERPRINT_KEY", "bench")
    from graph.columnar_copy import columnar_copy
    from graph.embedded import EmbeddedStore
    from graph.memory import MemoryStore
    from graph.snapshot import link_snapshot, read_snapshot, write_snapshot
    from ingest import inventory
    from ingest.synthetic_estate import generate
    from queries.posture import crown_jewels

    work = Path(a.work)
    est, store_dir = work / f"estate-{a.nodes}", work / f"store-{a.nodes}"
    if not (store_dir / "manifest.json").exists():
        generate(a.nodes, a.seed, est)
        t0 = time.perf_counter()
        EmbeddedStore(store_dir).write(inventory.parse(est), source="synthetic")
        print(json.dumps({"step": "ingest (setup)", "wall_s": round(time.perf_counter() - t0,
                                                                    2)}), flush=True)
    store = EmbeddedStore(store_dir, create=False)
    t0 = time.perf_counter()
    snap_a = work / "a.nhisnap.json.gz"
    meta = write_snapshot(store, snap_a, "last-quarter")
    print(json.dumps({"step": "snapshot export (in process)", "nodes": meta["nodes"],
                      "edges": meta["edges"], "wall_s": round(time.perf_counter() - t0, 2),
                      "file_mb": round(snap_a.stat().st_size / 2**20, 1)}), flush=True)
    # planted drift: 200 grants removed, 200 admin grants onto crown jewels added
    rnd = random.Random(a.seed)
    copy = MemoryStore.copy_of(store)
    grants = sorted(e.key for e in copy.edges("CAN_ACCESS"))
    for src, kind, dst in rnd.sample(grants, min(200, len(grants))):
        copy.remove_edge(src, kind, dst)
    ids = sorted(n["id"] for n in copy.nodes("Identity"))
    jewels = crown_jewels(copy) or sorted(n["id"] for n in copy.nodes("Resource"))[:50]
    for _ in range(200):
        copy.add_edge(rnd.choice(ids), "CAN_ACCESS", rnd.choice(jewels), access="admin",
                      grant="planted")
    snap_b = work / "b.nhisnap.json.gz"
    write_snapshot(copy, snap_b, "this-quarter")
    del copy
    # the same two graphs as snapshot folders: a linked from the store, b from its file
    link_snapshot(store, work / "a.nhisnap")
    data = read_snapshot(snap_b)
    b_store = columnar_copy(data["nodes"], data["edges"], data["runs"])
    assert b_store is not None and link_snapshot(b_store, work / "b.nhisnap")
    del data, b_store
    env = {**os.environ, "NHIGRAPH_STORE": str(store_dir), "NHIGRAPH_SNAPSHOT_KEEP": "0",
           "PYTHONPATH": a.code}
    steps = set(a.steps.split(",")) - {""}
    tag = Path(a.code).name
    for step, (x, y) in (("diff-folder", (work / "a.nhisnap", work / "b.nhisnap")),
                         ("diff-file", (snap_a, snap_b))):
        if step not in steps:
            continue
        out = work / f"{step}-{tag}.json"
        timed(f"{step}: diff two snapshots ({tag})",
              ["diff", "--from", str(x), "--to", str(y), "--format", "json",
               "--as-of", a.as_of, "-o", str(out)], env)
        changes = json.loads(out.read_text())["summary"]
        print(json.dumps({"step": f"{step} summary", **changes}), flush=True)
    if "cut" not in steps:
        return
    spaces = sorted(n["id"] for n in store.nodes("Workspace"))
    timed(f"cut workspace -> every crown jewel, --no-delta ({tag})",
          ["cut", spaces[0], "--no-delta", "--format", "json", "--as-of", a.as_of,
           "-o", str(work / f"cut-nodelta-{tag}.json")], env)
    timed(f"cut workspace -> every crown jewel, with what-if delta ({tag})",
          ["cut", spaces[0], "--format", "json", "--as-of", a.as_of,
           "-o", str(work / f"cut-{tag}.json")], env)
    cut = json.loads((work / f"cut-{tag}.json").read_text())["summary"]
    print(json.dumps({"step": "cut summary", "source": spaces[0], **cut}), flush=True)


if __name__ == "__main__":
    main()
