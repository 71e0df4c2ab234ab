"""The aws-iam ingester on fixtures written for it (tests/data/aws/), with every expected
edge and access level worked out by hand from the policies in the fixtures:

account-a (111111111111): group readers (S3ReadAll, Deny GetObject on secret-bucket),
alice-svc (in readers; GetObject on secret-bucket denied by the group; PutObject on
logs-app), bob-svc (S3ReadAll; a Deny of s3:* without TLS), deployer (artifacts; s3:* on
pii fully denied by DenyPii; GitHub OIDC with sub), ci-open (GitHub OIDC without sub),
org-ci (an org-wide sub and a sub open to any owner), admin (AdministratorAccess minus a
Deny of iam:*; trusts account 222222222222 with MFA, and b-idle and a partner account's
role by ARN), irsa-reader (trusts the EKS service account payments/api), lambda-exec (URL-encoded policy and trust, one unknown action), poweruser
(NotAction, NotResource, a malformed ARN, a conditional statement on a wildcard resource).
account-b (222222222222): b-ops may assume admin, b-idle may not (its only inline policy is
truncated URL-encoded JSON), b-ci may assume b-ops, b-admin may assume any role.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli import cli
from graph.embedded import EmbeddedStore
from graph.records import validate
from ingest.aws import parse
from ingest.aws.actions import ActionSet, default_db, level_of_label
from queries import blast_radius

DATA = Path(__file__).parent / "data" / "aws"
A, B = "111111111111", "222222222222"
EKS = "oidc.eks.us-east-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71"


def ida(acct, rest):
    return f"identity:aws:arn:aws:iam::{acct}:{rest}"


@pytest.fixture(scope="module")
def batch():
    b = parse(DATA)
    validate(b)
    return b


def edges(b, kind):
    return {(e.src, e.dst): e.props for e in b.edges if e.kind == kind}


def test_access_edges_and_levels(batch):
    got = {k: (p["access"], p["conditional"]) for k, p in edges(batch, "CAN_ACCESS").items()}
    assert got == {
        (ida(A, "group/readers"), f"system:aws:{A}"): ("read", False),
        (ida(A, "role/admin"), f"system:aws:{A}"): ("admin", False),
        (ida(A, "role/ci-open"), f"system:aws:{A}"): ("read", False),
        (ida(A, "role/deployer"), "resource:aws:arn:aws:s3:::artifacts"): ("write", False),
        (ida(A, "role/poweruser"), "resource:aws:arn:aws:s3:::logs-*"): ("write", True),
        (ida(A, "role/poweruser"), f"system:aws:{A}"): ("admin", False),
        (ida(A, "role/service-role/lambda-exec"),
         f"resource:aws:arn:aws:dynamodb:us-east-1:{A}:table/orders"): ("read", False),
        (ida(A, "user/alice-svc"), "resource:aws:arn:aws:s3:::logs-app"): ("write", False),
        (ida(A, "user/bob-svc"), f"system:aws:{A}"): ("read", False),
        (ida(B, "role/b-ops"), f"resource:aws:arn:aws:iam::{A}:role/admin"): ("write", False),
        (ida(B, "role/b-admin"), f"system:aws:{B}"): ("admin", False),
        (ida(A, "role/irsa-reader"), "resource:aws:arn:aws:s3:::payments-exports"):
            ("read", False),
    }


def test_actions_grants_and_reasons(batch):
    e = edges(batch, "CAN_ACCESS")
    deploy = e[(ida(A, "role/deployer"), "resource:aws:arn:aws:s3:::artifacts")]
    assert deploy["actions"] == ["s3:GetObject", "s3:ListBucket", "s3:PutObject"]
    assert deploy["grant"] == "deploy (inline)"
    assert deploy["reason"] == "deploy (inline) allows s3:PutObject on arn:aws:s3:::artifacts/*"
    admin = e[(ida(A, "role/admin"), f"system:aws:{A}")]
    # Denying iam:* leaves admin (other Permissions management actions); the Deny is named.
    assert admin["actions"] == ["*"] and admin["grant"] == "AdministratorAccess"
    assert admin["reason"] == ("AdministratorAccess allows * on *; "
                               "minus what no-iam (inline) denies iam:* on *")
    assert admin["denied_by"] == ["no-iam (inline) denies iam:* on *"]
    readers = e[(ida(A, "group/readers"), f"system:aws:{A}")]
    assert readers["actions"] == ["s3:Get*", "s3:List*"]
    assert readers["deny_exceptions"] == [
        "no-secret-bucket (inline) denies s3:GetObject on arn:aws:s3:::secret-bucket/*"]
    cond = e[(ida(A, "role/poweruser"), "resource:aws:arn:aws:s3:::logs-*")]
    assert json.loads(cond["conditions"]) == [{"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}]
    power = e[(ida(A, "role/poweruser"), f"system:aws:{A}")]
    assert power["actions"] == ["NotAction iam:*", "NotAction organizations:*", "s3:GetObject"]
    assert power["deny_exceptions"] == ["power (inline) excludes arn:aws:s3:::pii/*"]
    assert "conditions" not in power
    # A conditional Deny does not remove the grant; it is recorded on it.
    bob = e[(ida(A, "user/bob-svc"), f"system:aws:{A}")]
    assert bob["deny_exceptions"] == ["tls-only (inline) denies s3:* on * under conditions"]
    assert bob["reason"].endswith("; except: tls-only (inline) denies s3:* on * under conditions")


def test_explicit_deny_wins(batch):
    targets = {dst for src, dst in edges(batch, "CAN_ACCESS")}
    # deployer's s3:* on pii is wholly denied; alice's GetObject on secret-bucket by her group
    assert "resource:aws:arn:aws:s3:::pii" not in targets
    assert "resource:aws:arn:aws:s3:::secret-bucket" not in targets


def test_trust_edges(batch):
    got = {k: (p.get("conditional"), p.get("oidc_subject_unrestricted"))
           for k, p in edges(batch, "CAN_ASSUME").items()}
    gh = f"identity:aws:arn:aws:iam::{A}:oidc-provider/token.actions.githubusercontent.com"
    assert got == {
        ("workspace:github:acme/app", ida(A, "role/deployer")): (True, None),
        (gh, ida(A, "role/ci-open")): (True, True),
        ("workspace:github:acme", ida(A, "role/org-ci")): (True, None),
        (gh, ida(A, "role/org-ci")): (True, True),
        (ida(A, "user/bob-svc"), ida(A, "role/poweruser")): (False, None),
        (ida(B, "root"), ida(A, "role/admin")): (True, None),
        (ida(B, "role/b-ops"), ida(A, "role/admin")): (True, None),
        # named by ARN: b-idle (loaded, no sts:AssumeRole permission) gets no edge; a role of
        # an account not in the run gets one, from a stub
        (ida("333333333333", "role/partner"), ida(A, "role/admin")): (False, None),
        (ida(B, "user/b-ci"), ida(B, "role/b-ops")): (False, None),
        # b-admin may assume any role: one edge to B's root, which A's admin role trusts
        (ida(B, "role/b-admin"), ida(B, "root")): (False, None),
        ("identity:aws:service:ec2.amazonaws.com", ida(B, "role/b-admin")): (False, None),
        ("identity:aws:service:ec2.amazonaws.com", ida(B, "role/b-idle")): (False, None),
        ("identity:aws:service:lambda.amazonaws.com",
         ida(A, "role/service-role/lambda-exec")): (False, None),
        # IRSA without a cluster name for the issuer: from the provider, subject recorded
        (ida(A, f"oidc-provider/{EKS}"), ida(A, "role/irsa-reader")): (True, None),
    }
    oidc = edges(batch, "CAN_ASSUME")[("workspace:github:acme/app", ida(A, "role/deployer"))]
    assert oidc["oidc_subject"] == "repo:acme/app:ref:refs/heads/main"
    assert json.loads(oidc["conditions"])["StringEquals"][
        "token.actions.githubusercontent.com:sub"] == "repo:acme/app:ref:refs/heads/main"
    org = edges(batch, "CAN_ASSUME")[(gh, ida(A, "role/org-ci"))]
    assert org["oidc_subject"] == "repo:*/tools:*"
    nodes = {n.id: n for n in batch.nodes}
    # Stubs for other sources carry identifying properties only.
    assert nodes["workspace:github:acme/app"].props == {"name": "acme/app"}
    assert nodes[ida("333333333333", "role/partner")].props == {
        "name": "partner", "arn": "arn:aws:iam::333333333333:role/partner"}


def test_credential_report_keys(batch):
    assert set(edges(batch, "AUTHENTICATES_AS")) == {
        ("secret:aws:AKIAFIXTUREALICE0001", ida(A, "user/alice-svc")),
        ("secret:aws:AKIAFIXTUREALICE0002", ida(A, "user/alice-svc")),
        ("secret:aws:AKIAFIXTUREBOB000001", ida(A, "user/bob-svc")),
    }
    nodes = {n.id: n.props for n in batch.nodes}
    k1, k2 = nodes["secret:aws:AKIAFIXTUREALICE0001"], nodes["secret:aws:AKIAFIXTUREALICE0002"]
    assert (k1["status"], k1["last_rotated_at"], k1["last_used_at"]) == \
        ("active", "2022-01-10T09:05:00Z", "2026-11-20T10:00:00Z")
    assert (k2["status"], k2["never_used"], k2["key_slot"]) == ("inactive", True, 2)
    assert k1["access_key_id"] == "AKIAFIXTUREALICE0001"
    alice, bob = nodes[ida(A, "user/alice-svc")], nodes[ida(A, "user/bob-svc")]
    assert alice["interactive_login"] is True and alice["possible_human_use"] is True
    assert alice["last_used_at"] == "2026-11-20T10:00:00Z"  # key 1, after the last login
    assert "last_used_at" not in bob  # no login, key never used
    assert bob["interactive_login"] is False and "possible_human_use" not in bob
    assert set(edges(batch, "MEMBER_OF")) == {(ida(A, "user/alice-svc"), ida(A, "group/readers"))}


def test_pattern_and_account_containment(batch):
    contains = set(edges(batch, "CONTAINS"))
    assert ("resource:aws:arn:aws:s3:::logs-*", "resource:aws:arn:aws:s3:::logs-app") in contains
    assert (f"system:aws:{A}", "resource:aws:arn:aws:s3:::artifacts") in contains
    nodes = {n.id: n.props for n in batch.nodes}
    assert nodes["resource:aws:arn:aws:s3:::logs-*"]["resource_type"] == "arn_pattern"
    assert nodes["resource:aws:arn:aws:s3:::artifacts"]["resource_type"] == "s3_bucket"


def test_bad_input_reported_one_line_each(batch):
    assert len(batch.skipped) == 5
    text = "\n".join(batch.skipped)
    assert "(b-idle).RolePolicyList[0]: policy document is not JSON" in text
    assert "truncated.json:1:101: malformed JSON" in text
    assert "unknown action 'dynamodb:FlyToTheMoon'" in text
    assert "malformed ARN 'arn:aws:s3' in Resource" in text
    assert "credential-report.csv:5: malformed ARN 'arn:aws:iam:bad'" in text
    assert all("\n" not in line for line in batch.skipped)


def test_access_levels_come_from_the_database():
    db = default_db()
    assert [db.level(a) for a in ("s3:GetObject", "s3:ListBucket", "s3:PutObject",
                                  "s3:PutObjectTagging", "iam:AttachRolePolicy")] == \
        ["read", "read", "write", "write", "admin"]
    assert level_of_label("Permissions management, Write") == "admin"
    assert db.level("s3:FlyToTheMoon") is None
    gets = ActionSet(False, db.expand("s3:Get*"))
    assert "s3:getobject" in gets and "s3:putobject" not in gets
    everything_but_iam = ActionSet.everything() - ActionSet(False, db.expand("iam:*"))
    assert "iam:createuser" not in everything_but_iam and "s3:putobject" in everything_but_iam
    assert (everything_but_iam | ActionSet(False, db.expand("iam:*"))) == ActionSet.everything()
    assert ActionSet(False, db.expand("s3:Get*")).level(db) == "read"


def test_cross_account_chain_in_blast_radius(tmp_path):
    store = EmbeddedStore(tmp_path / "s")
    store.write(parse([DATA / "account-a.json", DATA / "account-b.json"]), source="t")
    rows = {r["id"]: r for r in blast_radius(store, ida(B, "user/b-ci")).rows}
    assert rows[f"system:aws:{A}"]["access"] == "admin"
    assert ida(B, "role/b-idle") not in rows
    via_root = {r["id"]: r for r in blast_radius(store, ida(B, "role/b-admin")).rows}
    assert via_root[ida(A, "role/admin")]["path"] == [
        ida(B, "role/b-admin"), ida(B, "root"), ida(A, "role/admin")]


def test_cli_ingest_strict_and_arn_lookup(tmp_path):
    store = str(tmp_path / "store")
    runner = CliRunner()
    ok = runner.invoke(cli, ["ingest", "aws-iam", str(DATA / "account-a.json"),
                             str(DATA / "account-b.json"), "--store", store])
    assert ok.exit_code == 0, ok.output
    before = EmbeddedStore(store).counts()
    bad = runner.invoke(cli, ["ingest", "aws-iam", str(DATA), "--strict", "--store", store])
    assert bad.exit_code == 2
    assert "skipped under --strict" in bad.output
    assert EmbeddedStore(store).counts() == before
    br = runner.invoke(cli, ["blast-radius", f"arn:aws:iam::{B}:role/b-ops", "--format", "json",
                             "--store", store])
    assert br.exit_code == 0, br.output
    assert f"system:aws:{A}" in br.output
    missing = runner.invoke(cli, ["ingest", "aws-iam", str(tmp_path / "nope.json"),
                                  "--store", store])
    assert missing.exit_code == 2 and "no such file" in missing.output


def test_missing_managed_policy_reported_once_per_policy(tmp_path):
    roles = [{"RoleName": n, "Arn": f"arn:aws:iam::{A}:role/{n}",
              "AttachedManagedPolicies": [{"PolicyArn": "arn:aws:iam::aws:policy/Gone"}]}
             for n in ("r1", "r2")]
    path = tmp_path / "roles-only.json"
    path.write_text(json.dumps({"RoleDetailList": roles}))
    b = parse(path)
    assert b.skipped == [f"{path}: attached policy arn:aws:iam::aws:policy/Gone is not in any "
                         f"file's Policies list; its grants are unknown for 2 principal(s), "
                         f"e.g. arn:aws:iam::{A}:role/r1"]
    assert [e for e in b.edges if e.kind == "CAN_ACCESS"] == []
    assert {n.id for n in b.nodes} == {ida(A, "role/r1"), ida(A, "role/r2")}


def test_irsa_joins_kubernetes_service_accounts(tmp_path):
    from ingest.kubernetes import parse as parse_k8s

    store = EmbeddedStore(tmp_path / "s")
    store.write(parse_k8s(DATA.parent / "k8s" / "cluster.yaml", cluster="prod-eu"), source="k")
    aws = parse([DATA / "account-a.json"],
                eks_clusters={"EXAMPLED539D4633E53DE1B71": "prod-eu"})
    store.write(aws, source="aws")
    sa = "identity:k8s:prod-eu:payments/api"
    assert {e.dst for e in store.expand([sa], "out", ["CAN_ASSUME"])} == \
        {ida(A, "role/irsa-reader"), "identity:k8s:prod-eu:payments/reporter"}
    # cluster admins can impersonate payments/api, and so read the S3 exports
    rows = {r["id"]: r for r in
            blast_radius(store, "identity:k8s:prod-eu:group:platform-admins").rows}
    assert rows["resource:aws:arn:aws:s3:::payments-exports"]["access"] == "read"


def test_a_bad_statement_leaves_out_only_that_statement(tmp_path):
    """The smallest wrong thing: a statement that is not one, or has an Effect that is
    neither Allow nor Deny, is reported; the policy's other statements still grant."""
    doc = {"UserDetailList": [{"UserName": "u", "Arn": "arn:aws:iam::111122223333:user/u",
                               "UserId": "AIDA1", "UserPolicyList": [
        {"PolicyName": "p", "PolicyDocument": {"Version": "2012-10-17", "Statement": [
            "not-a-statement", {"Effect": "Maybe", "Action": "s3:*", "Resource": "*"},
            {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}]}}]}],
        "GroupDetailList": [], "RoleDetailList": [], "Policies": []}
    path = tmp_path / "authz.json"
    path.write_text(json.dumps(doc))
    b = parse(path)
    where = f"{path}: UserDetailList[0] (u).UserPolicyList[0]"
    assert b.skipped == [
        f"{where}.Statement[0]: statement is not an object; statement ignored",
        f"{where}.Statement[1]: Effect must be Allow or Deny, not 'Maybe'; statement ignored"]
    assert [e.key for e in b.edges if e.kind == "CAN_ACCESS"] == [
        ("identity:aws:arn:aws:iam::111122223333:user/u", "CAN_ACCESS",
         "resource:aws:arn:aws:s3:::b")]
