"""NHI2 Secret Leakage and NHI3 Vulnerable Third-Party NHI: credentials that sit where
anyone who can read a definition can copy them, and credentials handed to code or services
the company does not control.
"""

from __future__ import annotations

from ..context import Context
from .base import Rule, finding


def secret_embedded(rule: Rule, ctx: Context) -> list[dict]:
    out = []
    holders = ctx.users  # credential -> the workflows holding it
    for sid in sorted(ctx.embedded):
        node = ctx.by_kind["Secret"].get(sid)
        if node is None or not ctx.valid(node):
            continue
        crown = ctx.crown_reach(sid)
        severity = "critical" if crown else "high"
        wfs = sorted(holders.get(sid, []))
        paths = [ctx.path(w, sid) for w in wfs[:3]] or [[sid]]
        where = ", ".join(ctx.name(w) for w in wfs) or "a definition or config file"
        detail = (f"{ctx.name(sid)} is hard-coded (store {node.get('store', 'embedded')}) in "
                  f"{where}; reaches {len(ctx.targets(sid))} system(s)/resource(s)")
        if crown:
            detail += f" including crown jewels {', '.join(r['name'] for r in crown)}"
        out.append(finding(rule, severity, [sid, *wfs], paths, detail))
    return out


def _third_party(ctx: Context) -> list[str]:
    return sorted(i for i, n in ctx.by_kind["Connector"].items() if n.get("third_party") is True)


def _workflow_of(ctx: Context) -> dict[str, list[str]]:
    """Connector id -> the workflows that use it (computed once per context, kept on it)."""
    cache = ctx.__dict__  # like the context's own cached properties
    if "_workflow_of" not in cache:
        out: dict[str, list[str]] = {}
        for wf, conns in ctx.connectors_of.items():
            for c in conns:
                out.setdefault(c, []).append(wf)
        cache["_workflow_of"] = out
    return cache["_workflow_of"]


def third_party_credential(rule: Rule, ctx: Context) -> list[dict]:
    out = []
    for cid in _third_party(ctx):
        creds = [c for _, c in ctx.connector_creds.get(cid, [])
                 if ctx.valid(ctx.node(c))]
        if not creds:
            continue
        strong = [r for c in creds for r in ctx.targets(c) if r["access"] in ("write", "admin")]
        crown = [r for c in creds for r in ctx.crown_reach(c)]
        severity = "high" if crown or strong else "medium"
        wfs = _workflow_of(ctx).get(cid, [])
        paths = [ctx.path(w, c) for w in wfs[:1] for c in creds] or [[cid, c] for c in creds]
        detail = (f"third-party {ctx.name(cid)} ({ctx.node(cid).get('service', 'service')}) "
                  f"holds {len(creds)} credential(s): "
                  + ", ".join(ctx.name(c) for c in creds))
        out.append(finding(rule, severity, [cid, *creds], paths, detail))
    return out


def third_party_unpinned(rule: Rule, ctx: Context) -> list[dict]:
    out = []
    wf_of = _workflow_of(ctx)
    for cid in _third_party(ctx):
        node = ctx.node(cid)
        if node.get("pinned") is not False:
            continue  # pinned, or not a thing that has versions (unknown is not flagged)
        wfs = wf_of.get(cid, [])
        # Unpinned code runs with everything its workflow holds, not only its own inputs.
        creds = sorted({c for w in wfs for c in ctx.uses.get(w, ()) if ctx.valid(ctx.node(c))})
        severity = "high" if creds else "medium"
        paths = [[w, cid] for w in wfs] + [ctx.path(w, c) for w in wfs[:1] for c in creds[:3]]
        detail = (f"{ctx.name(cid)} runs third-party code at a mutable ref "
                  f"({node.get('version') or 'no version'}) inside "
                  f"{', '.join(ctx.name(w) for w in wfs) or 'a workflow'}"
                  + (f" that holds {len(creds)} credential(s)" if creds else ""))
        out.append(finding(rule, severity, [cid, *wfs], paths, detail))
    return out


RULES = [
    Rule("secret-embedded", "Secret hard-coded in a workflow definition or plain config",
         "NHI2:2025", ("PR.AA-01", "PR.DS-01"),
         "Move the value into the platform's credential store or a vault, reference it by "
         "name, and rotate it: everyone who could read the definition has seen it.",
         "EMBEDS edges (Workflow/Connector -> Secret); Secret.store in embedded, plaintext, "
         "config, file, code; Secret.status/expires_at", secret_embedded,
         severity="high; critical when the secret reaches a crown jewel with write/admin"),
    Rule("third-party-credential", "Third-party connector holds credentials", "NHI3:2025",
         ("GV.SC-07", "PR.AA-05"),
         "Give the third party its own narrowly scoped credential (read-only where possible), "
         "review the vendor, and prefer short-lived tokens.",
         "Connector.third_party = true; AUTHENTICATES_WITH, REFERENCES, EMBEDS, CAN_ASSUME "
         "edges out of the connector", third_party_credential,
         severity="medium; high when the credentials give write/admin or reach a crown jewel"),
    Rule("third-party-unpinned", "Third-party action or plugin not pinned to an immutable "
         "version", "NHI3:2025", ("GV.SC-07", "PR.PS-01"),
         "Pin the action or plugin to a full commit SHA (or a checksum-verified release) and "
         "update it deliberately.",
         "Connector.third_party = true and Connector.pinned = false (absent means unknown and "
         "is not flagged); Connector.version; the credentials its workflow holds",
         third_party_unpinned,
         severity="medium; high when its workflow holds credentials (unpinned code runs with all "
                  "of them)"),
]
