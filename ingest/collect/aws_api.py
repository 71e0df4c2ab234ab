"""AWS IAM, live: boto3's read-only IAM calls -> the records of ``ingest.aws``.

:func:`fetch` makes only the calls listed in :data:`CALLS` (docs/aws-iam.md gives them as
the IAM policy to grant the collector): the paginated authorization details merged into
the one document ``aws iam get-account-authorization-details`` prints, the credential
report (generated, waited for, read), each user's access keys with their last use, and the
OIDC and SAML providers. ``GenerateCredentialReport`` is the one call that is not a read:
it asks IAM to refresh the report and changes nothing in the account.

:func:`transform` writes those answers as the files the file ingester reads
(``authorization-details.json``, ``credential-report.csv``, ``access-keys.json``) into a
temporary folder and parses them with ``ingest.aws.parse`` (one transform, two readers:
a collected account gives exactly the graph of its exports), then adds what only the
provider listing knows: each OIDC provider's URL and audiences, each SAML provider's
validity, and providers that no trust policy names yet.
"""

from __future__ import annotations

import json
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from graph.errors import InputError
from graph.records import Batch, Node, normalise_datetime

#: Every IAM action the collector calls (the policy to grant it, docs/aws-iam.md).
CALLS = (
    "iam:GetAccountAuthorizationDetails",
    "iam:GenerateCredentialReport",
    "iam:GetCredentialReport",
    "iam:ListUsers",
    "iam:ListAccessKeys",
    "iam:GetAccessKeyLastUsed",
    "iam:ListOpenIDConnectProviders",
    "iam:GetOpenIDConnectProvider",
    "iam:ListSAMLProviders",
    "iam:GetSAMLProvider",
)
_LISTS = ("UserDetailList", "GroupDetailList", "RoleDetailList", "Policies")


@dataclass
class Exports:
    """One account's answers, in the shapes of the CLI's export files."""

    authorization_details: dict = field(default_factory=dict)
    credential_report: str = ""
    access_keys: list[dict] = field(default_factory=list)
    oidc_providers: list[dict] = field(default_factory=list)
    saml_providers: list[dict] = field(default_factory=list)

    def write(self, folder: Path) -> list[Path]:
        """The export files, as the file ingester reads them."""
        folder.mkdir(parents=True, exist_ok=True)
        files = [folder / "authorization-details.json", folder / "access-keys.json"]
        files[0].write_text(json.dumps(self.authorization_details, default=str, indent=1))
        files[1].write_text(json.dumps({"AccessKeyMetadata": self.access_keys}, default=str,
                                       indent=1))
        if self.credential_report:
            files.append(folder / "credential-report.csv")
            files[-1].write_text(self.credential_report)
        return files


def session(profile: str | None = None, region: str | None = None):
    import boto3
    from botocore.exceptions import ProfileNotFound

    try:
        return boto3.Session(profile_name=profile, region_name=region or "us-east-1")
    except ProfileNotFound:
        raise InputError(f"AWS profile {profile!r} is not configured") from None


def _error(exc: Exception) -> InputError:
    from botocore.exceptions import ClientError, NoCredentialsError

    if isinstance(exc, NoCredentialsError):
        return InputError("no AWS credentials found (set a profile with --profile, or "
                          "AWS_ACCESS_KEY_ID / AWS_PROFILE)")
    if isinstance(exc, ClientError):
        err = exc.response.get("Error", {})
        op = getattr(exc, "operation_name", "")
        return InputError(f"AWS refused {op}: {err.get('Code')} "
                          f"({str(err.get('Message') or '')[:160]})")
    return InputError(f"cannot reach AWS IAM ({type(exc).__name__}: {str(exc)[:200]})")


