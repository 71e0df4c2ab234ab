"""Every findings rule fires on a small graph built to trigger it, with the exact nodes it
should name, and stays silent on a clean graph; risk scores on hand-worked graphs."""

from __future__ import annotations

import copy

import pytest

from queries.findings import RULES, RULES_BY_ID, SEVERITIES, at_or_above, findings
from queries.risk import risk_scores
from tests.graphs import chain_store, fresh

AS_OF = "2026-01-01T00:00:00Z"

# A clean estate: an owned n8n workspace with one workflow holding one fresh OAuth token
# (write on a SaaS), and a GitHub workflow federating (OIDC, subject-restricted) into an
# owned role that reads a bucket. No rule may fire on it.
CLEAN_NODES = [
    ("team", "Owner", {"status": "active"}),
    ("ws", "Workspace", {"environment": "prod", "platform": "n8n"}),
    ("wf", "Workflow", {"name": "Invoice sync", "status": "active", "environment": "prod",
                        "platform": "n8n"}),
    ("c", "Connector", {"third_party": False}),
    ("s", "Secret", {"secret_type": "oauth_token", "store": "n8n", "status": "active",
                     "environment": "prod", "last_rotated_at": "2025-12-01T00:00:00Z"}),
    ("saas", "System", {"name": "CRM"}),
    ("repo", "Workspace", {"environment": "prod", "platform": "github"}),
    ("gh", "Workflow", {"name": "deploy.yml", "status": "active", "environment": "prod",
                        "platform": "github"}),
    ("job", "Connector", {"third_party": False}),
    ("role", "Identity", {"identity_type": "role", "account": "111", "status": "active",
                          "environment": "prod"}),
    ("acct", "System", {"name": "aws"}),
    ("bucket", "Resource", {"name": "logs"}),
]
CLEAN_EDGES = [
    ("team", "OWNS", "ws"), ("team", "OWNS", "repo"), ("team", "OWNS", "role"),
    ("ws", "CONTAINS", "wf"), ("ws", "CONTAINS", "s"),
    ("wf", "USES", "c"), ("c", "AUTHENTICATES_WITH", "s"),
    ("s", "CAN_ACCESS", "saas", {"access": "write"}),
    ("repo", "CONTAINS", "gh"), ("gh", "USES", "job"),
    ("job", "CAN_ASSUME", "role", {"oidc_subject": "repo:acme/infra:ref:refs/heads/main"}),
    ("acct", "CONTAINS", "bucket"),
    ("role", "CAN_ACCESS", "bucket", {"access": "read"}),
]


def build(nodes=(), edges=(), change=None, edge_change=None):
    """The clean graph plus extra nodes/edges and property changes."""
    ns = copy.deepcopy(CLEAN_NODES)
    es = copy.deepcopy(CLEAN_EDGES)
    for i, (nid, kind, props) in enumerate(ns):
        if change and nid in change:
            ns[i] = (nid, kind, {**props, **change[nid]})
    for i, e in enumerate(es):
        key = (e[0], e[1], e[2])
        if edge_change and key in edge_change:
            es[i] = (*key, {**(e[3] if len(e) > 3 else {}), **edge_change[key]})
    return fresh((ns + list(nodes), es + list(edges)))


def fired(store, rule=None, **options):
    rows = findings(store, as_of=AS_OF, **options).rows
    return {(f["rule"], tuple(f["nodes"])): f for f in rows if rule is None or f["rule"] == rule}


def nodes_of(store, rule):
    return {nodes for (_, nodes) in fired(store, rule)}


def test_clean_graph_raises_nothing():
    assert fired(build()) == {}


def test_every_rule_declares_its_mapping():
    assert RULES and len(RULES) == len(RULES_BY_ID)  # ids are unique
    owasp = {r.owasp for r in RULES}
    assert owasp == {f"NHI{i}:2025" for i in range(1, 11)}  # all ten items covered
    for r in RULES:
        assert r.nist and all(n[:2] in ("PR", "ID", "GV") for n in r.nist)
        assert r.remediation.endswith(".") and r.reads
        assert r.title and r.severity.split(";")[0].split()[0] in SEVERITIES


