"""Writes the AWS side of the Acme Freight sample estate as the exports an AWS admin would
hand over: ``aws iam get-account-authorization-details`` output for the prod account
(111122223333) and the dev account (444455556666), the credential report CSV, and
``aws iam list-access-keys`` output (the report itself has no key ids).

``nhigraph demo`` loads them through the ``aws-iam`` ingester, so the identities, trusts,
grants and keys the estate relies on are what that ingester makes of real-shaped exports.
Regenerate with ``python -m sample_estate.build`` (which calls :func:`write`).
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

ACCT = "111122223333"
DEV_ACCT = "444455556666"
OUT = Path(__file__).with_name("aws")
GITHUB = "token.actions.githubusercontent.com"
CREATED = "2021-03-01T10:00:00+00:00"
#: Users older than the rest of the estate (their keys are older too).
USER_CREATED = {"legacy-etl": "2019-03-01T09:00:00+00:00"}

#: The AWS-managed policies the estate attaches (documents trimmed to what the estate uses;
#: the real ReadOnlyAccess lists every service).
AWS_MANAGED = {
    "AdministratorAccess": [{"Effect": "Allow", "Action": "*", "Resource": "*"}],
    "ReadOnlyAccess": [{"Effect": "Allow", "Resource": "*", "Action": [
        "s3:Get*", "s3:List*", "ec2:Describe*", "dynamodb:Describe*", "dynamodb:List*",
        "rds:Describe*", "rds:List*", "cloudwatch:Describe*", "cloudwatch:Get*",
        "cloudwatch:List*", "logs:Describe*", "logs:Get*", "iam:Get*", "iam:List*",
        "lambda:Get*", "lambda:List*"]}],
}


def _s3(bucket: str, objects: bool = True) -> str:
    return f"arn:aws:s3:::{bucket}/*" if objects else f"arn:aws:s3:::{bucket}"


RDS = f"arn:aws:rds:us-east-1:{ACCT}:db:billing"
DDB = f"arn:aws:dynamodb:us-east-1:{ACCT}:table/shipments"

#: Customer-managed policies of the prod account: name -> statements.
CUSTOMER = {
    "deploy-artifacts": [{"Effect": "Allow", "Action": "s3:PutObject",
                          "Resource": _s3("acme-build-artifacts")}],
    "n8n-invoices": [{"Effect": "Allow", "Action": ["s3:PutObject", "s3:GetObject"],
                      "Resource": _s3("acme-invoices")}],
    "n8n-shipments": [{"Effect": "Allow", "Action": ["dynamodb:GetItem", "dynamodb:Query"],
                       "Resource": DDB}],
    "n8n-ops-shipments": [{"Effect": "Allow", "Action": ["dynamodb:PutItem", "dynamodb:GetItem"],
                           "Resource": DDB}],
    "backup-writer": [{"Effect": "Allow", "Action": "s3:PutObject",
                       "Resource": _s3("acme-backups")}],
    "backup-snapshot": [{"Effect": "Allow", "Action": "rds:CreateDBSnapshot", "Resource": RDS}],
    "data-pipeline-read": [
        {"Effect": "Allow", "Action": "s3:GetObject", "Resource": _s3("acme-customer-pii")},
        {"Effect": "Allow", "Action": "s3:ListBucket",
         "Resource": _s3("acme-customer-pii", objects=False)}],
    "data-pipeline-write": [{"Effect": "Allow", "Action": "s3:PutObject",
                             "Resource": _s3("acme-analytics-exports")}],
    "billing-db-owner": [{"Effect": "Allow", "Action": "rds:*", "Resource": RDS}],
    "legacy-etl-read": [{"Effect": "Allow", "Action": "s3:GetObject",
                         "Resource": _s3("acme-invoices")}],
    "shipping-labels-deploy": [{"Effect": "Allow", "Action": ["s3:PutObject", "s3:GetObject"],
                                "Resource": _s3("acme-shipping-labels")}],
}


def _doc(statements: list[dict]) -> dict:
    return {"Version": "2012-10-17", "Statement": statements}


def _policy(name: str, acct: str | None, statements: list[dict]) -> dict:
    arn = f"arn:aws:iam::{acct}:policy/{name}" if acct else f"arn:aws:iam::aws:policy/{name}"
    return {"PolicyName": name, "PolicyId": "ANPA" + name.upper().replace("-", "")[:17],
            "Arn": arn, "Path": "/", "DefaultVersionId": "v1", "AttachmentCount": 1,
            "IsAttachable": True, "CreateDate": CREATED, "UpdateDate": CREATED,
            "PolicyVersionList": [{"Document": _doc(statements), "VersionId": "v1",
                                   "IsDefaultVersion": True, "CreateDate": CREATED}]}


def _attached(acct: str, names: list[str]) -> list[dict]:
    return [{"PolicyName": n, "PolicyArn": f"arn:aws:iam::aws:policy/{n}" if n in AWS_MANAGED
             else f"arn:aws:iam::{acct}:policy/{n}"} for n in names]


def _trust_arn(arn: str) -> dict:
    return _doc([{"Effect": "Allow", "Principal": {"AWS": arn}, "Action": "sts:AssumeRole"}])


def _trust_github(acct: str, sub: str) -> dict:
    return _doc([{"Effect": "Allow",
                  "Principal": {"Federated": f"arn:aws:iam::{acct}:oidc-provider/{GITHUB}"},
                  "Action": "sts:AssumeRoleWithWebIdentity",
                  "Condition": {"StringEquals": {f"{GITHUB}:aud": "sts.amazonaws.com"},
                                "StringLike": {f"{GITHUB}:sub": sub}}}])


def _role(acct, name, trust, managed=(), inline=None, last_used=None) -> dict:
    return {"Path": "/", "RoleName": name, "RoleId": "AROA" + name.upper().replace("-", "")[:17],
            "Arn": f"arn:aws:iam::{acct}:role/{name}", "CreateDate": CREATED,
            "AssumeRolePolicyDocument": trust, "InstanceProfileList": [],
            "RolePolicyList": [{"PolicyName": k, "PolicyDocument": _doc(v)}
                               for k, v in (inline or {}).items()],
            "AttachedManagedPolicies": _attached(acct, list(managed)), "Tags": [],
            "RoleLastUsed": {"LastUsedDate": last_used, "Region": "us-east-1"}
            if last_used else {}}


def _user(acct, name, managed=()) -> dict:
    return {"Path": "/", "UserName": name, "UserId": "AIDA" + name.upper().replace("-", "")[:17],
            "Arn": f"arn:aws:iam::{acct}:user/{name}",
            "CreateDate": USER_CREATED.get(name, CREATED), "GroupList": [],
            "UserPolicyList": [], "AttachedManagedPolicies": _attached(acct, list(managed)),
            "Tags": []}


def authorization_details() -> dict:
    """The prod and dev accounts' authorization details, in one file per account."""
    a = ACCT
    role = f"arn:aws:iam::{a}:role/"
    prod = {
        "UserDetailList": [
            _user(a, "svc-n8n", ["n8n-invoices", "n8n-shipments"]),
            _user(a, "svc-backup", ["backup-writer", "backup-snapshot"]),
            _user(a, "svc-airflow"),
            _user(a, "legacy-etl", ["legacy-etl-read"]),
            _user(a, "svc-n8n-ops", ["n8n-ops-shipments"]),
        ],
        "GroupDetailList": [],
        "RoleDetailList": [
            _role(a, "OrganizationAccountAccessRole", _trust_arn(role + "ops-automation"),
                  ["AdministratorAccess"]),
            _role(a, "ops-automation", _trust_arn(role + "gha-deploy"), inline={
                "ops-automation-inline": [{"Effect": "Allow",
                                           "Action": ["s3:PutObject", "s3:GetObject"],
                                           "Resource": _s3("acme-build-artifacts")}]}),
            _role(a, "gha-deploy", _trust_github(a, "repo:acme/infra:ref:refs/heads/main"),
                  ["deploy-artifacts"], last_used="2026-11-23T06:00:00+00:00"),
            _role(a, "gha-plan", _trust_github(a, "repo:acme/infra:pull_request"),
                  ["ReadOnlyAccess"]),
            _role(a, "data-pipeline", _trust_arn(f"arn:aws:iam::{a}:user/svc-airflow"),
                  ["data-pipeline-read", "data-pipeline-write"]),
            # ops-automation runs the billing schema migrations.
            _role(a, "billing-app", _trust_arn(role + "ops-automation"), ["billing-db-owner"]),
            _role(a, "gha-shipping-deploy",
                  _trust_github(a, "repo:acme/shipping-api:environment:production"),
                  ["shipping-labels-deploy"]),
        ],
        "Policies": [_policy(n, None, s) for n, s in AWS_MANAGED.items()]
        + [_policy(n, a, s) for n, s in CUSTOMER.items()],
    }
    dev = {
        "UserDetailList": [], "GroupDetailList": [],
        "RoleDetailList": [
            _role(DEV_ACCT, "dev-sandbox",
                  _trust_github(DEV_ACCT, "repo:acme/billing-service:pull_request"),
                  ["AdministratorAccess"], inline={"scratch-bucket": [
                      {"Effect": "Allow", "Action": "s3:*",
                       "Resource": [_s3("acme-dev-scratch", objects=False),
                                    _s3("acme-dev-scratch")]}]}),
        ],
        "Policies": [_policy("AdministratorAccess", None, AWS_MANAGED["AdministratorAccess"])],
    }
    return {"authorization-details.json": prod, "authorization-details-dev.json": dev}


