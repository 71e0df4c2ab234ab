"""`nhigraph collect aws` against moto's IAM server on loopback (tests/moto_server.py).

The account is seeded with boto3 (users with keys and a console password, a group, roles
trusted by GitHub's OIDC provider, a SAML provider and the account, an AWS managed policy);
its exports are written the way `aws iam ...` writes them, by this file's own code, and the
graph of `ingest aws-iam` on those files must equal the graph of `collect aws`.
"""

from __future__ import annotations

import json
import time

import pytest
from click.testing import CliRunner

from cli import cli
from graph import open_store
from tests.moto_server import MotoServer

ACCOUNT = "123456789012"
GITHUB = "token.actions.githubusercontent.com"
SAML_METADATA = ("<?xml version=\"1.0\"?><EntityDescriptor xmlns=\"urn:oasis:names:tc:SAML:2.0:"
                 "metadata\" entityID=\"https://idp.acme.test\">" + "<!-- pad -->" * 100 +
                 "</EntityDescriptor>")


@pytest.fixture(scope="session")
def moto():
    """A moto server with AWS's managed policies, for the session; it must start (no skip)."""
    server = MotoServer(managed_policies=True)
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def moto_plain():
    """A moto server without AWS's managed policies (quicker to collect)."""
    server = MotoServer(managed_policies=False)
    server.start()
    yield server
    server.stop()


def _use(server, monkeypatch):
    server.reset()
    for k, v in server.client_env.items():
        monkeypatch.setenv(k, v)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    return server.client_env


@pytest.fixture
def aws_env(moto, monkeypatch):
    return _use(moto, monkeypatch)


@pytest.fixture
def plain_env(moto_plain, monkeypatch):
    return _use(moto_plain, monkeypatch)


def _iam():
    import boto3

    return boto3.client("iam", region_name="us-east-1")


def _seed(iam) -> dict:
    oidc = iam.create_open_id_connect_provider(
        Url=f"https://{GITHUB}", ClientIDList=["sts.amazonaws.com"],
        ThumbprintList=["6938fd4d98bab03faadb97b34396831e3780aea1"])["OpenIDConnectProviderArn"]
    saml = iam.create_saml_provider(Name="okta", SAMLMetadataDocument=SAML_METADATA)[
        "SAMLProviderArn"]
    trust_gha = {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"Federated": oidc},
        "Action": "sts:AssumeRoleWithWebIdentity",
        "Condition": {"StringEquals": {f"{GITHUB}:aud": "sts.amazonaws.com"},
                      "StringLike": {f"{GITHUB}:sub": "repo:acme/infra:ref:refs/heads/main"}}}]}
    iam.create_role(RoleName="gha-deploy", AssumeRolePolicyDocument=json.dumps(trust_gha))
    iam.put_role_policy(RoleName="gha-deploy", PolicyName="deploy-site", PolicyDocument=json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["s3:PutObject",
                                                "s3:GetObject"],
                                                "Resource": "arn:aws:s3:::acme-site/*"}]}))
    trust_saml = {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"Federated": saml}, "Action": "sts:AssumeRoleWithSAML",
        "Condition": {"StringEquals": {"SAML:aud": "https://signin.aws.amazon.com/saml"}}}]}
    iam.create_role(RoleName="sso-admin", AssumeRolePolicyDocument=json.dumps(trust_saml))
    iam.attach_role_policy(RoleName="sso-admin",
                           PolicyArn="arn:aws:iam::aws:policy/AdministratorAccess")
    trust_acct = {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
        "Action": "sts:AssumeRole"}]}
    iam.create_role(RoleName="auditor", AssumeRolePolicyDocument=json.dumps(trust_acct))
    iam.attach_role_policy(RoleName="auditor", PolicyArn="arn:aws:iam::aws:policy/ReadOnlyAccess")
    pol = iam.create_policy(PolicyName="pii-reader", PolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject",
                                                "Resource": "arn:aws:s3:::acme-pii/*"}]}))
    iam.create_group(GroupName="etl")
    iam.attach_group_policy(GroupName="etl", PolicyArn=pol["Policy"]["Arn"])
    iam.create_user(UserName="etl-bot")
    iam.add_user_to_group(GroupName="etl", UserName="etl-bot")
    iam.put_user_policy(UserName="etl-bot", PolicyName="assume-auditor", PolicyDocument=json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                                "Resource": f"arn:aws:iam::{ACCOUNT}:role/auditor"}]}))
    keys = [iam.create_access_key(UserName="etl-bot")["AccessKey"]["AccessKeyId"]]
    # Created in the same second as the first: the report slots are told apart by status.
    old = iam.create_access_key(UserName="etl-bot")["AccessKey"]["AccessKeyId"]
    iam.update_access_key(UserName="etl-bot", AccessKeyId=old, Status="Inactive")
    iam.create_user(UserName="jenkins")
    iam.create_login_profile(UserName="jenkins", Password="Not-a-real-1")
    keys.append(iam.create_access_key(UserName="jenkins")["AccessKey"]["AccessKeyId"])
    # Many policies, so get-account-authorization-details takes several pages.
    for i in range(12):
        iam.create_policy(PolicyName=f"filler-{i}", PolicyDocument=json.dumps({
            "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sqs:SendMessage",
                                                    "Resource": f"arn:aws:sqs:us-east-1:{ACCOUNT}:q{i}"}]}))
    return {"oidc": oidc, "saml": saml, "keys": keys + [old]}


