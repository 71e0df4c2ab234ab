"""Coverage-guided fuzzing of every registered ingester's parse with atheris (``make fuzz``).

Each ingester (:func:`ingest.registry.ingesters`) runs in its own process for
``FUZZ_SECONDS`` (default 30): libFuzzer mutates the bytes of one of its seed files (the
fuzz seeds under ``tests/data/``, copied to a scratch folder so folder formats keep their
layout), the ingester parses the seed with the mutant in place, and the batch is redacted
and validated as the pipeline does. The project's own errors (exit 2 in the CLI) and input
nested too deeply are expected; any other exception is a bug: libFuzzer stops, prints the
traceback and keeps the crashing input. The parent prints cases tried per ingester.
Not part of ``make test``.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def child(name: str, seconds: int) -> None:
    import atheris

    with atheris.instrument_imports(include=["ingest", "graph"]):
        import ingest.pipeline
        from graph.errors import NhiGraphError
        from graph.records import validate
        from graph.redact import redact_batch
        from ingest.registry import get
    from tests.test_fuzz_ingesters import files_of, seeds

    ingester = get(name)
    scratch = Path(tempfile.mkdtemp(prefix=f"nhigraph-atheris-{name}-"))
    targets, victims = [], []
    for i, seed in enumerate(seeds(name)):
        target = scratch / f"s{i}" / seed.name
        target.parent.mkdir()
        (shutil.copytree if seed.is_dir() else shutil.copy)(seed, target)
        for f in files_of(target):
            targets.append(target)
            victims.append((f, f.read_bytes()))
    corpus = scratch / "corpus"
    corpus.mkdir()
    for i, (_, original) in enumerate(victims):
        (corpus / f"seed{i}").write_bytes(bytes([i % 256]) + original)
    ingest.pipeline.RAISE_BUGS = True
    os.environ.setdefault("NHIGRAPH_FINGERPRINT_KEY", "atheris-fuzz-key")

    def one_input(data: bytes) -> None:
        if not data:
            return
        i = data[0] % len(victims)
        victim, original = victims[i]
        victim.write_bytes(data[1:])
        try:
            batch = ingester.run_parse(targets[i])
            validate(redact_batch(batch))
        except (NhiGraphError, RecursionError):
            pass
        finally:
            victim.write_bytes(original)

    atheris.Setup([sys.argv[0], str(corpus), f"-max_total_time={seconds}", "-rss_limit_mb=4096",
                   "-timeout=20", f"-artifact_prefix={scratch}/", "-print_final_stats=1"],
                  one_input)
    atheris.Fuzz()


def main() -> int:
    from ingest.registry import ingesters

    seconds = int(os.environ.get("FUZZ_SECONDS", "30"))
    only = [a for a in sys.argv[1:] if not a.startswith("-")]
    rows, failed = [], False
    for name in only or list(ingesters()):
        proc = subprocess.run([sys.executable, __file__, "--child", name, str(seconds)],
                              capture_output=True, text=True, cwd=ROOT)
        runs = re.findall(r"Done (\d+) runs in (\d+) second", proc.stderr)
        crashed = proc.returncode != 0
        failed |= crashed
        rows.append((name, int(runs[-1][0]) if runs else 0, seconds,
                     "CRASH" if crashed else "ok"))
        if crashed:
            print(proc.stderr[-4000:], file=sys.stderr)
        print(f"{name:<16} {rows[-1][1]:>9,} cases in {seconds}s  {rows[-1][3]}", flush=True)
    print(f"total: {sum(r[1] for r in rows):,} cases over {len(rows)} ingesters")
    return 1 if failed else 0


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        child(sys.argv[2], int(sys.argv[3]))
    else:
        sys.exit(main())
