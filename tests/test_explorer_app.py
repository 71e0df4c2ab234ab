"""Each explorer view on the sample estate, driven by Streamlit's AppTest (the real app
script, the real embedded store, no browser)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

import sample_estate
from graph.embedded import EmbeddedStore

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = "workflow:github:acme/infra:.github/workflows/deploy.yml"
BILLING_DB = "resource:aws:arn:aws:rds:us-east-1:111122223333:db:billing"
PII = "resource:aws:arn:aws:s3:::acme-customer-pii"
INVOICE_SYNC = "workflow:n8n:acme-prod:invoice-sync"


def load_sample(path) -> EmbeddedStore:
    return sample_estate.load(EmbeddedStore(path))


@pytest.fixture(scope="module")
def sample_dir(tmp_path_factory):
    path = tmp_path_factory.mktemp("explorer-sample") / "store"
    load_sample(path)
    return path


@pytest.fixture
def app(sample_dir, monkeypatch):
    monkeypatch.setenv("NHIGRAPH_STORE", str(sample_dir))
    monkeypatch.delenv("NEO4J_URI", raising=False)
    return AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()


def page(at: AppTest, view: str) -> AppTest:
    at.switch_page(f"explorer/views/{view}.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def metrics(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def drawn(at) -> dict:
    """The graph data the page handed to vis-network (one graph per page)."""
    (frame,) = at.get("iframe")
    m = re.search(r'<script type="application/json" id="graph-data">(.*?)</script>',
                  frame.proto.srcdoc, re.S)
    return json.loads(m.group(1))


def captions(at) -> list[str]:
    return [c.value for c in at.caption]


def test_overview(app):
    assert not app.exception
    assert app.title[0].value == "Overview"
    assert metrics(app) | {} == {
        "Nodes": "276", "Edges": "543", "Workflows": "51", "Secrets": "47",
        "Identities": "20", "Systems + resources": "35",
        **{k: v for k, v in metrics(app).items() if k in
           ("Critical", "High", "Medium", "Low", "Info")}}
    top = {df.value["kind"].iloc[0]: df.value for df in app.dataframe
           if "crown_jewels" in df.value.columns}
    # Invoice sync reaches 3 crown jewels (Stripe, NetSuite, Salesforce); the legacy
    # Salesforce export key reaches Salesforce and its Contact object.
    assert top["Workflow"].iloc[0][["name", "crown_jewels", "targets"]].tolist() == [
        "Invoice sync", 3, 6]
    assert top["Secret"].iloc[0][["name", "crown_jewels", "targets"]].tolist() == [
        "Salesforce legacy export", 2, 4]
    assert len(top["Workflow"]) == 10 and len(top["Secret"]) == 10
    assert any("3 cluster(s), 2 mixing prod and non-prod" in c for c in captions(app))
    charts = app.get("vega_lite_chart")
    assert len(charts) == 3


def test_overview_of_a_large_store_fills_in_from_the_background(tmp_path, monkeypatch):
    """Past BACKGROUND_MIN_NODES the first run shows the store's figures at once, and the
    ranking, clusters and findings once the child process has sent them (its start held
    back here until the first run is checked)."""
    import threading

    from explorer import background, store_cache

    load_sample(tmp_path / "store")
    monkeypatch.setenv("NHIGRAPH_STORE", str(tmp_path / "store"))
    monkeypatch.delenv("NEO4J_URI", raising=False)
    monkeypatch.setattr(store_cache, "BACKGROUND_MIN_NODES", 100)
    gate = threading.Event()
    launch = background.launch  # the child process starts once the gate opens
    monkeypatch.setattr(background, "launch",
                        lambda names, conn: gate.wait(60) and launch(names, conn))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    assert not at.exception
    assert metrics(at) == {"Nodes": "276", "Edges": "543", "Workflows": "51",
                           "Secrets": "47", "Identities": "20", "Systems + resources": "35"}
    waiting = [c for c in captions(at) if c.startswith("Computing in the background")]
    assert len(waiting) == 4  # ranking, its distribution, clusters, findings
    assert not [df for df in at.dataframe if "crown_jewels" in df.value.columns]
    gate.set()
    store_cache.wait_overview(store_cache.store_token(), timeout=120)
    at.run()
    assert not at.exception
    assert not [c for c in captions(at) if c.startswith("Computing in the background")]
    top = {df.value["kind"].iloc[0]: df.value for df in at.dataframe
           if "crown_jewels" in df.value.columns}
    assert top["Workflow"].iloc[0][["name", "crown_jewels", "targets"]].tolist() == [
        "Invoice sync", 3, 6]
    assert any("3 cluster(s), 2 mixing prod and non-prod" in c for c in captions(at))
    assert len(at.get("vega_lite_chart")) == 3
    if store_cache.findings_available():
        assert {"Critical", "High", "Medium", "Low", "Info"} <= set(metrics(at))


def test_blast_radius(app):
    at = page(app, "blast_radius")
    # opens on the Overview's first-ranked source: Invoice sync, 3 crown jewels
    assert at.selectbox(key="blast-node").value == INVOICE_SYNC
    assert at.query_params["node"] == INVOICE_SYNC
    assert metrics(at)["Crown jewels"] == "3"
    at.selectbox(key="blast-node").set_value(DEPLOY).run()
    assert metrics(at) == {"Reachable": "14", "Systems": "1", "Resources": "8",
                           "With admin": "9", "Crown jewels": "2", "Max hops": "6"}
    assert at.query_params["node"] == DEPLOY
    assert "billing\\-db, acme\\-customer\\-pii" in at.warning[0].value
    graph = drawn(at)
    assert len(graph["nodes"]) == 15 and len(graph["edges"]) == 17
    frame = at.dataframe[0].value
    assert len(frame) == 14
    # ops-automation may assume billing-app, which owns the billing database.
    assert frame.iloc[0][["name", "access", "distance"]].tolist() == ["billing-db", "admin", 5]
    assert frame.iloc[0]["path"].endswith("ops-automation -> billing-app -> billing-db")
    at.toggle(key="blast-only-targets").set_value(True).run()
    assert set(at.dataframe[0].value["kind"]) == {"System", "Resource"}
    assert len(at.dataframe[0].value) == 9
    assert [b.label for b in at.get("download_button")] == [
        "Download CSV", "Download JSON", "Download report (HTML)", "Download report (Markdown)"]
    at.number_input(key="blast-depth").set_value(2).run()
    assert metrics(at)["Reachable"] == "2"  # job deploy, gha-deploy


def test_blast_radius_deep_link(sample_dir, monkeypatch):
    monkeypatch.setenv("NHIGRAPH_STORE", str(sample_dir))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.query_params["node"] = "secret:n8n:acme-prod:cred-stripe-live"
    at.run()
    page(at, "blast_radius")
    assert metrics(at)["Reachable"] == "2" and metrics(at)["Crown jewels"] == "1"


def test_inbound(app):
    at = page(app, "inbound")
    jewels = next(c for c in captions(at) if c.startswith("Crown jewels in this store"))
    assert "billing\\-db" in jewels and "acme\\-customer\\-pii" in jewels
    at.selectbox(key="inbound-node").set_value(BILLING_DB).run()
    m = metrics(at)
    assert (m["Can reach it"], m["Workflows"], m["Workspaces"], m["With admin"]) == (
        "22", "5", "2", "14")
    frame = at.dataframe[0].value
    assert len(frame) == 22
    assert set(frame[frame["kind"] == "Workflow"]["name"]) == {
        "infra/deploy.yml", "infra/nightly-backup.yml", "infra/terraform-plan.yml",
        "billing-service/deploy-prod.yml", "billing-service/preview.yml"}
    assert len(drawn(at)["nodes"]) == 23
    at.multiselect(key="inbound-kinds").set_value(["Workflow"]).run()
    assert len(at.dataframe[0].value) == 5


def test_path_finder(app):
    at = page(app, "path_finder")
    at.selectbox(key="path-src").set_value(DEPLOY)
    at.selectbox(key="path-dst").set_value(BILLING_DB).run()
    frame = at.dataframe[0].value
    assert frame["path"].tolist() == [
        "infra/deploy.yml -> infra/deploy.yml job deploy -> gha-deploy -> ops-automation -> "
        "billing-app -> billing-db"]
    assert ("ops-automation -[CAN_ASSUME]-> billing-app (trust policy of billing-app allows "
            "role/ops-automation (sts:AssumeRole))") in frame["explained"][0]
    assert "billing-app -[CAN_ACCESS admin]-> billing-db (" in frame["explained"][0]
    assert len(drawn(at)["nodes"]) == 6 and len(drawn(at)["edges"]) == 5
    # Nothing reaches back from a resource to a workflow.
    at.selectbox(key="path-src").set_value(BILLING_DB)
    at.selectbox(key="path-dst").set_value(DEPLOY).run()
    assert "No access path" in at.warning[0].value


def test_shared_credentials(app):
    at = page(app, "shared_credentials")
    frame = at.dataframe[0].value
    # cluster 1 gains the Langflow flow, the Flowise bot and the Cursor config (P13)
    assert frame["size"].tolist() == [33, 2, 5]
    assert frame["mixed_environments"].tolist() == [True, True, False]
    assert at.subheader[0].value == "Cluster #1"
    assert len(drawn(at)["nodes"]) == 129  # + a workflow, connector and secret per AI platform
    at.selectbox(key="shared-pick").set_value(2).run()
    assert at.subheader[0].value == "Cluster #2"
    creds = at.dataframe[1].value
    assert set(creds["name"]) == {"PROD_DB_URL", "billing-app"}
    graph = drawn(at)
    names = {n["label"].lstrip("\u2605 ") for n in graph["nodes"]}
    assert {"PROD_DB_URL", "billing-app", "billing-service/deploy-prod.yml",
            "billing-service/preview.yml", "billing-db"} <= names
    at.toggle(key="shared-mixed").set_value(True).run()
    assert at.dataframe[0].value["cluster"].tolist() == [1, 2]
    at.toggle(key="shared-mixed").set_value(False)
    at.text_input(key="shared-search").set_value("airflow").run()
    assert at.dataframe[0].value["cluster"].tolist() == [3]
    assert at.subheader[0].value == "Cluster #3"


def test_long_lists_are_cut_worst_and_most_shared_first(app, monkeypatch):
    """Past the limits the Overview lists the worst findings and charts the largest
    clusters, Shared credentials the most shared credentials, and each says so."""
    from explorer import store_cache

    monkeypatch.setattr(store_cache, "FINDINGS_SHOWN", 3)
    monkeypatch.setattr(store_cache, "CLUSTERS_CHARTED", 2)
    monkeypatch.setattr(store_cache, "CREDENTIALS_SHOWN", 4)
    app.run()
    # clusters of 33, 2 and 5 workflows: the chart shows #1 and #3
    assert "The 2 largest of 3 clusters." in captions(app)
    if store_cache.findings_available():
        total = sum(int(v) for k, v in metrics(app).items()
                    if k in ("Critical", "High", "Medium", "Low", "Info"))
        assert f"The worst 3 of {total} findings (by severity, then risk); " \
               "`nhigraph findings` lists them all." in captions(app)
        listed = next(df.value for df in app.dataframe if "rule" in df.value.columns)
        assert len(listed) == 3 and listed["severity"].iloc[0] == "critical"
    at = page(app, "shared_credentials")
    assert ("The 4 most shared of its 21 credentials; Download JSON below lists every one."
            in captions(at))
    creds = at.dataframe[1].value
    assert len(creds) == 4
    # The Slack bot is used by 12 workflows, Jira and Salesforce by 7; of the three used
    # by 5, the first by id (the Flowise flow's Slack token).
    assert creds["workflows"].tolist() == [12, 7, 7, 5]
    assert creds["name"].tolist()[:3] == ["Slack bot (prod)", "Jira automation",
                                          "Salesforce integration user"]
    assert creds["id"].iloc[3].startswith("secret:flowise:acme-support:")


def test_orphaned_paths(app):
    at = page(app, "orphans")
    frame = at.dataframe[0].value
    assert len(frame) == 22
    assert frame["reason"].value_counts().to_dict() == {
        "no_owner": 12, "unused_but_valid": 5, "departed_owner": 2, "retired_but_valid": 2,
        "cloned_inherited": 1}
    at.multiselect(key="orphan-reasons").set_value(["retired_but_valid"]).run()
    frame = at.dataframe[0].value
    assert frame["name"].tolist() == ["Legacy CRM export", "Label bucket cleanup (paused)"]
    graph = drawn(at)
    labels = {n["label"].lstrip("\u2605 ") for n in graph["nodes"]}
    assert {"Legacy CRM export", "Salesforce"} <= labels
    at.multiselect(key="orphan-reasons").set_value(["unused_but_valid"])
    at.text_input(key="orphan-search").set_value("legacy-etl").run()
    assert at.dataframe[0].value["name"].tolist() == ["legacy-etl", "legacy-etl key 1"]


def test_data_view(app):
    at = page(app, "data")
    assert metrics(at) == {"Nodes": "276", "Edges": "543", "Ingest runs": "7"}
    sources = next(df.value for df in at.dataframe if "source" in df.value.columns
                   and len(df.value.columns) == 1)
    assert sources["source"].tolist() == [
        "sample:acme-freight:aws", "sample:acme-freight:flowise-acme-support",
        "sample:acme-freight:github-shipping-api", "sample:acme-freight:inventory",
        "sample:acme-freight:langflow-acme-ops", "sample:acme-freight:mcp-dave-laptop",
        "sample:acme-freight:n8n-acme-ops"]
    assert len(at.file_uploader) == 1


GOOD = b"""nhigraph_inventory: 1
nodes:
  Workflow:
  - {id: "workflow:test:up:1", name: uploaded flow, environment: prod}
  Secret:
  - {id: "secret:test:up:1", name: uploaded key}