def _iso(value):
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def _export(iam, folder) -> list[str]:
    """What `aws iam get-account-authorization-details`, `list-access-keys` (per user) and
    `get-credential-report` (decoded) print, written to files: the user's export path."""
    merged: dict[str, list] = {}
    for page in iam.get_paginator("get_account_authorization_details").paginate(MaxItems=1000,
                                                                               PaginationConfig={"PageSize": 5}):
        for k in ("UserDetailList", "GroupDetailList", "RoleDetailList", "Policies"):
            merged.setdefault(k, []).extend(page.get(k, []))
    (folder / "authz.json").write_text(json.dumps(merged, default=_iso))
    keys = []
    for user in iam.list_users()["Users"]:
        keys.extend(iam.list_access_keys(UserName=user["UserName"])["AccessKeyMetadata"])
    (folder / "keys.json").write_text(json.dumps({"AccessKeyMetadata": keys}, default=_iso))
    while iam.generate_credential_report()["State"] != "COMPLETE":
        time.sleep(0.5)
    (folder / "report.csv").write_bytes(iam.get_credential_report()["Content"])
    return [str(folder / n) for n in ("authz.json", "keys.json", "report.csv")]


def _graph(path):
    """Nodes and edges of a store; a stub's ``source`` (the run's name, which differs
    between a collect and an ingest by design) is left out."""
    store = open_store(path)
    runs = {r.get("source") for r in store.runs()}
    nodes = {n["id"]: {k: v for k, v in n.items() if not (k == "source" and v in runs)}
             for n in store.nodes()}
    edges = {e.key: e.props for e in store.edges()}
    return nodes, edges


#: What only the provider listing adds to a provider node that a trust policy names.
PROVIDER_ONLY = {"url", "audiences", "created_at", "expires_at"}


def test_collect_equals_file_ingest_of_the_same_account(aws_env, tmp_path):
    seeded = _seed(_iam())
    runner = CliRunner()
    live = runner.invoke(cli, ["collect", "aws", "--store", str(tmp_path / "live")])
    assert live.exit_code == 0, live.output
    files = _export(_iam(), tmp_path)
    offline = runner.invoke(cli, ["ingest", "aws-iam", *files, "--store", str(tmp_path / "files")])
    assert offline.exit_code == 0, offline.output

    live_nodes, live_edges = _graph(tmp_path / "live")
    file_nodes, file_edges = _graph(tmp_path / "files")
    assert live_edges == file_edges
    assert set(live_nodes) == set(file_nodes)
    providers = {f"identity:aws:{seeded['oidc']}", f"identity:aws:{seeded['saml']}"}
    for nid in set(file_nodes) - providers:
        assert live_nodes[nid] == file_nodes[nid], nid
    for nid in providers:
        extra = {k: v for k, v in live_nodes[nid].items() if k not in file_nodes[nid]}
        assert set(extra) <= PROVIDER_ONLY, (nid, extra)
        same = {k: v for k, v in live_nodes[nid].items() if k in file_nodes[nid]}
        assert same == file_nodes[nid]

    oidc = live_nodes[f"identity:aws:{seeded['oidc']}"]
    assert oidc["url"] == GITHUB or oidc["url"].endswith(GITHUB)
    assert oidc["audiences"] == ["sts.amazonaws.com"]
    assert live_nodes[f"identity:aws:{seeded['saml']}"]["identity_type"] == "saml_provider"
    # the graph holds what the account holds: three keys, the managed policy's reach
    key_nodes = [n for n in live_nodes.values() if n["kind"] == "Secret"]
    assert sorted(n.get("access_key_id") for n in key_nodes) == sorted(seeded["keys"])
    assert (f"identity:aws:arn:aws:iam::{ACCOUNT}:user/etl-bot", "CAN_ASSUME",
            f"identity:aws:arn:aws:iam::{ACCOUNT}:role/auditor") in live_edges
    assert "aws: " in live.output and "API calls" in live.output


def test_unused_provider_is_collected_too(plain_env, tmp_path):
    iam = _iam()
    arn = iam.create_open_id_connect_provider(
        Url="https://oidc.eks.us-east-1.amazonaws.com/id/ABC", ClientIDList=["sts.amazonaws.com"],
        ThumbprintList=["9e99a48a9960b14926bb7f3b02e22da2b0ab7280"])["OpenIDConnectProviderArn"]
    res = CliRunner().invoke(cli, ["collect", "aws", "--store", str(tmp_path / "s")])
    assert res.exit_code == 0, res.output
    nodes, _ = _graph(tmp_path / "s")
    assert nodes[f"identity:aws:{arn}"]["identity_type"] == "oidc_provider"


def test_unreachable_endpoint_is_one_line_and_leaves_the_store(plain_env, tmp_path,
                                                                monkeypatch):
    _iam().create_user(UserName="etl-bot")
    runner = CliRunner()
    store = str(tmp_path / "s")
    assert runner.invoke(cli, ["collect", "aws", "--store", store]).exit_code == 0
    before = _graph(store)
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9")  # nothing listens there
    res = runner.invoke(cli, ["collect", "aws", "--store", store])
    assert res.exit_code == 2, res.output
    errors = [line for line in res.output.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and "cannot reach AWS IAM" in errors[0]
    assert _graph(store) == before


def test_unknown_profile_is_one_line(plain_env, tmp_path):
    res = CliRunner().invoke(cli, ["collect", "aws", "--profile", "nope", "--store",
                                   str(tmp_path / "s")])
    assert res.exit_code == 2
    assert "AWS profile 'nope' is not configured" in res.output


def test_calls_are_the_documented_read_only_policy():
    from pathlib import Path

    from ingest.collect.aws_api import CALLS

    doc = (Path(__file__).parent.parent / "docs" / "aws-iam.md").read_text()
    for action in CALLS:
        assert f'"{action}"' in doc, action
    assert all(a.split(":")[1].startswith(("Get", "List", "Generate")) for a in CALLS)
