"""NHI3 Vulnerable Third-Party NHI: a GitHub Actions job that hands every secret its
workflow can read (``secrets: inherit``) to a reusable workflow in another repository, or
at a ref that can move (not a full commit SHA): whoever controls that code holds them all.
"""

from __future__ import annotations

from ..context import Context
from .base import Rule, finding
from .leakage import _workflow_of


def inherited_secrets(rule: Rule, ctx: Context) -> list[dict]:
    out = []
    for cid, node in sorted(ctx.by_kind.get("Connector", {}).items()):
        uses = node.get("inherits_secrets_to")
        if not uses:
            continue
        external, pinned = node.get("inherits_external") is True, \
            node.get("inherits_pinned") is not False
        if not external and pinned:
            continue
        wfs = _workflow_of(ctx).get(cid, [])
        creds = sorted({c for w in wfs for c in ctx.uses.get(w, ()) if ctx.valid(ctx.node(c))})
        why = " and ".join(x for x, on in (("in another repository", external),
                                           ("not pinned to a commit SHA", not pinned)) if on)
        detail = (f"{ctx.name(cid)} passes every secret it can read (secrets: inherit, "
                  f"{len(creds)} secret(s) in its workflow) to {uses}, {why}")
        severity = "high" if external and not pinned else "medium"
        paths = [[w, cid] for w in wfs] or [[cid]]
        out.append(finding(rule, severity, [cid, *wfs], paths, detail))
    return out


RULES = [
    Rule("inherited-secrets-to-external-workflow", "Every secret inherited by a reusable "
         "workflow in another repository or at a mutable ref", "NHI3:2025",
         ("GV.SC-07", "PR.AA-05"),
         "Pass only the secrets the called workflow needs (secrets: NAME: ${{ secrets.NAME }}) "
         "instead of secrets: inherit, and pin the call to a full commit SHA.",
         "Connector.inherits_secrets_to, inherits_external, inherits_pinned (GitHub jobs with "
         "secrets: inherit); the secrets its workflow holds",
         inherited_secrets,
         severity="medium when the callee is only in another repository or only unpinned; high "
                  "when both"),
]
