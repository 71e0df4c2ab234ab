"""Privilege escalation as access paths: ``CAN_ESCALATE_TO`` edges from each principal to
the identities its effective permissions let it become, by the methods of
:mod:`ingest.aws.escalation_methods`.

Evaluated per principal (users and roles; a user's groups' statements count as its own):
every identity policy together, explicit Deny across all of them, the permissions boundary
when the run has its document, and the resource of the action that picks the target (an
``iam:CreateAccessKey`` allowed only on ``user/alice`` reaches only alice). A condition on a
statement keeps the edge but marks it ``conditional`` (``iam:PassedToService`` is evaluated:
a value naming another service makes the method impossible). Only an unconditional Deny
removes a method.

Scale: nothing is simulated pair by pair. The actions the table needs are looked up once
per distinct set of statements (principals share managed policies), targets are indexed per
account and ARN pattern once, and a principal whose grant covers every user (or every role
a service can assume) of its account gets one edge to a per-account hub
(``identity:aws:escalation:<acct>:...``) that has one edge to each of them: P + T edges
instead of P x T. Self-grant methods reach ``identity:aws:escalation:<acct>:admin``, which
holds ``admin`` (``*``) on the account System, so a blast radius shows them as admin.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from graph.errors import InputError
from graph.records import Batch, Edge, Node

from .actions import ActionDB
from .arns import arn_matches
from .authz import SOURCE, Principal, system_node
from .escalation_methods import METHODS, Method
from .policy import Statement, action_set, decode_document, resource_matches
from .versions import broader_versions

#: A grant covering every candidate of an account goes through a hub above this many.
HUB_MIN = 8
_PASSED = "iam:passedtoservice"
_NEEDED = sorted({a.lower() for m in METHODS for a in (*m.actions, *m.any_of)})


def hub_id(account: str, what: str) -> str:
    return f"identity:aws:escalation:{account}:{what}"


@dataclass
class _Use:
    """How one action is allowed: the statements, and whether only under conditions."""

    stmts: list[Statement]
    conditional: bool
    conditions: list[dict] = field(default_factory=list)


class _Perms:
    """The statements of one principal (and its boundary) that name the table's actions."""

    def __init__(self, stmts: list[Statement], db: ActionDB, report):
        self.allow: dict[str, list[Statement]] = {a: [] for a in _NEEDED}
        self.deny: dict[str, list[Statement]] = {a: [] for a in _NEEDED}
        for s in stmts:
            aset = action_set(s, db, report)
            side = self.allow if s.effect == "Allow" else self.deny
            for a in _NEEDED:
                if a in aset:
                    side[a].append(s)

    def use(self, action: str, arn: str | None, service: str | None) -> _Use | None:
        """How ``action`` is allowed on ``arn`` (None: on some resource), or None."""
        action = action.lower()
        ok, conds = [], []
        for s in self.allow[action]:
            applies, cond = _condition(s, action, service)
            if not applies:
                continue
            if arn is not None:
                if not resource_matches(s, arn) or self._denied(action, arn):
                    continue
            elif not self._somewhere(s, action):
                continue
            ok.append((s, cond))
        if not ok:
            return None
        uncond = [s for s, c in ok if c is None]
        if uncond:
            return _Use(uncond, False)
        for _, c in ok:
            if c not in conds:
                conds.append(c)
        return _Use([s for s, _ in ok], True, conds)

    def _denied(self, action: str, arn: str) -> bool:
        return any(d.condition is None and resource_matches(d, arn) for d in self.deny[action])

    def _somewhere(self, s: Statement, action: str) -> bool:
        """Some resource of the Allow survives the unconditional Denies."""
        targets = ["*"] if s.not_resources is not None else s.resources
        for r in targets:
            if not any(d.condition is None and (d.not_resources is None and
                                                any(arn_matches(p, r) for p in d.resources))
                       for d in self.deny[action]):
                return True
        return False

    def covers_all(self, action: str, pattern_of_all: str) -> bool:
        """The action is allowed unconditionally on a pattern covering ``pattern_of_all``
        with no Deny of it on any resource (so every candidate is reached)."""
        action = action.lower()
        if self.deny[action]:  # any Deny of it: decided target by target
            return False
        return any(s.condition is None and s.not_resources is None and
                   any(arn_matches(r, pattern_of_all) for r in s.resources)
                   for s in self.allow[action])