def test_every_rule_has_a_firing_case():
    # Every discovered rule is proven to fire (with its nodes and severity) on a graph built
    # for it; a rule added without a case in FIRING_CASES fails here.
    assert {case[0] for case in FIRING_CASES} == set(RULES_BY_ID)


OWNER_GONE = [("gone", "Owner", {"status": "departed"})]
ANYONE = [("actor:anyone", "Actor", {"name": "anyone on the internet", "actor_type": "anyone"})]
HOOK = ("actor:anyone", "CAN_TRIGGER", "wf", {"trigger": "Webhook (webhook)",
                                              "authentication": "none"})
ANY_USER = [("actor:github:any-user", "Actor", {"name": "any GitHub user",
                                                "actor_type": "github-user"})]
GH_SECRET = [("s-gh", "Secret", {"name": "DEPLOY_TOKEN", "status": "active"})]
PR_TARGET = [("actor:github:any-user", "CAN_TRIGGER", "gh",
              {"trigger": "on: pull_request_target", "authentication": "none"}),
             ("repo", "CONTAINS", "s-gh"), ("job", "REFERENCES", "s-gh")]


#: (rule, graph changes, the node tuples it must name, their severity): at least one case
#: per rule (test_every_rule_has_a_firing_case), so a new rule needs a case here.
FIRING_CASES = [
    ("privilege-escalation",  # a role that can create another's keys gains its admin
     dict(nodes=[("esc-a", "Identity", {"identity_type": "role", "status": "active"}),
                 ("esc-b", "Identity", {"identity_type": "user", "status": "active"})],
          edges=[("esc-a", "CAN_ESCALATE_TO", "esc-b",
                  {"method": "CreateAccessKey", "conditional": False}),
                 ("esc-b", "CAN_ACCESS", "saas", {"access": "admin"})]),
     {("esc-a", "esc-b")}, "high"),
    ("departed-owner",
     dict(nodes=OWNER_GONE, edges=[("gone", "OWNS", "wf")]), {("wf", "gone")}, "high"),
    ("retired-but-valid", dict(change={"wf": {"status": "retired"}}), {("wf", "team")}, "high"),
    ("retired-but-valid", dict(change={"wf": {"status": "retired"},
                                       "saas": {"crown_jewel": True}}),
     {("wf", "team")}, "critical"),
    ("unused-but-valid",
     dict(nodes=[("s-old", "Secret", {"status": "active"})],
          edges=[("ws", "CONTAINS", "s-old"), ("s-old", "CAN_ACCESS", "saas",
                                                {"access": "read"})]),
     {("s-old", "team")}, "medium"),
    ("no-owner",
     dict(nodes=[("s-lost", "Secret", {})], edges=[("wf", "REFERENCES", "s-lost"),
                                                  ("s-lost", "CAN_ACCESS", "saas")]),
     {("s-lost",)}, "medium"),
    ("secret-embedded",
     dict(nodes=[("e", "Secret", {"store": "embedded"})],
          edges=[("c", "EMBEDS", "e"), ("e", "CAN_ACCESS", "saas")]),
     {("e", "wf")}, "high"),
    ("secret-embedded",  # a clear-text config store counts without an EMBEDS edge
     dict(change={"s": {"store": "config"}}), {("s", "wf")}, "high"),
    ("third-party-credential", dict(change={"c": {"third_party": True}}), {("c", "s")},
     "high"),
    ("third-party-unpinned", dict(change={"c": {"third_party": True, "pinned": False}}),
     {("c", "wf")}, "high"),
    ("inherited-secrets-to-external-workflow",  # another repository, at a moving ref
     dict(change={"c": {"inherits_secrets_to": "other/repo/.github/workflows/x.yml@main",
                        "inherits_external": True, "inherits_pinned": False}}),
     {("c", "wf")}, "high"),
    ("inherited-secrets-to-external-workflow",  # pinned, but another repository's code
     dict(change={"c": {"inherits_secrets_to": "other/repo/.github/workflows/x.yml@" + "a" * 40,
                        "inherits_external": True, "inherits_pinned": True}}),
     {("c", "wf")}, "medium"),
    ("static-cloud-key",  # federation into account 111 exists (gh -> role): high
     dict(nodes=[("user", "Identity", {"identity_type": "user", "account": "111"})],
          edges=[("s", "AUTHENTICATES_AS", "user"), ("team", "OWNS", "user")],
          change={"s": {"secret_type": "access_key", "access_key_id": "AKIAEXAMPLE"}}),
     {("s", "user", "wf")}, "high"),
    ("static-cloud-key",  # no federation anywhere into account 999: medium
     dict(nodes=[("user", "Identity", {"identity_type": "user", "account": "999"})],
          edges=[("s", "AUTHENTICATES_AS", "user"), ("team", "OWNS", "user")],
          change={"s": {"secret_type": "access_key"}}),
     {("s", "user", "wf")}, "medium"),
    ("password-auth", dict(change={"s": {"secret_type": "password"}}), {("s", "wf")}, "low"),
    ("ci-static-cloud-key",
     dict(nodes=[("key", "Secret", {"secret_type": "access_key", "status": "active"})],
          edges=[("repo", "CONTAINS", "key"), ("job", "REFERENCES", "key"),
                 ("key", "CAN_ACCESS", "bucket", {"access": "write"})]),
     {("key", "gh")}, "high"),
    ("oidc-trust-unrestricted",
     dict(edge_change={("job", "CAN_ASSUME", "role"): {"oidc_subject_unrestricted": True}}),
     {("role", "job")}, "high"),
    ("oidc-trust-unrestricted",  # the role is admin somewhere: critical
     dict(edge_change={("job", "CAN_ASSUME", "role"): {"oidc_subject_unrestricted": True},
                       ("role", "CAN_ACCESS", "bucket"): {"access": "admin"}}),
     {("role", "job")}, "critical"),
    ("human-use",
     dict(nodes=[("svc", "Identity", {"identity_type": "user", "interactive_login": True}),
                 ("svc-key", "Secret", {"secret_type": "access_key"})],
          edges=[("team", "OWNS", "svc"), ("ws", "CONTAINS", "svc-key"),
                 ("svc-key", "AUTHENTICATES_AS", "svc"), ("c", "REFERENCES", "svc-key"),
                 ("svc", "CAN_ACCESS", "bucket", {"access": "read"})]),
     {("svc", "svc-key", "wf")}, "high"),
    ("admin-grant", dict(edge_change={("s", "CAN_ACCESS", "saas"): {"access": "admin"}}),
     {("s", "saas")}, "medium"),
    ("admin-grant",  # a wildcard action is admin-like whatever the level says
     dict(edge_change={("role", "CAN_ACCESS", "bucket"): {"actions": ["s3:*"]}},
          change={"bucket": {"crown_jewel": True}}),
     {("role", "bucket")}, "medium"),
    ("write-for-read-purpose",
     dict(change={"wf": {"name": "Weekly revenue report"}, "saas": {"crown_jewel": True}}),
     {("wf", "saas")}, "medium"),
    ("secret-not-rotated", dict(change={"s": {"last_rotated_at": "2025-06-01T00:00:00Z"}}),
     {("s", "wf")}, "medium"),
    ("secret-not-rotated", dict(change={"s": {"last_rotated_at": "2024-06-01T00:00:00Z"}}),
     {("s", "wf")}, "high"),
    ("prod-credential-in-non-prod",
     dict(nodes=[("ws-dev", "Workspace", {"environment": "dev"}), ("wf-dev", "Workflow", {})],
          edges=[("team", "OWNS", "ws-dev"), ("ws-dev", "CONTAINS", "wf-dev"),
                 ("wf-dev", "REFERENCES", "s")]),
     {("wf-dev", "s")}, "high"),
    ("shared-credential",
     dict(nodes=[("wf2", "Workflow", {"status": "active"})],
          edges=[("ws", "CONTAINS", "wf2"), ("wf2", "REFERENCES", "s")]),
     {("s", "wf", "wf2")}, "low"),
    ("cloned-workflow-credentials",
     dict(nodes=[("wf2", "Workflow", {"status": "active"})],
          edges=[("ws", "CONTAINS", "wf2"), ("wf2", "REFERENCES", "s"),
                 ("wf2", "CLONED_FROM", "wf")]),
     {("wf2", "wf", "s")}, "medium"),
    # entry points (queries/findings/exposure.py)
    ("unauthenticated-trigger", dict(nodes=ANYONE, edges=[HOOK]), {("wf", "actor:anyone", "s")},
     "high"),
    ("unauthenticated-trigger", dict(nodes=ANYONE, edges=[HOOK],
                                     change={"saas": {"crown_jewel": True}}),
     {("wf", "actor:anyone", "s")}, "critical"),
    ("unauthenticated-trigger", dict(nodes=ANYONE, edges=[(*HOOK[:3], {**HOOK[3],
                                                                       "gate": "inactive"})]),
     {("wf", "actor:anyone", "s")}, "medium"),
    ("untrusted-trigger-with-secrets", dict(nodes=ANY_USER + GH_SECRET, edges=PR_TARGET),
     {("gh", "actor:github:any-user", "s-gh")}, "high"),
    ("untrusted-trigger-with-secrets",  # the job that reads it waits for a reviewer
     dict(nodes=ANY_USER + GH_SECRET, edges=PR_TARGET,
          edge_change={("gh", "USES", "job"): {"gate": "environment production: required "
                                                       "reviewers"}}),
     {("gh", "actor:github:any-user", "s-gh")}, "medium"),
    ("agent-tools-exposed",
     dict(nodes=ANYONE + [("ag", "Agent", {"name": "agent"})],
          edges=[HOOK, ("wf", "USES", "ag"), ("ag", "CAN_INVOKE", "c")]),
     {("ag", "actor:anyone", "wf", "c")}, "high"),
    ("trigger-reaches-crown-jewel",
     dict(nodes=ANYONE, edges=[HOOK], change={"saas": {"crown_jewel": True}}),
     {("wf", "actor:anyone", "saas")}, "critical"),
    ("trigger-reaches-crown-jewel",
     dict(nodes=ANYONE, edges=[(*HOOK[:3], {**HOOK[3], "gate": "inactive"})],
          change={"saas": {"crown_jewel": True}}),
     {("wf", "actor:anyone", "saas")}, "high"),
]