edges:
  REFERENCES:
  - {from: "workflow:test:up:1", to: "secret:test:up:1"}
  CAN_ACCESS:
  - {from: "secret:test:up:1", to: "system:aws:111122223333", access: read}
"""


def test_upload_ingests_into_the_store(tmp_path, monkeypatch):
    path = tmp_path / "store"
    load_sample(path)
    monkeypatch.setenv("NHIGRAPH_STORE", str(path))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    page(at, "data")
    at.file_uploader(key="upload-file").set_value(("extra.yaml", GOOD, "application/yaml"))
    at.run()
    assert not at.exception and not at.error
    assert "extra.yaml: 2 nodes (2 new), 2 edges (2 new)" in at.success[0].value.replace("\\", "")
    assert metrics(at)["Nodes"] == "278" and metrics(at)["Ingest runs"] == "8"
    store = EmbeddedStore(path, create=False)
    assert store.get_node("workflow:test:up:1")["name"] == "uploaded flow"
    assert {r["source"] for r in store.runs()} == {
        "sample:acme-freight:aws", "sample:acme-freight:github-shipping-api",
        "sample:acme-freight:inventory", "sample:acme-freight:n8n-acme-ops",
        "sample:acme-freight:langflow-acme-ops", "sample:acme-freight:flowise-acme-support",
        "sample:acme-freight:mcp-dave-laptop", "upload:extra.yaml"}


@pytest.mark.parametrize("name,content,message", [
    ("bad.yaml", b"nodes: [unclosed", "bad.yaml:1:"),
    ("bad.json", b'{"nodes": {"Workflow": [{"name": "no id"}]}}', "bad.json"),
    ("bad.yaml", b"nodes:\n  Robot:\n  - {id: r1}\n", "unknown kind 'Robot'"),
    ("bad.yaml", b"edges:\n  USES:\n  - {from: a, to: b}\n", "missing node 'a'"),
    ("bad.yaml", b"\xff\xfe\x00binary", "not UTF-8 text"),
])
def test_bad_upload_is_one_error_and_changes_nothing(tmp_path, monkeypatch, name, content,
                                                     message):
    path = tmp_path / "store"
    load_sample(path)
    before = {f.name: f.read_bytes() for f in path.iterdir() if f.name != ".lock" and f.is_file()}
    monkeypatch.setenv("NHIGRAPH_STORE", str(path))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    page(at, "data")
    at.file_uploader(key="upload-file").set_value((name, content, "text/plain")).run()
    assert not at.exception
    (error,) = at.error
    text = error.value.replace("\\", "")
    assert message in text and "\n" not in text
    assert "nhigraph-upload-" not in text  # names the uploaded file, not a temp path
    assert {f.name: f.read_bytes() for f in path.iterdir() if f.name != ".lock" and f.is_file()} == before
    assert metrics(at)["Nodes"] == "276"


def test_large_store_takes_a_typed_node_and_bounds_the_graph(tmp_path, monkeypatch):
    # More nodes than the picker lists: a text box takes an id or name instead, and a
    # blast radius of 1,200 resources is drawn as a handful of nodes.
    from explorer import store_cache
    from tests.graphs import load

    nodes = [("wf", "Workflow", {"name": "deploy"}), ("key", "Secret"),
             ("sys", "System", {"name": "aws-prod"})]
    edges = [("wf", "REFERENCES", "key"), ("key", "CAN_ACCESS", "sys", {"access": "admin"})]
    for i in range(1200):
        nodes.append((f"r{i}", "Resource"))
        edges.append(("sys", "CONTAINS", f"r{i}"))
    load(EmbeddedStore(tmp_path / "store"), (nodes, edges))
    monkeypatch.setattr(store_cache, "PICKER_MAX_NODES", 1000)
    monkeypatch.setenv("NHIGRAPH_STORE", str(tmp_path / "store"))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    page(at, "blast_radius")
    assert len(at.selectbox) == 1 and len(at.main.text_input) == 1  # unknown-as; node box
    at.text_input(key="blast-node").set_value("nope").run()
    assert at.error[0].value.replace("\\", "") == "no node with id or name 'nope'"
    at.text_input(key="blast-node").set_value("deploy").run()
    assert metrics(at)["Reachable"] == "1202" and metrics(at)["Resources"] == "1200"
    graph = drawn(at)
    assert sorted(n["id"] for n in graph["nodes"]) == ["group:sys:Resource", "key", "sys",
                                                       "wf"]
    assert "1200 Resources reached through aws\\-prod are collapsed" in at.info[0].value
    assert len(at.dataframe[0].value) == 1202  # the table still lists everything


FINDING_ROWS = [
    {"rule": "shared-prod-credential", "title": "Prod key in a dev flow", "severity": "high",
     "owasp": "NHI9:2025", "nist": ["PR.AA-05"], "nodes": ["a", "b"], "paths": [],
     "remediation": "rotate", "risk": 8},
    {"rule": "orphan", "title": "No owner", "severity": "medium", "owasp": "NHI1:2025",
     "nist": [], "nodes": ["c"], "paths": [], "remediation": "assign", "risk": 5},
    {"rule": "admin", "title": "Admin everywhere", "severity": "critical",
     "owasp": "NHI5:2025", "nist": [], "nodes": ["d"], "paths": [], "remediation": "scope",
     "risk": 10},
]


def test_overview_shows_findings_by_severity(app, sample_dir, monkeypatch):
    """With queries.findings present (findings(store) -> Result of rows with severity),
    the Overview counts them by severity. Until that module is merged a stand-in with its
    documented interface is used; once it exists, the real one is."""
    import sys
    import types

    from explorer import store_cache
    from queries.results import Result

    if not store_cache.findings_available():
        stub = types.ModuleType("queries.findings")
        stub.findings = lambda store: Result(rows=FINDING_ROWS, rows_key="findings")
        monkeypatch.setitem(sys.modules, "queries.findings", stub)
        expected = {"Critical": "1", "High": "1", "Medium": "1", "Low": "0", "Info": "0"}
    else:
        from queries.findings import findings

        rows = findings(EmbeddedStore(sample_dir, create=False)).rows
        expected = {s.capitalize(): str(sum(1 for r in rows if r["severity"] == s))
                    for s in ("critical", "high", "medium", "low", "info")}
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    assert not at.exception
    assert {k: v for k, v in metrics(at).items() if k in expected} == expected
    frame = next(df.value for df in at.dataframe if "severity" in df.value.columns)
    assert frame["severity"].tolist()[0] == "critical"
    assert len(frame) == sum(int(v) for v in expected.values())


def test_store_config_reads_the_cli_environment(monkeypatch):
    from explorer.store_cache import store_config

    monkeypatch.delenv("NEO4J_URI", raising=False)
    monkeypatch.setenv("NHIGRAPH_STORE", "/data/estate")
    assert store_config() == {"backend": "embedded", "location": "/data/estate"}
    monkeypatch.setenv("NEO4J_URI", "bolt://neo4j:s3cret@db.example:7687")
    monkeypatch.setenv("NEO4J_DATABASE", "nhi")
    assert store_config() == {"backend": "neo4j", "location": "bolt://neo4j:***@db.example:7687",
                              "database": "nhi"}


def test_exposure(app):
    at = page(app, "exposure")
    # the n8n/GitHub seven, the public Flowise bot (E5) and the keyed Langflow flow
    assert metrics(at) == {"Entry points": "9", "Outside actors": "6", "Unauthenticated": "6",
                           "Reach crown jewels": "1", "Gated": "1"}
    frame = at.dataframe[0].value
    assert frame["workflow"].tolist()[:2] == ["Customer support chat", "Carrier delay tickets"]
    assert frame["crown jewels"].tolist()[0] == "sf-Contact, Salesforce"
    # The first entry point drawn: anyone -> the chat workflow -> its agent -> Salesforce.
    labels = {n["label"].lstrip("\u2605 ") for n in drawn(at)["nodes"]}
    assert {"anyone on the internet", "Customer support chat",
            "Customer support chat / Support a\u2026", "Salesforce support",
            "Salesforce"} <= labels
    at.text_input(key="exposure-search").set_value("pr-preview").run()
    frame = at.dataframe[0].value
    assert frame["workflow"].tolist() == ["PR preview"] and frame["gated"].tolist() == [2]
    assert any(c.startswith("Behind a gate: ") and "required reviewers \\(platform\\)" in c
               for c in captions(at))  # Markdown-escaped text
    at.text_input(key="exposure-search").set_value("")
    at.checkbox(key="exposure-outside").check().run()
    assert len(at.dataframe[0].value) == 6


def test_sidebar_search_opens_the_picked_node(app):
    at = app
    at.sidebar.text_input(key="node-search").set_value("stripe live").run()
    stripe = "secret:n8n:acme-prod:cred-stripe-live"
    hits = [b.label for b in at.sidebar.button]
    assert hits[:3] == ["Stripe live secret key \u00b7 Secret", "Stripe key \\(copied\\) \u00b7 Secret",
                        "Stripe \u00b7 System"]
    at.button(key=f"node-search-hit-{stripe}").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.query_params["node"] == stripe
    assert at.title[0].value == "Blast radius"
    assert metrics(at)["Reachable"] == "2" and metrics(at)["Crown jewels"] == "1"
    # a resource opens on Inbound, found despite the typo
    at.sidebar.text_input(key="node-search").set_value("biling-db").run()
    billing = "resource:aws:arn:aws:rds:us-east-1:111122223333:db:billing"
    at.button(key=f"node-search-hit-{billing}").click().run()
    assert at.query_params["target"] == billing
    assert at.title[0].value.startswith("Inbound")
    at.sidebar.text_input(key="node-search").set_value("zzzzqqqq").run()
    assert "No matching node." in captions(at)


def test_pasted_url_lands_on_the_view_and_node(sample_dir, monkeypatch):
    monkeypatch.setenv("NHIGRAPH_STORE", str(sample_dir))
    billing = "resource:aws:arn:aws:rds:us-east-1:111122223333:db:billing"
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.query_params["view"] = "inbound"
    at.query_params["target"] = billing
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.title[0].value.startswith("Inbound")
    assert at.selectbox(key="inbound-node").value == billing
    assert "view" not in at.query_params and at.query_params["target"] == billing
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.query_params["view"] = "blast-radius"
    at.query_params["node"] = "secret:n8n:acme-prod:cred-stripe-live"
    at.run()
    assert metrics(at)["Reachable"] == "2" and metrics(at)["Crown jewels"] == "1"
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.query_params["view"] = "no-such-view"
    at.run()
    assert at.warning[0].value == ("No view no\\-such\\-view; views: blast-radius, changes, "
                                   "data, exposure, inbound, orphaned-paths, overview, path-finder, "
                                   "shared-credentials, what-if")
