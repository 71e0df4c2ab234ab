"""What each explorer page opens on when the URL names nothing, that a URL's node wins, and
the "Download report" buttons, driven by Streamlit's AppTest on the sample estate.

Expected defaults, worked out with the CLI on the sample estate (``nhigraph demo``):
- Blast radius: ``blast-radius workflow:n8n:acme-prod:invoice-sync`` reaches 13 nodes, 6 of
  them systems and resources, 3 crown jewels (sf-Contact, Salesforce, Stripe): the
  Overview's first row.
- Inbound: of the seven crown jewels, ``inbound resource:salesforce:acme:Contact`` has 27
  sources, the most (Salesforce 26, billing-db 22, Stripe 21, acme-customer-pii 19,
  snowflake-FINANCE 12, NetSuite 5).
- Path finder: ``findings`` ranks agent-tools-exposed (critical, risk 54) first; its
  evidence runs from actor:anyone to system:saas:salesforce:acme, and ``path`` finds one
  4-hop path: anyone -> Customer support chat -> its Salesforce connector -> Salesforce
  support -> Salesforce.
- Shared credentials: cluster #1, 33 workflows, is the biggest of 33, 2 and 5.

The report downloads are deferred (built when clicked): the test catches the function
Streamlit registers for each button and runs it, as a click does.
"""

from __future__ import annotations

import pytest
import yaml
from click.testing import CliRunner
from streamlit.runtime.media_file_manager import MediaFileManager
from streamlit.testing.v1 import AppTest

import cli
from tests.test_explorer_app import (
    BILLING_DB,
    DEPLOY,
    INVOICE_SYNC,
    PII,
    ROOT,
    captions,
    drawn,
    load_sample,
    metrics,
    page,
)

CONTACT = "resource:salesforce:acme:Contact"
SALESFORCE = "system:saas:salesforce:acme"
ANYONE = "actor:anyone"
CANARY = "CANARYdefaultsx7f3a9c21b04e58d6aa10"


@pytest.fixture(scope="module")
def sample_dir(tmp_path_factory):
    path = tmp_path_factory.mktemp("explorer-defaults") / "store"
    load_sample(path)
    return path


@pytest.fixture
def reports(monkeypatch) -> dict[str, object]:
    """file name -> the function a download button will run when clicked."""
    caught: dict[str, object] = {}
    real = MediaFileManager.add_deferred

    def spy(self, fn, mimetype, coordinates, file_name=None, **kw):
        caught[file_name] = fn
        return real(self, fn, mimetype, coordinates, file_name=file_name, **kw)

    monkeypatch.setattr(MediaFileManager, "add_deferred", spy)
    return caught


def opened(sample_dir, monkeypatch, view: str, **params) -> AppTest:
    monkeypatch.setenv("NHIGRAPH_STORE", str(sample_dir))
    monkeypatch.delenv("NEO4J_URI", raising=False)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
    for k, v in params.items():
        at.query_params[k] = v
    at.run()
    return page(at, view)


def why(at) -> str:
    (note,) = [c.replace("\\", "") for c in captions(at) if c.startswith("Opened on ")]
    return note


def labels(at) -> list[str]:
    return [b.label for b in at.get("download_button")]


REPORT_BUTTONS = ["Download CSV", "Download JSON", "Download report (HTML)",
                  "Download report (Markdown)"]


def test_blast_radius_default_says_why_and_downloads_the_cli_report(sample_dir, monkeypatch,
                                                                    reports):
    at = opened(sample_dir, monkeypatch, "blast_radius")
    assert at.selectbox(key="blast-node").value == INVOICE_SYNC
    assert why(at) == ("Opened on Invoice sync: widest blast radius of any workflow or "
                       "secret: 3 crown jewel(s), 6 system(s) and resource(s), 13 node(s) "
                       "reached. Pick another node above, or link one with the URL.")
    assert labels(at) == REPORT_BUTTONS
    html = reports["blast-radius-Invoice_sync.html"]()
    md = reports["blast-radius-Invoice_sync.md"]()
    assert "<title>Blast radius of Invoice sync</title>" in html
    assert md.startswith("# Blast radius of Invoice sync\n")
    for name in ("sf-Contact", "Salesforce", "Stripe"):
        assert name in html and name in md
    # Another node: no "opened on", and the report follows the choice.
    at.selectbox(key="blast-node").set_value(DEPLOY).run()
    assert not [c for c in captions(at) if c.startswith("Opened on ")]
    md = reports["blast-radius-infra_deploy.yml.md"]()
    assert md.startswith("# Blast radius of infra/deploy.yml\n")
    assert "billing-db" in md and "acme-customer-pii" in md


