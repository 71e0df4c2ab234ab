"""The explorer's per-view reports (reports/node_reports.py): who reaches a node, the paths
between two nodes, one shared-credential cluster; values worked out by hand on a small
graph, names from data kept as text, every format written, one-line errors."""

from __future__ import annotations

import json

import openpyxl
import pytest

from graph.errors import NhiGraphError
from reports import cluster_report, inbound_report, paths_report, write_report
from tests.graphs import fresh
from tests.test_report import AS_OF, XSS, no_network_reference

# ops contains payroll (prod) and payroll-test (dev, named with markup); both read the bank
# key, which opens the Bank (a crown jewel) as admin; payroll-test also holds a CRM token.
#   inbound(bank): key (1 hop, admin), payroll and payroll-test (2, admin), ops (3, admin)
#   paths(payroll -> bank): payroll -REFERENCES-> bank key -CAN_ACCESS admin-> Bank
#   clusters: one, of both workflows, sharing the bank key across prod and dev
GRAPH = (
    [
        ("ws", "Workspace", {"name": "ops"}),
        ("wf1", "Workflow", {"name": "payroll", "environment": "prod"}),
        ("wf2", "Workflow", {"name": XSS, "environment": "dev"}),
        ("key", "Secret", {"name": "bank key", "environment": "prod"}),
        ("crm-token", "Secret", {"name": "crm token"}),
        ("bank", "System", {"name": "Bank", "crown_jewel": True}),
        ("crm", "System", {"name": "CRM"}),
    ],
    [
        ("ws", "CONTAINS", "wf1"), ("ws", "CONTAINS", "wf2"),
        ("wf1", "REFERENCES", "key"), ("wf2", "REFERENCES", "key"),
        ("wf2", "REFERENCES", "crm-token"),
        ("key", "CAN_ACCESS", "bank", {"access": "admin", "reason": "payments:* on Bank"}),
        ("crm-token", "CAN_ACCESS", "crm", {"access": "read"}),
    ],
)


@pytest.fixture(scope="module")
def store():
    return fresh(GRAPH)


def summary(data: dict) -> dict:
    return dict(data["summary"])


def test_inbound_report(store):
    data = inbound_report(store, "bank", as_of=AS_OF)
    assert data["report"] == "inbound" and data["title"] == "Who can reach Bank"
    s = summary(data)
    assert (s["Node"], s["Can reach it"], s["Workflows"], s["Workspaces"]) == (
        "Bank (System)", 4, 2, 1)
    assert s["By access"] == "admin 4"
    assert s["By kind"] == "Secret 1, Workflow 2, Workspace 1"
    (table,) = data["tables"]
    assert [(r["name"], r["distance"], r["access"]) for r in table["rows"]] == [
        ("bank key", 1, "admin"), ("payroll", 2, "admin"), (XSS, 2, "admin"),
        ("ops", 3, "admin")]
    assert table["rows"][1]["path"] == "payroll -> bank key -> Bank"
    assert [p["path"] for p in data["paths"]] == [["wf1", "key", "bank"],
                                                  ["wf2", "key", "bank"],
                                                  ["ws", "wf1", "key", "bank"]]
    assert data["graph"]["nodes"] == 5  # the four sources and the Bank
    assert all("bank" in f["nodes"] or any("bank" in p for p in f["paths"])
               for f in data["findings"])


def test_paths_report(store):
    data = paths_report(store, "payroll", "Bank", as_of=AS_OF)  # names resolve like ids
    assert data["title"] == "Access paths from payroll to Bank"
    s = summary(data)
    assert (s["From"], s["To"], s["Shortest paths"], s["Hops on each"]) == (
        "payroll (wf1)", "Bank (bank)", 1, 2)
    (hops,) = data["tables"]
    assert [(h["from"], h["edge"], h["access"], h["to"], h["reason"]) for h in hops["rows"]] == [
        ("payroll", "REFERENCES", "", "bank key", ""),
        ("bank key", "CAN_ACCESS", "admin", "Bank", "payments:* on Bank")]
    assert data["paths"] == [{"target": "bank", "access": "admin",
                              "path": ["wf1", "key", "bank"]}]
    none = paths_report(store, "bank", "wf1", as_of=AS_OF)  # nothing flows back
    assert summary(none)["Hops on each"] == "no access path" and none["paths"] == []


def test_cluster_report(store):
    data = cluster_report(store, 1, as_of=AS_OF)
    assert data["title"] == "Shared-credential cluster 1: 2 workflows"
    s = summary(data)
    assert (s["Workflows sharing"], s["Shared credentials"], s["Environments"],
            s["Mixes prod and non-prod"], s["Mixing through"], s["Workspaces"],
            s["Reaches"]) == (2, "bank key", "dev, prod", True, "bank key", "ops", "Bank")
    creds, workflows, reaches = data["tables"]
    assert [(c["name"], c["workflows"]) for c in creds["rows"]] == [("bank key", 2)]
    assert [(w["name"], w["environment"]) for w in workflows["rows"]] == [
        ("payroll", "prod"), (XSS, "dev")]
    assert reaches["rows"] == [{"name": "Bank", "id": "bank"}]
    with pytest.raises(NhiGraphError) as err:
        cluster_report(store, 2, as_of=AS_OF)
    assert str(err.value) == "no shared-credential cluster 2 (there are 1 with at least 2 " \
                             "workflows)"


def test_every_format_and_names_as_text(store, tmp_path):
    for data in (inbound_report(store, "bank", as_of=AS_OF),
                 paths_report(store, "wf2", "bank", as_of=AS_OF),
                 cluster_report(store, 1, as_of=AS_OF)):
        html = write_report(data, tmp_path / "r.html").read_text()
        assert XSS not in html and "&lt;img src=x onerror=alert(1)&gt;" in html
        assert html.count("<script>") == 1
        no_network_reference(html)
        mdown = write_report(data, tmp_path / "r.md").read_text()
        assert XSS not in mdown and "\\<img src=x onerror=alert(1)\\>" in mdown
        assert json.loads(write_report(data, tmp_path / "r.json").read_text())["title"] == \
            data["title"]
        first = data["tables"][0]
        csv = write_report(data, tmp_path / "r.csv").read_text().splitlines()
        assert csv[0] == ",".join(first["columns"]) and len(csv) == len(first["rows"]) + 1
        wb = openpyxl.load_workbook(write_report(data, tmp_path / "r.xlsx"))
        assert wb.sheetnames[0] == "Summary" and first["name"] in wb.sheetnames


def test_unknown_node_is_one_error(store):
    with pytest.raises(NhiGraphError) as err:
        inbound_report(store, "nope", as_of=AS_OF)
    assert "nope" in str(err.value) and "\n" not in str(err.value)


def test_cluster_graph_joins_workflows_through_their_connectors():
    # wf2 reaches the key through a connector (a CI job, an n8n node): the drawing keeps it,
    # so both workflows are joined to the key they share (5 nodes, 4 access edges).
    s = fresh(([("wf1", "Workflow", {"environment": "prod"}),
                ("wf2", "Workflow", {"environment": "prod"}), ("conn", "Connector"),
                ("key", "Secret"), ("sys", "System")],
               [("wf1", "REFERENCES", "key"), ("wf2", "USES", "conn"),
                ("conn", "AUTHENTICATES_WITH", "key"),
                ("key", "CAN_ACCESS", "sys", {"access": "read"})]))
    data = cluster_report(s, 1, as_of=AS_OF)
    assert summary(data)["Workflows sharing"] == 2
    assert (data["graph"]["nodes"], data["graph"]["edges"]) == (5, 4)
