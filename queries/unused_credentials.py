"""Unused credentials, in the three senses n8n's own security audit uses, from the graph.

For each valid Secret, which of these holds (a row per secret, with every reason that holds):

- ``no_workflow``: no workflow uses it at all (active, inactive or archived).
- ``no_active_workflow``: no active workflow uses it (the Secrets among ``orphans``'
  ``unused_but_valid`` rows, but listed whether or not they reach anything downstream).
- ``not_run_recently``: no workflow that uses it ran in the last ``days`` days: the
  secret's ``last_used_at`` (set by ``nhigraph collect n8n`` from each workflow's last
  execution, by the AWS credential report for access keys) is missing or older.

"Uses" is :func:`queries.usage.credential_use`: a workflow uses a credential one of its
connectors authenticates with, or that it references or embeds. On an n8n instance these
lists are exactly those of ``n8n audit`` (credentials risk report); the docs
(docs/collect.md) say where nhigraph goes further.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from graph.model import DORMANT_WORKFLOW_STATUSES

from .credential_use import credential_use
from .results import Result
from .traverse import is_valid_credential

REASONS = ("no_workflow", "no_active_workflow", "not_run_recently")
COLUMNS = ("node", "name", "reasons", "last_used_at")


def unused_credentials(store, days: int = 90, as_of: str | None = None,
                       platform: str | None = None) -> Result:
    """Secrets unused in each of the three senses above, by node id.

    ``platform`` keeps only secrets whose id is of that source (``n8n`` keeps
    ``secret:n8n:...``).

    Examples
    --------
    >>> from tests.graphs import orphan_store
    >>> r = unused_credentials(orphan_store(), as_of="2026-01-01T00:00:00Z")
    >>> sorted(r.summary["by_reason"])
    ['no_active_workflow', 'no_workflow', 'not_run_recently']
    """
    now = datetime.fromisoformat((as_of or datetime.now(UTC).isoformat()).replace("Z", "+00:00"))
    cutoff = (now - timedelta(days=days)).strftime("%Y-%m-%dT%H:%M:%SZ")
    workflows = {n["id"]: n for n in store.nodes("Workflow")}
    uses, _ = credential_use(store, sorted(workflows))
    used_by: dict[str, set[str]] = {}
    for w, creds in uses.items():
        for c in creds:
            used_by.setdefault(c, set()).add(w)
    rows = []
    for s in store.nodes("Secret"):
        if platform and not s["id"].startswith(f"secret:{platform}:"):
            continue
        if not is_valid_credential(s, as_of):
            continue
        users = used_by.get(s["id"], set())
        reasons = []
        if not users:
            reasons.append("no_workflow")
        if not any(workflows[w].get("status") not in DORMANT_WORKFLOW_STATUSES for w in users):
            reasons.append("no_active_workflow")
        last = s.get("last_used_at")
        if not last or last < cutoff:
            reasons.append("not_run_recently")
        if reasons:
            rows.append({"node": s["id"], "name": s.get("name", s["id"]), "reasons": reasons,
                         "last_used_at": last})
    rows.sort(key=lambda r: r["node"])
    return Result(rows=rows, rows_key="unused_credentials", columns=COLUMNS,
                  summary={"unused": len(rows), "days": days,
                           "by_reason": {r: sum(r in row["reasons"] for row in rows)
                                         for r in REASONS}})