@pytest.mark.parametrize("rule,graph,expected,severity", FIRING_CASES)
def test_rule_fires_on_its_graph(rule, graph, expected, severity):
    store = build(**graph)
    hits = fired(store, rule)
    assert {nodes for _, nodes in hits} == expected
    assert {f["severity"] for f in hits.values()} == {severity}
    assert severity in RULES_BY_ID[rule].severity  # the documented severity names it
    for f in hits.values():
        assert f["owasp"] == RULES_BY_ID[rule].owasp and f["paths"]
        assert all(isinstance(p, list) and p for p in f["paths"])


def test_rotation_policy_and_expiry_are_configurable():
    store = build(change={"s": {"last_rotated_at": "2025-09-01T00:00:00Z"}})  # 122 days
    assert nodes_of(store, "secret-not-rotated") == {("s", "wf")}
    assert fired(store, "secret-not-rotated", rotation_days=180) == {}
    # an expiry in the future is reported; a past one makes the secret dead (no finding)
    later = build(change={"s": {"last_rotated_at": "2025-09-01T00:00:00Z",
                                "expires_at": "2026-02-01T00:00:00Z"}})
    [f] = fired(later, "secret-not-rotated").values()
    assert "expires 2026-02-01" in f["detail"]
    gone = build(change={"s": {"last_rotated_at": "2025-09-01T00:00:00Z",
                               "expires_at": "2025-12-01T00:00:00Z"}})
    assert fired(gone, "secret-not-rotated") == {}


