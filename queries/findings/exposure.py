"""Entry points (who can start a workflow from outside) joined with what its credentials
reach: unauthenticated triggers (NHI4), untrusted GitHub triggers that see secrets (NHI2),
AI agents whose tools outsiders steer (NHI5) and entry points that reach crown jewels (NHI5).
The entry points come from :mod:`queries.entry_points`; gates are kept and lower severity.
"""

from __future__ import annotations

from ..context import Context
from ..entry_points import entry_points
from ..risk import blast_score
from .base import Rule, finding


def _entries(ctx: Context) -> list[dict]:
    """The entry-point rows of this run (computed once per context, kept on it)."""
    cache = ctx.__dict__  # like the context's own cached properties
    if "_entry_rows" not in cache:
        cache["_entry_rows"] = entry_points(ctx.store, unknown_as=ctx.unknown_as,
                                            as_of=ctx.as_of, blasts=ctx._blast).rows
    return cache["_entry_rows"]


def _creds(ctx: Context, wf: str) -> list[str]:
    return sorted(c for c in ctx.uses.get(wf, ()) if ctx.valid(ctx.node(c)))


def unauthenticated_trigger(rule: Rule, ctx: Context) -> list[dict]:
    out = []
    for e in _entries(ctx):
        if e["authentication"] != "none" or e["actor_type"] != "anyone":
            continue
        creds = _creds(ctx, e["workflow"])
        if not creds:
            continue
        crown = ctx.crown_reach(e["workflow"])
        severity = "medium" if e["gate"] else ("critical" if crown else "high")
        detail = (f"{e['trigger']} lets anyone start {e['workflow_name']} with no "
                  f"authentication; it holds {len(creds)} credential(s)"
                  + (f" and reaches crown jewels {', '.join(r['name'] for r in crown)}"
                     if crown else "") + (f" (gated: {e['gate']})" if e["gate"] else ""))
        paths = [[e["actor"], *ctx.path(e["workflow"], c)] for c in creds[:3]]
        out.append(finding(rule, severity, [e["workflow"], e["actor"], *creds], paths, detail))
    return out


def untrusted_trigger_with_secrets(rule: Rule, ctx: Context) -> list[dict]:
    out = []
    for e in _entries(ctx):
        if e["actor_type"] != "github-user" or e["gate"]:
            continue
        held = [c for c in _creds(ctx, e["workflow"])]
        secrets = [c for c in held if ctx.node(c).get("kind") == "Secret"]
        tokens = [t["id"] for c in held if ctx.node(c).get("identity_type") == "github_token"
                  for t in ctx.targets(c) if t["access"] in ("write", "admin")]
        gated = [g.split(" [", 1)[0] for g in e["gated_targets"]]
        open_secrets = [s for s in secrets if s not in gated]
        if not open_secrets and not tokens and not secrets:
            continue
        crown = [r for r in ctx.crown_reach(e["workflow"]) if r["id"] not in gated]
        severity = "critical" if crown or (open_secrets and tokens) else (
            "high" if open_secrets or tokens else "medium")
        detail = (f"{e['trigger']} lets any GitHub user start {e['workflow_name']}, which "
                  f"reads {len(open_secrets)} secret(s) without a gate"
                  + (f" and {len(secrets) - len(open_secrets)} behind one" if
                     len(secrets) > len(open_secrets) else "")
                  + (f"; its GITHUB_TOKEN can write {', '.join(sorted(set(tokens)))}"
                     if tokens else "")
                  + (f"; reaches crown jewels {', '.join(r['name'] for r in crown)}"
                     if crown else ""))
        paths = [[e["actor"], *ctx.path(e["workflow"], s)] for s in (open_secrets or
                                                                      secrets)[:3]]
        out.append(finding(rule, severity, [e["workflow"], e["actor"], *secrets], paths,
                           detail))
    return out


def _agents(ctx: Context) -> dict[str, list[tuple[str, str]]]:
    """Agent id -> (tool id, reason) it may invoke."""
    out: dict[str, list[tuple[str, str]]] = {}
    agents = sorted(n["id"] for n in ctx.store.nodes("Agent"))
    for e in ctx.store.expand(agents, "out", ("CAN_INVOKE",)):
        out.setdefault(e.src, []).append((e.dst, str(e.props.get("reason", ""))))
    return {k: sorted(v) for k, v in out.items()}


def agent_tools_exposed(rule: Rule, ctx: Context) -> list[dict]:
    tools_of = _agents(ctx)
    out = []
    for e in _entries(ctx):
        if not e["outside"]:
            continue
        for agent in e["agents"]:
            scored = []
            for tool, _ in tools_of.get(agent, []):
                score = blast_score(ctx.targets(tool), ctx.unknown_as)
                creds = [c for c in ctx.blast(tool).rows if c["kind"] == "Secret" and
                         c["distance"] == 1]
                if creds:
                    scored.append((score, tool, [c["id"] for c in creds]))
            if not scored:
                continue
            scored.sort(key=lambda t: (-t[0], t[1]))
            crown = [r for _, t, _ in scored for r in ctx.crown_reach(t)]
            severity = "critical" if crown else "high"
            detail = (f"{e['actor_name']} writes the input of agent {ctx.name(agent)} "
                      f"({e['trigger']}); prompt-controlled, it can call {len(scored)} tool(s) "
                      f"holding credentials: " + ", ".join(f"{ctx.name(t)} (reach score "
                                                          f"{s:g})" for s, t, _ in scored)
                      + (f"; crown jewels {', '.join(sorted({r['name'] for r in crown}))}"
                         if crown else ""))
            paths = [[e["actor"], e["workflow"], agent, *ctx.path(t, c[0])[:1],
                      *ctx.path(c[0], _top(ctx, c[0]))] for _, t, c in scored[:3]]
            out.append(finding(rule, severity, [agent, e["actor"], e["workflow"],
                                                *[t for _, t, _ in scored]], paths, detail,
                               subjects=[e["workflow"]]))
    return out


