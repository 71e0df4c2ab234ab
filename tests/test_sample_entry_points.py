"""The sample estate's planted entry points (sample_estate/README.md, E1-E4), loaded from its
real-format n8n and GitHub exports, found by ``entry-points`` and the exposure findings."""

from __future__ import annotations

import pytest

import sample_estate
from graph.embedded import EmbeddedStore
from queries import blast_radius, entry_points, findings

AS_OF = "2026-11-24T00:00:00Z"
OPS = "workflow:n8n:acme-ops:"
PR = "workflow:github:acme/shipping-api:.github/workflows/pr-preview.yml"
REPO = "acme/shipping-api"
GATE = "environment production: required reviewers (platform)"
AGENT = "agent:n8n:acme-ops:ops-customer-chat:9a1f3c20-5e77-4c1b-a0d4-000000000012"
BOT = "workflow:flowise:acme-support:7b1e2c9d-0f3a-4d5e-b6a7-acme5upp0rt1"
HANDOVER = "workflow:langflow:acme-ops:5d0c7e2a-9b41-4f6e-8a13-acme0ps0hand"
EXPOSURE = ("unauthenticated-trigger", "untrusted-trigger-with-secrets", "agent-tools-exposed",
            "trigger-reaches-crown-jewel")


@pytest.fixture(scope="module")
def estate(tmp_path_factory):
    return sample_estate.load(EmbeddedStore(tmp_path_factory.mktemp("estate")))


@pytest.fixture(scope="module")
def rows(estate):
    return {(r["actor"], r["workflow"]): r for r in entry_points(estate, as_of=AS_OF).rows}


@pytest.fixture(scope="module")
def found(estate):
    return {(f["rule"], f["nodes"][0]): f
            for f in findings(estate, as_of=AS_OF, rules=EXPOSURE).rows}


def test_every_entry_point_of_the_estate(rows):
    """Hand-checked: three n8n webhooks/chats open to anyone, pr-preview.yml for any GitHub
    user, ci.yml (pull_request: writers, and forks behind the gate), deploy.yml (writers);
    the public Flowise support bot (E5) for anyone, the Langflow handover agent for holders
    of a Langflow API key."""
    assert {(a, w, r["authentication"], r["gate"]) for (a, w), r in rows.items()} == {
        ("actor:anyone", BOT, "none", None),
        ("actor:langflow:acme-ops:api-key-holders", HANDOVER, "header", None),
        ("actor:anyone", OPS + "ops-customer-chat", "none", None),
        ("actor:anyone", OPS + "ops-carrier-delay", "none", None),
        ("actor:anyone", OPS + "ops-label-reprint", "none", None),
        ("actor:github:any-user", PR, "none", None),
        ("actor:github:any-user", f"workflow:github:{REPO}:.github/workflows/ci.yml", "none",
         "fork pull request: no secrets, read-only GITHUB_TOKEN"),
        (f"actor:github:{REPO}:writers", f"workflow:github:{REPO}:.github/workflows/ci.yml",
         "platform-user", None),
        (f"actor:github:{REPO}:writers", f"workflow:github:{REPO}:.github/workflows/deploy.yml",
         "platform-user", None),
    }


def test_e1_public_webhook_reaches_the_prod_aws_key(rows, found, estate):
    r = rows[("actor:anyone", OPS + "ops-label-reprint")]
    assert r["secrets"] == ["secret:aws:AKIAACMEOPSN8NDEMO01", "secret:n8n:acme-ops:ops-aws"]
    assert estate.get_node("secret:n8n:acme-ops:ops-aws")["environment"] == "prod"
    f = found[("unauthenticated-trigger", OPS + "ops-label-reprint")]
    assert f["severity"] == "high"
    assert ["actor:anyone", OPS + "ops-label-reprint",
            "connector:n8n:acme-ops:ops-label-reprint:9a1f3c20-5e77-4c1b-a0d4-000000000002",
            "secret:n8n:acme-ops:ops-aws"] in f["paths"]


def test_e2_public_chat_agent_with_a_crm_tool(rows, found):
    r = rows[("actor:anyone", OPS + "ops-customer-chat")]
    assert r["rank"] == 1 and r["agents"] == [AGENT]
    assert r["crown_jewels"] == ["resource:salesforce:acme:Contact", "system:saas:salesforce:acme"]
    f = found[("agent-tools-exposed", AGENT)]
    assert f["severity"] == "critical"
    assert f["paths"][0] == [
        "actor:anyone", OPS + "ops-customer-chat", AGENT,
        "connector:n8n:acme-ops:ops-customer-chat:9a1f3c20-5e77-4c1b-a0d4-000000000014",
        "secret:n8n:acme-ops:ops-salesforce", "system:saas:salesforce:acme"]
    assert f["paths"][1][-2:] == ["secret:n8n:acme-ops:ops-openai", "system:saas:openai:acme"]
    assert found[("trigger-reaches-crown-jewel", OPS + "ops-customer-chat")]["severity"] == \
        "critical"
    assert found[("unauthenticated-trigger", OPS + "ops-customer-chat")]["severity"] == "critical"


def test_e3_pull_request_target_with_a_deploy_secret(rows, found):
    r = rows[("actor:github:any-user", PR)]
    assert r["secrets"] == [f"secret:github:{REPO}:CLOUDFLARE_DEPLOY_TOKEN"]
    f = found[("untrusted-trigger-with-secrets", PR)]
    assert f["severity"] == "high"
    assert f["paths"] == [["actor:github:any-user", PR,
                           f"connector:github:{REPO}:.github/workflows/pr-preview.yml:preview",
                           f"secret:github:{REPO}:CLOUDFLARE_DEPLOY_TOKEN"]]


def test_e4_environment_gated_secret_is_kept_marked_and_ranked_below(rows, found):
    r = rows[("actor:github:any-user", PR)]
    assert r["crown_jewels"] == []  # not without passing the gate
    assert r["gated_targets"] == [f"secret:github:{REPO}:env:production:STRIPE_PROD_KEY [{GATE}]",
                                  f"system:saas:stripe:acme [{GATE}]"]
    f = found[("trigger-reaches-crown-jewel", PR)]
    assert f["severity"] == "high" and GATE in f["detail"]
    assert f["paths"] == [["actor:github:any-user", PR,
                           f"connector:github:{REPO}:.github/workflows/pr-preview.yml:promote",
                           f"secret:github:{REPO}:env:production:STRIPE_PROD_KEY",
                           "system:saas:stripe:acme"]]


def test_blast_radius_of_anyone_is_every_public_entry_point(estate):
    r = blast_radius(estate, "anyone", as_of=AS_OF)
    assert r.header["source"] == "actor:anyone"
    wfs = {row["id"] for row in r.rows if row["kind"] == "Workflow" and row["distance"] == 1}
    assert wfs == {OPS + "ops-customer-chat", OPS + "ops-carrier-delay", OPS + "ops-label-reprint",
                   BOT}
    assert "system:saas:salesforce:acme" in r.summary["crown_jewels"]
