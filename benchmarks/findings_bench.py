"""Timings of findings, risk scores, reports and exports on the embedded store, on the
sample estate replicated k times (ids suffixed per copy, so copies do not join).

Run: ``python benchmarks/findings_bench.py [k ...]`` (default 1 10 40). Prints one line per
size; times are wall-clock seconds of one run each, measured in the same process.
"""

from __future__ import annotations

import os
import resource
import sys
import tempfile
import time
from pathlib import Path

import yaml

os.environ.setdefault("NHIGRAPH_FINGERPRINT_KEY", "bench")

from graph.embedded import EmbeddedStore  # noqa: E402
from ingest import inventory  # noqa: E402
from queries import findings, risk_scores  # noqa: E402
from reports import estate_report, write_report  # noqa: E402
from reports.export import export  # noqa: E402

SAMPLE = Path(__file__).resolve().parent.parent / "sample_estate" / "inventory.yaml"


def replicated(k: int) -> dict:
    doc = yaml.safe_load(SAMPLE.read_text())
    out = {"nhigraph_inventory": 1, "nodes": {}, "edges": {}}

    def sfx(x, i):
        return x if i == 0 else f"{x}#{i}"

    for i in range(k):
        for kind, rows in doc["nodes"].items():
            for r in rows:
                r2 = {**r, "id": sfx(r["id"], i)}
                if "owner" in r2:
                    r2["owner"] = sfx(r2["owner"], i)
                if "access_key_id" in r2:
                    r2["access_key_id"] = sfx(r2["access_key_id"], i)
                if "value" in r2:
                    r2["value"] = sfx(r2["value"], i)
                out["nodes"].setdefault(kind, []).append(r2)
        for kind, rows in doc["edges"].items():
            for r in rows:
                out["edges"].setdefault(kind, []).append(
                    {**r, "from": sfx(r["from"], i), "to": sfx(r["to"], i)})
    return out


def timed(fn, *args, **kwargs):
    t = time.perf_counter()
    value = fn(*args, **kwargs)
    return value, time.perf_counter() - t


def main(sizes: list[int]) -> None:
    as_of = "2026-11-24T00:00:00Z"
    for k in sizes:
        tmp = Path(tempfile.mkdtemp(prefix="nhigraph-bench-"))
        store = EmbeddedStore(tmp / "store")
        store.write(inventory.parse_document(replicated(k), "bench"), source="bench")
        n = sum(store.counts()["nodes"].values())
        f, t_find = timed(findings, store, as_of=as_of)
        _, t_risk = timed(risk_scores, store, as_of=as_of)
        data, t_rep = timed(estate_report, store, as_of=as_of)
        _, t_html = timed(write_report, data, tmp / "estate.html")
        _, t_xlsx = timed(write_report, data, tmp / "estate.xlsx")
        _, t_og = timed(export, store, "opengraph", tmp / "og.json")
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"x{k:<3} nodes={n:<6} findings={len(f.rows):<5} findings {t_find:6.2f}s  "
              f"risk_scores {t_risk:6.2f}s  estate_report {t_rep:6.2f}s  html {t_html:5.2f}s "
              f"({(tmp / 'estate.html').stat().st_size // 1024} KiB)  xlsx {t_xlsx:5.2f}s  "
              f"opengraph {t_og:5.2f}s  peak RSS {rss:.0f} MiB", flush=True)


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [1, 10, 40])
