"""Reports in every format: contents, escaping of names from data, no network reference,
one-line errors. The real-browser check is tests/test_report_browser.py."""

from __future__ import annotations

import json
import re

import openpyxl
import pytest
from click.testing import CliRunner

import sample_estate
from cli import cli
from graph.embedded import EmbeddedStore
from queries import blast_radius
from reports import blast_radius_report, estate_report, write_report
from reports.render import md
from tests.graphs import fresh

AS_OF = "2026-11-24T00:00:00Z"
DEPLOY = "workflow:github:acme/infra:.github/workflows/deploy.yml"
XSS = "<img src=x onerror=alert(1)>"
SCRIPT = "=1+1 <script>window.__pwned=1</script>"  # markup and a spreadsheet formula

# A hostile estate: names from data that are markup, a spreadsheet formula and Markdown.
HOSTILE = (
    [
        ("team", "Owner", {"status": "active"}),
        ("ws", "Workspace", {"name": "ws"}),
        ("wf", "Workflow", {"name": XSS, "status": "retired", "environment": "prod"}),
        ("s", "Secret", {"name": SCRIPT, "status": "active", "store": "embedded"}),
        ("crm", "System", {"name": "**bold** | [link](http://evil.example)",
                           "crown_jewel": True}),
    ],
    [
        ("team", "OWNS", "ws"), ("ws", "CONTAINS", "wf"),
        ("wf", "EMBEDS", "s"), ("s", "CAN_ACCESS", "crm", {"access": "admin",
                                                           "reason": "<b>grant</b>"}),
    ],
)


@pytest.fixture(scope="module")
def estate(tmp_path_factory):
    return sample_estate.load(EmbeddedStore(tmp_path_factory.mktemp("estate")))


@pytest.fixture(scope="module")
def hostile():
    return fresh(HOSTILE)


def no_network_reference(html: str) -> None:
    # The only URL allowed is the SVG namespace (an identifier, never fetched).
    urls = set(re.findall(r"(?:https?:)?//[\w.-]+[^\s\"'<>)]*", html))
    assert urls <= {"http://www.w3.org/2000/svg"}, urls
    assert not re.search(r"<(link|img|iframe|object|embed)\b", html)
    assert not re.search(r"<script[^>]*\bsrc=", html)


def test_blast_radius_report_contents(estate):
    data = blast_radius_report(estate, DEPLOY, as_of=AS_OF)
    assert data["title"] == "Blast radius of infra/deploy.yml"
    summary = dict(data["summary"])
    assert summary["Crown jewels"] == "billing-db, acme-customer-pii"
    br = blast_radius(estate, DEPLOY, as_of=AS_OF).summary
    assert summary["With admin"] == br["admin_targets"] >= 8 and summary["Systems"] >= 1
    reach = data["tables"][0]
    assert {r["name"] for r in reach["rows"]} >= {"acme-customer-pii", "billing-db", "aws-prod"}
    pii = [p for p in data["paths"] if p["target"].endswith("acme-customer-pii")][0]
    assert pii["access"] == "admin" and pii["path"][0] == DEPLOY
    assert "admin-grant" in {f["rule"] for f in data["findings"]}
    assert data["graph"]["nodes"] == br["reachable"] + 1
    assert data["graph"]["svg"].startswith("<svg")


def test_estate_report_every_format(estate, tmp_path):
    data = estate_report(estate, as_of=AS_OF)
    n = len(data["findings"])
    assert n >= 40
    files = {ext: write_report(data, tmp_path / f"estate{ext}")
             for ext in (".html", ".md", ".csv", ".json", ".xlsx")}
    html = files[".html"].read_text()
    no_network_reference(html)
    assert html.count('class="finding ') == n and "<svg" in html and "@media print" in html
    assert "OrganizationAccountAccessRole" in html
    text = files[".md"].read_text()
    assert text.startswith("# NHI access estate report") and text.count("\n### ") == n
    csv = files[".csv"].read_text().splitlines()
    assert csv[0].startswith("severity,risk,rule,owasp,title") and len(csv) > n
    doc = json.loads(files[".json"].read_text())
    assert len(doc["findings"]) == n and doc["summary"]["Findings"] == n
    assert "svg" not in doc["graph"]
    wb = openpyxl.load_workbook(files[".xlsx"])
    assert wb.sheetnames == ["Summary", "Findings", "Riskiest nodes (top 25)",
                             "Shared-credential clusters", "Orphaned paths",
                             "Exposed to entry points", "Evidence"]
    assert wb["Findings"].max_row == n + 1
    for f in files.values():
        assert b"demo-shipbridge-token" not in f.read_bytes()


