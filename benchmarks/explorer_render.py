"""How long the explorer takes to show the Overview, Shared credentials and a blast-radius
view, first (cold caches) and again (warm). Prints figures; not a test.

Two measurements:

- script: the app script run by Streamlit's AppTest (all Python work: opening the store,
  the analyses, building the page), with caches cleared before the first run;
- browser: a real Chromium (Playwright) against ``streamlit run app.py`` on a loopback port,
  each view in a new tab: seconds from navigation to the first websocket message (the
  Streamlit frontend loaded), to the store's figures (Overview), to the last message and
  until the page is complete (script finished, no part computing in the background, every
  table's grid, chart and graph drawn); the websocket and graph-page kilobytes and the
  server's CPU seconds in that time. The server is fresh, so the first visit of each view
  includes its cold analyses.

Run: ``.venv/bin/python benchmarks/explorer_render.py [--store DIR] [--node ID]``: the
bundled sample estate by default, or an existing embedded store (for example one of
``nhigraph generate --shape heavy-sharing``, see ``benchmarks/heavy_sharing.py --work``);
``--node`` is the blast-radius view's node (default: the sample's deploy workflow, else
the store's first workflow).

``--warm finished|running`` measures the post-ingest warm-up (explorer/warm.py) with a
fresh disk cache folder: ``finished`` runs the warm-up process the ingest commands start
to its end first (its wall and CPU seconds printed), then opens the explorer; ``running``
starts it and opens the explorer at once, as an analyst who opens it right after an
ingest (the Overview completes when the warm-up's file is written). Without ``--warm``
the disk cache is whatever ``NHIGRAPH_CACHE_DIR`` says (``off`` for a cold first visit).
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

    from explorer import store_cache

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
        if any(c.value.startswith("Computing in the background") for c in at.caption):
            # A large store: the parts come from the background worker; the page is
            # complete once they are there and the page has run again.
            store_cache.wait_overview(store_cache.store_token())
            at.run()
            out[f"overview {label}, all parts"] = time.perf_counter() - t
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


#: The page is complete: the script has finished, nothing is computing in the background,
#: every table has its grid, every chart its canvas or SVG and every graph is drawn.
COMPLETE = """([title, graphs]) => {
    if (!document.querySelector('[data-test-script-state=notRunning]')) return false;
    const h1 = document.querySelector('h1');
    if (!h1 || h1.innerText.trim() !== title) return false;
    if (document.querySelectorAll('iframe').length < graphs) return false;
    if ([...document.querySelectorAll('[data-testid=stCaptionContainer]')]
        .some(e => e.innerText.startsWith('Computing in the background'))) return false;
    const frames = document.querySelectorAll('[data-testid=stDataFrame]');
    if (document.querySelectorAll('[role=grid]').length < frames.length) return false;
    const charts = document.querySelectorAll('[data-testid=stVegaLiteChart]');
    if ([...charts].some(c => !c.querySelector('canvas, svg'))) return false;
    return [...document.querySelectorAll('iframe')].every(
        f => f.contentDocument && f.contentDocument.body &&
             f.contentDocument.body.getAttribute('data-drawn') === '1');
}"""
#: The script has run to its end once (on a large store the Overview's parts may still be
#: computing in the background).
SHOWN = """([title]) => {
    const h1 = document.querySelector('h1');
    return !!document.querySelector('[data-test-script-state=notRunning]') && !!h1 &&
           h1.innerText.trim() === title;
}"""
#: The store's figures are shown (the Overview's first row of metrics).
FIGURES = "() => [...document.querySelectorAll('[data-testid=stMetricLabel]')]" \
          ".some(e => e.innerText.trim() === 'Nodes')"


def _server_cpu(pid: int) -> float:
    """User + system CPU seconds of the Streamlit server so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class _Watch:
    """Times one navigation of ``page``: websocket messages and the server's CPU."""

    def __init__(self, page, pid: int) -> None:
        self.page, self.pid, self.frames = page, pid, []
        self.cpu, self.t = _server_cpu(pid), time.perf_counter()
        page.on("websocket", self._socket)
        for ws in getattr(page, "_nhi_sockets", ()):  # a socket opened before (in-app)
            ws.on("framereceived", self._frame)

    def _socket(self, ws) -> None:
        self.page._nhi_sockets = [*getattr(self.page, "_nhi_sockets", ()), ws]
        ws.on("framereceived", self._frame)

    def _frame(self, payload) -> None:
        self.frames.append((time.perf_counter(), len(payload)))

    def until(self, title: str, graphs: int, name: str, complete: bool = True) -> dict:
        page, t = self.page, self.t
        figures = None
        if name == "overview":
            page.wait_for_function(FIGURES, timeout=1800000, polling=50)
            figures = time.perf_counter() - t
        page.wait_for_function(SHOWN, arg=[title], timeout=1800000, polling=50)
        shown = time.perf_counter() - t
        if complete:
            page.wait_for_function(COMPLETE, arg=[title, graphs], timeout=1800000,
                                   polling=50)
        done = time.perf_counter()
        graph = page.evaluate("[...document.querySelectorAll('iframe')]"
                              ".map(f => (f.srcdoc || '').length).reduce((a, b) => a + b, 0)")
        sent = [(at, n) for at, n in self.frames if self.t <= at <= done]
        self.frames.clear()
        page.remove_listener("websocket", self._socket)
        return {"first message": sent[0][0] - t if sent else None,
                "store figures": figures,
                "script done": shown,
                "last message": sent[-1][0] - t if sent else None,
                "complete": done - t if complete else None,
                "websocket KB": sum(n for _, n in sent) / 1000,
                "graph page KB": graph / 1000,
                "server CPU s": _server_cpu(self.pid) - self.cpu}


