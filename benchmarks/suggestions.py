"""What an unknown node costs: ``nhigraph blast-radius TEXT`` (exit 2 with the closest
nodes) as a separate process, as a user runs it, on a generated store. Prints one JSON line
per text: median wall, CPU (user+sys) and peak RSS of ``--runs`` runs, the 1-minute load
average, and the suggestion line itself (so two trees can be checked to suggest the same).

    python benchmarks/suggestions.py --store DIR            # a store to reuse
    python benchmarks/suggestions.py --nodes 100000         # generate + ingest one first
    python benchmarks/suggestions.py --store DIR --root OLD_CHECKOUT --root .   # before/after

``--root`` runs the command from that checkout of the project (``python -c "from cli import
main; main()"`` with that folder first on the path); several are interleaved text by text, so
before and after are measured in one run on the same loaded machine: compare CPU seconds as
ratios. The first line is a node that exists: the command's cost without suggestions.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
#: A text that names nothing and is close to nothing, a misspelt sample-style name, and a
#: misspelt generated name (`salesforce node 12` exists in every generated store).
TEXTS = ("no-such-node", "Invoce sync", "salesforse node 12")


def nhigraph(root: Path, args: list[str]) -> list[str]:
    return [sys.executable, "-c", "from cli import main; main()", *args]


def measure(root: Path, args: list[str], runs: int) -> dict:
    walls, cpus, rss, code, err = [], [], [], None, ""
    for _ in range(runs):
        t = time.perf_counter()
        proc = subprocess.Popen(nhigraph(root, args), cwd=root, stdout=subprocess.DEVNULL,
                                stderr=subprocess.PIPE, text=True)
        err = proc.stderr.read()
        _, status, ru = os.wait4(proc.pid, 0)
        walls.append(time.perf_counter() - t)
        cpus.append(ru.ru_utime + ru.ru_stime)
        rss.append(ru.ru_maxrss / 1024)
        code = os.waitstatus_to_exitcode(status)
    return {"wall_s": round(statistics.median(walls), 2),
            "cpu_s": round(statistics.median(cpus), 2), "rss_mb": round(statistics.median(rss)),
            "load": os.getloadavg()[0], "exit": code, "runs": runs,
            "stderr": err.strip().splitlines()[-1] if err.strip() else ""}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--store", help="an existing embedded store")
    ap.add_argument("--nodes", type=int, default=100_000, help="generate this many nodes")
    ap.add_argument("--root", action="append", default=None,
                    help="a checkout whose code runs (repeat to interleave several)")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("texts", nargs="*", default=list(TEXTS))
    a = ap.parse_args()
    roots = [Path(r).resolve() for r in (a.root or [str(ROOT)])]
    tmp = None
    store = a.store
    if store is None:
        tmp = tempfile.mkdtemp(prefix="nhigraph-suggest-")
        inv, store = f"{tmp}/inv", f"{tmp}/store"
        subprocess.run(nhigraph(ROOT, ["generate", "--nodes", str(a.nodes), "-o", inv]),
                       cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
        subprocess.run(nhigraph(ROOT, ["ingest", "inventory", inv, "--store", store]),
                       cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    try:
        # a node that exists: what the command costs without any suggestion (the baseline)
        known = subprocess.run(
            [sys.executable, "-c", "import sys; from graph.embedded import EmbeddedStore; "
             "print(next(iter(EmbeddedStore(sys.argv[1], create=False).nodes()))['id'])",
             store], cwd=ROOT, capture_output=True, text=True, check=True).stdout.strip()
        for text in [known, *a.texts]:
            for root in roots:  # interleaved, so the machine's load weighs on each alike
                out = measure(root, ["blast-radius", text, "--store", store], a.runs)
                print(json.dumps({"text": text, "known": text == known, "root": str(root),
                                  **out}), flush=True)
    finally:
        if tmp:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