def test_names_from_data_are_text_everywhere(hostile, tmp_path):
    for report in (estate_report(hostile, as_of=AS_OF),
                   blast_radius_report(hostile, "wf", as_of=AS_OF)):
        html = write_report(report, tmp_path / "r.html").read_text()
        assert XSS not in html and SCRIPT not in html and "<b>grant</b>" not in html
        assert "&lt;img src=x onerror=alert(1)&gt;" in html
        assert html.count("<script>") == 1  # ours, and only ours
        no_network_reference(html.replace("http://evil", ""))  # as text only
        mdown = write_report(report, tmp_path / "r.md").read_text()
        assert XSS not in mdown and "<script>" not in mdown
        assert "\\<img src=x onerror=alert(1)\\>" in mdown
        assert "\\*\\*bold\\*\\* \\| \\[link\\]" in mdown
    csv = write_report(estate_report(hostile, as_of=AS_OF), tmp_path / "r.csv").read_text()
    assert ",=" not in csv and "\n=" not in csv
    wb = openpyxl.load_workbook(write_report(estate_report(hostile, as_of=AS_OF),
                                             tmp_path / "r.xlsx"))
    cells = [c.value for ws in wb for row in ws.iter_rows() for c in row
             if isinstance(c.value, str)]
    assert not [c for c in cells if c.startswith("=")]
    assert any(c.startswith("'=1+1 <script>") for c in cells)


def test_markdown_escape():
    assert md("a|b") == "a\\|b" and md(["x", "y"]) == "x; y" and md(None) == ""
    assert md("<b>") == "\\<b\\>" and md("line\nbreak") == "line break"


def run(*args):
    return CliRunner().invoke(cli, list(args))


def test_cli_reports_and_errors(estate, tmp_path):
    store = ["--store", estate.location]
    res = run("report", "blast-radius", "infra/deploy.yml", *store, "-o",
              str(tmp_path / "br.html"))
    assert res.exit_code == 0, res.output
    assert "Blast radius of infra/deploy.yml" in (tmp_path / "br.html").read_text()
    res = run("report", "estate", *store, "--as-of", AS_OF, "-o", str(tmp_path / "e.xlsx"))
    assert res.exit_code == 0 and (tmp_path / "e.xlsx").stat().st_size > 0
    bad = run("report", "estate", *store, "-o", str(tmp_path / "e.pdf"))
    assert bad.exit_code == 2 and "use one of .html, .md, .csv, .json, .xlsx" in bad.output
    assert not (tmp_path / "e.pdf").exists()
    bad = run("report", "blast-radius", "no-such-node", *store, "-o", str(tmp_path / "x.md"))
    assert bad.exit_code == 2 and "no node with id or name 'no-such-node'" in bad.output
    bad = run("report", "estate", *store, "-o", str(tmp_path / "nope" / "e.md"))
    assert bad.exit_code == 2 and "does not exist" in bad.output


def test_reports_say_who_the_node_is_exposed_to(estate):
    sf = "secret:n8n:acme-ops:ops-salesforce"
    data = blast_radius_report(estate, sf, as_of=AS_OF)
    assert dict(data["summary"])["Exposed to"] == "anyone on the internet"
    (table,) = [t for t in data["tables"] if t["name"].startswith("Exposed to")]
    assert [(r["actor"], r["path"][-1]) for r in table["rows"]] == [("actor:anyone", sf)]
    assert dict(blast_radius_report(estate, DEPLOY, as_of=AS_OF)["summary"])["Exposed to"] == \
        "no outside actor"
    est = estate_report(estate, as_of=AS_OF)
    (entries,) = [t for t in est["tables"] if t["name"] == "Exposed to: entry points"]
    # 7 n8n/GitHub entry points, the public Flowise bot (outside) and the keyed Langflow flow
    assert len(entries["rows"]) == 9 and entries["rows"][0]["workflow_name"] == \
        "Customer support chat"
    assert dict(est["summary"])["Entry points (outside actors)"] == "9 (6)"
