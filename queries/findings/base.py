"""What every findings rule shares: the :class:`Rule` declaration (a rule's check and all
the metadata docs/findings.md is generated from), the finding record it returns, the severity
scale, and the OWASP Non-Human Identities Top 10 (2025) and NIST CSF 2.0 titles the rules map
to. The evaluation context a check reads the graph through lives in :mod:`queries.context`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field

SEVERITIES = ("critical", "high", "medium", "low", "info")

OWASP_TITLES = {
    "NHI1:2025": "Improper Offboarding",
    "NHI2:2025": "Secret Leakage",
    "NHI3:2025": "Vulnerable Third-Party NHI",
    "NHI4:2025": "Insecure Authentication",
    "NHI5:2025": "Overprivileged NHI",
    "NHI6:2025": "Insecure Cloud Deployment Configurations",
    "NHI7:2025": "Long-Lived Secrets",
    "NHI8:2025": "Environment Isolation",
    "NHI9:2025": "NHI Reuse",
    "NHI10:2025": "Human Use of NHI",
}

NIST_TITLES = {
    "PR.AA-01": "Identities and credentials for authorized users, services and hardware are "
                "managed by the organization",
    "PR.AA-03": "Users, services and hardware are authenticated",
    "PR.AA-05": "Access permissions, entitlements and authorizations are defined, managed, "
                "enforced and reviewed, incorporating least privilege and separation of duties",
    "ID.AM-08": "Systems, hardware, software, services and data are managed throughout their "
                "life cycles",
    "PR.DS-01": "The confidentiality, integrity and availability of data-at-rest are protected",
    "GV.SC-07": "Risks posed by suppliers and their products and services are understood, "
                "recorded, prioritized, assessed, responded to and monitored",
    "PR.IR-01": "Networks and environments are protected from unauthorized logical access "
                "and usage",
    "PR.PS-01": "Configuration management practices are established and applied",
}


def severity_rank(severity: str) -> int:
    """0 for critical ... 4 for info; lower is worse."""
    return SEVERITIES.index(severity)


@dataclass(frozen=True)
class Rule:
    """One findings rule: its check and the metadata docs/findings.md is generated from
    (``python -m reports.findings_docs``). Put it in the module-level ``RULES`` list of any
    module of :mod:`queries.findings` (a new module is fine) and it is discovered and runs."""

    #: Stable id, kebab-case (``--rule``, the finding's ``rule`` field).
    id: str
    #: One line saying what is wrong.
    title: str
    #: The OWASP NHI Top 10 (2025) item, a key of ``OWASP_TITLES``.
    owasp: str
    #: NIST CSF 2.0 subcategories, keys of ``NIST_TITLES``.
    nist: tuple[str, ...]
    #: What to do about a finding; one or more sentences.
    remediation: str
    #: Node and edge properties the rule reads, for docs/findings.md and the analyst.
    reads: str
    #: ``check(rule, ctx) -> list[dict]``, rows built with :func:`finding`.
    check: Callable = field(repr=False, compare=False)
    #: How severity is decided, as docs/findings.md says it ("medium; high when ..."); it
    #: names every severity the check can give.
    severity: str = field(kw_only=True)


def finding(rule: Rule, severity: str, nodes: list[str], paths: list[list[str]],
            detail: str, subjects: list[str] | None = None) -> dict:
    """One finding row. ``risk`` is filled in by :func:`queries.findings.findings`: the
    highest risk among ``subjects`` (default: the first node), else among all its nodes."""
    key = "|".join([rule.id, *nodes])
    return {
        "id": f"{rule.id}:{hashlib.sha1(key.encode()).hexdigest()[:10]}",
        "rule": rule.id,
        "title": rule.title,
        "severity": severity,
        "owasp": rule.owasp,
        "owasp_title": OWASP_TITLES[rule.owasp],
        "nist": list(rule.nist),
        "nodes": nodes,
        "paths": paths,
        "detail": detail,
        "remediation": rule.remediation,
        "risk": 0.0,
        "_subjects": subjects or nodes[:1],
    }