def test_blast_radius_url_node_wins(sample_dir, monkeypatch):
    at = opened(sample_dir, monkeypatch, "blast_radius", node=DEPLOY)
    assert at.selectbox(key="blast-node").value == DEPLOY
    assert metrics(at)["Reachable"] == "14"
    assert not [c for c in captions(at) if c.startswith("Opened on ")]
    # The default was not even worked out, and a rerun (URL now filled in) keeps to that.
    assert at.session_state["blast-node-default"] == {"linked": True, "token": None,
                                                      "value": None}
    at.number_input(key="blast-depth").set_value(1).run()
    assert at.session_state["blast-node-default"]["value"] is None
    assert at.selectbox(key="blast-node").value == DEPLOY


def test_inbound_opens_on_the_most_reached_crown_jewel(sample_dir, monkeypatch, reports):
    at = opened(sample_dir, monkeypatch, "inbound")
    assert at.selectbox(key="inbound-node").value == CONTACT
    assert at.query_params["target"] == CONTACT
    assert metrics(at)["Can reach it"] == "27"
    assert why(at) == ("Opened on sf-Contact: the crown jewel the most nodes can reach: 27 "
                       "can reach it. Pick another node above, or link one with the URL.")
    assert labels(at) == REPORT_BUTTONS
    md = reports["inbound-sf-Contact.md"]()
    assert md.startswith("# Who can reach sf-Contact\n")
    assert "| Can reach it | 27 |" in md
    assert "Customer support chat" in md and "anyone on the internet" in md
    html = reports["inbound-sf-Contact.html"]()
    assert "<title>Who can reach sf-Contact</title>" in html and "<svg" in html


def test_inbound_url_target_wins(sample_dir, monkeypatch):
    at = opened(sample_dir, monkeypatch, "inbound", target=BILLING_DB)
    assert at.selectbox(key="inbound-node").value == BILLING_DB
    assert metrics(at)["Can reach it"] == "22"
    assert not [c for c in captions(at) if c.startswith("Opened on ")]


def test_path_finder_opens_on_the_worst_finding(sample_dir, monkeypatch, reports):
    at = opened(sample_dir, monkeypatch, "path_finder")
    assert at.selectbox(key="path-src").value == ANYONE
    assert at.selectbox(key="path-dst").value == SALESFORCE
    assert why(at).startswith("Opened on anyone on the internet \u2192 Salesforce: the two "
                              "ends of the worst finding: critical ")
    assert "(agent-tools-exposed, risk 54.0)" in why(at)
    assert at.dataframe[0].value["path"].tolist() == [
        "anyone on the internet -> Customer support chat -> Customer support chat / Look up "
        "customer -> Salesforce support -> Salesforce"]
    assert len(drawn(at)["nodes"]) == 5
    assert labels(at) == REPORT_BUTTONS
    md = reports["paths.md"]()
    assert md.startswith("# Access paths from anyone on the internet to Salesforce\n")
    assert "| Hops on each | 4 |" in md
    assert "CAN\\_TRIGGER" in md and "Salesforce support" in md
    # The note stays while the default is shown, and goes once another end is picked.
    at.number_input(key="path-limit").set_value(3).run()
    assert why(at).startswith("Opened on anyone on the internet")
    at.selectbox(key="path-dst").set_value(CONTACT).run()
    assert not [c for c in captions(at) if c.startswith("Opened on ")]


def test_path_finder_url_wins_even_with_one_end(sample_dir, monkeypatch):
    at = opened(sample_dir, monkeypatch, "path_finder", **{"from": DEPLOY, "to": PII})
    assert (at.selectbox(key="path-src").value, at.selectbox(key="path-dst").value) == (
        DEPLOY, PII)
    assert not [c for c in captions(at) if c.startswith("Opened on ")]
    at = opened(sample_dir, monkeypatch, "path_finder", **{"from": DEPLOY})
    assert at.selectbox(key="path-src").value == DEPLOY
    assert at.selectbox(key="path-dst").value is None  # not the default's Salesforce
    assert "Choose where access starts" in at.info[0].value


