"""The bundled sample estate: every planted problem (sample_estate/README.md) is found.

The estate is loaded through whatever sources sample_estate.sources() lists, so these
assertions keep holding as its parts move from hand-written inventory to real exports.
"""

from __future__ import annotations

import pytest

import sample_estate
from graph.embedded import EmbeddedStore
from queries import blast_radius, inbound, orphaned_paths, shared_credentials, shortest_paths

DEPLOY = "workflow:github:acme/infra:.github/workflows/deploy.yml"
ACCT = "system:aws:111122223333"
PII = "resource:aws:arn:aws:s3:::acme-customer-pii"
ROLE = "identity:aws:arn:aws:iam::111122223333:role/"
AS_OF = "2026-11-24T00:00:00Z"


@pytest.fixture(scope="module")
def estate(tmp_path_factory):
    return sample_estate.load(EmbeddedStore(tmp_path_factory.mktemp("estate")))


@pytest.fixture(scope="module")
def orphans(estate):
    return {(o["node"], o["reason"]): o for o in orphaned_paths(estate, as_of=AS_OF).rows}


def test_estate_is_a_few_hundred_nodes(estate):
    n = sum(estate.counts()["nodes"].values())
    assert 180 <= n <= 1000
    assert set(estate.counts()["nodes"]) == {"Owner", "Workspace", "Vault", "System", "Resource",
                                             "Identity", "Secret", "Workflow", "Connector",
                                             "Actor", "Agent"}


def test_p1_stripe_key_shared_between_prod_and_dev(estate):
    clusters = shared_credentials(estate).rows
    prod, dev = "secret:n8n:acme-prod:cred-stripe-live", "secret:n8n:acme-dev:cred-stripe-live-copy"
    [c] = [c for c in clusters if prod in c["secrets"]]
    assert c["mixed_environments"] is True
    assert {prod, dev} <= set(c["mixing_credentials"])
    details = {d["id"]: d for d in c["credentials"]}
    assert details[prod]["workflows"] == ["workflow:n8n:acme-dev:invoice-sync-dev",
                                          "workflow:n8n:acme-prod:invoice-sync",
                                          "workflow:n8n:acme-prod:payment-failure-alerts",
                                          "workflow:n8n:acme-prod:refund-approvals"]
    assert details[prod]["environments"] == ["dev", "prod"]
    # the dev copy opens Stripe with admin: a dev flow holds a live prod key
    br = {r["id"]: r["access"] for r in blast_radius(estate, "workflow:n8n:acme-dev:invoice-sync-dev").rows}
    assert br["system:saas:stripe:acme"] == "admin"


def test_p1b_prod_database_secret_in_a_dev_github_workflow(estate):
    secret = "secret:github:acme/billing-service:PROD_DB_URL"
    [c] = [c for c in shared_credentials(estate).rows if secret in c["secrets"]]
    assert secret in c["mixing_credentials"]
    assert "workflow:github:acme/billing-service:.github/workflows/preview.yml" in c["workflows"]


def test_p2_retired_workflow_whose_token_still_works(orphans):
    o = orphans[("workflow:n8n:acme-prod:legacy-crm-export", "retired_but_valid")]
    assert "system:saas:salesforce:acme" in o["reaches"]
    assert "resource:salesforce:acme:Contact" in o["reaches"]  # a crown jewel, by containment
    assert ("secret:n8n:acme-prod:cred-salesforce-legacy", "unused_but_valid") in orphans


def test_p3_departed_owner(orphans):
    for node, reach in (("workflow:n8n:acme-prod:vendor-payments-sync", "system:saas:netsuite:acme"),
                        ("secret:vault:acme-prod:netsuite-token", "system:saas:netsuite:acme")):
        o = orphans[(node, "departed_owner")]
        assert o["owner"] == ["owner:acme:bob"]
        assert reach in o["reaches"]


def test_p4_cloned_workflow_inherits_tokens(orphans):
    o = orphans[("workflow:n8n:acme-prod:lead-enrichment-copy", "cloned_inherited")]
    assert "system:saas:salesforce:acme" in o["reaches"]
    assert "system:saas:clearbit:acme" in o["reaches"]


def test_p5_identity_chain_to_admin(estate):
    r = blast_radius(estate, DEPLOY)
    rows = {row["id"]: row for row in r.rows}
    assert rows[ACCT]["access"] == "admin"
    assert rows[ACCT]["path"][-4:] == [ROLE + "gha-deploy", ROLE + "ops-automation",
                                       ROLE + "OrganizationAccountAccessRole", ACCT]
    assert rows[PII]["access"] == "admin" and rows[PII]["crown_jewel"] is True
    assert PII in r.summary["crown_jewels"]
    paths = shortest_paths(estate, DEPLOY, PII).rows
    assert paths and paths[0]["path"][0] == DEPLOY and paths[0]["path"][-1] == PII
    # who can reach the crown jewel includes the GitHub deploy workflow, with admin
    who = {row["id"]: row["access"] for row in inbound(estate, PII).rows}
    assert who[DEPLOY] == "admin"


def test_p6_unused_but_valid_credentials(orphans):
    for node in ("secret:vault:acme-prod:datadog-api-key-old",
                 "identity:aws:arn:aws:iam::111122223333:user/legacy-etl"):
        assert (node, "unused_but_valid") in orphans
    legacy_key = [k for k, _ in orphans if "LEGACYETL" in k]
    assert legacy_key, "the legacy-etl access key is unused but valid"


def test_p7_marketing_instance_nobody_owns(orphans):
    assert ("workflow:n8n:acme-marketing:webinar-leads-to-hubspot", "no_owner") in orphans
    assert ("secret:n8n:acme-marketing:cred-hubspot-marketing", "no_owner") in orphans


def test_p8_embedded_token_is_fingerprinted_not_stored(estate):
    # the n8n side's only embedded secret (P13's Slack token is pasted into the AI platforms)
    [s] = [n for n in estate.nodes("Secret") if n.get("store") == "embedded"
           and n["id"].startswith("secret:n8n:")]
    assert s["fingerprint"].startswith("hmac-sha256:")
    for node in estate.nodes():
        assert "demo-shipbridge-token-not-real" not in repr(node)
    who = {r["id"] for r in inbound(estate, s["id"]).rows}
    assert "workflow:n8n:acme-prod:shipment-status-webhook" in who


def test_clean_parts_raise_nothing(orphans):
    flagged = {node for node, _ in orphans}
    for clean in ("workflow:n8n:acme-prod:invoice-sync", "workflow:n8n:acme-prod:incident-paging",
                  "workflow:airflow:acme-data:daily_finance_load", DEPLOY,
                  "secret:vault:acme-prod:pagerduty-routing-key"):
        assert clean not in flagged
