"""The sample estate's AWS side, loaded through the aws-iam ingester from the exports in
sample_estate/aws/, keeps the ids and planted facts the rest of the estate relies on."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

import sample_estate
from cli import cli
from graph.embedded import EmbeddedStore
from queries import blast_radius, shortest_paths

ACCT = "111122223333"
ROLE = f"identity:aws:arn:aws:iam::{ACCT}:role/"
USER = f"identity:aws:arn:aws:iam::{ACCT}:user/"


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    path = tmp_path_factory.mktemp("estate") / "store"
    r = CliRunner().invoke(cli, ["demo", "--store", str(path)])
    assert r.exit_code == 0, r.output
    return EmbeddedStore(path)


def test_aws_is_loaded_first_from_exports():
    first = sample_estate.sources()[0]
    assert first["kind"] == "aws-iam" and first["path"].endswith("aws")


def test_deploy_workflow_reaches_pii_with_admin_through_the_role_chain(store):
    wf = "workflow:github:acme/infra:.github/workflows/deploy.yml"
    rows = {r["id"]: r for r in blast_radius(store, wf).rows}
    assert rows["resource:aws:arn:aws:s3:::acme-customer-pii"]["access"] == "admin"
    path = shortest_paths(store, wf, f"system:aws:{ACCT}").rows[0]["path"]
    assert [p for p in path if p.startswith("identity:")] == [
        ROLE + "gha-deploy", ROLE + "ops-automation", ROLE + "OrganizationAccountAccessRole"]


def test_grants_match_the_estate(store):
    def access(src, dst):
        hits = [e for e in store.expand([src], "out", ["CAN_ACCESS"]) if e.dst == dst]
        return hits[0].props["access"] if hits else None

    assert access(USER + "svc-n8n", "resource:aws:arn:aws:s3:::acme-invoices") == "write"
    assert access(ROLE + "gha-plan", f"system:aws:{ACCT}") == "read"
    assert access(ROLE + "OrganizationAccountAccessRole", f"system:aws:{ACCT}") == "admin"
    assert access(ROLE + "billing-app",
                  f"resource:aws:arn:aws:rds:us-east-1:{ACCT}:db:billing") == "admin"
    assert access(ROLE + "gha-shipping-deploy",
                  "resource:aws:arn:aws:s3:::acme-shipping-labels") == "write"
    assert access(USER + "svc-n8n-ops",
                  f"resource:aws:arn:aws:dynamodb:us-east-1:{ACCT}:table/shipments") == "write"


def test_keys_owners_and_oidc_trust(store):
    legacy = store.get_node("secret:aws:AKIAACMELEGACYETL001")
    assert (legacy["status"], legacy["last_used_at"]) == ("active", "2024-02-11T00:00:00Z")
    assert [e.dst for e in store.expand(["secret:aws:AKIAACMELEGACYETL001"], "out",
                                        ["AUTHENTICATES_AS"])] == [USER + "legacy-etl"]
    assert [e.src for e in store.expand(["secret:aws:AKIAACMELEGACYETL001"], "in", ["OWNS"])] \
        == ["owner:acme:team-data"]
    # The n8n credential holding svc-n8n's key is joined to the IAM key by its id.
    same = {e.dst for e in store.expand(["secret:aws:AKIAACMEN8NDEMO00001"], "out",
                                        ["SAME_VALUE_AS"])}
    assert same == {"secret:n8n:acme-prod:cred-aws-svc-n8n"}
    trust = {e.src: e.props for e in store.expand([ROLE + "gha-shipping-deploy"], "in",
                                                  ["CAN_ASSUME"])}
    assert trust["workspace:github:acme/shipping-api"]["oidc_subject"] == \
        "repo:acme/shipping-api:environment:production"
    assert store.get_node(USER + "svc-backup")["possible_human_use"] is True
    assert store.get_node(USER + "svc-n8n")["interactive_login"] is False


def test_committed_exports_match_their_generator():
    from sample_estate import aws_exports

    for name, doc in aws_exports.authorization_details().items():
        assert json.loads((aws_exports.OUT / name).read_text()) == doc, name
    assert (aws_exports.OUT / "credential-report.csv").read_text() == \
        aws_exports.credential_report()
    assert json.loads((aws_exports.OUT / "access-keys.json").read_text()) == \
        aws_exports.access_keys()
