"""IAM policy evaluation: statements in, per-resource grants out. No parsing of exports and
no graph records here; :mod:`ingest.aws.authz` feeds it and turns its grants into edges.

What is evaluated, per principal, over all its identity policies together:

- Allow statements give actions (``Action`` patterns expanded with the action database, or
  every action but ``NotAction``) on resources (each ``Resource`` pattern, or for
  ``NotResource`` the account's ``*`` with the excluded ARNs recorded).
- An unconditional Deny whose resources cover an allowed resource removes its actions
  (explicit Deny beats Allow). A Deny on a narrower resource than the Allow, and a Deny
  with conditions, cannot be expressed by removing an edge: they are recorded on the edge
  (``deny_exceptions``) and in its reason.
- Conditions are kept: the edge says ``conditional: true`` when its strongest access
  depends on a condition, and ``conditions`` holds the condition blocks as JSON text.
"""

from __future__ import annotations

import json
import urllib.parse
from dataclasses import dataclass, field
from typing import Any

from graph.errors import InputError

from ..files import json_loads
from .actions import ActionDB, ActionSet, stronger
from .arns import arn_matches, fold, has_wildcard, parse_arn

#: Above this many concrete actions an edge lists the patterns as written instead.
MAX_LISTED_ACTIONS = 25


def decode_document(doc: Any, where: str) -> dict:
    """A policy document as a dict; exports may give it URL-encoded or as JSON text."""
    if isinstance(doc, dict):
        return doc
    if isinstance(doc, str):
        text = doc.strip()
        if text.startswith("%7B") or text.startswith("%7b") or "%22" in text[:40]:
            text = urllib.parse.unquote(text)
        try:
            out = json_loads(text)
        except json.JSONDecodeError as exc:
            raise InputError(f"policy document is not JSON ({exc.msg})", where) from None
        if isinstance(out, dict):
            return out
    raise InputError("policy document is not a JSON object", where)


def _as_list(value: Any) -> list:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


@dataclass
class Statement:
    policy: str  # the grant: policy name (managed policies: name, inline: name (inline))
    index: int
    effect: str
    actions: list[str]
    not_actions: list[str] | None
    resources: list[str]
    not_resources: list[str] | None
    condition: dict | None
    where: str
    aset: ActionSet | None = None


def statements(document: Any, policy: str, where: str, report=None) -> list[Statement]:
    """Normalised statements of one policy document. With ``report``, a statement that
    cannot be read is reported and left out (the policy's other statements stay);
    without it, it fails the policy."""
    doc = decode_document(document, where)
    out = []
    for i, raw in enumerate(_as_list(doc.get("Statement"))):
        w = f"{where}.Statement[{i}]"
        problem = "statement is not an object" if not isinstance(raw, dict) else None
        if problem is None and str(raw.get("Effect", "")).capitalize() not in ("Allow", "Deny"):
            problem = f"Effect must be Allow or Deny, not {raw.get('Effect')!r}"
        if problem:
            if report is None:
                raise InputError(problem, w)
            report(f"{w}: {problem}; statement ignored")
            continue
        effect = str(raw.get("Effect", "")).capitalize()
        not_a = _as_list(raw["NotAction"]) if "NotAction" in raw else None
        not_r = _as_list(raw["NotResource"]) if "NotResource" in raw else None
        cond = raw.get("Condition") or None
        out.append(Statement(policy, i, effect, [str(a) for a in _as_list(raw.get("Action"))],
                             [str(a) for a in not_a] if not_a is not None else None,
                             [str(r) for r in _as_list(raw.get("Resource"))],
                             [str(r) for r in not_r] if not_r is not None else None,
                             cond if isinstance(cond, dict) else None, w))
    return out


