"""How long the explorer takes to show the Overview, Shared credentials and a blast-radius
view, first (cold caches) and again (warm). Prints figures; not a test.

Two measurements:

- script: the app script run by Streamlit's AppTest (all Python work: opening the store,
  the analyses, building the page), with caches cleared before the first run;
- browser: a real Chromium (Playwright) against ``streamlit run app.py`` on a loopback port,
  from navigation until the page is complete (Overview and Shared credentials: script
  finished and tables drawn; blast radius: vis-network has drawn the graph). The server is
  fresh, so the first visit of each view includes its cold analyses.

Run: ``.venv/bin/python benchmarks/explorer_render.py [--store DIR] [--node ID]``: the
bundled sample estate by default, or an existing embedded store (for example one of
``nhigraph generate --shape heavy-sharing``, see ``benchmarks/heavy_sharing.py --work``);
``--node`` is the blast-radius view's node (default: the sample's deploy workflow, else
the store's first workflow).
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import sample_estate  # noqa: E402
from graph.embedded import EmbeddedStore  # noqa: E402

NODE = "workflow:github:acme/infra:.github/workflows/deploy.yml"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def script_times(store_dir: Path, node: str) -> dict[str, float]:
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    os.environ["NHIGRAPH_STORE"] = str(store_dir)
    out = {}
    st.cache_data.clear()
    st.cache_resource.clear()
    for label in ("first", "again"):
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=1800)
        t = time.perf_counter()
        at.run()
        out[f"overview {label}"] = time.perf_counter() - t
        assert not at.exception
        at.switch_page("explorer/views/shared_credentials.py")
        t = time.perf_counter()
        at.run()
        out[f"shared creds {label}"] = time.perf_counter() - t
        assert not at.exception and at.title[0].value == "Shared credentials"
        at.query_params["node"] = node
        at.switch_page("explorer/views/blast_radius.py")
        t = time.perf_counter()
        at.run()
        out[f"blast radius {label}"] = time.perf_counter() - t
        assert not at.exception and at.metric[0].label == "Reachable"
    return out


def browser_times(store_dir: Path, node: str) -> dict[str, float]:
    from playwright.sync_api import sync_playwright

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "NHIGRAPH_STORE": str(store_dir)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"), "--server.port",
         str(port), "--server.address", "127.0.0.1", "--server.headless", "true",
         "--browser.gatherUsageStats", "false"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                urllib.request.urlopen(f"{url}/_stcore/health", timeout=1)
                break
            except OSError:
                time.sleep(0.2)
        chromium = "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None
        out = {}
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=chromium, args=FLAGS)
            for label in ("first", "again"):
                page = browser.new_page(viewport={"width": 1400, "height": 1400})
                t = time.perf_counter()
                page.goto(f"{url}/")
                page.get_by_text("Shared-credential clusters").wait_for(timeout=1800000)
                # Everything but the findings (which the Overview draws last) is shown.
                out[f"overview {label}, findings pending"] = time.perf_counter() - t
                page.wait_for_selector("[data-test-script-state=notRunning]", timeout=1800000)
                page.locator("[role=grid]").last.wait_for(state="attached")
                out[f"overview {label}"] = time.perf_counter() - t
                t = time.perf_counter()
                page.goto(f"{url}/shared-credentials")
                page.get_by_text("cluster(s),").first.wait_for(timeout=1800000)
                page.wait_for_selector("[data-test-script-state=notRunning]", timeout=1800000)
                page.locator("[role=grid]").last.wait_for(state="attached")
                out[f"shared creds {label}"] = time.perf_counter() - t
                t = time.perf_counter()
                page.goto(f"{url}/blast-radius?node={quote(node)}")
                page.wait_for_function("document.querySelectorAll('iframe').length === 1",
                                       timeout=1800000)
                frame = page.locator("iframe").first.element_handle().content_frame()
                frame.wait_for_function("window.nhiDrawn === true", timeout=1800000)
                out[f"blast radius {label}"] = time.perf_counter() - t
                page.close()
            browser.close()
        return out
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def measure(store_dir: Path, node: str | None) -> None:
    store = EmbeddedStore(store_dir)
    counts = store.counts()
    if node is None:
        node = NODE if store.get_node(NODE) else min(n["id"] for n in store.nodes("Workflow"))
    store.close()
    print(f"{store_dir}: {sum(counts['nodes'].values())} nodes, "
          f"{sum(counts['edges'].values())} edges; blast radius of {node}; "
          f"load average {os.getloadavg()[0]:.1f}")
    for name, times in (("script (AppTest)", script_times(store_dir, node)),
                        ("browser (Chromium)", browser_times(store_dir, node))):
        for key, seconds in times.items():
            print(f"{name:<20} {key:<34} {seconds * 1000:8.0f} ms  "
                  f"(load {os.getloadavg()[0]:.1f})", flush=True)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--store", type=Path, default=None, help="an existing embedded store")
    ap.add_argument("--node", default=None, help="the blast-radius view's node")
    args = ap.parse_args()
    if args.store is not None:
        measure(args.store, args.node)
        return
    with tempfile.TemporaryDirectory(prefix="nhigraph-bench-") as tmp:
        store_dir = Path(tmp) / "store"
        sample_estate.load(EmbeddedStore(store_dir)).close()
        measure(store_dir, args.node)


if __name__ == "__main__":
    main()
