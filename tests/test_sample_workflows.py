"""The sample estate's real-format parts (sample_estate/n8n, sample_estate/github) load and
join the rest of the estate: by access key id, role ARN, tenant-qualified system ids and a
hard-coded token pasted into two n8n instances. Assertions are subsets, so they keep
holding when the AWS side moves to IAM export files."""

from __future__ import annotations

import pytest

import sample_estate
from graph.embedded import EmbeddedStore
from ingest.pipeline import ingest
from queries import blast_radius, orphaned_paths

OPS = "secret:n8n:acme-ops:"
DEPLOY = "workflow:github:acme/shipping-api:.github/workflows/deploy.yml"
ROLE = "identity:aws:arn:aws:iam::111122223333:role/gha-shipping-deploy"
AS_OF = "2026-11-24T00:00:00Z"


@pytest.fixture(scope="module")
def estate(tmp_path_factory):
    store = EmbeddedStore(tmp_path_factory.mktemp("estate"))
    for s in sample_estate.sources():
        batch, _ = ingest(s["kind"], s["path"], store, source=s["source"],
                          options=s.get("options"))
        assert batch.skipped == []
    return store


def test_sources_are_listed():
    kinds = {s["source"]: s["kind"] for s in sample_estate.sources()}
    assert kinds["sample:acme-freight:n8n-acme-ops"] == "n8n"
    assert kinds["sample:acme-freight:github-shipping-api"] == "github-actions"


def test_n8n_aws_credential_keeps_only_the_key_id(estate):
    aws = estate.get_node(OPS + "ops-aws")
    assert aws["access_key_id"] == "AKIAACMEOPSN8NDEMO01"
    assert aws["fingerprint"].startswith("hmac-sha256:")
    assert "demo/NOT+a+real+key" not in repr(aws)


def test_shipbridge_credential_is_the_token_hard_coded_in_acme_prod(estate):
    # acme-ops stores it as a credential; acme-prod pasted the same token into a node
    same = {e.dst for e in estate.expand([OPS + "ops-shipbridge"], "out", ["SAME_VALUE_AS"])}
    assert same == {"secret:n8n:acme-prod:embedded:shipment-status-webhook:http"}
    reached = {r["id"] for r in blast_radius(estate, "workflow:n8n:acme-ops:ops-carrier-delay").rows}
    assert {"system:saas:shipbridge:acme", "system:saas:jira:acme", "system:saas:slack:acme",
            "system:http:api.shipbridge.example"} <= reached
    # no new hard-coded secret on the n8n side: its only embedded one stays acme-prod's (the
    # AI platforms' pasted Slack token, P13, is asserted in test_sample_ai_platforms.py)
    assert [n["id"] for n in estate.nodes("Secret") if n.get("store") == "embedded"
            and n["id"].startswith("secret:n8n:")] == [
        "secret:n8n:acme-prod:embedded:shipment-status-webhook:http"]


def test_github_deploy_job_assumes_the_aws_role(estate):
    job = "connector:github:acme/shipping-api:.github/workflows/deploy.yml:deploy"
    assert {e.dst for e in estate.expand([job], "out", ["CAN_ASSUME"])} == {ROLE}
    assert estate.get_node(job)["environment"] == "prod"
    assert ROLE in {r["id"] for r in blast_radius(estate, DEPLOY).rows}


def test_unpinned_codecov_action_receives_a_secret(estate):
    step = "connector:github:acme/shipping-api:.github/workflows/ci.yml:test:step:3"
    node = estate.get_node(step)
    assert (node["third_party"], node["pinned"], node["version"]) == (True, False, "v4")
    assert {e.dst for e in estate.expand([step], "out", ["REFERENCES"])} == {
        "secret:github:acme/shipping-api:CODECOV_TOKEN"}


def test_planted_orphans_of_acme_ops(estate):
    found = {(o["node"], o["reason"]) for o in orphaned_paths(estate, as_of=AS_OF).rows}
    assert (OPS + "ops-pagerduty", "unused_but_valid") in found
    assert ("workflow:n8n:acme-ops:ops-carrier-delay", "no_owner") in found
    assert ("workflow:n8n:acme-ops:ops-label-archive", "no_owner") not in found  # Erin owns it
