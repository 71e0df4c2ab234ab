"""Drift: what changed between two graphs (two snapshots, or a snapshot and the live store).

One row per change, in the order an analyst reads them: access paths to crown jewels
gained, made stronger and lost (source, jewel, strongest access, the path); findings opened
and closed (matched by their stable id); blast radii that grew or shrank and by how much;
new members of shared-credential clusters and new production/non-production mixing;
orphaned paths that appeared or were fixed; and last the raw nodes and access edges added
and removed. Each row has a ``severity`` so CI can gate on it (``nhigraph diff --fail-on``):
a gained crown-jewel path is ``high`` (``critical`` with admin or control access), an opened
finding has its own severity, everything that got better is ``info``.
"""

from __future__ import annotations

from collections.abc import Callable

from graph.model import access_rank
from graph.store import Store

from .posture import Posture, strongest_path
from .results import Result

COLUMNS = ("change", "severity", "subject", "target", "detail", "path")
#: Change kinds, in report order; the first seven are changes for the worse.
CHANGES = ("jewel-path-gained", "jewel-access-stronger", "finding-opened",
           "blast-radius-grew", "shared-member-added", "env-mixing-added", "orphan-appeared",
           "jewel-path-lost", "jewel-access-weaker", "finding-closed", "blast-radius-shrank",
           "shared-member-removed",
           "env-mixing-removed", "orphan-fixed", "node-added", "node-removed", "edge-added",
           "edge-removed")
WORSE = frozenset(CHANGES[:7])


def _row(change, subject, detail, severity="info", target=None, path=None, **extra):
    return {"change": change, "severity": severity, "subject": subject, "target": target,
            "detail": detail, "path": path or [], **extra}


def _jewel_rows(a: Posture, b: Posture, unknown_as: str) -> list[dict]:
    rows = []
    for key in sorted(b.jewel_paths.keys() | a.jewel_paths.keys()):
        src, jewel = key
        old, new = a.jewel_paths.get(key), b.jewel_paths.get(key)
        if new and not old:
            sev = "critical" if new["access"] in ("admin", "control") else "high"
            rows.append(_row("jewel-path-gained", src, f"{new['access']} on {jewel}", sev,
                             jewel, strongest_path(b, src, jewel) or new["path"],
                             access=new["access"]))
        elif old and not new:
            rows.append(_row("jewel-path-lost", src, f"no longer reaches {jewel} "
                             f"(had {old['access']})", "info", jewel,
                             strongest_path(a, src, jewel) or old["path"],
                             access=old["access"]))
        elif old and new and access_rank(new["access"], unknown_as) > \
                access_rank(old["access"], unknown_as):
            rows.append(_row("jewel-access-stronger", src,
                             f"{old['access']} -> {new['access']} on {jewel}", "high", jewel,
                             strongest_path(b, src, jewel) or new["path"],
                             access=new["access"]))
        elif old and new and access_rank(new["access"], unknown_as) < \
                access_rank(old["access"], unknown_as):
            rows.append(_row("jewel-access-weaker", src,
                             f"{old['access']} -> {new['access']} on {jewel}", "info", jewel,
                             strongest_path(b, src, jewel) or new["path"],
                             access=new["access"]))
    return rows


def _finding_rows(a: Posture, b: Posture) -> list[dict]:
    rows = []
    for fid in sorted(b.findings.keys() - a.findings.keys()):
        f = b.findings[fid]
        rows.append(_row("finding-opened", fid, f"{f['rule']}: {f['detail']}", f["severity"],
                         rule=f["rule"], nodes=f["nodes"]))
    for fid in sorted(a.findings.keys() - b.findings.keys()):
        f = a.findings[fid]
        rows.append(_row("finding-closed", fid, f"{f['rule']}: {f['detail']}", "info",
                         rule=f["rule"], nodes=f["nodes"]))
    return rows


def _radius_rows(a: Posture, b: Posture) -> list[dict]:
    rows = []
    for nid in sorted(a.radii.keys() & b.radii.keys()):
        old, new = a.radii[nid], b.radii[nid]
        grew = new["reachable"] - old["reachable"]
        jewels = new["crown_jewels"] - old["crown_jewels"]
        if grew or jewels:
            change = "blast-radius-grew" if (grew, jewels) > (0, 0) and grew >= 0 and \
                jewels >= 0 else "blast-radius-shrank"
            sev = "medium" if change == "blast-radius-grew" and jewels > 0 else \
                ("low" if change == "blast-radius-grew" else "info")
            rows.append(_row(change, nid, f"reaches {old['reachable']} -> {new['reachable']} "
                             f"({grew:+d}), crown jewels {old['crown_jewels']} -> "
                             f"{new['crown_jewels']} ({jewels:+d})", sev,
                             grew=grew, crown_jewels_grew=jewels))
    return rows


