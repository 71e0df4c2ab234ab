"""Every notebook in notebooks/ runs top to bottom on a fresh kernel without an error, and
shows what it promises (tables and an inline graph)."""

from __future__ import annotations

import html as htmllib
import re
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))

#: Nodes (kind, name) each notebook's inline result views must draw, worked out from the
#: sample estate: the leaked key's blast radius, the shared-credential clusters and the
#: critical findings, the deploy workflow's radius this quarter (via the new D2 trust).
DRAWN = {
    "leaked-token": {("Secret", "svc-n8n key 1"), ("Identity", "svc-n8n"),
                     ("Resource", "acme-invoices"), ("Resource", "shipments-table"),
                     ("Secret", "AWS svc-n8n access key")},
    "quarterly-access-review": {("Secret", "Slack bot (prod)"),
                                ("Workflow", "Customer support chat"),
                                ("Actor", "anyone on the internet")},
    "quarter-over-quarter": {("Workflow", "infra/deploy.yml"), ("Identity", "ops-automation"),
                             ("Resource", "billing-db"), ("Resource", "acme-customer-pii")},
}
_NODE = re.compile(r'<g class="node"[^>]*>\s*<title>([^<]*)</title>')


def drawn_nodes(html: str) -> set[tuple[str, str]]:
    """(kind, name) of every node an inline SVG graph in ``html`` draws."""
    out = set()
    for title in _NODE.findall(html):
        kind, _, rest = htmllib.unescape(title).partition(": ")
        out.add((kind, rest.rsplit(" (", 1)[0]))
    return out


def test_the_promised_notebooks_exist():
    assert {p.name for p in NOTEBOOKS} >= {"leaked-token.ipynb", "quarterly-access-review.ipynb",
                                         "quarter-over-quarter.ipynb"}


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_runs_top_to_bottom(path):
    nb = nbformat.read(path, as_version=4)
    # A failing cell raises CellExecutionError with the cell and its traceback.
    NotebookClient(nb, timeout=300, kernel_name="python3",
                   resources={"metadata": {"path": str(ROOT)}}).execute()
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]
    assert not [o for o in outputs if o.get("output_type") == "error"]
    html = [o["data"]["text/html"] for o in outputs if "text/html" in o.get("data", {})]
    assert sum("<table" in h for h in html) >= 3, "DataFrames are shown"
    svg = [h for h in html if "<svg" in h and "nhi-graph" in h]
    assert svg, "an inline graph is shown"
    assert not [h for h in svg if "<script src" in h or "https://" in h]  # offline
    # A Result as a cell's value renders as its table plus the graph (reports.notebook).
    results = [h for h in html if 'class="nhi-result"' in h]
    assert results and all("<table" in h and 'class="nhi-graph"' in h for h in results)
    drawn = set().union(*(drawn_nodes(h) for h in results))
    assert DRAWN[path.stem] <= drawn, DRAWN[path.stem] - drawn
    text = "".join(str(o) for o in outputs)
    assert "demo-shipbridge-token" not in text