def test_shared_credentials_opens_on_the_biggest_cluster(sample_dir, monkeypatch, reports):
    at = opened(sample_dir, monkeypatch, "shared_credentials")
    assert at.selectbox(key="shared-pick").value == 1
    assert at.subheader[0].value == "Cluster #1"
    assert why(at) == ("Opened on cluster #1: the biggest cluster, 33 workflows share its "
                       "credentials. Pick another node above, or link one with the URL.")
    at.selectbox(key="shared-pick").set_value(2).run()
    assert labels(at) == REPORT_BUTTONS
    md = reports["shared-credential-cluster-2.md"]()
    assert md.startswith("# Shared-credential cluster 2: 2 workflows\n")
    assert "| Shared credentials | PROD\\_DB\\_URL, billing-app |" in md
    assert "billing-service/deploy-prod.yml" in md and "billing-service/preview.yml" in md


def test_shared_credentials_url_node_picks_its_cluster(sample_dir, monkeypatch):
    wf = "workflow:github:acme/billing-service:.github/workflows/preview.yml"
    at = opened(sample_dir, monkeypatch, "shared_credentials", node=wf)
    assert at.subheader[0].value == "Cluster #2"
    assert why(at).startswith("Opened on cluster #2: it holds billing-service/preview.yml")


def test_exposure_selects_the_first_ranked_entry_point(sample_dir, monkeypatch):
    at = opened(sample_dir, monkeypatch, "exposure")
    assert at.selectbox(key="exposure-pick").value == 1
    assert why(at).startswith("Opened on anyone on the internet \u2192 Customer support chat: "
                              "ranked first")


def test_report_download_holds_names_never_a_secret_value(tmp_path, monkeypatch, reports):
    # A secret whose value is in the ingested file: the ingest keeps a fingerprint only,
    # and the report of the page's default node names the nodes and not the value. The
    # workflow reaches two systems (one a crown jewel), more than either secret: it is the
    # Blast radius default; Bank API is the only crown jewel: the Inbound default.
    doc = {"nhigraph_inventory": 1,
           "nodes": {"Workflow": [{"id": "workflow:t:nightly", "name": "Nightly payout"}],
                     "Secret": [{"id": "secret:t:payout", "name": "payout key",
                                 "value": CANARY},
                                {"id": "secret:t:audit", "name": "audit token"}],
                     "System": [{"id": "system:t:bank", "name": "Bank API",
                                 "crown_jewel": True},
                                {"id": "system:t:ledger", "name": "Ledger"}]},
           "edges": {"REFERENCES": [{"from": "workflow:t:nightly", "to": "secret:t:payout"},
                                    {"from": "workflow:t:nightly", "to": "secret:t:audit"}],
                     "CAN_ACCESS": [{"from": "secret:t:payout", "to": "system:t:bank",
                                     "access": "admin"},
                                    {"from": "secret:t:audit", "to": "system:t:ledger",
                                     "access": "read"}]}}
    src = tmp_path / "estate.yaml"
    src.write_text(yaml.safe_dump(doc))
    store = tmp_path / "store"
    res = CliRunner().invoke(cli.cli, ["ingest", "inventory", str(src), "--store", str(store)])
    assert res.exit_code == 0, res.output
    for view, stem in (("blast_radius", "blast-radius-Nightly_payout"),
                       ("inbound", "inbound-Bank_API")):
        at = opened(store, monkeypatch, view)
        assert why(at).startswith("Opened on " + ("Nightly payout" if view == "blast_radius"
                                                  else "Bank API"))
        for ext in ("html", "md"):
            body = reports[f"{stem}.{ext}"]()
            assert "Nightly payout" in body and "payout key" in body and "Bank API" in body
            assert CANARY not in body and CANARY[:16] not in body


def test_overview_selects_the_worst_finding_and_opens_its_evidence(sample_dir, monkeypatch):
    monkeypatch.setenv("NHIGRAPH_STORE", str(sample_dir))
    monkeypatch.delenv("NEO4J_URI", raising=False)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90).run()
    assert not at.exception
    assert at.session_state["findings-pick"] == 0
    shown = [c.replace("\\", "") for c in captions(at)]
    assert "Selected: the worst finding (highest severity, then risk); click a row for " \
           "another." in shown
    # agent-tools-exposed, critical, risk 54: the same finding the Path finder opens on.
    assert any(m.value.replace("\\", "").startswith("**CRITICAL** Outside input steers an AI "
                                                    "agent") for m in at.markdown)
    assert ("Evidence: anyone on the internet \u2192 Customer support chat \u2192 Customer "
            "support chat / Support agent \u2192 Customer support chat / Look up customer "
            "\u2192 Salesforce support \u2192 Salesforce") in shown
    at.button(key="findings-open").click().run()
    assert not at.exception
    assert at.title[0].value == "Path finder"
    assert (at.selectbox(key="path-src").value, at.selectbox(key="path-dst").value) == (
        ANYONE, SALESFORCE)