def fetch(sess, on_call=None, report_wait: float = 120.0, sleep=time.sleep) -> Exports:
    """Read one account with the calls in :data:`CALLS`; InputError on a refusal."""
    from botocore.config import Config
    from botocore.exceptions import BotoCoreError, ClientError

    step = on_call or (lambda what: None)
    iam = sess.client("iam", config=Config(retries={"max_attempts": 5, "mode": "adaptive"},
                                           connect_timeout=10, read_timeout=60))
    out = Exports()
    try:
        merged: dict[str, list] = {k: [] for k in _LISTS}
        for page in iam.get_paginator("get_account_authorization_details").paginate():
            step("GetAccountAuthorizationDetails")
            for k in _LISTS:
                merged[k].extend(page.get(k) or [])
        out.authorization_details = merged
        out.credential_report = _credential_report(iam, step, report_wait, sleep)
        for page in iam.get_paginator("list_users").paginate():
            step("ListUsers")
            for user in page.get("Users") or []:
                for kp in iam.get_paginator("list_access_keys").paginate(
                        UserName=user["UserName"]):
                    step("ListAccessKeys")
                    for key in kp.get("AccessKeyMetadata") or []:
                        step("GetAccessKeyLastUsed")
                        used = iam.get_access_key_last_used(AccessKeyId=key["AccessKeyId"])
                        out.access_keys.append({**key, "AccessKeyLastUsed":
                                                used.get("AccessKeyLastUsed") or {}})
        step("ListOpenIDConnectProviders")
        for p in iam.list_open_id_connect_providers().get("OpenIDConnectProviderList") or []:
            step("GetOpenIDConnectProvider")
            detail = iam.get_open_id_connect_provider(OpenIDConnectProviderArn=p["Arn"])
            detail.pop("ResponseMetadata", None)
            out.oidc_providers.append({"Arn": p["Arn"], **detail})
        step("ListSAMLProviders")
        for p in iam.list_saml_providers().get("SAMLProviderList") or []:
            step("GetSAMLProvider")
            detail = iam.get_saml_provider(SAMLProviderArn=p["Arn"])
            detail.pop("ResponseMetadata", None)
            detail.pop("SAMLMetadataDocument", None)  # public metadata, but large
            out.saml_providers.append({"Arn": p["Arn"], **p, **detail})
    except (ClientError, BotoCoreError) as exc:
        raise _error(exc) from None
    return out


def _credential_report(iam, step, wait: float, sleep) -> str:
    deadline = time.monotonic() + wait
    delay = 1.0
    while True:
        step("GenerateCredentialReport")
        state = iam.generate_credential_report().get("State")
        if state == "COMPLETE":
            break
        if time.monotonic() > deadline:
            raise InputError(f"the IAM credential report was not ready within {wait:.0f}s "
                             f"(state {state}); try again later")
        sleep(delay)
        delay = min(delay * 2, 10.0)
    step("GetCredentialReport")
    content = iam.get_credential_report().get("Content") or b""
    return content.decode("utf-8-sig") if isinstance(content, bytes) else str(content)


def transform(exports: Exports, **options) -> Batch:
    """The records of one collected account (see the module docstring)."""
    from ingest import aws

    with tempfile.TemporaryDirectory(prefix="nhigraph-aws-") as tmp:
        batch = aws.parse(exports.write(Path(tmp)), **options)
    batch.files_read = 0
    _providers(exports, batch)
    return batch


def _providers(exports: Exports, batch: Batch) -> None:
    where = "aws iam list-open-id-connect-providers"
    for p in exports.oidc_providers:
        arn = p["Arn"]
        props: dict[str, Any] = {
            "name": arn.split("oidc-provider/", 1)[-1], "identity_type": "oidc_provider",
            "arn": arn, "account": arn.split(":")[4],
            "url": p.get("Url"), "audiences": sorted(p.get("ClientIDList") or [])}
        if p.get("CreateDate"):
            props["created_at"] = normalise_datetime(p["CreateDate"], f"{where}: {arn}")
        batch.nodes.append(Node(f"identity:aws:{arn}", "Identity", props, where))
    where = "aws iam list-saml-providers"
    for p in exports.saml_providers:
        arn = p["Arn"]
        # named as ingest.aws.trust names a provider that a trust policy refers to
        props = {"name": arn, "identity_type": "saml_provider",
                 "arn": arn, "account": arn.split(":")[4]}
        for key, prop in (("CreateDate", "created_at"), ("ValidUntil", "expires_at")):
            if p.get(key):
                props[prop] = normalise_datetime(p[key], f"{where}: {arn}")
        batch.nodes.append(Node(f"identity:aws:{arn}", "Identity", props, where))
