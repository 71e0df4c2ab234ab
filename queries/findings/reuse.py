"""NHI7 Long-Lived Secrets, NHI8 Environment Isolation and NHI9 NHI Reuse: credentials
that live too long, cross from production into non-production, or serve many masters.
"""

from __future__ import annotations

from ..context import Context
from .base import Rule, finding

#: Age (days since rotation) past which a not-rotated secret is high rather than medium.
HIGH_AGE_DAYS = 365


def secret_not_rotated(rule: Rule, ctx: Context) -> list[dict]:
    def age(sid):
        a = ctx.age_days(ctx.by_kind["Secret"][sid])
        return a if a is not None else float("inf")

    candidates = [sid for sid, node in ctx.by_kind["Secret"].items()
                  if ctx.valid(node) and ctx.long_lived(node)]
    out = []
    # Copies of one credential are one finding, judged by the most recent rotation any copy
    # records (a copy without dates does not make the credential older).
    for sid, copies in ctx.group_copies(candidates, prefer=age):
        known = [a for a in (ctx.age_days(ctx.node(c)) for c in [sid, *copies]) if a is not None]
        if min(known) <= ctx.rotation_days:
            continue
        node = ctx.by_kind["Secret"][sid]
        days = int(ctx.age_days(node) or 0)  # a candidate: long-lived, so its age is known
        since = "rotated" if node.get("last_rotated_at") else "created"
        expiry = "never expires" if not node.get("expires_at") else \
            f"expires {node['expires_at'][:10]}"
        detail = (f"{ctx.name(sid)} last {since} {days} days ago "
                  f"({(node.get('last_rotated_at') or node['created_at'])[:10]}), over the "
                  f"{ctx.rotation_days}-day policy; {expiry}")
        if copies:
            detail += f"; also stored as {', '.join(ctx.name(c) for c in copies)}"
        wfs = sorted({w for s in [sid, *copies] for w in ctx.users.get(s, ())})
        out.append(finding(rule, "high" if days > HIGH_AGE_DAYS else "medium",
                           [sid, *copies, *wfs], [ctx.path(w, sid) for w in wfs[:3]] or [[sid]],
                           detail))
    return out


def prod_credential_in_non_prod(rule: Rule, ctx: Context) -> list[dict]:
    prod_valid: dict[str, bool] = {}  # credential -> a working production credential

    def is_prod(c: str) -> bool:
        got = prod_valid.get(c)
        if got is None:
            node = ctx.node(c)
            got = prod_valid[c] = node.get("environment") == "prod" and ctx.valid(node)
        return got

    held = []
    for wf in ctx.workflows:
        env = ctx.workflow_env.get(wf)
        if not ctx.non_prod(env):
            continue
        prod = sorted(c for c in ctx.uses.get(wf, ()) if is_prod(c))
        if prod:
            held.append((wf, env, prod))
    # Every path in one joint walk (those a blast radius already walked are read from it).
    ctx.prefetch_paths((wf, c) for wf, _, prod in held if wf not in ctx._blast for c in prod)
    out = []
    for wf, env, prod in held:
        crown = {r["id"]: r for c in prod for r in ctx.crown_reach(c)}
        severity = "critical" if crown else "high"
        detail = (f"{env} workflow {ctx.name(wf)} holds production credential(s) "
                  + ", ".join(ctx.name(c) for c in prod))
        if crown:
            detail += f"; they reach crown jewels {', '.join(r['name'] for r in crown.values())}"
        out.append(finding(rule, severity, [wf, *prod], [ctx.path(wf, c) for c in prod],
                           detail))
    return out


def shared_credential(rule: Rule, ctx: Context) -> list[dict]:
    out = []
    clusters = ctx.shared.rows
    # Only the first 12 paths of a cluster are shown: only those are walked, all in one go.
    firsts = [[(w, d["id"]) for d in c["credentials"] for w in d["workflows"][:3]][:12]
              for c in clusters]
    ctx.prefetch_paths(pair for pairs in firsts for pair in pairs)
    for c, pairs in zip(clusters, firsts, strict=True):
        creds = c["secrets"] + c["identities"]
        if c["mixed_environments"]:
            severity, why = "high", "mixes production and non-production"
        elif len(c["workspaces"]) > 1:
            severity, why = "medium", f"spans {len(c['workspaces'])} workspaces"
        else:
            severity, why = "low", "within one workspace"
        detail = (f"{len(creds)} credential(s) ({', '.join(ctx.name(x) for x in creds[:4])}"
                  f"{'...' if len(creds) > 4 else ''}) shared by {len(c['workflows'])} "
                  f"workflows; {why}; one leak opens {len(c['reaches'])} system(s)/resource(s)")
        paths = [ctx.path(w, cid) for w, cid in pairs]
        out.append(finding(rule, severity, [*creds, *c["workflows"]], paths, detail,
                           subjects=creds))
    return out


def cloned_workflow(rule: Rule, ctx: Context) -> list[dict]:
    out = []
    for o in ctx.orphans.rows:
        if o["reason"] != "cloned_inherited":
            continue
        origin = [e.dst for e in ctx.store.expand([o["node"]], "out", ("CLONED_FROM",))]
        shared = sorted(ctx.uses.get(o["node"], set()) & set().union(
            *(ctx.uses.get(x, set()) for x in origin)))
        detail = f"{ctx.name(o['node'])}: {o['detail']} ({', '.join(ctx.name(s) for s in shared)})"
        paths = [[o["node"], *origin]] + [ctx.path(o["node"], s) for s in shared[:3]]
        out.append(finding(rule, "medium", [o["node"], *origin, *shared], paths, detail))
    return out


RULES = [
    Rule("secret-not-rotated", "Secret not rotated within the rotation policy", "NHI7:2025",
         ("PR.AA-01", "ID.AM-08"),
         "Rotate the secret now and automate rotation (or replace it with a short-lived "
         "token); set an expiry.",
         "Secret.last_rotated_at (else created_at) against as_of and the policy "
         "(rotation_days, default 90); Secret.expires_at; Secret.status",
         secret_not_rotated, severity="medium; high when older than 365 days"),
    Rule("prod-credential-in-non-prod", "Production credential reachable from a non-production "
         "workflow", "NHI8:2025", ("PR.AA-05", "PR.IR-01"),
         "Issue a separate non-production credential with test-mode or sandbox access and "
         "revoke the production one from the non-production workflow; rotate the production "
         "credential.",
         "Workflow.environment (inherited from its Workspace when unknown); environment of the "
         "secrets and identities it holds, including copies joined by SAME_VALUE_AS",
         check=prod_credential_in_non_prod,
         severity="high; critical when the prod credential reaches a crown jewel with "
                  "write/admin"),
    Rule("shared-credential", "Credential shared by several workflows", "NHI9:2025",
         ("PR.AA-01", "PR.AA-05"),
         "Give each workflow (at least each environment and workspace) its own credential so "
         "one leak can be contained and attributed, and revoke the shared one.",
         "the shared-credentials analysis: workflows using the same secret or identity, "
         "their workspaces and environments", shared_credential,
         severity="low within one workspace; medium across workspaces; high when the cluster "
                  "mixes prod and non-prod"),
    Rule("cloned-workflow-credentials", "Cloned workflow still uses its original's "
         "credentials", "NHI9:2025", ("PR.AA-01", "ID.AM-08"),
         "Give the copy its own credentials (or delete the copy) so the original's can be "
         "rotated without breaking an unknown dependant.",
         "CLONED_FROM edges; credentials both workflows hold", cloned_workflow, severity="medium"),
]
