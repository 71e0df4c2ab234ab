"""A Result in Jupyter (reports/notebook.py): its table plus an inline SVG graph of the nodes
and hops its rows name, bounded, offline, every text escaped. Answers worked out by hand on
tests/graphs.py's CHAIN (wf -> conn -> key -> deploy-role -> admin-role -> acct -> bucket,
deploy-role -read-> bucket, a revoked old-key, an owner that is not access)."""

from __future__ import annotations

import html as htmllib
import re

import reports  # noqa: F401  (registers the notebook view)
from queries import blast_radius, results, shortest_paths
from reports.notebook import columns, result_html
from tests.graphs import CHAIN, fresh

NODE = re.compile(r'<g class="node"[^>]*>\s*<title>([^<]*)</title>')
EDGE = re.compile(r'<path class="edge"[^>]*>\s*<title>([^<]*)</title>')


def titles(pattern, html: str) -> list[str]:
    return sorted(htmllib.unescape(t) for t in pattern.findall(html))


def test_a_blast_radius_shows_its_table_and_every_node_and_hop():
    html = blast_radius(fresh(CHAIN), "wf")._repr_html_()
    assert '<table class="dataframe nhi-table">' in html and 'class="nhi-graph"' in html
    assert "<b>7 reachable</b> · source: deploy (wf)" in html
    # the source (from the header), the 7 rows; not alice: owning is not access
    assert titles(NODE, html) == [
        "Connector: deploy job (conn)", "Identity: admin-role (admin-role)",
        "Identity: deploy-role (deploy-role)", "Resource: pii (bucket) - crown jewel",
        "Secret: deploy key (key)", "Secret: old key (old-key)", "System: aws-prod (acct)",
        "Workflow: deploy (wf)"]
    assert len(titles(EDGE, html)) == 8  # the hops of test_result_graph.py
    assert "deploy -&gt; deploy job -&gt; deploy key -&gt; deploy-role -&gt; pii" in html
    assert "more nodes not drawn" not in html and "more rows" not in html
    assert "https://" not in html and "<script src" not in html  # offline


def test_columns_are_hops_from_the_source():
    g = blast_radius(fresh(CHAIN), "wf").to_networkx()
    assert columns(g, ["wf"]) == {"wf": 0, "conn": 1, "key": 2, "old-key": 2,
                                  "deploy-role": 3, "admin-role": 4, "bucket": 4, "acct": 5}


def test_the_drawing_and_the_table_are_bounded():
    r = blast_radius(fresh(CHAIN), "wf")
    html = result_html(r, max_nodes=3, max_rows=2)
    # kept: the source, then the crown jewel, then the nearest (conn); 8 - 3 left out
    assert titles(NODE, html) == ["Connector: deploy job (conn)",
                                  "Resource: pii (bucket) - crown jewel", "Workflow: deploy (wf)"]
    assert titles(EDGE, html) == ["path hop"]  # wf -> conn: the only hop among them
    assert "5 more nodes not drawn (at most 3)" in html
    assert html.count("<tr>") == 3 and "5 more rows not shown" in html  # header + 2 rows


def test_a_path_shows_each_hop_kind_access_and_reason_never_a_dict():
    html = shortest_paths(fresh(CHAIN), "wf", "acct")._repr_html_()
    assert titles(EDGE, html) == ["AUTHENTICATES_AS", "AUTHENTICATES_WITH",
                                  "CAN_ACCESS (admin): AdministratorAccess",
                                  "CAN_ASSUME: trust allows deploy-role", "USES"]
    assert "USES, AUTHENTICATES_WITH, AUTHENTICATES_AS, CAN_ASSUME, CAN_ACCESS (admin)" in html
    # a path result carries no names (the CLI looks them up): ids, as the rows have them
    assert "wf -&gt; conn -&gt; key -&gt; deploy-role -&gt; admin-role -&gt; acct" in html
    assert "{&#39;from" not in html and "{'from" not in html


def test_names_from_the_data_are_text_never_markup():
    evil = '<img src=x onerror="alert(1)">'
    spec = ([("wf", "Workflow", {"name": evil}), ("s", "Secret", {"name": "k</svg><script>"}),
             ("sys", "System", {"name": "x"})],
            [("wf", "REFERENCES", "s"), ("s", "CAN_ACCESS", "sys", {"access": "read"})])
    html = blast_radius(fresh(spec), "wf")._repr_html_()
    assert "<img" not in html and "&lt;img src=x onerror=" in html
    assert html.count("<script>") == 1 and html.count("</svg>") == 1  # only the view's own
    assert "k&lt;/svg&gt;&lt;script&gt;" in html
    assert "Secret: k</svg><script> (s)" in titles(NODE, html)


def test_without_reports_a_result_has_no_html_view(monkeypatch):
    monkeypatch.setattr(results, "_html_renderer", None)
    assert blast_radius(fresh(CHAIN), "wf")._repr_html_() is None  # Jupyter shows the repr
