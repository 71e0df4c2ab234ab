"""Scale benchmark: generate estates of 10k, 100k and 1M nodes, ingest them into the
embedded store, run the analyses, and print a table of figures next to references measured
in the same run (a plain ``networkx.descendants`` loop and ``scipy.sparse.csgraph``
breadth-first order as the floor).

Each phase runs in its own subprocess so its peak RSS (``ru_maxrss``) is its own; a phase
prints one JSON line per step as it goes, so a phase cut off by ``--timeout`` still
reports what it finished. Usage::

    python benchmarks/scale.py --sizes 10000,100000 --work /tmp/nhigraph-bench
    python benchmarks/scale.py --sizes 1000000 --timeout 1800 --json out.json

Not a test: timings depend on the machine. See docs/performance.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux


def _cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


_MARK = [0.0]


def _mark() -> float:
    """Start timing a step: returns the wall clock; CPU time is taken from here too, so
    figures stay comparable when other processes share the machine."""
    _MARK[0] = _cpu()
    return time.perf_counter()


def _say(step: str, seconds: float | None = None, **extra) -> None:
    cpu = round(_cpu() - _MARK[0], 2) if seconds is not None else None
    cpu = extra.pop("cpu_s", cpu)
    print(json.dumps({"step": step, "seconds": seconds, "cpu_s": cpu,
                      "rss_mb": round(_rss_mb()), "load": os.getloadavg()[0], **extra}),
          flush=True)


# --- phases (run in a subprocess each) ----------------------------------------------

def phase_generate(n: int, seed: int, out: str) -> None:
    from ingest.synthetic_estate import generate

    t = _mark()
    counts = generate(n, seed, out)
    _say("generate", time.perf_counter() - t, edges=counts["edges"] + counts["owned"])


def phase_ingest(folder: str, store_dir: str) -> None:
    from graph.embedded import EmbeddedStore
    from graph.stitch import stitch
    from ingest import inventory

    t0 = _mark()
    batch = inventory.parse(folder)
    t1 = time.perf_counter()
    _say("ingest.parse", t1 - t0, nodes=len(batch.nodes), edges=len(batch.edges))
    parse_cpu = _cpu() - _MARK[0]
    _mark()
    store = EmbeddedStore(store_dir)
    stitch(batch, None)
    res = store.write(batch, source="bench", replace=True)
    t2 = time.perf_counter()
    _say("ingest.validate+write", t2 - t1)
    _MARK[0] -= parse_cpu
    _say("ingest.total", t2 - t0, nodes=res.nodes_written, edges=res.edges_written)


def phase_query(store_dir: str, seed: int, skip: str) -> None:
    import networkx as nx
    import numpy as np
    from scipy.sparse import csr_matrix
    from scipy.sparse.csgraph import breadth_first_order

    from graph.embedded import EmbeddedStore
    from graph.model import ACCESS_EDGES
    from queries import blast_radius, blast_radius_summaries, orphaned_paths, shared_credentials

    t = _mark()
    store = EmbeddedStore(store_dir, create=False)
    _say("load", time.perf_counter() - t)
    g = store.graph
    ids = sorted(n for n, k in g.nodes(data="kind") if k != "Owner")
    sources = random.Random(seed).sample(ids, min(100, len(ids)))

    lat = []
    sizes = []
    _mark()
    for s in sources:
        t = time.perf_counter()
        r = blast_radius(store, s)
        lat.append(time.perf_counter() - t)
        sizes.append(r.summary["reachable"])
    br_mean = statistics.mean(lat)
    br_cpu = (_cpu() - _MARK[0]) / len(sources)
    _say("blast_radius", sum(lat), p50=statistics.median(lat),
         p95=sorted(lat)[int(0.95 * len(lat)) - 1], mean_reach=statistics.mean(sizes))

    # References over the same access-edge graph (no validity rules: a floor, not a twin).
    t = _mark()
    dg = nx.DiGraph()
    dg.add_nodes_from(g.nodes)
    dg.add_edges_from((a, b) for a, b, k in g.edges(keys=True) if k in ACCESS_EDGES)
    _say("ref.nx_build", time.perf_counter() - t)
    lat = []
    _mark()
    for s in sources:
        t = time.perf_counter()
        nx.descendants(dg, s)
        lat.append(time.perf_counter() - t)
    _say("ref.nx_descendants", sum(lat), p50=statistics.median(lat),
         p95=sorted(lat)[int(0.95 * len(lat)) - 1])
    t = _mark()
    index = {n: i for i, n in enumerate(g.nodes)}
    src = np.fromiter((index[a] for a, b, k in g.edges(keys=True) if k in ACCESS_EDGES),
                      dtype=np.int32)
    dst = np.fromiter((index[b] for a, b, k in g.edges(keys=True) if k in ACCESS_EDGES),
                      dtype=np.int32)
    m = csr_matrix((np.ones(len(src), dtype=np.int8), (src, dst)), shape=(len(index),) * 2)
    _say("ref.csr_build", time.perf_counter() - t)
    lat = []
    _mark()
    for s in sources:
        t = time.perf_counter()
        breadth_first_order(m, index[s], directed=True, return_predecessors=False)
        lat.append(time.perf_counter() - t)
    _say("ref.csgraph_bfs", sum(lat), p50=statistics.median(lat),
         p95=sorted(lat)[int(0.95 * len(lat)) - 1])
    n = len(index)
    # Whole-estate reference: reachable-set size of every node, one BFS each, measured on
    # a sample and extrapolated (a full loop at 1M is the very cost the issue warns about).
    sample = random.Random(seed + 1).sample(range(n), min(1000, n))
    t = _mark()
    for i in sample:
        breadth_first_order(m, i, directed=True, return_predecessors=False)
    per = (time.perf_counter() - t) / len(sample)
    _say("ref.csgraph_all_nodes_extrapolated", per * n,
         cpu_s=round((_cpu() - _MARK[0]) * n / len(sample), 1))

    if "shared" not in skip:
        t = _mark()
        r = shared_credentials(store)
        _say("shared_credentials", time.perf_counter() - t, clusters=r.summary["clusters"])
    if "orphans" not in skip:
        t = _mark()
        r = orphaned_paths(store)
        _say("orphaned_paths", time.perf_counter() - t, orphans=r.summary["orphans"])
    t = _mark()
    r = blast_radius_summaries(store)
    _say("blast_radius_summaries (all nodes)", time.perf_counter() - t, nodes=len(r.rows),
         largest=r.summary["largest"])
    # Reference: one blast radius per node through the public query, measured on the same
    # 100 sources and extrapolated to all non-owner nodes.
    _say("all_blast_radius_extrapolated", br_mean * len(ids), sources=len(ids),
         cpu_s=round(br_cpu * len(ids), 1))


#: The installed console script beside this Python (what a user runs), else its entry point.
_NHIGRAPH = ([str(Path(sys.executable).with_name("nhigraph"))]
             if Path(sys.executable).with_name("nhigraph").exists()
             else [sys.executable, "-c", "from cli import main; main()"])


#: A command still running after this long is stopped and reported as not finished.
CLI_TIMEOUT = float(os.environ.get("NHIGRAPH_BENCH_CLI_TIMEOUT", "1200"))


def _as_user(step: str, args: list[str], runs: int = 3) -> None:
    """``nhigraph ARGS`` as a separate process, as a user runs it: median wall, CPU and peak
    RSS of ``runs`` runs (``wait4``), with the exit code and the 1-minute load average at
    its start. A run past ``CLI_TIMEOUT`` is killed and reported as not finished."""
    walls, cpus, rss, code, loads = [], [], [], None, []
    for _ in range(runs):
        loads.append(os.getloadavg()[0])
        t = time.perf_counter()
        proc = subprocess.Popen([*_NHIGRAPH, *args], cwd=ROOT,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        while True:
            pid, status, ru = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() - t > CLI_TIMEOUT:
                proc.kill()
                _, status, ru = os.wait4(proc.pid, 0)
                print(json.dumps({"step": step, "seconds": None,
                                  "note": f"not finished in {CLI_TIMEOUT:.0f} s (killed)",
                                  "cpu_s": round(ru.ru_utime + ru.ru_stime, 2),
                                  "rss_mb": round(ru.ru_maxrss / 1024),
                                  "load": loads[-1]}), flush=True)
                return
            time.sleep(0.02)
        walls.append(time.perf_counter() - t)
        cpus.append(ru.ru_utime + ru.ru_stime)
        rss.append(ru.ru_maxrss / 1024)
        code = os.waitstatus_to_exitcode(status)
    print(json.dumps({"step": step, "seconds": statistics.median(walls),
                      "cpu_s": round(statistics.median(cpus), 2),
                      "rss_mb": round(statistics.median(rss)),
                      "load": statistics.median(loads), "exit": code, "runs": runs}),
          flush=True)


def phase_cli(store_dir: str, folder: str, small: str) -> None:
    """The commands of the issue's table as a user runs them (each its own process)."""
    # the node is picked in a child: Linux keeps ru_maxrss across exec, so this process must
    # stay small for its children's peak RSS to be their own
    def first_workflow(store: str) -> str:
        return subprocess.run(
            [sys.executable, "-c", "import sys; from graph.embedded import EmbeddedStore; "
             "print(next(iter(EmbeddedStore(sys.argv[1], create=False).nodes('Workflow')))"
             "['id'])", store], cwd=ROOT, capture_output=True, text=True,
            check=True).stdout.strip()

    node = first_workflow(store_dir)
    fresh = str(Path(store_dir).with_name(Path(store_dir).name + "-cli"))
    shutil.rmtree(fresh, ignore_errors=True)
    _as_user("cli.ingest inventory (snapshot included)",
             ["ingest", "inventory", folder, "--store", fresh], runs=1)
    shutil.rmtree(fresh, ignore_errors=True)
    _as_user("cli.stats", ["stats", "--store", store_dir])
    _as_user("cli.blast-radius NODE", ["blast-radius", node, "--store", store_dir])
    _as_user("cli.blast-radius unknown (exit 2)",
             ["blast-radius", "no-such-node", "--store", store_dir], runs=1)
    for name in ("shared-credentials", "orphans", "blast-radius-all", "findings"):
        _as_user(f"cli.{name}", [name, "--store", store_dir], runs=1)
    if not Path(small, "manifest.json").exists():
        subprocess.run([*_NHIGRAPH, "demo", "--store", small], cwd=ROOT, check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _as_user("cli.small stats", ["stats", "--store", small])
    _as_user("cli.small blast-radius NODE",
             ["blast-radius", first_workflow(small), "--store", small])
    _as_user("cli.small shared-credentials", ["shared-credentials", "--store", small])


# --- orchestration -------------------------------------------------------------------

def run_phase(args: list[str], timeout: float) -> tuple[list[dict], str | None]:
    cmd = [sys.executable, __file__, "--phase", *args]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            cwd=ROOT)
    try:
        out, err = proc.communicate(timeout=timeout)
        problem = None if proc.returncode == 0 else f"exit {proc.returncode}: {err.strip()[-300:]}"
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
        problem = f"timed out after {timeout:.0f} s"
    steps = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
    return steps, problem


