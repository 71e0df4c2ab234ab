"""The sample estate's planted problems (sample_estate/README.md) each appear as findings,
and the command line gates on severity."""

from __future__ import annotations

import json
from collections import Counter

import pytest
from click.testing import CliRunner

import sample_estate
from cli import cli
from graph.embedded import EmbeddedStore
from queries.findings import findings

AS_OF = "2026-11-24T00:00:00Z"
N8N, DEV = "workflow:n8n:acme-prod:", "workflow:n8n:acme-dev:"
STRIPE = "secret:n8n:acme-prod:cred-stripe-live"
ROLE = "identity:aws:arn:aws:iam::111122223333:"
DEPLOY = "workflow:github:acme/infra:.github/workflows/deploy.yml"

#: Each planted problem's rule fires at least this often (the estate grows as sources are
#: added, so these are floors; the exact list at the time of writing is in docs/findings.md).
AT_LEAST = {
    "admin-grant": 7, "ci-static-cloud-key": 1, "cloned-workflow-credentials": 1,
    "departed-owner": 2, "no-owner": 2, "prod-credential-in-non-prod": 2,
    "retired-but-valid": 1, "secret-embedded": 1, "secret-not-rotated": 7,
    "shared-credential": 2, "static-cloud-key": 2, "unused-but-valid": 3,
}


@pytest.fixture(scope="module")
def estate_dir(tmp_path_factory):
    path = tmp_path_factory.mktemp("estate")
    sample_estate.load(EmbeddedStore(path))
    return path


@pytest.fixture(scope="module")
def rows(estate_dir):
    return findings(EmbeddedStore(estate_dir), as_of=AS_OF).rows


def first(rows, rule, node):
    hits = [f for f in rows if f["rule"] == rule and f["nodes"][0] == node]
    assert hits, f"no {rule} finding for {node}"
    return hits[0]


def test_every_planted_rule_fires(rows):
    counts = Counter(f["rule"] for f in rows)
    assert {r: counts[r] for r in AT_LEAST} == {r: max(counts[r], n) for r, n in AT_LEAST.items()}
    ids = [f["id"] for f in rows]
    assert len(ids) == len(set(ids))  # one finding per rule and subject


def test_ranked_by_risk(rows):
    risks = [f["risk"] for f in rows]
    assert risks == sorted(risks, reverse=True) and risks[0] > 0


def test_p1_prod_stripe_key_in_dev(rows):
    f = first(rows, "prod-credential-in-non-prod", DEV + "invoice-sync-dev")
    assert f["severity"] == "critical" and f["nodes"][1:] == [STRIPE]
    assert f["paths"] == [[DEV + "invoice-sync-dev", "connector:n8n:acme-dev:invoice-sync-dev:"
                           "stripe_copy", "secret:n8n:acme-dev:cred-stripe-live-copy", STRIPE]]
    [cluster] = [f for f in rows if f["rule"] == "shared-credential" and STRIPE in f["nodes"]]
    assert cluster["severity"] == "high" and cluster["owasp"] == "NHI9:2025"


def test_p1b_prod_db_url_in_dev_preview(rows):
    f = first(rows, "prod-credential-in-non-prod",
              "workflow:github:acme/billing-service:.github/workflows/preview.yml")
    assert "secret:github:acme/billing-service:PROD_DB_URL" in f["nodes"]


def test_p2_retired_workflow_with_valid_token(rows):
    f = first(rows, "retired-but-valid", N8N + "legacy-crm-export")
    assert f["severity"] == "critical" and f["owasp"] == "NHI1:2025"
    first(rows, "unused-but-valid", "secret:n8n:acme-prod:cred-salesforce-legacy")


def test_p3_departed_owner(rows):
    for node in (N8N + "vendor-payments-sync", "secret:vault:acme-prod:netsuite-token"):
        assert first(rows, "departed-owner", node)["nodes"][1:] == ["owner:acme:bob"]


def test_p4_cloned_workflow(rows):
    f = first(rows, "cloned-workflow-credentials", N8N + "lead-enrichment-copy")
    assert f["nodes"][1] == N8N + "lead-enrichment"


def test_p5_chain_to_admin_is_evidenced_from_deploy_yml(rows):
    f = first(rows, "admin-grant", ROLE + "role/OrganizationAccountAccessRole")
    assert f["severity"] == "high"
    assert [DEPLOY, "connector:github:acme/infra:.github/workflows/deploy.yml:deploy",
            ROLE + "role/gha-deploy", ROLE + "role/ops-automation",
            ROLE + "role/OrganizationAccountAccessRole", "system:aws:111122223333"] in f["paths"]


def test_p6_unused_credentials(rows):
    for node in ("secret:vault:acme-prod:datadog-api-key-old", ROLE + "user/legacy-etl",
                 "secret:aws:AKIAACMELEGACYETL001"):
        first(rows, "unused-but-valid", node)


def test_p7_unowned_marketing_instance(rows):
    first(rows, "no-owner", "workflow:n8n:acme-marketing:webinar-leads-to-hubspot")
    first(rows, "no-owner", "secret:n8n:acme-marketing:cred-hubspot-marketing")


def test_p8_embedded_token(rows):
    f = first(rows, "secret-embedded",
              "secret:n8n:acme-prod:embedded:shipment-status-webhook:http")
    assert f["owasp"] == "NHI2:2025" and N8N + "shipment-status-webhook" in f["nodes"]
    assert "demo-shipbridge-token" not in json.dumps(rows)


def test_p9_static_long_lived_aws_keys(rows):
    for key in ("secret:n8n:acme-prod:cred-aws-svc-n8n",
                "secret:github:acme/infra:AWS_BACKUP_ACCESS_KEY"):
        assert first(rows, "static-cloud-key", key)["owasp"] == "NHI4:2025"
        assert first(rows, "secret-not-rotated", key)["severity"] == "high"
    assert first(rows, "ci-static-cloud-key",
                 "secret:github:acme/infra:AWS_BACKUP_ACCESS_KEY")["owasp"] == "NHI6:2025"


def test_clean_workflows_are_not_named(rows):
    named = {n for f in rows for n in f["nodes"][:1]}
    for clean in (N8N + "incident-paging", "secret:vault:acme-prod:pagerduty-routing-key",
                  DEPLOY):
        assert clean not in named


def run(*args):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def test_cli_findings_json_csv_and_fail_on(estate_dir):
    store = ["--store", str(estate_dir), "--as-of", AS_OF]
    res = run("findings", "--format", "json", *store)
    assert res.exit_code == 0
    data = json.loads(res.output)
    assert len(data["findings"]) == len(findings(EmbeddedStore(estate_dir), as_of=AS_OF).rows)
    assert run("findings", "--fail-on", "critical", *store).exit_code == 1
    low = run("findings", "--fail-on", "critical", "--rule", "password-auth", *store)
    assert low.exit_code == 0
    csv = run("findings", "--format", "csv", "--rule", "secret-embedded", *store).output
    assert csv.splitlines()[0] == "severity,risk,rule,owasp,title,detail,nodes"
    # acme-prod's hard-coded ShipBridge token (P8) and the Slack token pasted into the
    # Langflow flow, the Flowise agent and the Cursor MCP config (P13)
    assert len(csv.splitlines()) == 5
    bad = CliRunner().invoke(cli, ["findings", "--rule", "nope", *store])
    assert bad.exit_code == 2 and "unknown rule 'nope'" in bad.output
    bad = CliRunner().invoke(cli, ["findings", "--as-of", "yesterday", *store[:2]])
    assert bad.exit_code == 2 and "--as-of" in bad.output
