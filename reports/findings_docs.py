"""docs/findings.md's rule reference, generated from the rules' own metadata: the table of
rules with their OWASP NHI (2025) item, NIST CSF 2.0 subcategories and title, one section per
rule saying how it decides severity, what it reads and what to do, and the NIST subcategories
used. The text between the two marker comments in docs/findings.md is this module's output;
``python -m reports.findings_docs`` rewrites it after a rule changes, ``--check`` exits 1 when
it is stale (tests/test_findings_docs.py runs the same comparison).
"""

from __future__ import annotations

import sys
from pathlib import Path

from queries.findings import NIST_TITLES, OWASP_TITLES, RULES

DOC = Path(__file__).resolve().parent.parent / "docs" / "findings.md"
BEGIN = ("<!-- generated from the rules' metadata by `python -m reports.findings_docs`; "
         "edit the Rule declarations in queries/findings/, not this text -->")
END = "<!-- end of the generated rule reference -->"


def rules_markdown(rules=RULES) -> str:
    """The generated rule reference for ``rules`` (default: every discovered rule)."""
    out = ["## Rules", "", "| rule | OWASP NHI (2025) | NIST CSF 2.0 | title |",
           "|---|---|---|---|"]
    for r in rules:
        out.append(f"| `{r.id}` | {r.owasp} {OWASP_TITLES[r.owasp]} | {', '.join(r.nist)} "
                   f"| {r.title} |")
    out += ["", "## What each rule reads, and its severity", ""]
    for r in rules:
        out += [f"### `{r.id}` ({r.owasp})", "", f"{r.title}. Severity: {r.severity}.", "",
                f"- Reads: {r.reads}.", f"- Remediation: {r.remediation}", ""]
    used = {n for r in rules for n in r.nist}
    out += ["## NIST CSF 2.0 subcategories used", ""]
    out += [f"- **{n}**: {title}." for n, title in NIST_TITLES.items() if n in used]
    return "\n".join(out) + "\n"


def regenerate(text: str, rules=RULES) -> str:
    """``text`` (docs/findings.md) with its generated part replaced by today's rules."""
    try:
        head, rest = text.split(BEGIN + "\n", 1)
        _, tail = rest.split(END, 1)
    except ValueError:
        raise ValueError("docs/findings.md lost its generated-section markers") from None
    return f"{head}{BEGIN}\n{rules_markdown(rules)}{END}{tail}"


def main(argv: list[str]) -> int:
    text = DOC.read_text(encoding="utf-8")
    fresh = regenerate(text)
    if "--check" in argv:
        if fresh != text:
            print(f"{DOC} is stale: run python -m reports.findings_docs", file=sys.stderr)
            return 1
        return 0
    if fresh != text:
        DOC.write_text(fresh, encoding="utf-8")
        print(f"wrote {DOC}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
