"""Role trust policies -> ``CAN_ASSUME`` edges (who can become the role).

Principals and what they become (see docs/aws-iam.md):

- a role or user ARN: an edge from that identity (a stub with id, name and arn when the
  run did not load it, e.g. in an account not ingested); from another account loaded in the
  same run, only if its own policies allow ``sts:AssumeRole`` on the role;
- an account (``123456789012`` or ``arn:aws:iam::123456789012:root``): an edge from the
  account's root principal ``identity:aws:arn:aws:iam::<acct>:root``; users and roles of
  that account (loaded in the same run) allowed ``sts:AssumeRole`` on any role get one edge
  to that root, and those allowed it on some roles a direct edge to each such role (AWS
  requires both the trust and that permission);
- a service (``lambda.amazonaws.com``): ``identity:aws:service:<service>``;
- ``*``: ``identity:aws:*`` with ``principal_unrestricted: true``;
- GitHub's OIDC provider (``token.actions.githubusercontent.com``): an edge from the
  repository Workspace ``workspace:github:<owner>/<repo>`` (or the organisation
  ``workspace:github:<owner>`` for ``repo:<owner>/*``) for each ``sub`` value, with the
  condition recorded; with no usable ``sub`` restriction an edge from the provider identity
  flagged ``oidc_subject_unrestricted: true`` (NHI6: any repository on GitHub can assume it);
- an EKS cluster's OIDC issuer (IRSA) with ``system:serviceaccount:<ns>:<sa>`` subjects: an
  edge from ``identity:k8s:<cluster>:<ns>/<sa>`` when option ``eks_clusters`` names the
  cluster, else from the provider identity with the subject recorded;
- other federated providers (SAML, other OIDC issuers): an edge from the provider identity.

Deny statements in trust policies are not evaluated (rare in practice): documented.
"""

from __future__ import annotations

import fnmatch
import json
import re
from typing import Any

from graph.errors import InputError
from graph.records import Batch, Edge, Node

from .actions import ActionDB
from .arns import ACCOUNT_RE, arn_matches, parse_arn
from .authz import SOURCE, Principal
from .policy import action_set, decode_document, is_allowed

_ASSUME = ("sts:assumerole", "sts:assumerolewithwebidentity", "sts:assumerolewithsaml")
GITHUB_ISSUER = "token.actions.githubusercontent.com"
_REPO_SUB = re.compile(r"^repo:([^/:]+)/([^:]+)(?::.*)?$")
_EKS = re.compile(r"^oidc\.eks\.[a-z0-9-]+\.amazonaws\.com/id/([A-Za-z0-9]+)$")
_SA_SUB = re.compile(r"^system:serviceaccount:([^:]+):([^:]+)$")


def _list(value: Any) -> list:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _assumes(actions: list[str]) -> bool:
    return any(fnmatch.fnmatchcase(a, str(p).lower()) for p in actions for a in _ASSUME)


def build_trust(principals: list[Principal], effective: dict, db: ActionDB, report,
                batch: Batch, eks_clusters: dict[str, str] | None = None) -> None:
    """CAN_ASSUME edges for every role's trust policy. ``eks_clusters`` maps an EKS OIDC
    issuer id to the cluster name the kubernetes ingester uses, so IRSA trusts join the
    cluster's service accounts."""
    by_account = _AccountCallers(principals, effective, db, report, batch)
    known = {p.arn for p in principals}
    for role in principals:
        if role.kind != "role" or role.trust is None:
            continue
        where = f"{role.where}.AssumeRolePolicyDocument"
        try:
            doc = decode_document(role.trust, where)
        except InputError as exc:
            report(f"{exc}; trust ignored")
            continue
        for i, raw in enumerate(_list(doc.get("Statement"))):
            w = f"{where}.Statement[{i}]"
            if not isinstance(raw, dict) or str(raw.get("Effect")).capitalize() != "Allow":
                continue
            if not _assumes(_list(raw.get("Action"))):
                continue
            _statement(role, raw, w, by_account, known, effective, db, report, batch,
                       eks_clusters or {})


