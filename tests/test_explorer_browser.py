"""The explorer in a real Chromium driven by Playwright: ``streamlit run app.py`` on a free
loopback port against a temporary store, every view opened, a node picked, the vis-network
canvas checked for the expected node count and the table for the expected rows.

Every request the pages make is recorded and anything not to a loopback host is blocked
and fails the test, so the explorer is proven to work offline. Screenshots go to
``test-artifacts/screenshots/`` (printed while the tests run). If the browser cannot start,
the tests fail: run ``scripts/test-deps.sh`` (``make test-deps``) to install it.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

import pytest

from tests.graphs import load
from tests.test_explorer_app import BILLING_DB, DEPLOY, load_sample

ROOT = Path(__file__).resolve().parent.parent
SHOTS = ROOT / "test-artifacts" / "screenshots"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]
LOOPBACK = {"127.0.0.1", "localhost", "::1", "[::1]"}
VIEWPORT = {"width": 1400, "height": 2200}
XSS = "<img src=x onerror=alert(1)>"
SCRIPT = "<script>alert(2)</script>"
MD_IMAGE = "![x](http://nhigraph-xss.invalid/x.png)"
MD_LINK = "[click](javascript:alert(3))"


def chromium_path() -> str | None:
    """Debian's Chromium where installed, else Playwright's own build."""
    explicit = os.environ.get("NHIGRAPH_CHROMIUM")
    if explicit:
        return explicit
    return "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None


@pytest.fixture(scope="module")
def browser(capsys_module_print):
    from playwright.sync_api import sync_playwright

    pw = sync_playwright().start()
    path = chromium_path()
    try:
        b = pw.chromium.launch(executable_path=path, args=FLAGS)
    except Exception as exc:  # noqa: BLE001 - any launch failure fails loudly
        pw.stop()
        pytest.fail(f"cannot start Chromium ({path or 'playwright build'}): {exc}. "
                    "Install it with scripts/test-deps.sh", pytrace=False)
    SHOTS.mkdir(parents=True, exist_ok=True)
    capsys_module_print(f"browser screenshots: {SHOTS}")
    yield b
    b.close()
    pw.stop()


@pytest.fixture(scope="module")
def capsys_module_print(request):
    """Print a line even while pytest captures output."""
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")

    def say(line: str) -> None:
        if reporter is not None:
            reporter.write_line(line)
        else:  # pragma: no cover
            print(line)
    return say


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve(store_dir: Path, log: Path):
    """Start the explorer on a free loopback port; return (process, base url)."""
    port = free_port()
    env = {**os.environ, "NHIGRAPH_STORE": str(store_dir)}
    env.pop("NEO4J_URI", None)
    out = open(log, "w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"),
         "--server.port", str(port), "--server.address", "127.0.0.1",
         "--server.headless", "true", "--browser.gatherUsageStats", "false",
         "--server.fileWatcherType", "none"],
        cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"streamlit exited ({proc.returncode}): {log.read_text()[-2000:]}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    return proc, url
        except OSError:
            time.sleep(0.3)
    proc.kill()
    pytest.fail(f"streamlit did not start in 60 s: {log.read_text()[-2000:]}")


def stop(proc) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()


@pytest.fixture(scope="module")
def sample_app(tmp_path_factory):
    base = tmp_path_factory.mktemp("explorer-browser")
    load_sample(base / "store")
    proc, url = serve(base / "store", base / "streamlit.log")
    yield url
    stop(proc)


class Watched:
    """A browser page whose requests, dialogs and blocked requests are recorded."""

    def __init__(self, browser):
        self.context = browser.new_context(viewport=VIEWPORT)
        self.requests: list[str] = []
        self.blocked: list[str] = []
        self.dialogs: list[str] = []
        self.context.route("**/*", self._route)
        self.context.on("request", lambda r: self.requests.append(r.url))
        self.page = self.context.new_page()
        self.page.on("dialog", self._dialog)

    def _route(self, route):
        url = route.request.url
        parts = urlsplit(url)
        if parts.scheme in ("data", "blob", "about") or parts.hostname in LOOPBACK:
            route.continue_()
        else:  # never let it leave the machine; the test fails on it below
            self.blocked.append(url)
            route.abort()

    def _dialog(self, dialog):
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def open(self, url: str) -> None:
        self.page.goto(url)
        # The title exists only once the script runs; then wait for the run to finish.
        self.page.locator("h1").first.wait_for(timeout=60000)
        self.settle()
        assert self.page.get_by_text("Page not found").count() == 0, url

    def settle(self) -> None:
        """Wait until the script run has finished (tests then wait for their own elements)."""
        self.page.wait_for_timeout(300)
        self.page.wait_for_selector("[data-test-script-state=notRunning]", timeout=60000)

    def pick(self, label: str, typed: str) -> None:
        """Choose in the searchable select ``label`` the first option matching ``typed``."""
        box = self.page.get_by_test_id("stSelectbox").filter(has_text=label)
        box.locator("input").click()
        self.page.keyboard.type(typed)
        first = self.page.get_by_role("option").first
        first.wait_for()
        assert typed.lower() in first.inner_text().lower()
        first.click()
        self.settle()

    def graph(self, expected: int, timeout: float = 30000):
        """The graph frame once vis-network has drawn ``expected`` nodes (a rerun may
        still be replacing an earlier graph, so wait for it); fails with what was drawn."""
        self.page.wait_for_function("document.querySelectorAll('iframe').length === 1",
                                    timeout=timeout)
        frame = self.page.locator("iframe").first.element_handle().content_frame()
        try:
            frame.wait_for_function(f"window.nhiDrawn === true && nhiNodes.length === {expected}",
                                    timeout=timeout)
        except Exception:  # noqa: BLE001 - report what is there instead
            frame = self.page.locator("iframe").first.element_handle().content_frame()
            drawn = frame.evaluate("window.nhiNodes ? nhiNodes.length : null")
            raise AssertionError(f"expected {expected} nodes drawn, found {drawn}") from None
        info = frame.evaluate("""() => {
            const c = document.querySelector('#graph canvas');
            const ctx = c.getContext('2d');
            const px = ctx.getImageData(0, 0, c.width, c.height).data;
            let inked = 0;
            for (let i = 3; i < px.length; i += 4) if (px[i] > 0) inked++;
            return {nodes: nhiNodes.length, edges: nhiEdges.length, width: c.width,
                    height: c.height, inked: inked, violations: nhiViolations};
        }""")
        assert info["width"] > 300 and info["height"] > 300
        assert info["inked"] > 2000, "the canvas is blank"
        assert info["violations"] == []
        assert info["nodes"] == expected
        return frame

    def metrics(self) -> list[str]:
        return [" ".join(t.split()) for t in
                self.page.get_by_test_id("stMetric").all_inner_texts()]

    def table_rows(self, index: int = 0) -> int:
        grid = self.page.locator("[role=grid]").nth(index)
        grid.wait_for(state="attached")
        return int(grid.get_attribute("aria-rowcount")) - 1  # less the header row

    def shot(self, name: str) -> Path:
        path = SHOTS / f"{name}.png"
        self.page.screenshot(path=str(path))
        return path

    def close(self) -> None:
        self.context.close()
        assert self.blocked == [], f"requests to non-loopback hosts: {self.blocked}"
        outside = [u for u in self.requests
                   if urlsplit(u).scheme not in ("data", "blob", "about")
                   and urlsplit(u).hostname not in LOOPBACK]
        assert outside == []
        assert self.dialogs == [], f"dialogs opened: {self.dialogs}"


@pytest.fixture
def watched(browser):
    w = Watched(browser)
    yield w
    w.close()


def test_overview(sample_app, watched):
    watched.open(f"{sample_app}/")  # the default page
    page = watched.page
    page.get_by_text("Largest blast radius").wait_for()
    page.locator("[data-testid=stVegaLiteChart], .vega-embed").nth(2).wait_for()
    from explorer.store_cache import findings_available

    tables = 3 if findings_available() else 2  # findings, top workflows, top secrets
    page.locator("[role=grid]").nth(tables - 1).wait_for(state="attached")
    metrics = watched.metrics()
    assert "Nodes 276" in metrics and "Workflows 51" in metrics
    assert page.locator("[data-testid=stVegaLiteChart], .vega-embed").count() >= 3
    rows = [watched.table_rows(i) for i in range(page.locator("[role=grid]").count())]
    assert rows[-2:] == [10, 10]  # top workflows, top secrets
    watched.shot("overview")


def test_blast_radius(sample_app, watched):
    watched.open(f"{sample_app}/blast-radius")
    watched.pick("Compromised node", DEPLOY)
    watched.graph(15)  # the workflow and the 14 nodes it reaches
    assert watched.table_rows() == 14
    assert "node=" in watched.page.url
    watched.shot("blast-radius")


def test_inbound(sample_app, watched):
    watched.open(f"{sample_app}/inbound")
    watched.pick("Target", BILLING_DB)
    watched.graph(23)
    assert watched.table_rows() == 22
    watched.shot("inbound")


def test_inbound_opens_on_its_default_and_downloads_the_report(sample_app, watched, tmp_path):
    # No node in the URL: the crown jewel the most nodes reach (27 sources), said so.
    watched.open(f"{sample_app}/inbound")
    watched.graph(28)  # sf-Contact and the 27 nodes that reach it
    assert watched.table_rows() == 27
    assert "target=resource:salesforce:acme:Contact" in unquote(watched.page.url)
    watched.page.get_by_text("Opened on sf-Contact: the crown jewel the most nodes can "
                             "reach: 27 can reach it").wait_for()
    button = watched.page.get_by_role("button", name="Download report (HTML)")
    assert watched.page.get_by_role("button", name="Download report (Markdown)").count() == 1
    with watched.page.expect_download(timeout=60000) as got:
        button.click()
    saved = tmp_path / got.value.suggested_filename
    got.value.save_as(saved)
    assert saved.name == "inbound-sf-Contact.html"
    html = saved.read_text(encoding="utf-8")
    assert "<title>Who can reach sf-Contact</title>" in html
    assert "Customer support chat" in html and "<svg" in html
    watched.shot("inbound-default")


def test_a_link_wins_then_the_default_returns(sample_app, watched):
    # Entered from a link: that node, no default. Back through the sidebar (no node in the
    # URL): the page's default, the widest blast radius, and the line saying so.
    watched.open(f"{sample_app}/blast-radius?node={quote(DEPLOY, safe=':/@')}")
    watched.graph(15)
    assert watched.page.get_by_text("Opened on").count() == 0
    nav = watched.page.get_by_test_id("stSidebarNav")
    nav.get_by_text("Inbound / crown jewels").click()
    watched.page.get_by_role("heading", name="Inbound").first.wait_for()
    watched.settle()
    nav.get_by_text("Blast radius").click()
    watched.page.get_by_text("Opened on Invoice sync: widest blast radius").wait_for(
        timeout=60000)
    assert "node=workflow:n8n:acme-prod:invoice-sync" in unquote(watched.page.url)


def test_path_finder(sample_app, watched):
    watched.open(f"{sample_app}/path-finder")
    watched.pick("From", DEPLOY)
    watched.pick("To", BILLING_DB)
    watched.graph(6)  # deploy.yml, job, gha-deploy, ops-automation, billing-app, billing-db
    assert watched.table_rows() == 1
    watched.shot("path-finder")


def test_shared_credentials_click_a_row(sample_app, watched):
    watched.open(f"{sample_app}/shared-credentials")
    watched.graph(129, timeout=60000)  # cluster #1 drawn by default
    assert watched.table_rows() == 3
    canvas = watched.page.get_by_test_id("stDataFrame").first.locator("canvas").first
    box = canvas.bounding_box()
    row_height = box["height"] / 4  # header and three rows
    heading = watched.page.get_by_role("heading", name="Cluster #2")
    for _ in range(3):  # a click that lands while the grid still lays out is lost; retry
        watched.page.mouse.click(box["x"] + 15, box["y"] + row_height * 2.5)  # cluster 2
        watched.settle()
        try:
            heading.wait_for(timeout=30000)
            break
        except Exception:  # noqa: BLE001
            continue
    heading.wait_for(timeout=1000)
    # PROD_DB_URL, billing-app, the two billing workflows and their jobs, billing-db.
    watched.graph(7)
    watched.shot("shared-credentials")


def test_orphaned_paths(sample_app, watched):
    watched.open(f"{sample_app}/orphaned-paths")
    # The first orphan, Customer support chat (no owner), and the 10 nodes it still opens.
    watched.graph(11)
    assert watched.table_rows() == 22
    watched.shot("orphaned-paths")


def test_exposure(sample_app, watched):
    watched.open(f"{sample_app}/exposure")
    # Rank 1: anyone -> Customer support chat -> its agent, model and Salesforce tool, their
    # two credentials, OpenAI, Salesforce and its three objects: 12 nodes.
    watched.graph(12)
    assert watched.table_rows() == 9
    assert "Entry points 9" in watched.metrics()
    watched.shot("exposure")


def test_what_if(sample_app, watched):
    watched.open(f"{sample_app}/what-if")
    watched.page.get_by_text("What would break", exact=True).wait_for()
    watched.page.locator("[role=grid]").nth(1).wait_for(state="attached")
    metrics = watched.metrics()
    # Opens on revoking the prod Slack bot token: 12 workflows lose Slack, no jewel path.
    assert any(m.startswith("Callers that would break 12") for m in metrics), metrics
    assert any(m.startswith("Crown-jewel paths 128") for m in metrics), metrics
    assert watched.table_rows(0) == 12
    watched.shot("what-if")


def test_data(sample_app, watched):
    watched.open(f"{sample_app}/data")
    watched.page.get_by_test_id("stFileUploader").wait_for()  # the last element
    assert watched.page.get_by_test_id("stFileUploader").count() == 1
    assert watched.metrics() == ["Nodes 276", "Edges 543", "Ingest runs 7"]
    watched.shot("data")


# --- names that are markup -------------------------------------------------------------

@pytest.fixture(scope="module")
def xss_app(tmp_path_factory):
    base = tmp_path_factory.mktemp("explorer-xss")
    from graph.embedded import EmbeddedStore

    nodes = [
        ("wf-xss", "Workflow", {"name": XSS, "environment": "prod"}),
        ("wf-md", "Workflow", {"name": MD_IMAGE, "environment": "dev"}),
        ("conn-xss", "Connector", {"name": SCRIPT}),
        ("s-xss", "Secret", {"name": MD_IMAGE}),
        ("sys-xss", "System", {"name": MD_LINK, "crown_jewel": True}),
    ]
    edges = [("wf-xss", "USES", "conn-xss"), ("conn-xss", "AUTHENTICATES_WITH", "s-xss"),
             ("wf-md", "REFERENCES", "s-xss"),
             ("s-xss", "CAN_ACCESS", "sys-xss", {"access": "admin", "grant": XSS})]
    load(EmbeddedStore(base / "store"), (nodes, edges))
    proc, url = serve(base / "store", base / "streamlit.log")
    yield url
    stop(proc)


def no_markup_ran(w: Watched) -> None:
    for frame in w.page.frames:
        assert frame.evaluate("window.__pwned === undefined")
        assert frame.evaluate(
            "[...document.querySelectorAll('img')].filter(i => i.getAttribute('src') === 'x'"
            " || (i.src || '').includes('nhigraph-xss')).length") == 0
        assert frame.evaluate("[...document.querySelectorAll('a')].filter("
                              "a => (a.href || '').startsWith('javascript:')).length") == 0
    assert w.dialogs == [] and w.blocked == []


def test_markup_in_names_is_shown_as_text(xss_app, watched):
    w = watched
    w.open(f"{xss_app}/blast-radius?node=wf-xss")
    frame = w.graph(4)
    assert frame.evaluate("nhiNodes.get('wf-xss').label") == XSS
    # Hover the workflow: the tooltip shows the name as text, not as an image.
    x, y = frame.evaluate("""() => {
        const p = nhiNetwork.canvasToDOM(nhiNetwork.getPositions(['wf-xss'])['wf-xss']);
        return [p.x, p.y]; }""")
    box = w.page.locator("iframe").first.bounding_box()
    w.page.mouse.move(box["x"] + x, box["y"] + y)
    tip = frame.locator(".vis-tooltip")
    tip.wait_for(state="visible")
    assert tip.inner_text().splitlines()[0] == XSS
    assert tip.locator("img, script, a, svg").count() == 0  # only text (and <br>)
    select = w.page.get_by_test_id("stSelectbox").filter(has_text="Compromised node")
    assert select.locator("input").input_value().startswith(XSS + "  \u00b7  Workflow")
    w.shot("xss-blast-radius")
    no_markup_ran(w)
    # Every view, each waited for until its last part is there, so "nothing ran" is real.
    views = {
        "": lambda: w.page.locator(".vega-embed").nth(2).wait_for(),
        "shared-credentials": lambda: w.graph(5),  # s-xss, its workflows, conn, system
        "orphaned-paths": lambda: w.graph(2),  # s-xss (no owner) and the system it opens
        "data": lambda: w.page.get_by_test_id("stFileUploader").wait_for(),
        f"inbound?target={quote('sys-xss')}": lambda: w.graph(5),
    }
    for view, ready in views.items():
        w.open(f"{xss_app}/{view}")
        ready()
        no_markup_ran(w)
    assert w.page.get_by_text(MD_LINK, exact=False).count() >= 1  # crown jewels caption
    w.shot("xss-inbound")


def test_sidebar_search_and_pasted_url(sample_app, watched):
    # a pasted link lands on the view and node it names
    stripe = "secret:n8n:acme-prod:cred-stripe-live"
    watched.open(f"{sample_app}/?view=blast-radius&node={stripe}")
    watched.graph(3)  # the key and the 2 nodes it reaches
    assert "Reachable 2" in watched.metrics()
    assert "/blast-radius" in watched.page.url and "view=" not in watched.page.url
    # the sidebar search opens a resource on Inbound, typo and all
    box = watched.page.get_by_test_id("stSidebar").get_by_label("Search nodes")
    box.fill("biling-db")
    box.press("Enter")
    watched.settle()
    watched.page.get_by_test_id("stSidebar").get_by_role("button").filter(
        has_text="billing-db").first.click()
    watched.settle()
    watched.page.get_by_role("heading", name="Inbound").first.wait_for()
    assert "target=resource" in watched.page.url and "/inbound" in watched.page.url
    watched.shot("sidebar-search")
