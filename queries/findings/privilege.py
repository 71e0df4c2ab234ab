"""NHI5 Overprivileged NHI: admin or wildcard grants, privilege escalation (permissions
that let a principal become a stronger one), and write access held by workflows whose
purpose is only to read.
"""

from __future__ import annotations

import re

from graph.model import DORMANT_WORKFLOW_STATUSES, strongest

from ..context import Context
from ..traverse import reach
from .base import Rule, finding

#: Words in a workflow's name, description or tags that say it only reads.
READ_PURPOSE = re.compile(r"\b(report|reports|reporting|digest|export|snapshot|dashboard|"
                          r"audit|read[- ]?only)\b", re.IGNORECASE)


def _wildcard(actions) -> bool:
    return any(a == "*" or a.endswith(":*") for a in (actions or []))


def _nhi_kinds(ctx: Context) -> set[str]:
    """Holders that are non-human by what they are: every secret, and every identity that
    is not a plain user or group."""
    out = set(ctx.by_kind["Secret"])
    # AWS IAM users and groups are held by pipelines as often as roles are (access keys):
    # they count; other platforms' users and groups stand for people.
    out.update(i for i, n in ctx.by_kind["Identity"].items()
               if n.get("identity_type") not in ("user", "group", ESCALATION_TARGET)
               or (n.get("arn") and n.get("identity_type") in ("user", "group")))
    return out


#: Hubs and the self-granted admin the AWS ingester writes for escalation (not principals).
ESCALATION_TARGET = "escalation_target"


def admin_grant(rule: Rule, ctx: Context) -> list[dict]:
    grants: dict[str, list] = {}
    # Only the grants whose properties say admin or hold a *: the store need not decode
    # every other grant (490k at 1M) to find the few.
    for e in ctx.store.edges_containing("CAN_ACCESS", ("admin", "*")):
        if e.props.get("access") == "admin" or _wildcard(e.props.get("actions")):
            grants.setdefault(e.src, []).append(e)
    nhi = _nhi_kinds(ctx) if grants else set()
    held = []
    for holder in sorted(grants):
        node = ctx.node(holder)
        if not ctx.valid(node):
            continue
        # Evidence: the workflows nearest to the grant (through role chains too). The same
        # walk back says whether any workflow reaches the holder, which makes anything
        # non-human: a walk back from a handful of holders instead of a walk forward from
        # every workflow (the holder is valid, so both walks cross the same credentials).
        back = reach(ctx.store, [holder], "in", as_of=ctx.as_of, keep_edges=False)
        wfs = sorted((d, n) for n, d in back.dist.items() if n in ctx.by_kind["Workflow"])
        if holder not in nhi and not wfs:
            continue
        edges = sorted(grants[holder], key=lambda e: e.dst)
        held.append((holder, edges, [w for _, w in wfs[:2]],
                     ctx.crown_reach(holder, ("admin",))))
    # The evidence paths in one joint walk (those a blast radius walked are read from it).
    ctx.prefetch_paths((w, edges[0].dst) for _, edges, nearest, _ in held for w in nearest
                       if w not in ctx._blast)
    out = []
    for holder, edges, nearest, crown in held:
        what = "; ".join(f"{e.props.get('grant') or e.props.get('access')} on "
                         f"{ctx.name(e.dst)}" for e in edges)
        detail = f"{ctx.name(holder)} holds {what}"
        if crown:
            detail += f"; admin over crown jewels {', '.join(r['name'] for r in crown)}"
        paths = [[holder, e.dst] for e in edges] + [ctx.path(w, edges[0].dst) for w in nearest]
        out.append(finding(rule, "high" if crown else "medium",
                           [holder, *(e.dst for e in edges)], paths, detail))
    return out


