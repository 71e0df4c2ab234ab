"""Finding rules are discovered: a rule is one ``Rule`` in one module, picked up with no
other edit; a duplicate id or an unknown mapping fails at import; docs/findings.md's rule
reference is exactly what the rules' metadata generates."""

from __future__ import annotations

import sys
import textwrap

import pytest

from queries.context import Context
from queries.findings import RULES, discover_rules
from reports import findings_docs
from tests.graphs import fresh

RULE_MODULE = '''
from queries.findings.base import Rule, finding


def _every_workflow(rule, ctx):
    return [finding(rule, "low", [w], [[w]], "a workflow exists") for w in ctx.workflows]


RULES = [
    Rule(id="{id}", title="Workflow exists", owasp="{owasp}", nist=("PR.AA-01",),
         severity="low", remediation="Nothing to do.", reads="Workflow nodes",
         check=_every_workflow),
]
'''


def _package(tmp_path, monkeypatch, name, modules: dict[str, str]):
    pkg = tmp_path / name
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    for mod, text in modules.items():
        (pkg / f"{mod}.py").write_text(textwrap.dedent(text))
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, name, raising=False)
    return name, [str(pkg)]


def test_a_new_rule_module_is_discovered_and_runs(tmp_path, monkeypatch):
    package, path = _package(tmp_path, monkeypatch, "extra_rules_ok", {
        "one": RULE_MODULE.format(id="workflow-exists", owasp="NHI9:2025"),
        "two": RULE_MODULE.format(id="workflow-exists-too", owasp="NHI1:2025"),
        "helpers": "X = 1\n"})  # a module without RULES contributes nothing
    found = discover_rules(package, path)
    assert [r.id for r in found] == ["workflow-exists-too", "workflow-exists"]  # OWASP order
    store = fresh(([("wf", "Workflow", {"status": "active"})], []))
    ctx = Context(store)
    rows = [f for r in found for f in r.check(r, ctx)]
    assert [(f["rule"], f["nodes"]) for f in rows] == [("workflow-exists-too", ["wf"]),
                                                       ("workflow-exists", ["wf"])]


def test_a_duplicate_rule_id_is_an_error(tmp_path, monkeypatch):
    package, path = _package(tmp_path, monkeypatch, "extra_rules_dup", {
        "one": RULE_MODULE.format(id="dup", owasp="NHI1:2025"),
        "two": RULE_MODULE.format(id="dup", owasp="NHI2:2025")})
    with pytest.raises(ValueError, match="'dup' declared twice"):
        discover_rules(package, path)


def test_an_unknown_mapping_is_an_error(tmp_path, monkeypatch):
    package, path = _package(tmp_path, monkeypatch, "extra_rules_bad", {
        "one": RULE_MODULE.format(id="bad", owasp="NHI11:2025")})
    with pytest.raises(ValueError, match="unknown NHI11:2025"):
        discover_rules(package, path)


def test_rules_run_in_owasp_order():
    numbers = [int(r.owasp[3:].split(":")[0]) for r in RULES]
    assert numbers == sorted(numbers)


def test_docs_rule_reference_is_generated_from_the_rules():
    text = findings_docs.DOC.read_text(encoding="utf-8")
    assert findings_docs.regenerate(text) == text, \
        "docs/findings.md is stale: run python -m reports.findings_docs"
    assert findings_docs.main(["--check"]) == 0
