"""Cloud logins in GitHub Actions steps: OIDC federation to AWS, Azure and GCP.

A job with ``permissions: id-token: write`` that runs a cloud login action can become the
cloud identity the action names, so the job's Connector gets a ``CAN_ASSUME`` edge to a
stub Identity with the id the cloud's own ingester gives it (docs/ids.md):

- ``aws-actions/configure-aws-credentials`` ``role-to-assume`` ->
  ``identity:aws:<role arn>`` (also without OIDC when the step is given access keys:
  role chaining from a key pair);
- ``azure/login`` ``client-id`` + ``tenant-id`` (no ``creds``) ->
  ``identity:azure:<tenant-id>:<client-id>``;
- ``google-github-actions/auth`` ``service_account`` with ``workload_identity_provider``
  -> ``identity:gcp:<project>:<service account email>``.

Values given as expressions (``${{ secrets.ROLE_ARN }}``, ``${{ vars.X }}``) cannot be
resolved from the file: a note says so and no edge is drawn. Pure: a parsed step in,
records out through the repository's :class:`~ingest.github.records.GitHubRecords`.
"""

from __future__ import annotations

from typing import Any


def _with(step: dict) -> dict:
    w = step.get("with")
    return w if isinstance(w, dict) else {}


def _literal(value: Any) -> str | None:
    if not isinstance(value, str) or not value.strip() or "${{" in value:
        return None
    return value.strip()


def _oidc(perms: Any) -> bool:
    return perms == "write-all" or (isinstance(perms, dict) and perms.get("id-token") == "write")


def login_step(b, c: str, action: str, step: dict, perms: Any, where: str) -> None:
    name = action.split("@", 1)[0].lower()
    ref = action.split("@", 1)[1] if "@" in action else "unversioned"
    args = _with(step)
    if name == "aws-actions/configure-aws-credentials":
        _aws(b, c, action, ref, args, perms, where)
    elif name == "azure/login":
        client, tenant = _literal(args.get("client-id")), _literal(args.get("tenant-id"))
        if args.get("creds") or not _oidc(perms):
            return
        if not (client and tenant):
            b.batch.notes.append(f"{where}: azure/login client-id/tenant-id are expressions; "
                                 "no identity drawn")
            return
        _assume(b, c, f"identity:azure:{tenant}:{client}", {"name": client,
                "identity_type": "service_principal", "account": tenant},
                f"OIDC: id-token: write and azure/login@{ref} client-id {client}", where)
    elif name == "google-github-actions/auth":
        sa = _literal(args.get("service_account"))
        if not args.get("workload_identity_provider") or not _oidc(perms):
            return
        if not sa:
            b.batch.notes.append(f"{where}: google-github-actions/auth without a literal "
                                 "service_account; no identity drawn")
            return
        project = sa.split("@", 1)[1].split(".", 1)[0] if "@" in sa else "unknown"
        _assume(b, c, f"identity:gcp:{project}:{sa}", {"name": sa,
                "identity_type": "service_account", "account": project},
                f"OIDC: id-token: write and google-github-actions/auth@{ref} "
                f"service_account {sa}", where)


def _aws(b, c, action, ref, args, perms, where) -> None:
    role = args.get("role-to-assume")
    if role is None:
        return
    arn = _literal(role)
    if arn is None or not arn.startswith("arn:"):
        b.batch.notes.append(f"{where}: role-to-assume is not a literal role ARN; no "
                             "identity drawn")
        return
    keys = args.get("aws-access-key-id")
    if _oidc(perms):
        reason = f"OIDC: id-token: write and {action} role-to-assume"
    elif keys:
        reason = f"role chaining from access keys given to {action}"
    else:
        b.batch.notes.append(f"{where}: role-to-assume without id-token: write or access "
                             "keys; the login cannot work, no edge drawn")
        return
    _assume(b, c, f"identity:aws:{arn}", {"name": arn.rsplit("/", 1)[-1], "arn": arn},
            reason, where)


def _assume(b, c: str, iid: str, stub: dict, reason: str, where: str) -> None:
    b.stub_identity(iid, stub, where)  # the cloud's own ingester describes it
    b.edge(c, "CAN_ASSUME", iid, reason, where)
