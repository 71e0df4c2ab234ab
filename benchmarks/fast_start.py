"""Fast start (issue #17): every ``nhigraph`` command that reads the store, each run as a
separate process as a user runs it, on one store. Prints a table: median wall, CPU
(user+sys) and peak RSS of ``--runs`` runs, the exit code and the 1-minute load average
beside each figure.

    python benchmarks/fast_start.py --store /tmp/sample-store        # nhigraph demo's store
    python benchmarks/fast_start.py --store DIR --root OLD_CHECKOUT --root .   # before/after
    python benchmarks/fast_start.py --store DIR --root . --outputs /tmp/out     # JSON only

``--root`` runs the command from that checkout (``python -c "from cli import main; main()"``
with the folder first on the path); several roots are interleaved command by command, so
before and after are measured back to back on the same loaded machine. ``--outputs DIR``
writes each command's JSON output (its standard output or the file it writes) to
``DIR/<root name>/<command>.json`` and its standard error to ``<command>.err`` (``--as-of`` fixed,
so two trees can be compared with ``cmp``) and measures nothing. Node arguments default to
the sample estate's; ``--generated`` uses ids every ``nhigraph generate`` store has.
With ``PYTHONDONTWRITEBYTECODE`` set and no ``__pycache__``, each run compiles the project's
modules (0.2-0.3 s CPU): ``python -m compileall -q cli graph queries reports`` in each tree
first measures what an installed copy costs.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

AS_OF = "2026-12-01T00:00:00Z"
SAMPLE = {"node": "workflow:n8n:acme-prod:invoice-sync",
          "jewel": "system:saas:stripe:acme", "secret": "secret:n8n:acme-prod:cred-stripe-live"}
GENERATED = {"node": "workflow:gen:w0:0", "jewel": "system:gen:s0",
             "secret": "secret:gen:w0:0"}

#: (name, arguments): every command of ``nhigraph --help`` that reads the store. ``{out}``
#: is a file in a temporary folder (commands that only write files).
COMMANDS = [
    ("stats", ["stats", "--format", "json"]),
    ("snapshots", ["snapshots", "--format", "json"]),
    ("blast-radius", ["blast-radius", "{node}", "--format", "json"]),
    ("blast-radius-unknown", ["blast-radius", "no-such-node", "--format", "json"]),
    ("inbound", ["inbound", "{jewel}", "--format", "json"]),
    ("path", ["path", "{node}", "{jewel}", "--format", "json"]),
    ("explain", ["explain", "{node}", "--as-of", AS_OF, "--format", "json"]),
    ("search", ["search", "invoice", "--format", "json"]),
    ("findings", ["findings", "--as-of", AS_OF, "--format", "json"]),
    ("orphans", ["orphans", "--format", "json"]),
    ("shared-credentials", ["shared-credentials", "--format", "json"]),
    ("unused-credentials", ["unused-credentials", "--as-of", AS_OF, "--format", "json"]),
    ("blast-radius-all", ["blast-radius-all", "--format", "json"]),
    ("entry-points", ["entry-points", "--format", "json"]),
    ("cut", ["cut", "{node}", "--no-delta", "--as-of", AS_OF, "--format", "json"]),
    ("what-if", ["what-if", "--revoke", "{secret}", "--as-of", AS_OF, "--format", "json"]),
    ("diff", ["diff", "--as-of", AS_OF, "--format", "json"]),
    ("report-estate", ["report", "estate", "--as-of", AS_OF, "-o", "{out}.json"]),
    ("export", ["export", "--format", "json", "-o", "{out}.json"]),
]


def command(root: Path, args: list[str]) -> list[str]:
    return [sys.executable, "-c", "import sys; sys.argv[0] = 'nhigraph'; from cli import main; "
            "main()", *args]


def env_for(root: Path) -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(root)}


def run_once(root: Path, args: list[str]) -> tuple[float, float, float, int]:
    t = time.perf_counter()
    proc = subprocess.Popen(command(root, args), cwd=root, env=env_for(root),
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, ru = os.wait4(proc.pid, 0)
    return (time.perf_counter() - t, ru.ru_utime + ru.ru_stime, ru.ru_maxrss / 1024,
            os.waitstatus_to_exitcode(status))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--store", required=True, help="an existing embedded store (read only)")
    ap.add_argument("--root", action="append", type=Path,
                    help="a checkout to run (repeatable; default this one)")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--only", action="append", help="only these command names")
    ap.add_argument("--generated", action="store_true",
                    help="node ids of a `nhigraph generate` store, not the sample's")
    ap.add_argument("--outputs", type=Path, help="write JSON outputs here; measure nothing")
    a = ap.parse_args()
    roots = [r.resolve() for r in (a.root or [Path(__file__).resolve().parent.parent])]
    ids = GENERATED if a.generated else SAMPLE
    todo = [(n, c) for n, c in COMMANDS if not a.only or n in a.only]
    with tempfile.TemporaryDirectory() as tmp:
        if a.outputs:
            for root in roots:
                folder = a.outputs / root.name
                folder.mkdir(parents=True, exist_ok=True)
                for name, argv in todo:
                    out = str(folder / name)
                    args = [x.format(out=out, **ids) for x in argv] + ["--store", a.store]
                    got = subprocess.run(command(root, args), cwd=root, env=env_for(root),
                                         capture_output=True)
                    if "{out}" not in " ".join(argv):
                        Path(out + ".json").write_bytes(got.stdout)
                    Path(out + ".err").write_bytes(got.stderr)
                    print(f"{root.name} {name}: exit {got.returncode}", flush=True)
            return
        print(f"store {a.store}, median of {a.runs} runs, each a separate process")
        print("| command | " + " | ".join(f"{r.name}: wall s / CPU s / MB (exit)"
                                           for r in roots) + " | load |")
        print("|---|" + "---|" * len(roots) + "---|")
        for name, argv in todo:
            args = [x.format(out=os.path.join(tmp, name), **ids) for x in argv]
            args += ["--store", a.store]
            cells, loads = [], []
            for root in roots:
                got = [run_once(root, args) for _ in range(a.runs)]
                loads.append(os.getloadavg()[0])
                wall, cpu, rss = (statistics.median(g[i] for g in got) for i in range(3))
                cells.append(f"{wall:.2f} / {cpu:.2f} / {rss:.0f} ({got[-1][3]})")
            print(f"| {name} | " + " | ".join(cells)
                  + f" | {min(loads):.1f}-{max(loads):.1f} |", flush=True)


if __name__ == "__main__":
    main()