def _statement(role, raw, where, by_account, known, effective, db, report, batch, eks):
    cond = raw.get("Condition") or None
    base = {"source": SOURCE, "conditional": bool(cond),
            "conditions": json.dumps(cond, sort_keys=True) if cond else None}
    action = ",".join(str(a) for a in _list(raw.get("Action")))
    why = f"trust policy of {role.name} allows"

    def edge(src, reason, **extra):
        batch.edges.append(Edge(src, "CAN_ASSUME", role.id,
                                {**base, "reason": reason, **extra}, where))

    principal = raw.get("Principal")
    if principal == "*":
        principal = {"AWS": "*"}
    if not isinstance(principal, dict):
        report(f"{where}: Principal must be '*' or an object; statement ignored")
        return
    for value in _list(principal.get("AWS")):
        value = str(value)
        if value == "*":
            _stub(batch, "identity:aws:*", "any AWS principal", None, identity_type="anyone")
            edge("identity:aws:*", f"{why} any AWS principal ({action})",
                 principal_unrestricted=True)
            continue
        acct = value if ACCOUNT_RE.match(value) else None
        arn = parse_arn(value)
        if arn and arn.resource == "root" and ACCOUNT_RE.match(arn.account):
            acct = arn.account
        if acct:
            root = f"arn:aws:iam::{acct}:root"
            _stub(batch, f"identity:aws:{root}", f"account {acct}", root,
                  identity_type="account")
            edge(f"identity:aws:{root}", f"{why} account {acct} ({action}): any of its "
                 "principals whose own policies allow sts:AssumeRole on it")
            by_account.wire(acct)
            for q in by_account.narrow(acct):
                if q.arn == role.arn:
                    continue
                ok, via = is_allowed(effective.get(q.arn, []), "sts:AssumeRole", role.arn,
                                     db, report)
                if ok:
                    edge(q.id, f"{why} account {acct} and {via[0].policy} allows "
                         f"sts:AssumeRole on {role.arn}")
            continue
        if arn is None:
            # AWS shows a deleted principal as its unique id (AROA..., AIDA...).
            if re.match(r"^A[A-Z0-9]{15,}$", value):
                _stub(batch, f"identity:aws:{value}", value, None)
                edge(f"identity:aws:{value}", f"{why} principal id {value} (a deleted or "
                     f"recreated principal) ({action})")
            else:
                report(f"{where}: malformed principal {value!r}; ignored")
            continue
        short = value.rsplit(":", 1)[-1]
        if value not in known:
            _stub(batch, f"identity:aws:{value}", value.rsplit("/", 1)[-1], value)
            if arn.account != role.account:
                short += " (its account's policies were not in this run)"
        elif arn.account != role.account:
            # Across accounts the caller's own policies must allow the call too.
            ok, via = is_allowed(effective.get(value, []), "sts:AssumeRole", role.arn, db,
                                 report)
            if not ok:
                continue
            short += f" and {via[0].policy} allows sts:AssumeRole on {role.arn}"
        edge(f"identity:aws:{value}", f"{why} {short} ({action})")
    for svc in _list(principal.get("Service")):
        sid = f"identity:aws:service:{svc}"
        _stub(batch, sid, str(svc), None, identity_type="aws_service")
        edge(sid, f"{why} the AWS service {svc} ({action})")
    for fed in _list(principal.get("Federated")):
        _federated(str(fed), cond, why, action, edge, where, batch, eks)


class _AccountCallers:
    """Who in an account may call sts:AssumeRole, for roles that trust the whole account.

    Principals allowed to assume *any* role (``sts:AssumeRole`` on ``*`` or every role ARN,
    with no Deny of it) get one edge to the account root, which has an edge to every role
    trusting the account: P + R edges instead of P x R (thousands of admins times hundreds of
    roles would otherwise be millions of edges). The others are checked role by role.
    """

    ANY_ROLE = "arn:aws:iam::*:role/*"

    def __init__(self, principals, effective, db, report, batch):
        self.effective, self.db, self.report, self.batch = effective, db, report, batch
        self.wide: dict[str, list[tuple[Principal, str]]] = {}
        self._narrow: dict[str, list[Principal]] = {}
        self.wired: set[str] = set()
        for p in principals:
            if p.kind not in ("user", "role"):
                continue
            scope = self._scope(effective.get(p.arn, []))
            if scope is None:
                continue
            if scope[0] == "wide":
                self.wide.setdefault(p.account, []).append((p, scope[1]))
            else:
                self._narrow.setdefault(p.account, []).append(p)

    def _scope(self, stmts) -> tuple[str, str] | None:
        allowing = [s for s in stmts if s.effect == "Allow"
                    and "sts:AssumeRole" in action_set(s, self.db, self.report)]
        if not allowing:
            return None
        if any(s.effect == "Deny" and "sts:AssumeRole" in action_set(s, self.db, self.report)
               for s in stmts):
            return ("narrow", "")
        for s in allowing:
            if s.not_resources is None and s.condition is None and \
                    any(arn_matches(r, self.ANY_ROLE) for r in s.resources):
                return ("wide", s.policy)
        return ("narrow", "")

    def narrow(self, acct: str) -> list[Principal]:
        return self._narrow.get(acct, [])

    def wire(self, acct: str) -> None:
        """Edges from the account's any-role callers to its root (once per account)."""
        if acct in self.wired:
            return
        self.wired.add(acct)
        root = f"identity:aws:arn:aws:iam::{acct}:root"
        for p, policy in self.wide.get(acct, []):
            self.batch.edges.append(Edge(p.id, "CAN_ASSUME", root, {
                "source": SOURCE, "conditional": False,
                "reason": f"{policy} allows sts:AssumeRole on any role, so {p.name} can "
                          f"assume every role that trusts account {acct}"}, p.where))


