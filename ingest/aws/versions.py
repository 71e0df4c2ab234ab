"""Older managed-policy versions: ``iam:SetDefaultPolicyVersion`` is an escalation only
when a non-default version (``Policies[].PolicyVersionList``) of a policy attached to the
principal grants more than the default. "More" is judged statement by statement: an Allow
of the version that no single unconditional Allow of the default covers (its actions by
the action database, its resources by IAM wildcard match), or a Deny of the default the
version lacks. It errs only towards "broader" (an Allow the default covers only by the union
of several statements, or only under a condition, counts as more).
"""

from __future__ import annotations

import json

from .actions import ActionDB
from .arns import arn_matches
from .policy import Statement, action_set


def broader_versions(policies: dict, versions: dict, db: ActionDB, report) -> dict[str, str]:
    """Policy ARN -> the first non-default version that grants more than the default: an
    Allow no single unconditional Allow of the default covers (its actions and resources),
    or a Deny of the default the version lacks."""
    out = {}
    for arn, older in sorted(versions.items()):
        if arn not in policies:
            continue
        default = policies[arn][1]
        for vid, stmts in older:
            if _grants_more(stmts, default, db, report):
                out[arn] = vid
                break
    return out


def _grants_more(version: list[Statement], default: list[Statement], db, report) -> bool:
    allows = [d for d in default if d.effect == "Allow" and d.condition is None]
    for s in version:
        if s.effect != "Allow":
            continue
        if not any(_covers(d, s, db, report) for d in allows):
            return True
    kept = {_shape(s) for s in version if s.effect == "Deny"}
    return any(_shape(d) not in kept for d in default if d.effect == "Deny")


def _covers(d: Statement, s: Statement, db, report) -> bool:
    if not (action_set(s, db, report) - action_set(d, db, report)).is_empty():
        return False
    if d.not_resources is not None or s.not_resources is not None:
        return d.not_resources is not None and s.not_resources is not None and \
            set(d.not_resources) <= set(s.not_resources) and \
            d.resources == s.resources
    return all(any(arn_matches(p, r) for p in d.resources) for r in s.resources)


def _shape(s: Statement) -> str:
    return json.dumps([s.actions, s.not_actions, s.resources, s.not_resources, s.condition],
                      sort_keys=True)
