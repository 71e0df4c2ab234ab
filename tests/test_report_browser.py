"""The HTML reports in a real browser (Chromium driven by Playwright): they render, the
graph is interactive, nothing is requested from any network, no script comes from data,
and they print.

Uses /usr/bin/chromium (installed by scripts/test-deps.sh); where it is absent, the browser
Playwright installed. A browser that cannot start fails the test loudly: it never skips.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

import sample_estate
from graph.embedded import EmbeddedStore
from reports import blast_radius_report, estate_report, write_report
from tests.graphs import fresh
from tests.test_report import HOSTILE, XSS

AS_OF = "2026-11-24T00:00:00Z"
CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        kwargs = {"executable_path": CHROMIUM} if os.path.exists(CHROMIUM) else {}
        try:
            b = p.chromium.launch(args=FLAGS, **kwargs)
        except Exception as exc:  # fail loudly, never skip
            pytest.fail(f"cannot start Chromium ({kwargs or 'playwright default'}): {exc}; "
                        "run scripts/test-deps.sh")
        yield b
        b.close()


def open_page(browser, path: Path):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    seen = {"requests": [], "dialogs": [], "errors": []}
    page.on("request", lambda r: seen["requests"].append(r.url))
    page.on("dialog", lambda d: (seen["dialogs"].append(d.message), d.dismiss()))
    page.on("pageerror", lambda e: seen["errors"].append(str(e)))
    page.on("console", lambda m: m.type == "error" and seen["errors"].append(m.text))
    page.route("**/*", lambda route: route.continue_() if route.request.url.startswith(
        "file://") else route.abort())
    page.goto(path.as_uri())
    page.wait_for_load_state("load")
    return page, seen


def test_estate_report_renders_offline_and_prints(browser, tmp_path):
    store = sample_estate.load(EmbeddedStore(tmp_path / "estate"))
    data = estate_report(store, as_of=AS_OF)
    path = write_report(data, tmp_path / "estate.html")
    page, seen = open_page(browser, path)
    assert seen["requests"] == [path.as_uri()]  # the file itself, nothing else
    assert seen["errors"] == [] and seen["dialogs"] == []
    assert page.locator("div.finding").count() == len(data["findings"]) >= 40
    svg = page.locator("svg.nhi-graph")
    box = svg.bounding_box()
    assert box and box["width"] > 500 and box["height"] > 300
    nodes = page.locator("svg.nhi-graph g.node")
    assert nodes.count() == data["graph"]["nodes"] > 50
    # click a node: it and its neighbours light up; click again: cleared
    node = page.locator("svg.nhi-graph g.node", has_text="OrganizationAccountAccessRole")
    node.click()
    assert page.locator("svg.nhi-graph g.node.selected").count() == 1
    assert page.locator("svg.nhi-graph path.edge.neighbour").count() >= 1
    node.click()
    assert page.locator("svg.nhi-graph .selected").count() == 0
    before = page.evaluate("document.querySelector('svg.nhi-graph').viewBox.baseVal.width")
    svg.hover()
    page.mouse.wheel(0, 300)
    after = page.evaluate("document.querySelector('svg.nhi-graph').viewBox.baseVal.width")
    assert after > before  # zoomed out
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "report-estate.png"))
    page.emulate_media(media="print")
    assert page.locator("p.controls").first.is_hidden()
    pdf = page.pdf(path=str(ARTIFACTS / "report-estate.pdf"), format="A4")
    assert pdf[:4] == b"%PDF" and len(pdf) > 20_000
    assert seen["requests"] == [path.as_uri()]
    page.close()


def test_names_from_data_never_run(browser, tmp_path):
    store = fresh(HOSTILE, str(tmp_path / "hostile"))
    for name, data in (("estate", estate_report(store, as_of=AS_OF)),
                       ("blast", blast_radius_report(store, "wf", as_of=AS_OF))):
        path = write_report(data, tmp_path / f"{name}.html")
        page, seen = open_page(browser, path)
        assert seen["dialogs"] == [] and seen["errors"] == []
        assert page.evaluate("window.__pwned") is None
        assert page.locator("img").count() == 0
        body = page.inner_text("body")
        assert XSS in body and "<script>window.__pwned=1</script>" in body
        assert [u for u in seen["requests"] if not u.startswith("file://")] == []
        page.close()
