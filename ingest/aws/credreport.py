"""IAM credential report CSV (``aws iam generate-credential-report`` /
``get-credential-report``, base64-decoded) -> access keys as Secret nodes
``AUTHENTICATES_AS`` their user, and the user's login facts.

The report has no access key ids, only "key 1" and "key 2" with their state. Ids come from
``aws iam list-access-keys`` output (``{"AccessKeyMetadata": [...]}``, one or several
users' lists) given in the same run, matched by user and creation time (the report's
``access_key_N_last_rotated`` is the key's creation time), else by order (key 1 is the
older; two keys created in the same second are told apart by status, then order); a
report may also carry extra ``access_key_N_id`` columns. ``last_used_at`` comes from the
report, else from ``AccessKeyLastUsed`` (``get-access-key-last-used``, which the collector
adds to each key's metadata). A key whose id is not
known gets ``secret:aws:<user arn>:access_key_<N>`` (docs/ids.md).

A user with a console password and an active access key is marked
``possible_human_use: true`` (with ``interactive_login: true``): a person may be using the
non-human identity, or it is a person's account used as one (NHI10).
"""

from __future__ import annotations

import csv
import io
from typing import Any

from graph.errors import InputError
from graph.records import Batch, Edge, Node, normalise_datetime

from .arns import parse_arn

SOURCE = "aws-iam"
REQUIRED = ("user", "arn", "password_enabled", "access_key_1_active",
            "access_key_1_last_rotated", "access_key_2_active", "access_key_2_last_rotated")
_EMPTY = {"", "n/a", "no_information", "not_supported", "none"}


def is_credential_report(text: str) -> bool:
    first = text.lstrip("\ufeff").split("\n", 1)[0]
    return first.startswith("user,") and "access_key_1_active" in first


def key_metadata(doc: Any) -> list[dict]:
    """Rows of ``list-access-keys`` output: a dict with AccessKeyMetadata, or a list of them."""
    docs = doc if isinstance(doc, list) else [doc]
    out = []
    for d in docs:
        if isinstance(d, dict):
            out.extend(m for m in d.get("AccessKeyMetadata") or [] if isinstance(m, dict))
    return out


def _value(row: dict, key: str) -> str | None:
    v = (row.get(key) or "").strip()
    return None if v.lower() in _EMPTY else v


def _when(text: str | None, where: str) -> str | None:
    if not text:
        return None
    try:
        return normalise_datetime(text, where)
    except InputError:
        return None


def read(text: str, name: str, keys: list[dict], report, batch: Batch) -> None:
    """Add the report's users and keys to ``batch``; a bad row is reported and skipped."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    missing = [c for c in REQUIRED if c not in (reader.fieldnames or [])]
    if missing:
        raise InputError(f"not a credential report: missing column {missing[0]!r}",
                         f"{name}:1")
    by_user: dict[str, list[dict]] = {}
    for m in keys:
        by_user.setdefault(str(m.get("UserName")), []).append(m)
    try:
        for row in reader:
            where = f"{name}:{reader.line_num}"
            if None in row:
                report(f"{where}: more cells than header columns; row skipped")
                continue
            _row(row, where, by_user, batch, report)
    except csv.Error as exc:
        raise InputError(f"malformed CSV: {exc}", name) from None


def _row(row, where, by_user, batch, report) -> None:
    user, arn = (row.get("user") or "").strip(), (row.get("arn") or "").strip()
    if user == "<root_account>":
        return  # the account root is a person's login, not an identity of this graph
    parsed = parse_arn(arn)
    if parsed is None or parsed.service != "iam" or not user:
        report(f"{where}: malformed ARN {arn!r}; row skipped")
        return
    uid = f"identity:aws:{arn}"
    password = (_value(row, "password_enabled") or "").lower() == "true"
    props: dict[str, Any] = {"name": user, "identity_type": "user", "arn": arn,
                             "account": parsed.account, "status": "active",
                             "interactive_login": password,
                             "mfa_active": (_value(row, "mfa_active") or "").lower() == "true",
                             "source": SOURCE}
    created = _when(_value(row, "user_creation_time"), where)
    if created:
        props["created_at"] = created
    last_login = _when(_value(row, "password_last_used"), where)
    if last_login:
        props["password_last_used_at"] = last_login
    metas = sorted(by_user.get(user, []), key=lambda m: str(m.get("CreateDate", "")))
    any_active = False
    used_times = [last_login] if last_login else []
    taken: set[str] = set()
    for n in (1, 2):
        rotated = _when(_value(row, f"access_key_{n}_last_rotated"), where)
        if rotated is None:
            continue  # no such key
        active = (_value(row, f"access_key_{n}_active") or "").lower() == "true"
        any_active = any_active or active
        meta = _match(metas, rotated, n, where, taken, active)
        key_id = _value(row, f"access_key_{n}_id") or (
            str(meta["AccessKeyId"]) if meta else None)
        if key_id:
            taken.add(key_id)
        sid = f"secret:aws:{key_id}" if key_id else f"secret:aws:{arn}:access_key_{n}"
        sprops: dict[str, Any] = {
            "name": f"{user} key {n}", "secret_type": "access_key", "store": "aws_iam",
            "status": "active" if active else "inactive", "created_at": rotated,
            "last_rotated_at": rotated, "key_slot": n, "source": SOURCE}
        if key_id:
            sprops["access_key_id"] = key_id
        last = (meta or {}).get("AccessKeyLastUsed") or {}
        used = _when(_value(row, f"access_key_{n}_last_used_date"), where) or \
            _when(str(last.get("LastUsedDate") or ""), where)
        if used:
            sprops["last_used_at"] = used
            used_times.append(used)
        else:
            sprops["never_used"] = True
        svc = _value(row, f"access_key_{n}_last_used_service") or \
            _value({"s": str(last.get("ServiceName") or "")}, "s")
        if svc:
            sprops["last_used_service"] = svc
        batch.nodes.append(Node(sid, "Secret", sprops, where))
        batch.edges.append(Edge(sid, "AUTHENTICATES_AS", uid, {
            "reason": f"access key {n} of IAM user {user}", "source": SOURCE}, where))
    if password and any_active:
        props["possible_human_use"] = True
    if used_times:
        # The user was last used when its password or any of its keys last was.
        props["last_used_at"] = max(used_times)
    batch.nodes.append(Node(uid, "Identity", props, where))


def _match(metas: list[dict], rotated: str, n: int, where: str, taken: set[str],
           active: bool) -> dict | None:
    """The ``list-access-keys`` row of report slot ``n``: a key not yet taken that was
    created at ``rotated`` (two keys made in the same second are told apart by their
    status, then by order), else, when no row has a creation time, the n-th key."""
    same = [m for m in metas if m.get("AccessKeyId") and str(m["AccessKeyId"]) not in taken
            and _when(str(m.get("CreateDate", "")), where) == rotated]
    if same:
        return sorted(same, key=lambda m: (str(m.get("Status", "")).lower() == "active")
                      != active)[0]
    if len(metas) >= n and metas[n - 1].get("AccessKeyId") and \
            not any(_when(str(m.get("CreateDate", "")), where) for m in metas):
        return metas[n - 1]
    return None