def browser_times(store_dir: Path, node: str, first_render: bool = False
                  ) -> list[tuple[str, dict]]:
    """Per view and visit: seconds from navigation to the first websocket message, to the
    store's figures (Overview), to the script's first end, to the last message before the
    page was complete, and to complete; the bytes received over the websocket and in the
    graph frame; the server's CPU seconds meanwhile."""
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
    # (name, path, page title, graphs drawn on it)
    views = (("overview", "/", "Overview", 0),
             ("shared creds", "/shared-credentials", "Shared credentials", 1),
             ("blast radius", f"/blast-radius?node={quote(node)}", "Blast radius", 1))
    if first_render:  # the Overview until its script has run, background parts pending
        views = views[:1]
    try:
        for _ in range(200):
            try:
                urllib.request.urlopen(f"{url}/_stcore/health", timeout=1)
                break
            except OSError:
                time.sleep(0.2)
        chromium = "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None
        out = []
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=chromium, args=FLAGS)
            # One browser profile, as an analyst's: the frontend's files are fetched on the
            # first visit and come from the HTTP cache after.
            context = browser.new_context(viewport={"width": 1400, "height": 1400})
            for label in ("first", "again"):
                for name, path, title, graphs in views:
                    page = context.new_page()
                    watch = _Watch(page, proc.pid)
                    page.goto(url + path)
                    out.append((f"{name} {label}",
                                watch.until(title, graphs, name, complete=not first_render)))
                    if label == "first" or name != "blast radius" or first_render:
                        page.close()
            if first_render:
                browser.close()
                return out
            # In one tab, as an analyst moves between views: the sidebar's links (the
            # frontend stays loaded, only the page's messages are new).
            for label in ("in-app", "in-app again"):
                for name, title, graphs in (("overview", "Overview", 0),
                                            ("shared creds", "Shared credentials", 1)):
                    watch = _Watch(page, proc.pid)
                    page.get_by_test_id("stSidebarNav").get_by_text(title, exact=True).click()
                    out.append((f"{name} {label}", watch.until(title, graphs, name)))
            page.close()
            browser.close()
        return out
    finally:
        try:  # the server's peak resident memory (its children's not included)
            hwm = next(line.split()[1] for line in
                       Path(f"/proc/{proc.pid}/status").read_text().splitlines()
                       if line.startswith("VmHWM"))
            print(f"server peak RSS {int(hwm) / 1024:.0f} MB", flush=True)
        except (OSError, StopIteration):
            pass
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def start_warm_up(store_dir: Path) -> subprocess.Popen:
    """The warm-up process an ingest starts (explorer.warm, detached and niced), whatever
    the store's size, into the disk cache folder ``NHIGRAPH_CACHE_DIR`` names."""
    from explorer import warm

    env = {**os.environ, "NHIGRAPH_STORE": str(store_dir.resolve()),
           "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT),
                                                       os.environ.get("PYTHONPATH")]))}
    return subprocess.Popen([sys.executable, "-m", "explorer.warm",
                             warm.store_key(store_dir)], env=env, cwd=ROOT,
                            start_new_session=True)