#: user -> (password enabled, [(key id, active, created, last used or None)])
KEYS = {
    "svc-n8n": (False, [("AKIAACMEN8NDEMO00001", True, "2023-04-12T00:00:00+00:00",
                         "2026-11-23T02:00:00+00:00")]),
    # Planted (NHI10): someone logs in to the console as the backup service user.
    "svc-backup": (True, [("AKIAACMEBACKUPDEMO01", True, "2022-09-30T00:00:00+00:00",
                           "2026-11-23T03:00:00+00:00")]),
    "svc-airflow": (False, [("AKIAACMEAIRFLOWDEMO1", True, "2026-08-01T00:00:00+00:00",
                             "2026-11-23T04:00:00+00:00")]),
    # Planted: unused for years but still active.
    "legacy-etl": (False, [("AKIAACMELEGACYETL001", True, "2019-03-02T00:00:00+00:00",
                            "2024-02-11T00:00:00+00:00")]),
    "svc-n8n-ops": (False, [("AKIAACMEOPSN8NDEMO01", True, "2026-06-15T00:00:00+00:00",
                             "2026-11-22T09:00:00+00:00")]),
}
REPORT_COLUMNS = [
    "user", "arn", "user_creation_time", "password_enabled", "password_last_used",
    "password_last_changed", "password_next_rotation", "mfa_active", "access_key_1_active",
    "access_key_1_last_rotated", "access_key_1_last_used_date", "access_key_1_last_used_region",
    "access_key_1_last_used_service", "access_key_2_active", "access_key_2_last_rotated",
    "access_key_2_last_used_date", "access_key_2_last_used_region",
    "access_key_2_last_used_service", "cert_1_active", "cert_1_last_rotated", "cert_2_active",
    "cert_2_last_rotated"]


