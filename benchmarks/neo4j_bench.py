"""Neo4j store figures (a script that prints numbers, never a timed test).

1. Loading: rows/s of the store's batched ``UNWIND $rows`` upserts at several batch sizes,
   and of the same statements one row per transaction, on the same generated data.
2. Every analysis (shared credentials, orphans, findings, all blast radii) on a generated
   estate, each as a separate ``nhigraph`` process on the embedded store and on Bolt: wall,
   CPU, peak RSS, result rows, and the queries and records the Neo4j store received
   (``NHIGRAPH_NEO4J_STATS``), with the load average beside each figure.
3. Blast radius on a generated estate of at least 100k nodes: latency on the embedded
   store and on the Bolt server (hop-by-hop, one query per hop), and what one unbounded
   variable-length Cypher match costs as the bound grows, for comparison.

Runs against ArcadeDB's Bolt server from the ``arcadedb-embedded`` wheel, started here on
loopback ports (see tests/neo4j_server.py). Timings on a shared machine vary; compare the
ratios within one run.

    .venv/bin/python benchmarks/neo4j_bench.py [--big 100000] [--load 10000]
        [--settings default,durable] [--skip load|big|cli] [--cli 100000,1000000]
        [--only orphans,...] [--work DIR] [--heap 4g] [--node ID] [--estate DIR]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from importlib.metadata import version
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from graph.embedded import EmbeddedStore  # noqa: E402
from graph.model import ACCESS_EDGES  # noqa: E402
from graph.neo4j_store import Neo4jStore  # noqa: E402
from queries import blast_radius  # noqa: E402
from tests.generated import estate  # noqa: E402
from tests.graphs import batch  # noqa: E402
from tests.neo4j_server import DATABASE, USER, BoltServer  # noqa: E402

AS_OF = "2026-06-01T00:00:00Z"
ROOT = Path(__file__).resolve().parents[1]


def _rust_codec() -> bool:
    try:
        import neo4j._rust  # noqa: F401 - installed by neo4j-rust-ext
    except ImportError:
        return False
    return True


def store(server: BoltServer, **kw) -> Neo4jStore:
    return Neo4jStore(server.uri, user=USER, password=server.password, database=DATABASE, **kw)


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process (Linux /proc), to compare work done on a
    machine whose other load distorts wall-clock time."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def load_rate(server: BoltServer, spec, batch_size: int) -> tuple[float, float, float]:
    """Wall-clock rows/s, seconds, and rows per CPU second (server + this process) of one
    load of ``spec`` into an emptied database."""
    s = store(server, batch_size=batch_size)
    s._clear()
    rows = len(spec[0]) + len(spec[1])
    cpu = cpu_seconds(server.proc.pid) + time.process_time()
    t = time.perf_counter()
    s.write(batch(*spec), source="bench")
    dt = time.perf_counter() - t
    cpu = cpu_seconds(server.proc.pid) + time.process_time() - cpu
    s.close()
    return rows / dt, dt, rows / max(cpu, 1e-9)


def per_row_merge(server: BoltServer, spec) -> tuple[float, float, float]:
    """The naive loader for comparison: one ``MERGE`` per row, one transaction each, on the
    same data (one-label node MERGE: ArcadeDB scans on a two-label one)."""
    s = store(server)
    s._clear()
    s.close()
    nodes, edges = spec
    kind = {n[0]: n[1] for n in nodes}
    rows = len(nodes) + len(edges)
    from neo4j import GraphDatabase

    driver = GraphDatabase.driver(server.uri, auth=(USER, server.password))
    cpu = cpu_seconds(server.proc.pid) + time.process_time()
    t = time.perf_counter()
    with driver.session(database=DATABASE) as session:
        for nid, k, *props in nodes:
            session.execute_write(lambda tx, q, p: tx.run(q, p).consume(),
                                  f"MERGE (n:{k} {{id: $id}}) SET n += $props",
                                  {"id": nid, "props": dict(props[0]) if props else {}})
        for src, k, dst, *props in edges:
            session.execute_write(
                lambda tx, q, p: tx.run(q, p).consume(),
                f"MATCH (a:{kind[src]} {{id: $src}}) MATCH (b:{kind[dst]} {{id: $dst}}) "
                f"MERGE (a)-[r:{k}]->(b) SET r += $props",
                {"src": src, "dst": dst, "props": dict(props[0]) if props else {}})
    dt = time.perf_counter() - t
    cpu = cpu_seconds(server.proc.pid) + time.process_time() - cpu
    driver.close()
    return rows / dt, dt, rows / max(cpu, 1e-9)


def timed(fn, repeat: int) -> list[float]:
    out = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t)
    return out


def warm_up(server: BoltServer, spec, most: int = 15) -> list[float]:
    """Load until the server's JIT has settled: at least 6 loads, then until two in a row
    are within 5% of each other (its CPU per row falls about 4x over the first loads)."""
    rates = []
    while len(rates) < most:
        rates.append(load_rate(server, spec, 1000)[0])
        if len(rates) >= 6 and abs(rates[-1] - rates[-2]) <= 0.05 * max(rates[-2:]):
            break
    return rates


def loading(label: str, settings: dict, data, sizes: list[int]) -> dict:
    """Batched loading against one MERGE per row on a fresh server with ``settings``."""
    server = BoltServer(tempfile.mkdtemp(prefix="nhigraph-bench-"), heap="3g",
                        settings=settings).start()
    try:
        rows = len(data[0]) + len(data[1])
        print(f"\n== loading, {label}: {len(data[0])} nodes + {len(data[1])} edges = {rows} "
              "rows into an emptied database; every load includes validation, stale cleanup "
              "and the run record")
        warm = warm_up(server, data)
        print(f"warm-up: {len(warm)} loads, " + ", ".join(f"{r:.0f}" for r in warm) + " rows/s")
        rates: dict[int, list[tuple]] = {}
        for size in sizes:  # the sweep, once up ...
            rates.setdefault(size, []).append(load_rate(server, data, size))
        one = per_row_merge(server, data)  # ... one MERGE per row in the middle ...
        for size in sizes[::-1]:  # ... and once down, so warm-up and noise even out
            rates.setdefault(size, []).append(load_rate(server, data, size))
        for size in sizes:
            wall = max(r[0] for r in rates[size])
            cpu = max(r[2] for r in rates[size])
            print(f"batch {size:5d}: {wall:8.0f} rows/s, {cpu:8.0f} rows per CPU second "
                  "(best of 2)")
        print(f"per row:    {one[0]:8.0f} rows/s, {one[2]:8.0f} rows per CPU second "
              f"({one[1]:.0f} s): one MERGE per row, one transaction each")
        wall = statistics.mean(r[0] for r in rates[1000])
        cpu = statistics.mean(r[2] for r in rates[1000])
        print(f"default batch (1000) / one MERGE per row: {wall / one[0]:.1f}x wall clock "
              f"(mean of 2), {cpu / one[2]:.1f}x CPU (server + client)")
        reload_store = store(server)
        for _ in range(2):  # the second, once the server has compiled the update path
            t = time.perf_counter()
            reload_store.write(batch(*data), source="bench")
            again = rows / (time.perf_counter() - t)
        reload_store.close()
        print(f"re-ingest of the same data (all upserts, no CREATE): {again:.0f} rows/s")
        print(f"load average now: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
        return {"label": label, "batched": wall, "per_row": one[0], "ratio": wall / one[0],
                "cpu_ratio": cpu / one[2], "reingest": again}
    finally:
        server.stop()


#: ArcadeDB's default does not flush its write-ahead log at commit; Neo4j makes every
#: commit durable in its transaction log before it returns, so the second setting is the
#: closer stand-in for the per-transaction cost the batching saves on Neo4j.
SETTINGS = {
    "default": ("ArcadeDB defaults (WAL not flushed at commit)", {}),
    "durable": ("durable commits (txWalFlush=2: WAL fsynced at every commit, as Neo4j does)",
                {"txWalFlush": "2"}),
}


# --- analyses as a user runs them: each a separate CLI process --------------------------

#: The analyses of issue 17, each run as ``nhigraph <args> --format json`` (findings at a
#: fixed time, so its output compares across runs; blast-radius of ``--node``).
ANALYSES = {
    "shared-credentials": ["shared-credentials"],
    "orphans": ["orphans"],
    "findings": ["findings", "--as-of", AS_OF],
    "blast-radius-all": ["blast-radius-all"],
    "blast-radius": ["blast-radius", "{node}"],
}


def run_cli(args: list[str], env: dict, out: Path | None = None,
            timeout: float | None = None) -> dict:
    """One ``nhigraph`` process: wall, CPU (user + sys) and peak RSS of the process, the
    1-minute load average when it ended, and its exit code."""
    cmd = [sys.executable, "-c", "from cli import main; main()", *args] + (["-o", str(out)] if out else [])
    t = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = None if timeout is None else time.monotonic() + timeout
    while True:
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            break
        if deadline is not None and time.monotonic() > deadline:
            proc.kill()
            pid, status, usage = os.wait4(proc.pid, 0)
            break
        time.sleep(0.05)
    wall = time.perf_counter() - t
    err = proc.stderr.read().decode(errors="replace").strip().splitlines() if proc.stderr else []
    proc.returncode = os.waitstatus_to_exitcode(status)
    return {"wall": wall, "cpu": usage.ru_utime + usage.ru_stime,
            "rss_mb": usage.ru_maxrss / 1024, "load": os.getloadavg()[0],
            "rc": proc.returncode, "error": err[-1] if err and proc.returncode else ""}


def result_size(path: Path) -> tuple[int, int]:
    """(rows, ids) of a ``--format json`` result: the length of its one top-level list, and
    the rows plus every entry of a list inside a row (a cluster's credentials and
    workflows, an orphan's reach): what the answer holds, to compare the records with."""
    import json

    data = json.loads(path.read_text())
    lists = [v for v in data.values() if isinstance(v, list)] if isinstance(data, dict) else []
    rows = lists[0] if lists else []

    def entries(value) -> int:
        if isinstance(value, list):
            return len(value) + sum(entries(v) for v in value if isinstance(v, (list, dict)))
        if isinstance(value, dict):
            return sum(entries(v) for v in value.values())
        return 0

    return len(rows), len(rows) + sum(entries(r) for r in rows)


def transfer(stats: Path) -> tuple[int, int]:
    """(queries, records) the Neo4j store of one process reported (NHIGRAPH_NEO4J_STATS)."""
    import json

    lines = [json.loads(x) for x in stats.read_text().splitlines() if x.strip()] \
        if stats.exists() else []
    return sum(x["queries"] for x in lines), sum(x["records"] for x in lines)


def analyses(n_nodes: int, work: Path, heap: str, only: list[str],
             timeout: float, node: str = "workflow:gen:w0:0",
             estate_from: Path | None = None) -> None:
    """Generate an estate, ingest it into an embedded store and into the Bolt server with
    the CLI, then run every analysis on both, each as its own process, and print time,
    CPU, peak RSS, result rows and (on Bolt) queries and records received."""
    work.mkdir(parents=True, exist_ok=True)
    estate_dir = estate_from or work / f"estate-{n_nodes}"
    env = dict(os.environ, NHIGRAPH_SNAPSHOT_KEEP="0")
    env.setdefault("PYTHONPATH", str(ROOT))  # another checkout to compare: PYTHONPATH=...
    env.pop("NEO4J_URI", None)
    if not (estate_dir / "edges.csv").exists():
        r = run_cli(["generate", "--nodes", str(n_nodes), "-o", str(estate_dir)], env)
        print(f"generate {n_nodes}: {r['wall']:.1f} s")
    server = BoltServer(tempfile.mkdtemp(prefix="nhigraph-bench-", dir=work), heap=heap).start()
    try:
        emb_dir = work / f"store-{n_nodes}"
        shutil.rmtree(emb_dir, ignore_errors=True)
        emb = ["--store", str(emb_dir)]
        neo = ["--neo4j", server.uri, "--neo4j-user", USER, "--neo4j-database", DATABASE]
        neo_env = dict(env, NEO4J_PASSWORD=server.password)
        print(f"\n== analyses on the {n_nodes}-node estate, each a separate CLI process "
              f"(ArcadeDB heap {heap}); load average beside each figure")
        for label, where, e in (("embedded", emb, env), ("bolt", neo, neo_env)):
            r = run_cli([*where, "ingest", "inventory", str(estate_dir)], e)
            print(f"ingest inventory, {label:8s}: {r['wall']:7.1f} s wall, {r['cpu']:6.1f} s CPU, "
                  f"{r['rss_mb']:6.0f} MB, load {r['load']:.1f}"
                  + (f"  FAILED: {r['error']}" if r["rc"] else ""))
        print(f"{'analysis':20s} {'store':8s} {'wall s':>8s} {'CPU s':>7s} {'RSS MB':>7s} "
              f"{'load':>5s} {'rows':>7s} {'ids':>8s} {'queries':>8s} {'records':>9s} "
              f"{'rec/id':>8s}")
        for name, args in ANALYSES.items():
            if only and name not in only:
                continue
            args = [a.format(node=node) for a in args]
            for label, where, e in (("embedded", emb, env), ("bolt", neo, neo_env)):
                out = work / f"{name}-{label}-{n_nodes}.json"
                stats = work / f"{name}-{label}-{n_nodes}.stats"
                stats.unlink(missing_ok=True)
                out.unlink(missing_ok=True)
                r = run_cli([*where, *args, "--format", "json"], dict(
                    e, NHIGRAPH_NEO4J_STATS=str(stats)), out, timeout)
                rows, ids = result_size(out) if r["rc"] == 0 and out.exists() else (0, 0)
                q, rec = transfer(stats)
                ratio = f"{rec / max(ids, 1):8.1f}" if label == "bolt" else f"{'':8s}"
                print(f"{name:20s} {label:8s} {r['wall']:8.1f} {r['cpu']:7.1f} "
                      f"{r['rss_mb']:7.0f} {r['load']:5.1f} {rows:7d} {ids:8d} "
                      f"{q if label == 'bolt' else '':>8} {rec if label == 'bolt' else '':>9} "
                      f"{ratio}" + (f"  FAILED rc={r['rc']}: {r['error']}" if r["rc"] else ""),
                      flush=True)
    finally:
        server.stop()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--big", type=int, default=100_000, help="nodes of the blast-radius graph")
    ap.add_argument("--load", type=int, default=10_000,
                    help="nodes for the loading figures (batched and one row per transaction)")
    ap.add_argument("--sizes", default="250,1000,5000")
    ap.add_argument("--settings", default="default,durable",
                    help="server settings to measure loading under: "
                         + ", ".join(SETTINGS))
    ap.add_argument("--starts", type=int, default=10, help="blast-radius start nodes")
    ap.add_argument("--skip", choices=["load", "big", "cli"], action="append", default=[],
                    help="leave out a part")
    ap.add_argument("--cli", default="100000",
                    help="estate sizes (comma-separated) for the analyses run as CLI processes")
    ap.add_argument("--only", default="", help="analyses to run, comma-separated: "
                    + ", ".join(ANALYSES))
    ap.add_argument("--work", default=None, help="folder for estates, stores and results")
    ap.add_argument("--heap", default="4g", help="ArcadeDB heap for the CLI part")
    ap.add_argument("--timeout", type=float, default=3600, help="seconds per analysis")
    ap.add_argument("--node", default="workflow:gen:w0:0", help="the blast-radius NODE")
    ap.add_argument("--estate", default=None,
                    help="an estate folder to ingest instead of generating one (one size)")
    args = ap.parse_args()

    from tests.neo4j_server import arcadedb_version

    print(f"server: ArcadeDB {arcadedb_version()} (Bolt), on loopback; "
          f"neo4j driver {version('neo4j')}, Rust codec "
          f"{'on' if _rust_codec() else 'OFF'}")
    if "load" not in args.skip:
        data = estate(args.load, seed=2)
        sizes = sorted({int(x) for x in args.sizes.split(",") if x} | {1000})
        results = [loading(*SETTINGS[name], data, sizes) for name in args.settings.split(",")]
        print("\n== summary: default batch (1000) against one MERGE per row")
        for r in results:
            print(f"{r['label']}: {r['batched']:.0f} vs {r['per_row']:.0f} rows/s = "
                  f"{r['ratio']:.1f}x wall clock, {r['cpu_ratio']:.1f}x CPU")
    if "cli" not in args.skip:
        work = Path(args.work or tempfile.mkdtemp(prefix="nhigraph-bench-cli-"))
        for n in (int(x) for x in args.cli.split(",") if x):
            analyses(n, work, args.heap, [x for x in args.only.split(",") if x], args.timeout,
                     args.node, Path(args.estate) if args.estate else None)
    if "big" in args.skip:
        return
    server = BoltServer(tempfile.mkdtemp(prefix="nhigraph-bench-"), heap="3g").start()
    try:
        big = estate(args.big, seed=3)
        rows = len(big[0]) + len(big[1])
        print(f"\n== blast radius on {len(big[0])} nodes + {len(big[1])} edges")
        emb = EmbeddedStore(tempfile.mkdtemp(prefix="nhigraph-bench-emb-"))
        t = time.perf_counter()
        emb.write(batch(*big), source="bench")
        print(f"embedded load: {time.perf_counter() - t:.1f} s")
        neo = store(server)
        neo._clear()
        t = time.perf_counter()
        neo.write(batch(*big), source="bench")
        dt = time.perf_counter() - t
        print(f"bolt load (batch {neo.batch_size}): {dt:.1f} s, {rows / dt:.0f} rows/s")
        wfs = sorted(n["id"] for n in emb.nodes("Workflow"))
        spread = wfs[:: max(1, len(wfs) // args.starts)][: args.starts]
        # plus the workflows with the largest blast radius: the slow case that matters
        reach_of = {w: blast_radius(emb, w, as_of=AS_OF).summary["reachable"] for w in wfs}
        top = sorted(wfs, key=lambda w: (-reach_of[w], w))[: args.starts]
        starts = top + [w for w in spread if w not in top]
        reached, e_t, n_t = [], [], []
        for s in starts:
            a = blast_radius(emb, s, as_of=AS_OF)
            e_t += timed(lambda s=s: blast_radius(emb, s, as_of=AS_OF), 3)
            n_t += timed(lambda s=s: blast_radius(neo, s, as_of=AS_OF), 1)
            b = blast_radius(neo, s, as_of=AS_OF)
            assert a.to_dict() == b.to_dict(), f"parity broken for {s}"
            reached.append(a.summary["reachable"])
        print(f"{len(starts)} workflows ({len(top)} with the largest blast radius, the rest "
              f"evenly spread), reachable nodes: median {statistics.median(reached)}, "
              f"max {max(reached)}, max distance "
              f"{max(blast_radius(emb, s, as_of=AS_OF).summary['max_distance'] for s in starts)}")
        print(f"embedded blast radius: median {statistics.median(e_t) * 1000:8.1f} ms, "
              f"max {max(e_t) * 1000:8.1f} ms")
        print(f"bolt blast radius:     median {statistics.median(n_t) * 1000:8.1f} ms, "
              f"max {max(n_t) * 1000:8.1f} ms  (hop by hop, results identical)")

        print(f"\n== one variable-length match instead, from {top[0]} "
              f"(blast radius {reach_of[top[0]]} nodes): distinct nodes within k hops")
        types = "|".join(sorted(ACCESS_EDGES))
        for k in (1, 2, 4, 8, 12, 16, 24, 32, 48, 64):
            q = (f"MATCH (a:NhiNode {{id: $id}})-[:{types}*1..{k}]->(b) "
                 "RETURN count(DISTINCT b) AS n")
            t = time.perf_counter()
            n = neo._read(q, id=top[0])[0]["n"]
            dt = time.perf_counter() - t
            print(f"*1..{k:<2d}: {n:6d} nodes in {dt * 1000:9.1f} ms")
            if dt > 20:
                print("stopping: each further hop multiplies the paths enumerated")
                break
        neo.close()
    finally:
        server.stop()


if __name__ == "__main__":
    main()