def _children_cpu() -> float:
    import resource

    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def warm_up(store_dir: Path, mode: str) -> subprocess.Popen | None:
    """A fresh cache folder and the warm-up in it, finished or still running."""
    os.environ["NHIGRAPH_CACHE_DIR"] = tempfile.mkdtemp(prefix="nhigraph-bench-cache-")
    t, cpu = time.perf_counter(), _children_cpu()
    proc = start_warm_up(store_dir)
    if mode == "running":
        return proc
    proc.wait()
    print(f"warm-up finished: {time.perf_counter() - t:.2f} s wall, "
          f"{_children_cpu() - cpu:.2f} s CPU (load {os.getloadavg()[0]:.1f})", flush=True)
    return None


def measure(store_dir: Path, node: str | None, browser_only: bool = False,
            first_render: bool = False, script_only: bool = False,
            warm: str | None = None) -> None:
    store = EmbeddedStore(store_dir)
    counts = store.counts()
    if node is None:
        node = NODE if store.get_node(NODE) else min(n["id"] for n in store.nodes("Workflow"))
    store.close()
    print(f"{store_dir}: {sum(counts['nodes'].values())} nodes, "
          f"{sum(counts['edges'].values())} edges; blast radius of {node}; "
          f"load average {os.getloadavg()[0]:.1f}")
    running = warm_up(store_dir, warm) if warm else None
    if not browser_only:
        for key, seconds in script_times(store_dir, node).items():
            print(f"{'script (AppTest)':<20} {key:<34} {seconds * 1000:8.0f} ms  "
                  f"(load {os.getloadavg()[0]:.1f})", flush=True)
    if script_only:
        return
    for key, figures in browser_times(store_dir, node, first_render):
        shown = "  ".join(f"{k} {'-' if v is None else f'{v:.2f}'}"
                          for k, v in figures.items())
        print(f"{'browser (Chromium)':<20} {key:<18} {shown}  (load {os.getloadavg()[0]:.1f})",
              flush=True)
    if running is not None:  # the server and Chromium were waited for already
        cpu = _children_cpu()
        running.wait()
        print(f"warm-up's CPU: {_children_cpu() - cpu:.2f} s", flush=True)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--store", type=Path, default=None, help="an existing embedded store")
    ap.add_argument("--node", default=None, help="the blast-radius view's node")
    ap.add_argument("--browser-only", action="store_true", help="skip the AppTest phase")
    ap.add_argument("--first-render", action="store_true",
                    help="browser only: the Overview until its script has run (parts "
                         "computing in the background not waited for), first and again")
    ap.add_argument("--script-only", action="store_true", help="skip the browser phase")
    ap.add_argument("--warm", choices=["finished", "running"], default=None,
                    help="the post-ingest warm-up, in a fresh cache folder: run to its end "
                         "before the explorer opens, or still running when it opens")
    args = ap.parse_args()
    if args.store is not None:
        measure(args.store, args.node, args.browser_only or args.first_render,
                args.first_render, args.script_only, args.warm)
        return
    with tempfile.TemporaryDirectory(prefix="nhigraph-bench-") as tmp:
        store_dir = Path(tmp) / "store"
        sample_estate.load(EmbeddedStore(store_dir)).close()
        measure(store_dir, args.node, args.browser_only or args.first_render,
                args.first_render, args.script_only, args.warm)


if __name__ == "__main__":
    main()