def credential_report() -> str:
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(REPORT_COLUMNS)
    w.writerow(["<root_account>", f"arn:aws:iam::{ACCT}:root", "2019-01-01T00:00:00+00:00",
                "not_supported", "2026-10-01T08:00:00+00:00", "not_supported", "not_supported",
                "true", "false", "N/A", "N/A", "N/A", "N/A", "false", "N/A", "N/A", "N/A",
                "N/A", "false", "N/A", "false", "N/A"])
    for user, (password, keys) in KEYS.items():
        row = [user, f"arn:aws:iam::{ACCT}:user/{user}", USER_CREATED.get(user, CREATED),
               "true" if password else "false",
               "2026-11-20T08:00:00+00:00" if password else "N/A",
               CREATED if password else "N/A", "N/A", "false"]
        for n in (0, 1):
            if n < len(keys):
                _, active, created, used = keys[n]
                row += ["true" if active else "false", created, used or "N/A",
                        "us-east-1" if used else "N/A", "s3" if used else "N/A"]
            else:
                row += ["false", "N/A", "N/A", "N/A", "N/A"]
        row += ["false", "N/A", "false", "N/A"]
        w.writerow(row)
    return out.getvalue()


def access_keys() -> list[dict]:
    """``aws iam list-access-keys --user-name U`` output for each user, in one list."""
    return [{"AccessKeyMetadata": [
        {"UserName": user, "AccessKeyId": kid, "Status": "Active" if active else "Inactive",
         "CreateDate": created} for kid, active, created, _ in keys]}
        for user, (_, keys) in KEYS.items()]


def write() -> list[Path]:
    OUT.mkdir(exist_ok=True)
    files = {name: json.dumps(doc, indent=2) + "\n"
             for name, doc in authorization_details().items()}
    files["credential-report.csv"] = credential_report()
    files["access-keys.json"] = json.dumps(access_keys(), indent=2) + "\n"
    paths = []
    for name, text in files.items():
        path = OUT / name
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    return paths