def test_dead_credentials_raise_no_findings():
    store = build(change={"s": {"secret_type": "password", "status": "revoked",
                                "last_rotated_at": "2019-01-01T00:00:00Z"}})
    assert fired(store, "password-auth") == {} and fired(store, "secret-not-rotated") == {}


def test_options_select_rules_and_severity():
    store = build(change={"wf": {"status": "retired"}, "saas": {"crown_jewel": True}})
    rows = findings(store, as_of=AS_OF, rules=["retired-but-valid"]).rows
    assert [f["rule"] for f in rows] == ["retired-but-valid"]
    crit = findings(store, as_of=AS_OF, min_severity="critical").rows
    assert {f["severity"] for f in crit} == {"critical"}
    assert at_or_above(findings(store, as_of=AS_OF).rows, "critical") == crit


def test_finding_json_contract():
    store = build(change={"s": {"secret_type": "password"}})
    data = findings(store, as_of=AS_OF).to_dict()
    [f] = data["findings"]
    assert set(f) >= {"rule", "title", "severity", "owasp", "nist", "nodes", "paths",
                      "remediation", "risk"}
    assert f["owasp"] == "NHI4:2025" and f["nist"] == ["PR.AA-03"]
    assert f["paths"] == [["wf", "c", "s"]]
    # risk of the workflow: write on CRM (2) x (1 + static 0.5) = 3.0
    assert f["risk"] == 3.0


