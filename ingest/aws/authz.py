"""``aws iam get-account-authorization-details`` JSON -> principals with their policy
statements, and principals -> Identity nodes, MEMBER_OF, Resource/System nodes and
CAN_ACCESS edges. Evaluation itself lives in :mod:`ingest.aws.policy`; trust policies in
:mod:`ingest.aws.trust`.

Reading and building are separate steps so that several files (several accounts) are read
first and evaluated together: cross-account trust and account-principal trust need every
principal of the run.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from graph.errors import InputError
from graph.records import Batch, Edge, Node

from .actions import ActionDB
from .arns import account_of, arn_matches, has_wildcard, parse_arn, resource_name, resource_type
from .policy import Statement, check_resources, evaluate, statements

SOURCE = "aws-iam"
_KINDS = (("UserDetailList", "user", "UserName", "UserPolicyList"),
          ("GroupDetailList", "group", "GroupName", "GroupPolicyList"),
          ("RoleDetailList", "role", "RoleName", "RolePolicyList"))


@dataclass
class Principal:
    arn: str
    kind: str  # user, group, role
    name: str
    account: str
    where: str
    props: dict[str, Any] = field(default_factory=dict)
    inline: list[list[Statement]] = field(default_factory=list)
    managed: list[str] = field(default_factory=list)  # policy ARNs
    group_names: list[str] = field(default_factory=list)
    trust: Any = None
    #: roles: ARNs of the instance profiles holding it (None: the export does not say)
    instance_profiles: list[str] | None = None

    @property
    def id(self) -> str:
        return f"identity:aws:{self.arn}"


@dataclass
class AuthzFile:
    principals: list[Principal] = field(default_factory=list)
    #: managed policy ARN -> (name, statements of the default version)
    policies: dict[str, tuple[str, list[Statement]]] = field(default_factory=dict)
    #: managed policy ARN -> [(version id, statements)] of its non-default versions
    versions: dict[str, list[tuple[str, list[Statement]]]] = field(default_factory=dict)


def is_authorization_details(doc: Any) -> bool:
    return isinstance(doc, dict) and any(k in doc for k, *_ in _KINDS) or \
        isinstance(doc, dict) and "Policies" in doc


def read(doc: dict, name: str, report) -> AuthzFile:
    """Principals and managed policies of one authorization-details document. A bad
    principal or policy is reported and left out; the rest is read."""
    out = AuthzFile()
    for i, pol in enumerate(doc.get("Policies") or []):
        where = f"{name}: Policies[{i}]"
        try:
            arn, pname, stmts = _managed_policy(pol, where, report)
        except InputError as exc:
            report(str(exc))
            continue
        out.policies[arn] = (pname, stmts)
        older = _other_versions(pol, pname, where, report)
        if older:
            out.versions[arn] = older
    for list_key, kind, name_key, inline_key in _KINDS:
        items = doc.get(list_key) or []
        if not isinstance(items, list):
            report(f"{name}: {list_key}: expected a list; ignored")
            continue
        for i, raw in enumerate(items):
            where = f"{name}: {list_key}[{i}]"
            try:
                out.principals.append(_principal(raw, kind, name_key, inline_key, where,
                                                 report))
            except InputError as exc:
                report(str(exc))
    return out


def _managed_policy(pol: Any, where: str, report=None) -> tuple[str, str, list[Statement]]:
    if not isinstance(pol, dict) or not isinstance(pol.get("Arn"), str):
        raise InputError("policy without an Arn; ignored", where)
    arn, pname = pol["Arn"], str(pol.get("PolicyName") or pol["Arn"].rsplit("/", 1)[-1])
    versions = pol.get("PolicyVersionList") or []
    default = pol.get("DefaultVersionId")
    versions = [v for v in versions if isinstance(v, dict)]
    chosen = next((v for v in versions if v.get("IsDefaultVersion") is True), None) or \
        next((v for v in versions if default and v.get("VersionId") == default), None)
    if chosen is None:
        raise InputError(f"policy {pname} has no default version document; ignored", where)
    return arn, pname, statements(chosen.get("Document"), pname,
                                  f"{where} ({pname} {chosen.get('VersionId', '')})", report)


def _other_versions(pol: dict, pname: str, where: str,
                    report) -> list[tuple[str, list[Statement]]]:
    """The non-default versions of a managed policy (``iam:SetDefaultPolicyVersion`` can
    make one of them the default); one that cannot be read is reported and left out."""
    out = []
    for v in pol.get("PolicyVersionList") or []:
        if not isinstance(v, dict) or v.get("IsDefaultVersion") is True or \
                v.get("VersionId") == pol.get("DefaultVersionId") or v.get("Document") is None:
            continue
        vid = str(v.get("VersionId") or "?")
        try:
            out.append((vid, statements(v["Document"], f"{pname} {vid}",
                                        f"{where} ({pname} {vid})", report)))
        except InputError as exc:
            report(f"{exc}; version left out")
    return out


def _principal(raw: Any, kind: str, name_key: str, inline_key: str, where: str,
               report) -> Principal:
    if not isinstance(raw, dict):
        raise InputError("not an object; ignored", where)
    arn = raw.get("Arn")
    parsed = parse_arn(arn) if isinstance(arn, str) else None
    if parsed is None or parsed.service != "iam":
        raise InputError(f"malformed ARN {arn!r}; {kind} ignored", where)
    name = str(raw.get(name_key) or arn.rsplit("/", 1)[-1])
    where = f"{where} ({name})"
    p = Principal(arn, kind, name, parsed.account, where)
    p.props = {"name": name, "identity_type": kind, "arn": arn, "account": parsed.account,
               "status": "active", "source": SOURCE}
    if raw.get("CreateDate"):
        p.props["created_at"] = raw["CreateDate"]
    last = (raw.get("RoleLastUsed") or {}).get("LastUsedDate")
    if last:
        p.props["last_used_at"] = last
    if raw.get("Description"):
        p.props["description"] = str(raw["Description"])
    boundary = (raw.get("PermissionsBoundary") or {}).get("PermissionsBoundaryArn")
    if boundary:
        # Recorded, not evaluated: a boundary can only narrow what the policies allow.
        p.props["permissions_boundary"] = boundary
    tags = [f"{t.get('Key')}={t.get('Value')}" for t in raw.get("Tags") or []
            if isinstance(t, dict)]
    if tags:
        p.props["tags"] = tags
    for j, pol in enumerate(raw.get(inline_key) or []):
        w = f"{where}.{inline_key}[{j}]"
        # A bad inline policy is reported and left out; the principal's other grants stay.
        if not isinstance(pol, dict):
            report(f"{w}: inline policy is not an object; ignored")
            continue
        pname = f"{pol.get('PolicyName', f'inline-{j}')} (inline)"
        try:
            p.inline.append(statements(pol.get("PolicyDocument"), pname, w, report))
        except InputError as exc:
            report(f"{exc}; policy ignored")
    for pol in raw.get("AttachedManagedPolicies") or []:
        if isinstance(pol, dict) and isinstance(pol.get("PolicyArn"), str):
            p.managed.append(pol["PolicyArn"])
    p.group_names = [str(g) for g in raw.get("GroupList") or []]
    p.trust = raw.get("AssumeRolePolicyDocument")
    if kind == "role" and isinstance(raw.get("InstanceProfileList"), list):
        p.instance_profiles = sorted(
            str(ip.get("Arn") or ip.get("InstanceProfileName")) for ip in raw["InstanceProfileList"]
            if isinstance(ip, dict) and (ip.get("Arn") or ip.get("InstanceProfileName")))
        if p.instance_profiles:
            p.props["instance_profiles"] = p.instance_profiles
    return p


def policy_statements(p: Principal, policies: dict, missing: dict) -> list[list[Statement]]:
    """Statement lists of a principal's inline and attached managed policies; attached
    policies the run does not have are collected in ``missing`` (ARN -> principals)."""
    out = list(p.inline)
    for arn in p.managed:
        hit = policies.get(arn)
        if hit is None:
            missing.setdefault(arn, []).append(p)
            continue
        out.append(hit[1])
    return out


def build_access(principals: list[Principal], policies: dict, db: ActionDB, report,
                 batch: Batch) -> dict[str, list[Statement]]:
    """Identity nodes, MEMBER_OF and CAN_ACCESS for every principal. Returns each
    principal's effective statements (by ARN) for the trust step."""
    groups = {(p.account, p.name): p for p in principals if p.kind == "group"}
    missing: dict[str, list[Principal]] = {}
    own: dict[str, list[list[Statement]]] = {p.arn: policy_statements(p, policies, missing)
                                             for p in principals}
    for arn, holders in sorted(missing.items()):
        report(f"{holders[0].where.split(':', 1)[0]}: attached policy {arn} is not in any "
               f"file's Policies list; its grants are unknown for {len(holders)} "
               f"principal(s), e.g. {holders[0].arn}")
    checked: set[int] = set()  # a managed policy is reported once, not per principal
    for lists in own.values():
        for stmts in lists:
            if id(stmts) not in checked:
                checked.add(id(stmts))
                check_resources(stmts, report)
    # Built once so that the ids used as cache keys below stay alive and unique.
    group_denies = {g.arn: [[s for s in stmts if s.effect == "Deny"] for stmts in own[g.arn]]
                    for g in groups.values()}
    effective: dict[str, list[Statement]] = {}
    cache: dict[tuple, list] = {}
    systems: set[str] = set()
    for p in principals:
        batch.nodes.append(Node(p.id, "Identity", dict(p.props), p.where))
        lists = list(own[p.arn])
        with_groups = list(lists)
        for gname in p.group_names:
            g = groups.get((p.account, gname))
            garn = g.arn if g else f"arn:aws:iam::{p.account}:group/{gname}"
            if g is None:
                batch.nodes.append(Node(f"identity:aws:{garn}", "Identity",
                                        {"name": gname, "arn": garn}, p.where))
            batch.edges.append(Edge(p.id, "MEMBER_OF", f"identity:aws:{garn}",
                                    {"reason": f"user {p.name} is in group {gname}"}, p.where))
            if g is not None:
                # Group Denies apply to members: evaluate them with the user's own grants.
                lists += group_denies[g.arn]
                with_groups += own[g.arn]
        key = tuple(id(x) for x in lists)
        flat = [s for stmts in lists for s in stmts]
        effective[p.arn] = [s for stmts in with_groups for s in stmts]
        if key not in cache:
            cache[key] = evaluate(flat, db, report)
        for g in cache[key]:
            _grant_edge(p, g, batch, systems)
    _pattern_contains(batch)
    return effective


