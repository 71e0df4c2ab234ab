"""What the pages' default nodes cost (explorer/defaults.py): each node page run by Streamlit's
AppTest with no node in the URL (the page picks its default) and with one (no default
needed), with cold caches, on a second visit, and on a rerun of the same session. Prints
wall and CPU seconds (this process's user+sys) with the 1-minute load average; not a test.

The defaults reuse analyses kept per store version, so "again" and "rerun" should cost about
the same with and without a default; "first" shows the one-off price (the blast ranking,
the findings, one inbound walk per crown jewel).

Run: ``.venv/bin/python benchmarks/explorer_defaults.py [generated-estate-size]``
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import sample_estate  # noqa: E402
from graph.embedded import EmbeddedStore  # noqa: E402

#: page -> (URL parameters for the "linked" case) on the sample estate.
SAMPLE_LINKS = {
    "blast_radius": {"node": "workflow:github:acme/infra:.github/workflows/deploy.yml"},
    "inbound": {"target": "resource:aws:arn:aws:rds:us-east-1:111122223333:db:billing"},
    "path_finder": {"from": "workflow:github:acme/infra:.github/workflows/deploy.yml",
                    "to": "resource:aws:arn:aws:rds:us-east-1:111122223333:db:billing"},
    "shared_credentials": {"node": "secret:github:acme/billing-service:PROD_DB_URL"},
}

TITLES = {"blast_radius": "Blast radius", "inbound": "Inbound", "path_finder": "Path finder",
          "shared_credentials": "Shared credentials"}


def timed(fn) -> tuple[float, float]:
    t, c = time.perf_counter(), time.process_time()
    fn()
    return time.perf_counter() - t, time.process_time() - c


def page_times(store_dir: Path, view: str, params: dict) -> dict[str, tuple[float, float]]:
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    os.environ["NHIGRAPH_STORE"] = str(store_dir)
    st.cache_data.clear()
    st.cache_resource.clear()
    out = {}
    for label in ("first", "again"):
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=600)
        # Opened the way a pasted link opens it (?view=), so the Overview never runs.
        for k, v in {"view": view.replace("_", "-"), **params}.items():
            at.query_params[k] = v
        out[label] = timed(at.run)
        assert not at.exception, [e.value for e in at.exception]
        assert at.title[0].value.startswith(TITLES[view]), at.title[0].value
    out["rerun"] = timed(at.run)
    return out


def report(name: str, store_dir: Path, links: dict[str, dict]) -> None:
    counts = EmbeddedStore(store_dir, create=False).counts()
    print(f"{name}: {sum(counts['nodes'].values())} nodes, "
          f"{sum(counts['edges'].values())} edges")
    print(f"{'page':<20}{'URL':<9}{'run':<7}{'wall s':>8}{'cpu s':>8}{'load1':>7}")
    for view, params in links.items():
        for url, p in (("default", {}), ("linked", params)):
            for run, (wall, cpu) in page_times(store_dir, view, p).items():
                print(f"{view:<20}{url:<9}{run:<7}{wall:8.2f}{cpu:8.2f}"
                      f"{os.getloadavg()[0]:7.2f}")


def main() -> None:
    size = int(sys.argv[1]) if len(sys.argv) > 1 else 3000
    with tempfile.TemporaryDirectory(prefix="nhigraph-bench-") as tmp:
        sample = Path(tmp) / "sample"
        sample_estate.load(EmbeddedStore(sample))
        report("sample estate", sample, SAMPLE_LINKS)
        from tests.generated import estate
        from tests.graphs import load

        big = Path(tmp) / "generated"
        store = load(EmbeddedStore(big), estate(size))
        wf = sorted(n["id"] for n in store.nodes("Workflow"))[0]
        jewel = sorted(n["id"] for n in store.find_nodes("crown_jewel", True))[0]
        report(f"generated estate ({size})", big, {
            "blast_radius": {"node": wf}, "inbound": {"target": jewel},
            "path_finder": {"from": wf, "to": jewel}, "shared_credentials": {"node": wf}})


if __name__ == "__main__":
    main()