def _sharing_rows(a: Posture, b: Posture) -> list[dict]:
    rows = []
    for cred in sorted(b.sharing.keys() | a.sharing.keys()):
        old, new = a.sharing.get(cred, set()), b.sharing.get(cred, set())
        if not old and len(new) > 1:
            old_users = set()  # a credential newly shared: every user is a new member
        else:
            old_users = old
        for wf in sorted(new - old_users):
            rows.append(_row("shared-member-added", wf, f"now shares {cred} with "
                             f"{len(new) - 1} other workflow(s)", "low", cred))
        for wf in sorted(old - new):
            rows.append(_row("shared-member-removed", wf, f"no longer shares {cred}", "info",
                             cred))
    for cred in sorted(b.mixing - a.mixing):
        rows.append(_row("env-mixing-added", cred, "now used by production and "
                         "non-production workflows", "medium"))
    for cred in sorted(a.mixing - b.mixing):
        rows.append(_row("env-mixing-removed", cred, "no longer mixes environments"))
    return rows


def _orphan_rows(a: Posture, b: Posture) -> list[dict]:
    rows = [_row("orphan-appeared", n, f"{r}: {b.orphans[(n, r)]['detail']}", "medium")
            for n, r in sorted(b.orphans.keys() - a.orphans.keys())]
    rows += [_row("orphan-fixed", n, f"{r}: {a.orphans[(n, r)]['detail']}")
             for n, r in sorted(a.orphans.keys() - b.orphans.keys())]
    return rows


def _raw_rows(a: Posture, b: Posture) -> list[dict]:
    rows = [_row("node-added", n, b.nodes[n].get("kind")) for n in sorted(b.nodes.keys() -
                                                                            a.nodes.keys())]
    rows += [_row("node-removed", n, a.nodes[n].get("kind"))
             for n in sorted(a.nodes.keys() - b.nodes.keys())]
    rows += [_row("edge-added", s, k, target=d) for s, k, d in sorted(b.access_edges -
                                                                        a.access_edges)]
    rows += [_row("edge-removed", s, k, target=d) for s, k, d in sorted(a.access_edges -
                                                                          b.access_edges)]
    return rows


def compare(a: Posture, b: Posture, unknown_as: str = "write") -> list[dict]:
    """Every change from posture ``a`` to posture ``b``, in :data:`CHANGES` order."""
    rows = (_jewel_rows(a, b, unknown_as) + _finding_rows(a, b) + _radius_rows(a, b)
            + _sharing_rows(a, b) + _orphan_rows(a, b) + _raw_rows(a, b))
    order = {c: i for i, c in enumerate(CHANGES)}
    return sorted(rows, key=lambda r: order[r["change"]])  # stable: keeps the id order


def delta_result(a: Posture, b: Posture, header: dict, unknown_as: str = "write",
                 rows_key: str = "changes") -> Result:
    rows = compare(a, b, unknown_as)
    by_change = {c: sum(1 for r in rows if r["change"] == c) for c in CHANGES}
    names = {n: (b.nodes.get(n) or a.nodes.get(n) or {}).get("name", n)
             for r in rows for n in r["path"]}
    return Result(rows=rows, rows_key=rows_key, header=header, columns=COLUMNS, names=names,
                  summary={"changes": len(rows),
                           "by_change": {c: n for c, n in by_change.items() if n},
                           "jewel_paths": {"before": len(a.jewel_paths),
                                           "after": len(b.jewel_paths)},
                           "findings": {"before": len(a.findings), "after": len(b.findings)},
                           "risk": {"before": a.risk, "after": b.risk,
                                    "change": round(b.risk - a.risk, 2)}})


def diff(before: Store | Callable[[], Store], after: Store | Callable[[], Store],
         as_of: str | None = None, unknown_as: str = "write",
         labels: tuple[str, str] = ("before", "after")) -> Result:
    """What changed from ``before`` to ``after`` (any two stores). Both sides are judged as
    of the same time. Either may be a function that opens it
    (:meth:`graph.snapshot.Shelf.locate`), so one side is read while the other's posture
    is computed (:func:`queries.posture_pair.postures`).

    Examples
    --------
    >>> from graph.memory import MemoryStore
    >>> from tests.graphs import chain_store
    >>> live = chain_store()
    >>> old = MemoryStore.copy_of(live)
    >>> old.remove_edge("deploy-role", "CAN_ASSUME", "admin-role")
    True
    >>> [(r["change"], r["subject"], r["target"]) for r in diff(old, live).rows][:2]
    [('jewel-access-stronger', 'conn', 'bucket'), ('jewel-access-stronger', 'deploy-role', 'bucket')]
    """
    from .posture_pair import postures
    from .traverse import now_iso

    as_of = as_of or now_iso()
    a, b, _ = postures(before, after, as_of, unknown_as)
    return delta_result(a, b, {"from": labels[0], "to": labels[1], "as_of": as_of},
                        unknown_as)


def failing(rows: list[dict], fail_on: str) -> list[dict]:
    """Rows that fail CI: ``new-crown-jewel-path`` (gained or stronger), or any change
    for the worse at or above a severity."""
    from .findings import severity_rank

    if fail_on == "new-crown-jewel-path":
        return [r for r in rows if r["change"] in ("jewel-path-gained", "jewel-access-stronger")]
    limit = severity_rank(fail_on)
    return [r for r in rows if r["change"] in WORSE and severity_rank(r["severity"]) <= limit]