def privilege_escalation(rule: Rule, ctx: Context) -> list[dict]:
    """One finding per principal with CAN_ESCALATE_TO edges: the methods, the identities
    reached (through the per-account hubs too) and the strongest access they hold."""
    esc: dict[str, list] = {}
    for e in ctx.store.edges("CAN_ESCALATE_TO"):
        esc.setdefault(e.src, []).append(e)
    if not esc:
        return []
    grants: dict[str, list[str]] = {}
    for e in ctx.store.edges("CAN_ACCESS"):
        grants.setdefault(e.src, []).append(e.props.get("access") or "unknown")
    groups: dict[str, list[str]] = {}
    for e in ctx.store.edges("MEMBER_OF"):
        groups.setdefault(e.src, []).append(e.dst)

    def held(nid: str) -> list[str]:
        return grants.get(nid, []) + [a for g in groups.get(nid, []) for a in grants.get(g, [])]

    out = []
    for src in sorted(esc):
        node = ctx.node(src)
        if node.get("identity_type") == ESCALATION_TARGET or not ctx.valid(node):
            continue
        edges = sorted(esc[src], key=lambda e: (bool(e.props.get("conditional")), e.dst))
        reached: dict[str, bool] = {}  # identity -> only conditionally
        levels, methods = [], []
        for e in edges:
            cond = bool(e.props.get("conditional"))
            for m in e.props.get("methods") or [e.props.get("method")]:
                if m and m not in methods:
                    methods.append(m)
            dst = ctx.node(e.dst)
            via = [x.dst for x in esc.get(e.dst, [])] if \
                dst.get("identity_type") == ESCALATION_TARGET else []
            for t in [e.dst, *via]:
                reached[t] = reached.get(t, True) and cond
                levels += held(t)
        unconditional = [t for t, c in reached.items() if not c]
        gained = strongest(levels, ctx.unknown_as) or "control"
        names = [ctx.name(t) for t in sorted(reached)]
        shown = ", ".join(names[:8]) + (f" and {len(names) - 8} more" if len(names) > 8 else "")
        detail = (f"{ctx.name(src)} can escalate by {', '.join(methods)} to {shown}; "
                  f"strongest access gained: {gained}")
        if not unconditional:
            detail += " (only if conditions hold)"
        if unconditional and gained == "admin":
            severity = "high"
        elif unconditional or gained == "admin":
            severity = "medium"
        else:
            severity = "low"
        paths = [[src, e.dst] for e in edges[:5]]
        out.append(finding(rule, severity, [src, *sorted(reached)], paths, detail))
    return out


def _reads_only(node: dict) -> bool:
    if str(node.get("purpose", "")).lower() in ("read", "read-only", "readonly"):
        return True
    text = " ".join([str(node.get("name", "")), str(node.get("description", "")),
                     " ".join(node.get("tags") or [])])
    return bool(READ_PURPOSE.search(text.replace("_", " ").replace("-", " ")))


def write_for_read_purpose(rule: Rule, ctx: Context) -> list[dict]:
    out = []
    for wf, node in sorted(ctx.by_kind["Workflow"].items()):
        if node.get("status") in DORMANT_WORKFLOW_STATUSES or not _reads_only(node):
            continue
        # Known write/admin only: an unknown grant is not evidence of too much.
        strong = [r for r in ctx.targets(wf) if r["access"] in ("write", "admin")
                  and (r["crown_jewel"] or r["access"] == "admin")]
        if not strong:
            continue
        detail = (f"{ctx.name(wf)} only reads by its purpose but holds "
                  + ", ".join(f"{r['access']} on {r['name']}" for r in strong))
        paths = [r.get("access_path") or r["path"] for r in strong[:3]]
        out.append(finding(rule, "medium", [wf, *(r["id"] for r in strong)], paths, detail))
    return out


RULES = [
    Rule("admin-grant", "Admin or wildcard permissions held by a non-human identity",
         "NHI5:2025", ("PR.AA-05",),
         "Replace the admin/wildcard grant with the actions the workflows actually use "
         "(derive them from logs), scoped to the resources they touch.",
         "CAN_ACCESS.access = admin or CAN_ACCESS.actions containing * or service:*; holder "
         "is a Secret, a non-user Identity, an AWS IAM user or group (identities with an "
         "`arn`: pipelines hold their access keys), or reachable from a workflow; "
         "crown_jewel. The self-granted admin target the AWS ingester writes for escalation "
         "(`identity_type: escalation_target`) is not a holder",
         admin_grant, severity="medium; high when it gives admin over a crown jewel"),
    Rule("privilege-escalation",
         "A principal whose permissions let it become a stronger identity",
         "NHI5:2025", ("PR.AA-05",),
         "Remove the enabling actions (iam:PassRole on *, iam:CreateAccessKey or policy edits "
         "on other principals, code updates on functions running as other roles), scope them "
         "to the resources the job needs, or deny them with a permissions boundary.",
         "CAN_ESCALATE_TO (method, methods, conditional) and the CAN_ACCESS grants of the "
         "identities reached (through MEMBER_OF groups too); identity_type escalation_target "
         "hubs expanded", privilege_escalation,
         severity="high when an unconditional method gains admin; medium when an "
                  "unconditional method gains less, or admin only under conditions; low when "
                  "every method needs a condition (or an existing resource the export does "
                  "not list)"),
    Rule("write-for-read-purpose", "Write access held by a workflow whose purpose is to read",
         "NHI5:2025", ("PR.AA-05",),
         "Give the workflow a read-only credential for the systems it reports on; keep write "
         "only where it posts its results.",
         "Workflow.purpose (read/read-only) or report/digest/export/snapshot/dashboard/audit in "
         "its name, description or tags; known write/admin on a crown jewel or admin anywhere "
         "in its blast radius; Workflow.status", write_for_read_purpose, severity="medium"),
]