def _stub(batch: Batch, nid: str, name: str, arn: str | None, **extra) -> None:
    props = {"name": name, **({"arn": arn} if arn else {}), **extra}
    batch.nodes.append(Node(nid, "Identity", props))


def _subs(cond, issuer: str) -> list[str]:
    """Values a trust's (positive) conditions allow for ``<issuer>:sub``."""
    out = []
    for op, block in (cond or {}).items():
        if not isinstance(block, dict) or "Not" in op:
            continue
        for key, values in block.items():
            if key.lower() == f"{issuer.lower()}:sub":
                out.extend(str(v) for v in _list(values))
    return out


def _federated(fed, cond, why, action, edge, where, batch, eks):
    arn = parse_arn(fed)
    provider_type = "saml_provider" if ":saml-provider/" in fed else "oidc_provider"
    pid = f"identity:aws:{fed}" if arn else f"identity:aws:federated:{fed}"
    issuer = fed.split("oidc-provider/", 1)[-1] if arn else fed
    props = {"identity_type": provider_type}
    if arn:
        props["account"] = arn.account
    _stub(batch, pid, issuer, fed if arn else None, **props)
    m = _EKS.match(issuer)
    if m:
        _eks(pid, m.group(1), eks.get(m.group(1)), _subs(cond, issuer), why, action, edge,
             where, batch)
        return
    if issuer != GITHUB_ISSUER:
        edge(pid, f"{why} tokens of {issuer} ({action})")
        return
    subs = _subs(cond, GITHUB_ISSUER)
    open_subs = [s for s in subs if _unrestricted(s)]
    if not subs or open_subs:
        edge(pid, f"{why} GitHub Actions OIDC tokens of any repository: no sub condition "
             f"restricts it ({action})", oidc_subject_unrestricted=True,
             oidc_subject=";".join(open_subs) or None)
    for sub in subs:
        m = _REPO_SUB.match(sub)
        if sub in open_subs:
            continue
        if not m:
            # Restricted, but by a custom subject template this cannot map to a repository.
            edge(pid, f"{why} GitHub Actions OIDC tokens with sub {sub} ({action})",
                 oidc_subject=sub)
            continue
        owner, repo = m.group(1), m.group(2)
        wid = f"workspace:github:{owner}" if "*" in repo or "?" in repo else \
            f"workspace:github:{owner}/{repo}"
        batch.nodes.append(Node(wid, "Workspace", {"name": wid.split(":", 2)[2]}, where))
        edge(wid, f"{why} GitHub Actions OIDC tokens with sub {sub} "
             f"({action})", oidc_subject=sub)


def _unrestricted(sub: str) -> bool:
    """A sub pattern that tokens of repositories anyone can create match (``*``,
    ``repo:*``, ``repo:*/x:*``, ``repo:acme*/x``)."""
    if sub.startswith("*") or sub.startswith("?"):
        return True
    m = _REPO_SUB.match(sub)
    # A wildcard in the owner part ("acme*") matches organisations anyone can create.
    return bool(m) and ("*" in m.group(1) or "?" in m.group(1))


def _eks(pid, issuer_id, cluster, subs, why, action, edge, where, batch) -> None:
    """IRSA: a trust of an EKS cluster's OIDC issuer with ``system:serviceaccount:<ns>:<sa>``
    subjects; with the cluster's name known, an edge from each service account."""
    if not subs or any(s.startswith("*") for s in subs):
        edge(pid, f"{why} tokens of any service account of EKS cluster {issuer_id}: no sub "
             f"condition restricts it ({action})", oidc_subject_unrestricted=True)
    for sub in subs:
        m = _SA_SUB.match(sub)
        if sub.startswith("*"):
            continue
        if cluster and m and not any(c in sub for c in "*?"):
            sid = f"identity:k8s:{cluster}:{m.group(1)}/{m.group(2)}"
            batch.nodes.append(Node(sid, "Identity", {"name": f"{m.group(1)}/{m.group(2)}"},
                                    where))
            edge(sid, f"{why} service account {m.group(1)}/{m.group(2)} of cluster {cluster} "
                 f"(IRSA, {action})", oidc_subject=sub)
        else:
            edge(pid, f"{why} EKS tokens with sub {sub} ({action})", oidc_subject=sub)
