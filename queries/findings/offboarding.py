"""NHI1 Improper Offboarding: access that outlived its owner or its workflow.

Built on :func:`queries.orphaned_paths`, so the evidence is the same one the ``orphans``
command shows: the node, its accountable owner, and what it still reaches.
"""

from __future__ import annotations

from ..context import Context
from .base import Rule, finding

NIST = ("PR.AA-01", "ID.AM-08")
READS = ("OWNS edges and Owner.status (departed/inactive/disabled/retired); Workflow.status; "
         "Secret/Identity status and expires_at; inheritance of owners through CONTAINS, "
         "STORES, EMBEDS")


def _rows(ctx: Context, reason: str) -> list[dict]:
    return [o for o in ctx.orphans.rows if o["reason"] == reason]


def _check(reason: str, base: str, raised: str, says=lambda o: o["detail"]):
    """A check over the ``reason`` rows of ``orphaned_paths``: severity ``raised`` when the
    node still reaches a crown jewel, else ``base``; the detail is the node's name, what
    ``says`` of its row, and what it still reaches."""
    def check(rule: Rule, ctx: Context) -> list[dict]:
        rows = _rows(ctx, reason)
        # Rows of one start set share its reach list (tens of thousands of targets at 1M):
        # judge each list once, in one read for all of them.
        lists = {id(o["reaches"]): o["reaches"] for o in rows}
        ctx.crown_among({t for reaches in lists.values() for t in reaches})
        crown_of = {key: ctx.crown_among(reaches) for key, reaches in lists.items()}
        crowns = [crown_of[id(o["reaches"])] for o in rows]
        ctx.prefetch_paths((o["node"], t) for o, crown in zip(rows, crowns, strict=True)
                           for t in (crown or o["reaches"])[:3])
        out = []
        for o, crown in zip(rows, crowns, strict=True):
            severity = raised if crown else base
            paths = [ctx.path(o["node"], t) for t in (crown or o["reaches"])[:3]]
            tail = f"; crown jewels: {', '.join(ctx.name(c) for c in crown)}" if crown else ""
            detail = (f"{ctx.name(o['node'])}: {says(o)}; "
                      f"still reaches {len(o['reaches'])} system(s)/resource(s){tail}")
            out.append(finding(rule, severity, [o["node"], *o["owner"]], paths, detail))
        return out
    return check


RULES = [
    Rule("departed-owner", "Non-human identity owned by someone who has left", "NHI1:2025",
         NIST, "Reassign ownership to an active person or team, then review and rotate the "
         "credentials the departed owner could have copied.", READS,
         _check("departed_owner", "high", "high"), severity="high"),
    Rule("retired-but-valid", "Retired workflow whose credentials still work", "NHI1:2025",
         NIST, "Revoke the credentials of the retired workflow (or delete the workflow and "
         "its stored credentials); nothing should still open a system for it.", READS,
         _check("retired_but_valid", "high", "critical"),
         severity="high; critical when it still reaches a crown jewel"),
    Rule("unused-but-valid", "Valid credential that no active workflow uses", "NHI1:2025",
         NIST, "Disable the credential, watch for breakage, then delete it; unused access is "
         "pure risk.", READS, _check("unused_but_valid", "medium", "high"),
         severity="medium; high when it reaches a crown jewel"),
    Rule("no-owner", "Non-human identity without an accountable owner", "NHI1:2025", NIST,
         "Name an owner (a team, not only a person) for the workflow, secret or identity, or "
         "for the workspace or vault that holds it.", READS,
         _check("no_owner", "medium", "medium", says=lambda o: "no owner, none inherited"),
         severity="medium"),
]