def system_node(account: str, batch: Batch, where: str | None = None) -> str:
    sid = f"system:aws:{account}"
    batch.nodes.append(Node(sid, "System", {"name": f"aws {account}",
                                            "system_type": "cloud_account"}, where))
    return sid


def _grant_edge(p: Principal, g, batch: Batch, systems: set[str]) -> None:
    if g.target == "*":
        dst = system_node(p.account, batch, p.where) if p.account not in systems else \
            f"system:aws:{p.account}"
        systems.add(p.account)
    else:
        acct = account_of(g.target, p.account)
        if acct not in systems:
            system_node(acct, batch, p.where)
            systems.add(acct)
        dst = f"resource:aws:{g.target}"
        batch.nodes.append(Node(dst, "Resource", {
            "name": resource_name(g.target), "arn": g.target,
            "resource_type": resource_type(g.target)}, p.where))
        batch.edges.append(Edge(f"system:aws:{acct}", "CONTAINS", dst,
                                {"reason": f"in account {acct}"}, p.where))
    props = {"access": g.access, "actions": g.actions, "grant": g.grant, "reason": g.reason,
             "conditional": g.conditional, "conditions": g.conditions, "source": SOURCE}
    if g.deny_exceptions:
        props["deny_exceptions"] = g.deny_exceptions
    if g.denied_by:
        props["denied_by"] = g.denied_by
    batch.edges.append(Edge(p.id, "CAN_ACCESS", dst, props, p.where))


def _pattern_contains(batch: Batch) -> None:
    """A resource-pattern node CONTAINS the concrete resources of the run it matches."""
    arns = {n.props["arn"] for n in batch.nodes if n.kind == "Resource" and "arn" in n.props}
    concrete = sorted(a for a in arns if not has_wildcard(a))
    for pattern in sorted(a for a in arns if has_wildcard(a)):
        for arn in concrete:
            if arn_matches(pattern, arn):
                batch.edges.append(Edge(f"resource:aws:{pattern}", "CONTAINS",
                                        f"resource:aws:{arn}",
                                        {"reason": f"{arn} matches {pattern}"}))