def _condition(s: Statement, action: str, service: str | None) -> tuple[bool, dict | None]:
    """Whether the statement can allow the method, and the condition left to hold.
    ``iam:PassedToService`` is decided here against the method's service."""
    if s.condition is None:
        return True, None
    rest: dict = {}
    for op, block in s.condition.items():
        if not isinstance(block, dict):
            rest[op] = block
            continue
        keep = {}
        for key, values in block.items():
            if key.lower() == _PASSED and action == "iam:passrole" and service and \
                    op in ("StringEquals", "StringLike"):
                vals = values if isinstance(values, list) else [values]
                if not any(arn_matches(str(v), service) for v in vals):
                    return False, None
                continue
            keep[key] = values
        if keep:
            rest[op] = keep
    return True, rest or None


def _trusted_services(role: Principal) -> set[str]:
    out: set[str] = set()
    try:
        doc = decode_document(role.trust, role.where)
    except InputError:
        return out  # reported by the trust step
    stmts = doc.get("Statement")
    for raw in stmts if isinstance(stmts, list) else [stmts]:
        if not isinstance(raw, dict) or str(raw.get("Effect")).capitalize() != "Allow":
            continue
        principal = raw.get("Principal")
        if isinstance(principal, dict):
            svc = principal.get("Service")
            out.update(str(x) for x in (svc if isinstance(svc, list) else [svc]) if x)
    return out


@dataclass
class _Hit:
    method: Method
    uses: list[_Use]
    note: str = ""
    #: The alternative action (of ``any_of``) that completes the method.
    alt: str | None = None

    @property
    def conditional(self) -> bool:
        return self.method.reaches == "existing" or any(u.conditional for u in self.uses)


def build_escalation(principals: list[Principal], policies: dict,
                     effective: dict[str, list[Statement]], db: ActionDB, report,
                     batch: Batch, versions: dict | None = None) -> None:
    """``CAN_ESCALATE_TO`` edges (see the module docstring) for every user and role.
    ``versions``: managed policy ARN -> its non-default versions (``AuthzFile.versions``)."""
    idx = _Index(principals, policies)
    idx.broader = broader_versions(policies, versions or {}, db, report)
    cache: dict[tuple, _Perms] = {}
    boundary_missing: set[str] = set()

    def perms(stmts):
        key = tuple(id(s) for s in stmts)
        if key not in cache:
            cache[key] = _Perms(stmts, db, report)
        return cache[key]

    hubs_used: set[tuple[str, str]] = set()
    for p in principals:
        if p.kind not in ("user", "role"):
            continue
        stmts = effective.get(p.arn, [])
        if _already_admin(stmts):
            continue  # holds * on * already: no escalation reaches more (docs/aws-iam.md)
        mine = perms(stmts)
        bound = None
        barn = p.props.get("permissions_boundary")
        if barn:
            if barn in policies:
                bound = perms(policies[barn][1])
            elif barn not in boundary_missing:
                boundary_missing.add(barn)
                report(f"{p.where}: permissions boundary {barn} is not in any file's Policies "
                       "list; escalation is evaluated without it")
        hits: dict[str, list[_Hit]] = {}
        for m in METHODS:
            for dst, hit in _method(m, p, mine, bound, idx, hubs_used):
                if dst != p.id:
                    hits.setdefault(dst, []).append(hit)
        for dst, hs in sorted(hits.items()):
            batch.edges.append(_edge(p, dst, hs))
    _write_targets(idx, hubs_used, batch)


def _already_admin(stmts: list[Statement]) -> bool:
    """An unconditional Allow of ``*`` on ``*`` and no Deny at all."""
    return not any(s.effect == "Deny" for s in stmts) and any(
        s.effect == "Allow" and s.condition is None and s.not_actions is None
        and "*" in s.actions and s.not_resources is None and "*" in s.resources
        for s in stmts)


def _allowed(perms: _Perms, bound: _Perms | None, action, arn, service) -> _Use | None:
    u = perms.use(action, arn, service)
    if u is None or bound is None:
        return u
    b = bound.use(action, arn, service)
    if b is None:
        return None
    if b.conditional:
        return _Use(u.stmts, True, u.conditions + b.conditions)
    return u


