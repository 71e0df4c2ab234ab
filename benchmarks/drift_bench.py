"""Benchmark of drift and cuts: ``nhigraph diff`` of two 100k-node snapshots and one
``nhigraph cut`` on the 100k-node synthetic estate, each run as a separate process the way
a user runs it (wall seconds, CPU seconds, peak RSS of the child).

The estate comes from :mod:`ingest.synthetic_estate`; the second snapshot is the first
with planted drift (grants added and removed, a secret newly shared). Usage::

    python benchmarks/drift_bench.py --nodes 100000 --work /tmp/nhigraph-drift-bench

Not a test: timings depend on the machine (target: under 10 s each).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def timed(step: str, args: list[str], env: dict) -> dict:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    proc = subprocess.run([str(ROOT / ".venv" / "bin" / "nhigraph"), *args], env=env,
                          capture_output=True, text=True)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    out = {"step": step, "exit": proc.returncode, "wall_s": round(wall, 2),
           "cpu_s": round(after.ru_utime + after.ru_stime - before.ru_utime
                          - before.ru_stime, 2),
           "peak_rss_mb": round(after.ru_maxrss / 1024), "load": os.getloadavg()[0]}
    if proc.returncode not in (0, 1):
        out["stderr"] = proc.stderr[-500:]
    print(json.dumps(out), flush=True)
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--nodes", type=int, default=100_000)
    ap.add_argument("--work", default="/tmp/nhigraph-drift-bench")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--steps", default="diff,cut",
                    help="comma-separated: diff, cut (setup and snapshots always run)")
    a = ap.parse_args()
    os.environ.setdefault("NHIGRAPH_FINGERPRINT_KEY", "bench")
    from graph.embedded import EmbeddedStore
    from graph.memory import MemoryStore
    from graph.snapshot import write_snapshot
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
    write_snapshot(copy, work / "b.nhisnap.json.gz", "this-quarter")
    env = {**os.environ, "NHIGRAPH_STORE": str(store_dir), "NHIGRAPH_SNAPSHOT_KEEP": "0"}
    steps = set(a.steps.split(",")) - {""}
    if "diff" in steps and os.environ.get("SKIP_DIFF") != "1":
        timed("diff two snapshots", ["diff", "--from", str(snap_a), "--to",
                                     str(work / "b.nhisnap.json.gz"), "--format", "json",
                                     "-o", str(work / "diff.json")], env)
        changes = json.loads((work / "diff.json").read_text())["summary"]
        print(json.dumps({"step": "diff summary", **changes}), flush=True)
    if "cut" not in steps:
        return
    spaces = sorted(n["id"] for n in store.nodes("Workspace"))
    timed("cut workspace -> every crown jewel, --no-delta",
          ["cut", spaces[0], "--no-delta", "--format", "json", "-o", str(work / "cut.json")],
          env)
    timed("cut workspace -> every crown jewel, with what-if delta",
          ["cut", spaces[0], "--format", "json", "-o", str(work / "cut.json")], env)
    cut = json.loads((work / "cut.json").read_text())["summary"]
    print(json.dumps({"step": "cut summary", "source": spaces[0], **cut}), flush=True)


if __name__ == "__main__":
    main()
