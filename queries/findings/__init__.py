"""Findings: the analyses turned into risks a security team acts on, each mapped to the
OWASP Non-Human Identities Top 10 (2025) and NIST CSF 2.0, with the nodes and paths that
prove it, a remediation sentence and a risk score (docs/findings.md, docs/risk.md).

Rules are discovered: every module of this package that defines a module-level ``RULES``
list of :class:`~queries.findings.base.Rule` contributes them, so adding a rule is one
``Rule(...)`` in one module (today one module per rule family: ``offboarding`` NHI1,
``leakage`` NHI2-3, ``auth`` NHI4, NHI6, NHI10, ``privilege`` NHI5, ``reuse`` NHI7-9). They
run, and are listed, in OWASP item order, then by module name, then as declared; a duplicate
rule id or an unknown OWASP item or NIST subcategory is an error at import. Every rule reads
the graph through :class:`~queries.context.Context` (the store interface and the existing
analyses only), so it runs the same on the embedded store and on Neo4j.
"""

from __future__ import annotations

import importlib
import pkgutil

from graph.gc_pause import gc_paused

from ..context import Context
from ..results import Result
from ..risk import SCORED_KINDS, scorer_for
from ..traverse import now_iso
from .base import NIST_TITLES, OWASP_TITLES, SEVERITIES, Rule, severity_rank

COLUMNS = ("severity", "risk", "rule", "owasp", "title", "detail", "nodes")

__all__ = ["NIST_TITLES", "OWASP_TITLES", "RULES", "RULES_BY_ID", "SEVERITIES", "findings",
           "severity_rank"]


def _owasp_number(item: str) -> int:
    return int(item[3:].split(":")[0])  # "NHI10:2025" -> 10


def discover_rules(package: str = __name__, path=__path__) -> tuple[Rule, ...]:
    """The ``RULES`` of every module in ``package``, in OWASP item order, then module name,
    then declaration order; raises ValueError on a duplicate id or unknown mapping."""
    found: list[tuple[tuple[int, str, int], Rule]] = []
    seen: dict[str, str] = {}
    for info in sorted(pkgutil.iter_modules(path), key=lambda i: i.name):
        module = importlib.import_module(f"{package}.{info.name}")
        for position, rule in enumerate(getattr(module, "RULES", ())):
            where = f"{package}.{info.name}"
            if rule.id in seen:
                raise ValueError(f"finding rule id {rule.id!r} declared twice: in {seen[rule.id]} "
                                 f"and in {where}")
            unknown = [rule.owasp] * (rule.owasp not in OWASP_TITLES) + \
                [n for n in rule.nist if n not in NIST_TITLES]
            if unknown:
                raise ValueError(f"finding rule {rule.id!r} ({where}) maps to unknown "
                                 f"{', '.join(unknown)}")
            seen[rule.id] = where
            found.append(((_owasp_number(rule.owasp), info.name, position), rule))
    return tuple(rule for _, rule in sorted(found, key=lambda kv: kv[0]))


RULES: tuple[Rule, ...] = discover_rules()
RULES_BY_ID = {r.id: r for r in RULES}


def findings(store, as_of: str | None = None, rotation_days: int = 90,
             unknown_as: str = "write", rules=None, min_severity: str | None = None,
             ctx: Context | None = None) -> Result:
    """Every finding in the graph, highest risk first.

    Parameters
    ----------
    store : a store from :func:`graph.open_store`
    as_of : ISO 8601 time against which ages and expiry are judged (default: now)
    rotation_days : the rotation policy for long-lived secrets (NHI7)
    unknown_as : how grants of unknown access rank (read, write or admin)
    rules : only these rule ids (default: all, see ``RULES``)
    min_severity : leave out findings below this severity
    ctx : a :class:`~queries.context.Context` of this store with these settings whose
        cached reads the caller shares (drift's posture reuses its orphans); default: new

    Returns
    -------
    Result with rows_key ``findings``; each row has ``rule``, ``title``, ``severity``,
    ``owasp``, ``nist``, ``nodes``, ``paths``, ``detail``, ``remediation`` and ``risk``.

    Examples
    --------
    >>> from tests.graphs import orphan_store
    >>> r = findings(orphan_store(), as_of="2026-01-01T00:00:00Z")
    >>> sorted({(f["rule"], f["nodes"][0]) for f in r.rows})[:3]
    [('cloned-workflow-credentials', 'wf-clone'), ('departed-owner', 'wf-gone'), ('no-owner', 's-lost')]
    """
    if rotation_days < 1:
        raise ValueError("rotation_days must be at least 1")
    if min_severity is not None and min_severity not in SEVERITIES:
        raise ValueError(f"severity must be one of {', '.join(SEVERITIES)}")
    selected = list(RULES) if rules is None else [_rule(r) for r in rules]
    if ctx is None:
        ctx = Context(store, rotation_days=rotation_days, unknown_as=unknown_as,
                      as_of=as_of or now_iso())
    # A run builds hundreds of thousands of small dicts and lists that all stay alive
    # until it returns, none of them cyclic garbage: the cyclic collector's re-scans of
    # them cost a third of the run on the 1,500-file n8n collection.
    with gc_paused():
        return _findings(ctx, selected, rotation_days, min_severity)


def _findings(ctx: Context, selected: list[Rule], rotation_days: int,
              min_severity: str | None) -> Result:
    scorer = scorer_for(ctx)
    # The scorer needs every node's blast figures whatever the rules find; built first, its
    # closure also answers what the orphans and the shared credentials reach (no walk of
    # their own).
    ctx.blast_summaries  # noqa: B018
    rows = []
    for rule in selected:
        found = [f for f in rule.check(rule, ctx) if not min_severity
                 or severity_rank(f["severity"]) <= severity_rank(min_severity)]
        for f in found:
            subjects = f.pop("_subjects")
            scored = [n for n in subjects if ctx.node(n).get("kind") in SCORED_KINDS] or \
                [n for n in f["nodes"] if ctx.node(n).get("kind") in SCORED_KINDS]
            f["risk"] = max((scorer.score(n)["risk"] for n in scored), default=0.0)
            rows.append(f)
    rows.sort(key=lambda f: (-f["risk"], severity_rank(f["severity"]), f["rule"], f["nodes"]))
    by_sev = {s: sum(1 for f in rows if f["severity"] == s) for s in SEVERITIES}
    by_owasp: dict[str, int] = {}
    for f in rows:
        by_owasp[f["owasp"]] = by_owasp.get(f["owasp"], 0) + 1
    names = ctx.names(n for f in rows for n in f["nodes"])
    return Result(
        rows=rows,
        rows_key="findings",
        header={"as_of": ctx.as_of, "rotation_days": rotation_days},
        summary={"findings": len(rows), "by_severity": by_sev,
                 "by_owasp": dict(sorted(by_owasp.items(),
                                         key=lambda kv: _owasp_number(kv[0]))),
                 "rules_run": [r.id for r in selected]},
        columns=COLUMNS,
        names=names,
    )


def _rule(rule_id: str) -> Rule:
    try:
        return RULES_BY_ID[rule_id]
    except KeyError:
        from graph.errors import InputError

        raise InputError(f"unknown rule {rule_id!r} (one of {', '.join(RULES_BY_ID)})") from None


def at_or_above(rows, severity: str) -> list[dict]:
    """Findings whose severity is ``severity`` or worse (for ``--fail-on``)."""
    limit = severity_rank(severity)
    return [f for f in rows if severity_rank(f["severity"]) <= limit]
