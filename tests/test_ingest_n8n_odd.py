"""n8n credential references in every odd shape real exports have (tests/data/n8n/odd-refs,
written from n8n's export format): empty references keep the connector with no secret,
bare strings are references by name, placeholder ids join nothing, a node that is not a
node is left out, a placeholder header is no secret; exact nodes, edges and notes."""

from __future__ import annotations

from pathlib import Path

from graph.records import validate
from ingest import n8n

DATA = Path(__file__).parent / "data" / "n8n" / "odd-refs"
C, S, W = "connector:n8n:t:", "secret:n8n:t:", "workflow:n8n:t:"
AIRTABLE = S + "airtableApi:Personal Airtable API creds"


def parse():
    b = n8n.parse(DATA, instance="t")
    validate(b)
    return b


def test_no_workflow_is_skipped_and_each_bad_reference_is_a_note():
    b = parse()
    assert (b.files_read, b.skipped) == (2, [])
    odd = f"{DATA}/odd.json"
    assert b.notes == [
        f"{odd}: nodes[7] is not an n8n node (no 'type'); left out",
        f"{odd}: nodes[0]: credentials.slackApi: empty; the node needs a credential of type "
        "slackApi, none is set",
        f"{odd}: nodes[1]: credentials.asanaOAuth2Api: empty; the node needs a credential of "
        "type asanaOAuth2Api, none is set",
        f"{odd}: nodes[2]: credentials.notionApi: dict without id or name; the node needs a "
        "credential of type notionApi, none is set",
        f"{odd}: nodes[3]: credentials.notionApi: dict without id or name; the node needs a "
        "credential of type notionApi, none is set",
        f"{odd}: nodes[4]: credentials.telegramApi: '[REDACTED]'; the node needs a "
        "credential of type telegramApi, none is set",
        f"{odd}: nodes[6]: credentials block is a str ('[REDACTED]'), not a mapping of "
        "credential type to credential; no credential reference kept",
    ]


def test_exact_nodes_and_edges():
    b = parse()
    assert {(n.kind, n.id) for n in b.nodes} == {
        ("Workspace", "workspace:n8n:t"), ("Workflow", W + "odd"), ("Workflow", W + "other"),
        *(("Connector", C + f"odd:e{i}") for i in (1, 2, 3, 4, 5, 6, 7, 9)),
        ("Connector", C + "other:f1"), ("Connector", C + "other:f2"),
        # a bare string names a credential: both workflows share it (one instance)
        ("Secret", AIRTABLE),
        # a placeholder id: one secret per workflow, joining nothing
        ("Secret", S + "odd:slackApi:Slack account"),
        ("Secret", S + "other:slackApi:Slack account"),
        *(("System", f"system:saas:{s}") for s in
          ("airtable", "asana", "hubspot", "notion", "slack", "telegram")),
    }
    edges = {e.key for e in b.edges}
    uses = {(W + "odd", "USES", C + f"odd:e{i}") for i in (1, 2, 3, 4, 5, 6, 7, 9)} | {
        (W + "other", "USES", C + "other:f1"), (W + "other", "USES", C + "other:f2")}
    contains = {("workspace:n8n:t", "CONTAINS", x) for x in (
        W + "odd", W + "other", AIRTABLE, S + "odd:slackApi:Slack account",
        S + "other:slackApi:Slack account")}
    assert edges == uses | contains | {
        (C + "odd:e1", "TARGETS", "system:saas:slack"),
        (C + "odd:e2", "TARGETS", "system:saas:asana"),
        (C + "odd:e3", "TARGETS", "system:saas:notion"),
        (C + "odd:e4", "TARGETS", "system:saas:notion"),
        (C + "odd:e5", "TARGETS", "system:saas:telegram"),
        (C + "odd:e6", "AUTHENTICATES_WITH", AIRTABLE),
        (C + "odd:e6", "TARGETS", "system:saas:airtable"),
        (C + "odd:e7", "TARGETS", "system:saas:hubspot"),
        (C + "odd:e9", "AUTHENTICATES_WITH", S + "odd:slackApi:Slack account"),
        (C + "odd:e9", "TARGETS", "system:saas:slack"),
        (C + "other:f1", "AUTHENTICATES_WITH", S + "other:slackApi:Slack account"),
        (C + "other:f1", "TARGETS", "system:saas:slack"),
        (C + "other:f2", "AUTHENTICATES_WITH", AIRTABLE),
        (C + "other:f2", "TARGETS", "system:saas:airtable"),
        (AIRTABLE, "CAN_ACCESS", "system:saas:airtable"),
        (S + "odd:slackApi:Slack account", "CAN_ACCESS", "system:saas:slack"),
        (S + "other:slackApi:Slack account", "CAN_ACCESS", "system:saas:slack"),
    }


def test_empty_references_say_which_credential_is_missing():
    b = parse()
    unset = {n.id: n.props.get("credentials_unset") for n in b.nodes if n.kind == "Connector"}
    assert unset == {
        C + "odd:e1": ["slackApi"], C + "odd:e2": ["asanaOAuth2Api"],
        C + "odd:e3": ["notionApi"], C + "odd:e4": ["notionApi"],
        C + "odd:e5": ["telegramApi"], C + "odd:e7": ["unknown"],
        C + "odd:e6": None, C + "odd:e9": None, C + "other:f1": None, C + "other:f2": None,
    }
    assert next(n for n in b.nodes if n.id == W + "odd").props["node_count"] == 9
