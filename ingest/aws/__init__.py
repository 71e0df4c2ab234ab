"""AWS IAM, offline: ``get-account-authorization-details`` JSON, credential report CSV and
``list-access-keys`` JSON -> identities, trust, access keys and access levels on resources.

``parse(path)`` takes a file, a folder (every .json and .csv in it) or a list of them. All
files of one call are evaluated together, so several accounts ingested at once are joined by
their cross-account trust. A bad file (truncated JSON, not an export) or a bad entry in one
is reported as one line in ``Batch.skipped`` and the rest is ingested; ``--strict`` turns
any such line into a failure with the store unchanged.

Modules: :mod:`.actions` (the IAM action database), :mod:`.arns`, :mod:`.policy`
(evaluation), :mod:`.authz` (principals and grants), :mod:`.trust` (CAN_ASSUME), :mod:`.escalation` (CAN_ESCALATE_TO),
:mod:`.credreport` (access keys). Decisions are written down in ``docs/aws-iam.md``.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

from graph.errors import InputError
from graph.records import Batch
from ingest.files import collect_some
from ingest.registry import RUN_OPTIONS, Ingester, Option, strict_option

from ..files import json_loads
from . import authz, credreport, escalation, trust
from .actions import default_db


def _files(path) -> list[Path]:
    return collect_some(path, (".json", ".csv"))


def _read_text(p: Path) -> str:
    try:
        return p.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise InputError("not UTF-8 text", str(p)) from None
    except OSError as exc:
        raise InputError(f"cannot read ({exc.strerror})", str(p)) from None


#: What reading an export of the wrong shape raises (a number where a mapping belongs...).
_SHAPE_ERRORS = (AttributeError, TypeError, KeyError, ValueError, IndexError)


def parse(path, **options) -> Batch:
    """Parse AWS IAM exports (see the module docstring) into one batch.

    Options: ``eks_clusters`` maps EKS OIDC issuer ids to cluster names (IRSA trusts then
    start at the cluster's service accounts, as the kubernetes ingester names them)."""
    db = options.get("db") or default_db()
    batch = Batch()
    report = batch.skipped.append
    docs: list[tuple[Path, object]] = []
    reports: list[tuple[Path, str]] = []
    keys: list[dict] = []
    for p in _files(path):
        try:
            text = _read_text(p)
            if p.suffix.lower() == ".csv" or credreport.is_credential_report(text):
                if not credreport.is_credential_report(text):
                    raise InputError("not an IAM credential report (no user,arn,... header)",
                                     str(p))
                reports.append((p, text))
            else:
                try:
                    doc = json_loads(text)
                except json.JSONDecodeError as exc:
                    raise InputError(f"malformed JSON: {exc.msg}",
                                     f"{p}:{exc.lineno}:{exc.colno}") from None
                if credreport.key_metadata(doc):
                    keys.extend(credreport.key_metadata(doc))
                elif authz.is_authorization_details(doc):
                    docs.append((p, doc))
                else:
                    raise InputError("not an authorization-details, list-access-keys or "
                                     "credential report export", str(p))
        except InputError as exc:
            report(f"{exc}; file skipped")
            continue
        except _SHAPE_ERRORS as exc:
            report(f"{p}: unexpected shape ({type(exc).__name__}); file skipped")
            continue
        batch.files_read += 1
    files = []
    for p, doc in docs:
        try:
            files.append(authz.read(doc, str(p), report))
        except _SHAPE_ERRORS as exc:  # a value of a type the export never has
            report(f"{p}: unexpected shape ({type(exc).__name__}); file skipped")
    policies: dict = {}
    versions: dict = {}
    principals = []
    for f in files:
        policies.update(f.policies)
        versions.update(f.versions)
        principals.extend(f.principals)
    effective = authz.build_access(principals, policies, db, report, batch)
    trust.build_trust(principals, effective, db, report, batch,
                      eks_clusters=options.get("eks_clusters"))
    escalation.build_escalation(principals, policies, effective, db, report, batch,
                                versions=versions)
    for p, text in reports:
        try:
            credreport.read(text, str(p), keys, report, batch)
        except InputError as exc:
            report(f"{exc}; file skipped")
        except (*_SHAPE_ERRORS, csv.Error) as exc:
            report(f"{p}: malformed credential report ({str(exc)[:100]}); file skipped")
    return batch


INGESTER = Ingester(
    name="aws-iam",
    help="Ingest AWS IAM exports: get-account-authorization-details JSON, credential report\n"
         "CSV, list-access-keys JSON (files or folders; several accounts join by their trust).",
    parse=parse,
    source_from="all",
    strict=strict_option("any file, entry or action was"),
    options=(
        RUN_OPTIONS,
        Option("--eks-cluster", "Name the EKS cluster of an OIDC issuer id, so IRSA trusts "
               "start at that cluster's service accounts (repeatable).", type="map",
               dest="eks_clusters", metavar="OIDC_ID=CLUSTER"),
    ),
)
