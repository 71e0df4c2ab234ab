"""Every analysis on the heavy-sharing estate, each as its own CLI process (wall, CPU,
peak RSS), as a user runs them.

Run: ``python benchmarks/heavy_sharing.py [--nodes 100000] [--nhigraph PATH]``. Generates
``nhigraph generate --shape heavy-sharing`` (a hub secret used by 10,000 workflows and a
cluster of 1,000 workflows joined by shared secrets at 100k nodes), ingests it into a fresh
embedded store, then runs shared-credentials, orphans, blast-radius-all and findings one
process each and prints one line per command. ``--nhigraph`` picks the executable, so the
same script measures another checkout (docs/performance.md compares with the code before
the change).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

COMMANDS = (["shared-credentials"], ["orphans"], ["blast-radius-all"], ["findings"])


def timed(argv: list[str], env: dict) -> tuple[float, float, float, int]:
    """(wall s, CPU s, peak RSS MB, exit code) of one process."""
    t = time.perf_counter()
    proc = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t
    rc = os.waitstatus_to_exitcode(status)
    err = proc.stderr.read().decode() if proc.stderr else ""
    if rc not in (0, 1):
        print(err.strip().splitlines()[-1:], file=sys.stderr)
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, rc


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--nodes", type=int, default=100_000)
    ap.add_argument("--nhigraph", default=str(Path(sys.executable).parent / "nhigraph"))
    ap.add_argument("--work", default=None, help="folder for the estate and the store")
    args = ap.parse_args()
    work = Path(args.work or tempfile.mkdtemp(prefix="nhigraph-heavy-"))
    env = {**os.environ, "NHIGRAPH_FINGERPRINT_KEY": "bench"}
    estate, store = work / "estate", work / "store"
    if not estate.exists():
        subprocess.run([args.nhigraph, "generate", "--nodes", str(args.nodes), "--shape",
                        "heavy-sharing", "-o", str(estate)], env=env, check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wall, cpu, rss, rc = timed([args.nhigraph, "ingest", "inventory", str(estate),
                                "--store", str(store), "--replace"], env)
    print(f"{'ingest':20} wall {wall:6.1f} s  cpu {cpu:6.1f} s  peak {rss:6.0f} MB  rc {rc}")
    for cmd in COMMANDS:
        wall, cpu, rss, rc = timed([args.nhigraph, *cmd, "--store", str(store)], env)
        print(f"{' '.join(cmd):20} wall {wall:6.1f} s  cpu {cpu:6.1f} s  peak {rss:6.0f} MB"
              f"  rc {rc}", flush=True)


if __name__ == "__main__":
    main()