def test_risk_scores_worked_by_hand():
    # chain: admin on acct (3) + admin on the crown-jewel bucket inherited (3 x 3) = 12
    rows = {r["id"]: r for r in risk_scores(chain_store()).rows}
    assert rows["wf"]["blast"] == 12 and rows["wf"]["risk"] == 12.0
    assert rows["deploy-role"]["risk"] == 12.0
    assert rows["old-key"]["risk"] == 0.0  # revoked: opens nothing
    # exposure: a static, embedded, shared, long-lived, third-party secret
    store = build(nodes=[("wf2", "Workflow", {"status": "active"})],
                  edges=[("ws", "CONTAINS", "wf2"), ("wf2", "EMBEDS", "s")],
                  change={"s": {"secret_type": "api_key",
                                "last_rotated_at": "2024-01-01T00:00:00Z"},
                          "c": {"third_party": True}})
    s = {r["id"]: r for r in risk_scores(store, as_of=AS_OF).rows}["s"]
    assert s["factors"] == ["embedded", "long_lived", "shared", "static", "third_party"]
    assert s["exposure"] == 4.0 and s["blast"] == 2 and s["risk"] == 8.0


def test_docs_list_every_rule():
    from pathlib import Path

    text = (Path(__file__).resolve().parent.parent / "docs" / "findings.md").read_text()
    for r in RULES:
        assert f"### `{r.id}` ({r.owasp})" in text


def test_one_key_stored_twice_is_one_finding():
    # The n8n credential s and the IAM access key it is (joined by SAME_VALUE_AS): one
    # static-cloud-key and one secret-not-rotated finding, the held copy first.
    store = build(
        nodes=[("iam-key", "Secret", {"secret_type": "access_key", "store": "aws_iam",
                                      "last_rotated_at": "2024-06-01T00:00:00Z"}),
               ("user", "Identity", {"identity_type": "user", "account": "999"})],
        edges=[("team", "OWNS", "iam-key"), ("team", "OWNS", "user"),
               ("iam-key", "AUTHENTICATES_AS", "user"), ("s", "SAME_VALUE_AS", "iam-key")],
        change={"s": {"secret_type": "access_key", "last_rotated_at": "2024-06-01T00:00:00Z"}})
    assert nodes_of(store, "static-cloud-key") == {("s", "iam-key", "user", "wf")}
    assert nodes_of(store, "secret-not-rotated") == {("s", "iam-key", "wf")}
    # a copy rotated recently (the IAM side says so) clears the credential
    fresh_copy = build(
        nodes=[("iam-key", "Secret", {"secret_type": "access_key",
                                      "last_rotated_at": "2025-12-15T00:00:00Z"})],
        edges=[("team", "OWNS", "iam-key"), ("s", "SAME_VALUE_AS", "iam-key")],
        change={"s": {"last_rotated_at": "2024-06-01T00:00:00Z"}})
    assert fired(fresh_copy, "secret-not-rotated") == {}