def _top(ctx: Context, sid: str) -> str:
    """What a credential reaches with most weight (itself when nothing)."""
    rows = sorted(ctx.targets(sid), key=lambda r: (not r["crown_jewel"], r["distance"], r["id"]))
    return rows[0]["id"] if rows else sid


def trigger_reaches_crown_jewel(rule: Rule, ctx: Context) -> list[dict]:
    out = []
    for e in _entries(ctx):
        if not e["outside"]:
            continue
        crown = ctx.crown_reach(e["workflow"])
        if not crown:
            continue
        gated = {g.split(" [", 1)[0] for g in e["gated_targets"]}
        open_crown = [r for r in crown if r["id"] not in gated and not e["gate"]]
        severity = "critical" if open_crown else "high"
        detail = (f"{e['actor_name']} can start {e['workflow_name']} ({e['trigger']}, "
                  f"authentication {e['authentication']}), which reaches crown jewel(s) "
                  + ", ".join(f"{r['name']} ({r['access']})" for r in crown)
                  + ("" if open_crown else " only through a gate: "
                     + (e["gate"] or "; ".join(sorted(g for g in e["gated_targets"])))))
        paths = [[e["actor"], *(r.get("access_path") or r["path"])] for r in crown[:3]]
        out.append(finding(rule, severity, [e["workflow"], e["actor"],
                                            *[r["id"] for r in crown]], paths, detail))
    return out


RULES = [
    Rule("unauthenticated-trigger", "Anyone can start a workflow that holds credentials",
         "NHI4:2025", ("PR.AA-03", "PR.IR-01"),
         "Turn on the trigger's authentication (basic, header or JWT auth; a non-public chat; "
         "an MCP bearer token), or an IP allow-list, and keep the credential it checks in "
         "the instance's credential store.",
         "CAN_TRIGGER from actor:anyone with authentication = none and its gate; the "
         "credentials the workflow holds (USES/AUTHENTICATES_WITH/REFERENCES/EMBEDS); "
         "crown_jewel of what they reach", unauthenticated_trigger,
         severity="high; critical when the workflow reaches a crown jewel with write/admin; "
                  "medium when the trigger is gated (e.g. the workflow is inactive)"),
    Rule("untrusted-trigger-with-secrets", "Untrusted GitHub event runs a workflow with secrets",
         "NHI2:2025", ("PR.AA-05", "PR.PS-01"),
         "Do not run pull_request_target / workflow_run / issue_comment workflows with "
         "secrets on untrusted code: split them (an unprivileged pull_request job builds, a "
         "privileged one only reads its artifact), set `permissions:` to read, and put the "
         "secrets behind an environment with required reviewers.",
         "CAN_TRIGGER from actor:github:any-user without a gate; secrets the workflow reads "
         "(REFERENCES) and the USES gates in front of them; GITHUB_TOKEN CAN_ACCESS level",
         untrusted_trigger_with_secrets,
         severity="medium when every secret sits behind a gate; high when a secret or a "
                  "writable token is open; critical when both are, or a crown jewel is "
                  "reached without a gate"),
    Rule("agent-tools-exposed", "Outside input steers an AI agent whose tools hold credentials",
         "NHI5:2025", ("PR.AA-05", "PR.IR-01"),
         "Treat the agent's input as untrusted: authenticate the trigger, give each tool the "
         "narrowest credential (read-only where it only looks things up), require a human "
         "approval for tools that write, and cap the language model's spend.",
         "CAN_TRIGGER from an outside actor (anyone, any GitHub user, email, chat, SaaS); "
         "Agent USES and CAN_INVOKE (prompt-controlled) to tool connectors; the blast score "
         "of each tool's credentials", agent_tools_exposed,
         severity="high; critical when a tool's credentials reach a crown jewel with "
                  "write/admin"),
    Rule("trigger-reaches-crown-jewel", "An outsider's entry point reaches a crown jewel",
         "NHI5:2025", ("PR.AA-05", "PR.IR-01"),
         "Cut the path: authenticate the trigger, move the crown-jewel credential out of the "
         "workflow an outsider starts, or put it behind a required-reviewer gate.",
         "CAN_TRIGGER from an outside actor; crown_jewel and access of what the workflow "
         "reaches; gates (CAN_TRIGGER.gate, USES.gate)", trigger_reaches_crown_jewel,
         severity="critical; high when every path to the crown jewel passes a gate"),
]