def action_set(stmt: Statement, db: ActionDB, report) -> ActionSet:
    """The actions a statement names (cached on the statement)."""
    if stmt.aset is not None:
        return stmt.aset
    named = ActionSet()
    for pattern in (stmt.not_actions if stmt.not_actions is not None else stmt.actions):
        if pattern == "*":
            named = ActionSet.everything()
            continue
        hit = db.expand(pattern)
        if not hit:
            report(f"{stmt.where}: unknown action {pattern!r} (not in {db.version}); "
                   "ignored")
        named = named | ActionSet(False, hit)
    stmt.aset = ActionSet.everything() - named if stmt.not_actions is not None else named
    return stmt.aset


def resource_matches(stmt: Statement, arn: str) -> bool:
    if stmt.not_resources is not None:
        return not any(arn_matches(p, arn) for p in stmt.not_resources)
    return any(arn_matches(p, arn) for p in stmt.resources)


@dataclass
class _Part:
    stmt: Statement
    resource: str  # as written
    actions: ActionSet


@dataclass
class Grant:
    """What one principal may do on one target (an ARN, an ARN pattern or ``*``)."""

    target: str
    access: str | None
    actions: list[str]
    grant: str
    reason: str
    conditional: bool
    conditions: str | None
    deny_exceptions: list[str] = field(default_factory=list)
    #: Denies that removed actions from the grant (the edge shows what is left).
    denied_by: list[str] = field(default_factory=list)


def check_resources(stmts: list[Statement], report) -> None:
    """Report malformed ARNs (they are then ignored)."""
    for s in stmts:
        for field_name, values in (("Resource", s.resources), ("NotResource", s.not_resources)):
            for r in values or ():
                if r != "*" and parse_arn(r) is None:
                    report(f"{s.where}: malformed ARN {r!r} in {field_name}; ignored")


def evaluate(stmts: list[Statement], db: ActionDB, report) -> list[Grant]:
    """Grants of one principal from all its identity-policy statements."""
    allows = [s for s in stmts if s.effect == "Allow"]
    denies = [s for s in stmts if s.effect == "Deny"]
    parts: dict[str, list[_Part]] = {}
    for s in allows:
        aset = action_set(s, db, report)
        if aset.is_empty():
            continue
        targets = ["*"] if s.not_resources is not None else s.resources
        for r in targets:
            if r != "*" and parse_arn(r) is None:
                continue
            parts.setdefault(fold(r), []).append(_Part(s, r, aset))
    grants = []
    for target in sorted(parts):
        g = _combine(target, parts[target], denies, db, report)
        if g is not None:
            grants.append(g)
    return grants


def _combine(target, parts, denies, db, report) -> Grant | None:
    exceptions: list[str] = []
    applied: list[str] = []  # Denies that took actions away from this grant
    kept: list[_Part] = []
    for p in parts:
        eff = p.actions
        for d in denies:
            d_set = action_set(d, db, report)
            if d.not_resources is None and not d.resources:
                continue
            covers = resource_matches(d, p.resource)
            if covers and d.condition is None:
                before, eff = eff, eff - d_set
                if eff != before and _deny_note(d) not in applied:
                    applied.append(_deny_note(d))
            elif covers or _narrower(d, p.resource):
                note = _deny_note(d) + (" under conditions" if d.condition else "")
                if note not in exceptions:
                    exceptions.append(note)
        if p.stmt.not_resources is not None:
            note = f"{p.stmt.policy} excludes {','.join(p.stmt.not_resources)}"
            if note not in exceptions:
                exceptions.append(note)
        if not eff.is_empty():
            kept.append(_Part(p.stmt, p.resource, eff))
    if not kept:
        return None
    uncond = [p for p in kept if p.stmt.condition is None]
    level_all, level_uncond = None, None
    for p in kept:
        lv = _level(p, db)
        level_all = stronger(level_all, lv)
        if p.stmt.condition is None:
            level_uncond = stronger(level_uncond, lv)
    conditional = level_all != level_uncond or not uncond
    conds = []
    for p in kept:
        if p.stmt.condition is not None and p.stmt.condition not in conds:
            conds.append(p.stmt.condition)
    grant_names = []
    for p in kept:
        if p.stmt.policy not in grant_names:
            grant_names.append(p.stmt.policy)
    best = _best_part(kept, level_all, db)
    action = _representative(best, level_all, db)
    reason = f"{best.stmt.policy} allows {action} on {best.resource}"
    if best.stmt.condition is not None:
        reason += f" if {json.dumps(best.stmt.condition, sort_keys=True)}"
    others = [n for n in grant_names if n != best.stmt.policy]
    if others:
        reason += "; also " + ", ".join(others)
    if applied:
        reason += "; minus what " + "; ".join(applied)
    if exceptions:
        reason += "; except: " + "; ".join(exceptions)
    return Grant(target, level_all or "unknown", _listed_actions(kept, db),
                 "; ".join(grant_names), reason, conditional,
                 json.dumps(conds, sort_keys=True) if conds else None, exceptions, applied)