def machine() -> dict:
    info = {"nproc": os.cpu_count(), "python": platform.python_version()}
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                info["cpu"] = line.split(":", 1)[1].strip()
                break
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                info["memory_gb"] = round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    return info


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="10000,100000,1000000")
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--work", default="/tmp/nhigraph-bench")
    ap.add_argument("--timeout", type=float, default=1800, help="Per phase, seconds.")
    ap.add_argument("--skip", default="", help="Comma list: shared, orphans.")
    ap.add_argument("--json", default=None, help="Also write the raw figures here.")
    ap.add_argument("--phase", nargs="+", help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.phase:
        name, *rest = a.phase
        if name == "generate":
            phase_generate(int(rest[0]), int(rest[1]), rest[2])
        elif name == "ingest":
            phase_ingest(rest[0], rest[1])
        elif name == "cli":
            phase_cli(rest[0], rest[1], rest[2])
        else:
            phase_query(rest[0], int(rest[1]), rest[2] if len(rest) > 2 else "")
        return
    work = Path(a.work)
    results = {"machine": machine(), "sizes": {}}
    print(json.dumps(results["machine"]), flush=True)
    for n in (int(x) for x in a.sizes.split(",")):
        folder, store = work / f"estate-{n}", work / f"store-{n}"
        shutil.rmtree(folder, ignore_errors=True)
        shutil.rmtree(store, ignore_errors=True)
        rows: list[dict] = []
        for args in (["generate", str(n), str(a.seed), str(folder)],
                     ["ingest", str(folder), str(store)],
                     ["query", str(store), str(a.seed), a.skip],
                     ["cli", str(store), str(folder), str(work / "store-small")]):
            steps, problem = run_phase(args, a.timeout)
            rows.extend(steps)
            if problem:
                rows.append({"step": f"{args[0]} FAILED", "seconds": None, "note": problem})
                break
        results["sizes"][n] = rows
        print_table(n, rows)
        print_issue_table(n, rows)
    if a.json:
        Path(a.json).write_text(json.dumps(results, indent=1))


def print_table(n: int, rows: list[dict]) -> None:
    print(f"\n## {n:,} nodes\n")
    print("| step | wall s | CPU s | p50 ms | p95 ms | peak RSS MB | load avg | detail |")
    print("|---|---:|---:|---:|---:|---:|---:|---|")
    for r in rows:
        sec = "" if r.get("seconds") is None else f"{r['seconds']:.2f}"
        p50 = f"{r['p50'] * 1000:.1f}" if "p50" in r else ""
        p95 = f"{r['p95'] * 1000:.1f}" if "p95" in r else ""
        detail = ", ".join(f"{k}={v if not isinstance(v, float) else round(v, 1)}"
                           for k, v in r.items()
                           if k not in ("step", "seconds", "cpu_s", "p50", "p95", "rss_mb",
                                        "load"))
        cpu = "" if r.get("cpu_s") is None else f"{r['cpu_s']:.2f}"
        load = "" if r.get("load") is None else f"{r['load']:.1f}"
        print(f"| {r['step']} | {sec} | {cpu} | {p50} | {p95} | {r.get('rss_mb', '')} | {load} "
              f"| {detail} |", flush=True)


#: The issue's table: (its row, the steps measured for it, target wall s, target MB).
ISSUE_ROWS = [
    ("`nhigraph stats`", ["cli.stats"], 0.5, 300),
    ("`nhigraph blast-radius NODE`", ["cli.blast-radius NODE"], 1.5, 1500),
    ("the same with an unknown node (exit 2)", ["cli.blast-radius unknown (exit 2)"], 0.5,
     None),
    ("`nhigraph ingest inventory`", ["cli.ingest inventory (snapshot included)"], 60, 3000),
    ("every analysis (shared, orphans, all blast radii, findings)",
     ["cli.shared-credentials", "cli.orphans", "cli.blast-radius-all", "cli.findings"], 60,
     None),
    ("any command on the sample store",
     ["cli.small stats", "cli.small blast-radius NODE", "cli.small shared-credentials"], 0.3,
     None),
]


def _fig(rows: dict[str, dict], names: list[str]) -> tuple[str, float | None, float | None]:
    """The figures of ``names`` (summed wall and CPU, largest RSS) as a table cell."""
    got = [rows[n] for n in names if n in rows]
    if len(got) < len(names) or any(r.get("seconds") is None for r in got):
        notes = [r.get("note", "") for r in got if r.get("note")]
        return ("not finished " + "; ".join(notes)).strip(), None, None
    wall = sum(r["seconds"] for r in got)
    cpu = sum(r["cpu_s"] for r in got)
    if len(names) > 1 and names[0].startswith("cli.small"):
        wall, cpu = max(r["seconds"] for r in got), max(r["cpu_s"] for r in got)
    rss = max(r["rss_mb"] for r in got)
    load = "-".join(f"{x:.1f}" for x in sorted({round(r["load"], 1) for r in got}))
    return f"{wall:.2f} s wall, {cpu:.2f} s CPU, {rss} MB (load {load})", wall, rss


def _ratio(a: dict | None, b: dict | None, key: str = "seconds") -> str:
    if not a or not b or not a.get(key) or not b.get(key):
        return "n/a"
    return f"{a[key] / b[key]:.3g}x"  # (at 1M ours is a thousandth of the floor's)


def print_issue_table(n: int, steps: list[dict]) -> None:
    """The issue's table for this size: each command's figures, its target, met or not;
    then the walks against plain networkx and the scipy.sparse.csgraph floor."""
    rows = {r["step"]: r for r in steps}
    print(f"\n### The issue's table at {n:,} nodes\n")
    print("| command | measured (separate process) | target | met? |")
    print("|---|---|---|---|")
    for title, names, wall_t, mb_t in ISSUE_ROWS:
        cell, wall, rss = _fig(rows, names)
        target = f"<= {wall_t} s" + (f", <= {mb_t} MB" if mb_t else "")
        if wall is None:
            verdict = "missed (not finished)"
        else:
            over = [f"wall {wall / wall_t:.1f}x target"] if wall > wall_t else []
            if mb_t and rss is not None and rss > mb_t:
                over.append(f"RSS {rss / mb_t:.1f}x target")
            verdict = "met" if not over else "missed: " + ", ".join(over)
            cpu = float(cell.split(" s CPU")[0].rsplit(" ", 1)[1])
            if over and cpu <= wall_t and not (mb_t and rss is not None and rss > mb_t):
                verdict = f"met on CPU ({cpu:.2f} s); wall {wall / wall_t:.1f}x under load"
        print(f"| {title} | {cell} | {target} | {verdict} |")
    br, nx_, cs = (rows.get(k) for k in ("blast_radius", "ref.nx_descendants",
                                          "ref.csgraph_bfs"))
    allb, allcs = rows.get("blast_radius_summaries (all nodes)"), rows.get(
        "ref.csgraph_all_nodes_extrapolated")
    print("\n| in-process ratio (same run) | ours / networkx | ours / csgraph floor |")
    print("|---|---|---|")
    print(f"| one blast radius, p50 | {_ratio(br, nx_, 'p50')} | {_ratio(br, cs, 'p50')} |")
    print(f"| every node's reach (CPU) | n/a | {_ratio(allb, allcs, 'cpu_s')} |", flush=True)


if __name__ == "__main__":
    main()