def _method(m: Method, p: Principal, mine, bound, idx, hubs_used):
    service = m.service
    uses = []
    for a in m.actions:
        if a == m.key:
            continue
        u = _allowed(mine, bound, a, None, service)
        if u is None:
            return
        uses.append(u)
    alt_name = None
    if m.any_of:
        found = [(a, u) for a in m.any_of
                 if (u := _allowed(mine, bound, a, None, service)) is not None]
        if not found:
            return
        alt_name, alt = sorted(found, key=lambda x: x[1].conditional)[0]
        uses.append(alt)
    for dst, hit in _method_targets(m, p, mine, bound, idx, hubs_used, uses):
        hit.alt = alt_name
        yield dst, hit


def _method_targets(m: Method, p: Principal, mine, bound, idx, hubs_used, uses):
    service = m.service
    if m.reaches == "existing":
        key = _allowed(mine, bound, m.key, None, service)
        if key is None:
            return
        candidates = idx.by_service.get((p.account, service), [])
        yield from _targets(m, p, candidates, [key, *uses], None, mine, bound, idx,
                            hubs_used, f"roles-trusting:{service}")
        return
    if m.reaches == "admin":
        for arn in idx.own(p, m.name):
            key = _allowed(mine, bound, m.key, arn, service)
            if key is not None:
                note = arn if m.name != "SetDefaultPolicyVersion" else \
                    f"{arn} (version {idx.broader[arn]} grants more)"
                yield hub_id(p.account, "admin"), _Hit(m, [key, *uses], note=note)
                hubs_used.add((p.account, "admin"))
                return
        return
    if m.reaches == "passrole":
        candidates = idx.by_service.get((p.account, service), [])
        what = f"roles-trusting:{service}"
        if m.instance_profile:
            candidates = [t for t in candidates if t.instance_profiles is None
                          or t.instance_profiles]
            what = f"profiled-roles-trusting:{service}"
    else:
        if m.reaches == "group" and p.kind != "user":
            return  # only a user can be added to a group
        candidates = idx.by_kind.get((p.account, m.reaches), [])
        what = f"{m.reaches}s"
    yield from _targets(m, p, candidates, uses, m.key, mine, bound, idx, hubs_used, what)


def _targets(m, p, candidates, uses, key_action, mine, bound, idx, hubs_used, what):
    if not candidates:
        return
    if key_action is None:  # existing-resource methods: the action's resource is not a role
        covered = len(candidates) >= HUB_MIN
        if covered:
            hubs_used.add((p.account, what))
            yield hub_id(p.account, what), _Hit(m, uses)
            return
        for t in candidates:
            yield t.id, _Hit(m, uses)
        return
    everything = f"arn:aws:iam::{p.account}:{'role' if 'role' in what else m.reaches}/*"

    if len(candidates) >= HUB_MIN and mine.covers_all(key_action, everything) and \
            (bound is None or bound.covers_all(key_action, everything)):
        u = _allowed(mine, bound, key_action, candidates[0].arn, m.service)
        if u is not None:
            hubs_used.add((p.account, what))
            yield hub_id(p.account, what), _Hit(m, [u, *uses])
            return
    found = [(t, u) for t in candidates
             if (u := _allowed(mine, bound, key_action, t.arn, m.service)) is not None]
    # Every member reached, all unconditionally or all under the same conditions: the hub.
    if len(candidates) >= HUB_MIN and len(found) == len(candidates) and \
            len({(u.conditional, json.dumps(u.conditions, sort_keys=True))
                 for _, u in found}) == 1:
        hubs_used.add((p.account, what))
        yield hub_id(p.account, what), _Hit(m, [found[0][1], *uses])
        return
    for t, u in found:
        yield t.id, _Hit(m, [u, *uses])