def _deny_note(d: Statement) -> str:
    what = ",".join(["NotAction " + x for x in d.not_actions] if d.not_actions is not None
                    else d.actions)
    on = ",".join(d.resources) if d.not_resources is None else \
        "NotResource " + ",".join(d.not_resources)
    return f"{d.policy} denies {what} on {on}"


def _narrower(deny: Statement, resource: str) -> bool:
    """A Deny on resources inside an allowed pattern (it takes part of it away)."""
    if not has_wildcard(resource):
        return False
    return any(p != resource and arn_matches(resource, p) for p in deny.resources)


def _level(p: _Part, db: ActionDB) -> str | None:
    lv = p.actions.level(db)
    for pattern in p.stmt.actions if p.stmt.not_actions is None else ():
        # A whole service (s3:*) or everything, none of it denied: full control.
        if db.is_service_wildcard(pattern) and (
                pattern == "*" and p.actions.universal and not p.actions.items
                or pattern != "*" and p.actions.covers(db.expand(pattern))):
            return "admin"
    return lv


def _best_part(kept, level, db):
    for p in kept:
        if _level(p, db) == level and p.stmt.condition is None:
            return p
    for p in kept:
        if _level(p, db) == level:
            return p
    return kept[0]


def _representative(p: _Part, level, db) -> str:
    for pattern in p.stmt.actions if p.stmt.not_actions is None else ():
        if db.is_service_wildcard(pattern) and _level(p, db) == "admin" and \
                (pattern == "*" or p.actions.covers(db.expand(pattern))):
            return pattern
    if level and level != "unknown":
        hit = p.actions.strongest_action(db, level)
        if hit:
            return hit
    return ",".join(p.stmt.actions) or "NotAction " + ",".join(p.stmt.not_actions or [])


def _listed_actions(kept: list[_Part], db: ActionDB) -> list[str]:
    union = ActionSet()
    for p in kept:
        union = union | p.actions
    if not union.universal and len(union.items) <= MAX_LISTED_ACTIONS:
        return sorted(db.canonical(a) for a in union.items)
    written: list[str] = []
    for p in kept:
        names = p.stmt.actions if p.stmt.not_actions is None else \
            ["NotAction " + a for a in p.stmt.not_actions]
        for a in names:
            if a not in written:
                written.append(a)
    return written


def is_allowed(stmts: list[Statement], action: str, arn: str, db: ActionDB, report) -> \
        tuple[bool, list[Statement]]:
    """Whether identity policies allow ``action`` on ``arn`` (no unconditional Deny), and
    the allowing statements."""
    allowing = [s for s in stmts if s.effect == "Allow" and action in action_set(s, db, report)
                and resource_matches(s, arn)]
    if not allowing:
        return False, []
    for d in stmts:
        if d.effect == "Deny" and d.condition is None and action in action_set(d, db, report) \
                and resource_matches(d, arn):
            return False, []
    return True, allowing
