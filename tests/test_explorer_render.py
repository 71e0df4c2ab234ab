"""The graph page is self-contained (no URL it could fetch) and shows names as text."""

from __future__ import annotations

import json
import re

from explorer.render import _vis_assets, safe_json, to_html
from explorer.subgraph import blast_radius_drawing, bound
from queries import blast_radius
from tests.graphs import chain_store, fresh

XSS = "<img src=x onerror=alert(1)>"
BREAKOUT = "</script><script>alert(2)</script>"


def graph_data(html: str) -> dict:
    m = re.search(r'<script type="application/json" id="graph-data">(.*?)</script>', html, re.S)
    assert m, "no data block"
    return json.loads(m.group(1))


def test_page_fetches_nothing():
    store = chain_store()
    html = to_html(blast_radius_drawing(store, blast_radius(store, "wf")))
    # No element that loads something: every script is inline, no stylesheet link, no
    # image, no frame; a CSP forbids any other source besides.
    assert re.findall(r"<(?:script|img|iframe|link|object|embed)\b[^>]*\b(?:src|href)=",
                      html, re.I) == []
    assert "default-src 'none'" in html and "script-src 'nonce-" in html
    assert "cdnjs" not in html and "jsdelivr" not in html and "bootstrap" not in html.lower()
    assert "vis.Network" in html and "@version 9.1.2" in html  # vis-network inlined
    data = graph_data(html)
    assert sorted(n["id"] for n in data["nodes"]) == sorted(
        ["wf", "conn", "key", "old-key", "deploy-role", "admin-role", "acct", "bucket"])
    assert len(data["edges"]) == 9
    by_id = {n["id"]: n for n in data["nodes"]}
    assert by_id["bucket"]["shape"] == "star" and by_id["bucket"]["label"] == "\u2605 pii"
    assert by_id["wf"]["borderWidth"] == 4  # the focus node stands out
    levels = {e["label"] for e in data["edges"]}
    assert {"admin", "read", "uses", "contains"} <= levels


def test_names_with_markup_stay_text():
    store = fresh((
        [("wf", "Workflow", {"name": XSS}), ("s", "Secret", {"name": BREAKOUT}),
         ("sys", "System", {"name": "x\u2028y & <b>"})],
        [("wf", "REFERENCES", "s"), ("s", "CAN_ACCESS", "sys", {"access": "read",
                                                                "grant": XSS})],
    ))
    html = to_html(blast_radius_drawing(store, blast_radius(store, "wf")), title=XSS)
    page = html.replace(_vis_assets()[0], "")  # vis-network's own code holds "<b>"
    assert XSS not in page and BREAKOUT not in page and "<b>" not in page
    assert page.count("</script>") == 3  # the data block and the two inline scripts
    data = graph_data(html)
    labels = {n["id"]: n["label"] for n in data["nodes"]}
    assert labels["wf"] == XSS
    assert labels["s"].startswith("</script><script>alert(2)")
    titles = {n["id"]: n["title"] for n in data["nodes"]}
    assert titles["s"].startswith(BREAKOUT + "\n")
    (edge,) = [e for e in data["edges"] if e["label"] == "read"]
    assert f"grant: {XSS}" in edge["title"]
    assert "&lt;img src=x onerror=alert(1)&gt;" in html  # the <title>, autoescaped


def test_safe_json_cannot_end_a_script():
    assert safe_json({"a": "</script>&"}) == '{"a": "\\u003c/script\\u003e\\u0026"}'
    assert json.loads(safe_json({"a": "</script>&\u2028"})) == {"a": "</script>&\u2028"}


def test_group_nodes_say_what_they_hold():
    nodes = [("role", "Identity"), ("sys", "System", {"name": "aws"})]
    edges = [("role", "CAN_ACCESS", "sys", {"access": "write"})]
    for i in range(300):
        nodes.append((f"r{i:03d}", "Resource", {"name": f"bucket-{i:03d}"}))
        edges.append(("sys", "CONTAINS", f"r{i:03d}"))
    store = fresh((nodes, edges))
    d = bound(blast_radius_drawing(store, blast_radius(store, "role")), max_elements=100)
    data = graph_data(to_html(d))
    (group,) = [n for n in data["nodes"] if n["id"].startswith("group:")]
    assert group["label"] == "300 Resources" and group["shape"] == "box"
    assert group["title"].splitlines()[:4] == [
        "300 Resources collapsed into one node", "access: write", "- bucket-000",
        "- bucket-001"]
    assert group["title"].splitlines()[-1] == "... and 288 more"


def test_the_stylesheet_carries_no_button_images():
    # The navigation and manipulation buttons are off; their inline images were 206 KB of
    # the 220 KB stylesheet sent with every drawing. The tooltip's rule stays.
    _js, css = _vis_assets()
    assert "data:" not in css and "div.vis-tooltip" in css
    assert len(css) < 20_000