class _Index:
    """Targets by account: users, roles, groups, roles by trusted service, and what each
    principal's self-grant methods act on."""

    def __init__(self, principals: list[Principal], policies: dict):
        self.by_kind: dict[tuple[str, str], list[Principal]] = {}
        self.by_service: dict[tuple[str, str], list[Principal]] = {}
        self.groups = {(p.account, p.name): p for p in principals if p.kind == "group"}
        #: policy ARN -> the id of a non-default version granting more than the default
        self.broader: dict[str, str] = {}
        for p in principals:
            self.by_kind.setdefault((p.account, p.kind), []).append(p)
            if p.kind == "role" and p.trust is not None:
                for svc in sorted(_trusted_services(p)):
                    self.by_service.setdefault((p.account, svc), []).append(p)

    def own(self, p: Principal, method: str) -> list[str]:
        """The ARNs a self-grant method must be allowed on for ``p`` to grant itself."""
        groups = [self.groups[(p.account, g)] for g in p.group_names
                  if (p.account, g) in self.groups]
        if method in ("AttachUserPolicy", "PutUserPolicy"):
            return [p.arn] if p.kind == "user" else []
        if method in ("AttachRolePolicy", "PutRolePolicy"):
            return [p.arn] if p.kind == "role" else []
        if method in ("AttachGroupPolicy", "PutGroupPolicy"):
            return [g.arn for g in groups]
        # CreatePolicyVersion / SetDefaultPolicyVersion: customer-managed policies attached
        # to it or its groups (AWS-managed policies cannot be versioned by customers);
        # SetDefaultPolicyVersion only those with a version granting more than the default.
        out = []
        for holder in (p, *groups):
            out += [a for a in holder.managed if ":aws:policy/" not in a and a not in out]
        if method == "SetDefaultPolicyVersion":
            out = [a for a in out if a in self.broader]
        return out


def _write_targets(idx: _Index, hubs_used: set[tuple[str, str]], batch: Batch) -> None:
    for acct, what in sorted(hubs_used):
        hid = hub_id(acct, what)
        if what == "admin":
            batch.nodes.append(Node(hid, "Identity", {
                "name": f"admin of account {acct} (self-granted)", "account": acct,
                "identity_type": "escalation_target", "source": SOURCE}))
            sid = system_node(acct, batch)
            batch.edges.append(Edge(hid, "CAN_ACCESS", sid, {
                "access": "admin", "actions": ["*"], "grant": "self-granted policy",
                "reason": "a principal that can attach or write its own policies can allow "
                          "itself * on *", "conditional": False, "source": SOURCE}))
            continue
        if what.startswith("roles-trusting:"):
            svc = what.split(":", 1)[1]
            members = idx.by_service.get((acct, svc), [])
            label = f"every role of account {acct} that {svc} can assume"
        elif what.startswith("profiled-roles-trusting:"):
            svc = what.split(":", 1)[1]
            members = [t for t in idx.by_service.get((acct, svc), [])
                       if t.instance_profiles is None or t.instance_profiles]
            label = f"every role of account {acct} in an instance profile that {svc} can assume"
        else:
            kind = what[:-1]
            members = idx.by_kind.get((acct, kind), [])
            label = f"every {kind} of account {acct}"
        batch.nodes.append(Node(hid, "Identity", {
            "name": label, "account": acct, "identity_type": "escalation_target",
            "source": SOURCE}))
        for t in members:
            batch.edges.append(Edge(hid, "CAN_ESCALATE_TO", t.id, {
                "method": "(any)", "reason": f"{label} includes {t.name}",
                "conditional": False, "source": SOURCE}))


def _edge(p: Principal, dst: str, hits: list[_Hit]) -> Edge:
    hits = sorted(hits, key=lambda h: h.conditional)  # unconditional first, table order
    best = hits[0]
    conditional = all(h.conditional for h in hits)
    actions, grants, conds = [], [], []
    for h in hits:
        for a in (*h.method.actions, *([h.alt] if h.alt else [])):
            if a not in actions:
                actions.append(a)
        for u in h.uses:
            for s in u.stmts:
                if s.policy not in grants:
                    grants.append(s.policy)
            for c in u.conditions if conditional else ():
                if c not in conds:
                    conds.append(c)
    m = best.method
    needed = (*m.actions, *([best.alt] if best.alt else []))
    reason = f"{p.name} can {m.description} ({m.name}: {', '.join(needed)}"
    reason += f" via {', '.join(dict.fromkeys(s.policy for u in best.uses for s in u.stmts))})"
    if m.reaches == "admin":
        reason += f" on {best.note}"
    if m.reaches == "existing":
        reason += f", if an existing {m.service.split('.')[0]} resource runs as the role " \
                  "(the export does not list them)"
    if best.conditional and conds:
        reason += f" if {json.dumps(conds, sort_keys=True)}"
    others = [h.method.name for h in hits[1:]]
    if others:
        reason += "; also " + ", ".join(others)
    props = {"method": m.name, "methods": [h.method.name for h in hits], "actions": actions,
             "grant": "; ".join(grants), "reason": reason,
             "conditional": conditional,
             "conditions": json.dumps(conds, sort_keys=True) if conds else None,
             "source": SOURCE}
    return Edge(p.id, "CAN_ESCALATE_TO", dst, props, p.where)
