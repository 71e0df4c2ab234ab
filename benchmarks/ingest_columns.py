"""A fresh ``nhigraph ingest inventory ESTATE`` by two checkouts, back to back, each a
separate process under ``/usr/bin/time``: wall, user+system CPU, peak RSS and the load
average before and after, then whether the two stores' generation files are the same
bytes (``docs/performance.md``, "Inventory ingest in columns, built").

    python benchmarks/ingest_columns.py /work/data/1m/estate --before /work/main \\
        --after . --pairs 1

``--before`` / ``--after`` are checkouts put first on ``PYTHONPATH`` (the row path is a
checkout without ``ingest/inventory_columns.py``). Stores go to a temporary folder that is
removed at the end.
"""

from __future__ import annotations

import argparse
import filecmp
import os
import subprocess
import sys
import tempfile
from pathlib import Path

FILES = ("nodes-1.arrow", "edges-1.arrow", "out_ptr-1.npy", "in_ptr-1.npy", "in_rows-1.npy")
RUN = "import cli, sys; sys.argv = ['nhigraph', *sys.argv[1:]]; cli.main()"


def load() -> str:
    return Path("/proc/loadavg").read_text().split()[0]


def one(code: str, estate: str, store: Path) -> str:
    timing = store.with_suffix(".time")
    before = load()
    subprocess.run(["/usr/bin/time", "-f", "%e s wall, %U+%S s CPU, %M KB", "-o", str(timing),
                    sys.executable, "-c", RUN, "ingest", "inventory", estate, "--store",
                    str(store)], env={**os.environ, "PYTHONPATH": code}, check=True,
                   stdout=subprocess.DEVNULL, cwd=tempfile.gettempdir())
    return f"{timing.read_text().strip()} (load {before}-{load()})"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("estate")
    ap.add_argument("--before", required=True)
    ap.add_argument("--after", default=str(Path(__file__).resolve().parents[1]))
    ap.add_argument("--pairs", type=int, default=1)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="ingest-columns-") as tmp:
        for i in range(args.pairs):
            a, b = Path(tmp, f"before-{i}"), Path(tmp, f"after-{i}")
            print(f"pair {i + 1} before: {one(args.before, args.estate, a)}", flush=True)
            print(f"pair {i + 1} after:  {one(args.after, args.estate, b)}", flush=True)
            same = all(filecmp.cmp(a / f, b / f, shallow=False) for f in FILES)
            print(f"pair {i + 1} generation files {'the same' if same else 'DIFFER'}")


if __name__ == "__main__":
    main()
