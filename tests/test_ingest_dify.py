"""Dify app DSL: exact nodes and edges on tests/data/dify/ (an agent-chat app of DSL 0.1.5
with model_config, a workflow app of DSL 0.3.0 with secret variables and HTTP nodes),
skipping, and a Dify secret variable joining an MCP config through one token."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from graph.embedded import EmbeddedStore
from graph.fingerprint import fingerprint
from graph.records import validate
from ingest.dify import parse
from ingest.pipeline import ingest
from tests.planting import graph_of, plant

DATA = Path(__file__).parent / "data" / "dify"


def token(i: int) -> str:
    return "sk_live_" + hashlib.sha256(f"dify-test-{i}".encode()).hexdigest()[:32]


def planted(tmp_path: Path) -> tuple[Path, list[str]]:
    return tmp_path / "acme", plant(DATA, tmp_path / "acme", token)


def test_agent_chat_app_exact():
    batch = parse(DATA / "support-agent.yml", workspace="acme")
    w, a = "workflow:dify:acme:support-agent.yml", "agent:dify:acme:support-agent.yml"
    c = "connector:dify:acme:support-agent.yml:"
    nodes, edges = graph_of(batch)
    assert nodes == {
        ("Workspace", "workspace:dify:acme"), ("Workflow", w), ("Agent", a),
        ("Actor", "actor:dify:acme:app-users"),
        ("Connector", c + "model"), ("Connector", c + "tool:0"), ("Connector", c + "tool:1"),
        ("Secret", "secret:dify:acme:model-provider:openai"),
        ("Secret", "secret:dify:acme:tool-provider:github"),
        ("System", "system:saas:openai"), ("System", "system:saas:github"),
    }
    assert edges == {
        ("workspace:dify:acme", "CONTAINS", w),
        ("actor:dify:acme:app-users", "CAN_TRIGGER", w),
        (w, "USES", a), (w, "USES", c + "model"), (w, "USES", c + "tool:0"),
        (w, "USES", c + "tool:1"),
        (a, "CAN_INVOKE", c + "model"), (a, "CAN_INVOKE", c + "tool:0"),
        (a, "CAN_INVOKE", c + "tool:1"),
        ("workspace:dify:acme", "CONTAINS", "secret:dify:acme:model-provider:openai"),
        ("workspace:dify:acme", "CONTAINS", "secret:dify:acme:tool-provider:github"),
        (c + "model", "AUTHENTICATES_WITH", "secret:dify:acme:model-provider:openai"),
        (c + "tool:0", "AUTHENTICATES_WITH", "secret:dify:acme:tool-provider:github"),
        ("secret:dify:acme:model-provider:openai", "CAN_ACCESS", "system:saas:openai"),
        ("secret:dify:acme:tool-provider:github", "CAN_ACCESS", "system:saas:github"),
        (c + "model", "TARGETS", "system:saas:openai"),
        (c + "tool:0", "TARGETS", "system:saas:github"),
    }
    props = {n.id: n.props for n in batch.nodes}
    assert props[w]["mode"] == "agent-chat" and props[w]["dsl_version"] == "0.1.5"
    assert props[a]["tools"] == ["github_repositories", "current_time"]  # slack disabled
    assert props[a]["model"] == "gpt-4o"
    validate(batch)


def test_workflow_app_exact(tmp_path):
    path, values = planted(tmp_path)
    batch = parse(path / "ticket-workflow.yml", workspace="acme")
    w = "workflow:dify:acme:ticket-workflow.yml"
    c = "connector:dify:acme:ticket-workflow.yml:"
    s = "secret:dify:acme:ticket-workflow.yml:"
    props = {n.id: n.props for n in batch.nodes}
    assert {i for i, p in props.items() if i.startswith("secret:")} == {
        s + "environment:ZENDESK_TOKEN", s + "environment:JIRA_TOKEN",
        s + "1714:authorization.config.api_key", s + "1714:headers.Authorization",
        "secret:dify:acme:model-provider:anthropic", "secret:dify:acme:tool-provider:tavily"}
    assert {i for i in props if i.startswith("connector:")} == {
        c + x for x in ("1712", "1713", "1714", "1715", "1716")}
    edges = {(e.src, e.kind, e.dst) for e in batch.edges}
    assert {e for e in edges if e[1] in ("REFERENCES", "EMBEDS", "CAN_ACCESS")} == {
        (w, "REFERENCES", s + "environment:ZENDESK_TOKEN"),
        (w, "REFERENCES", s + "environment:JIRA_TOKEN"),
        (c + "1713", "REFERENCES", s + "environment:ZENDESK_TOKEN"),
        (s + "environment:ZENDESK_TOKEN", "CAN_ACCESS", "system:http:acme.zendesk.com"),
        (c + "1714", "EMBEDS", s + "1714:authorization.config.api_key"),
        (c + "1714", "EMBEDS", s + "1714:headers.Authorization"),
        (s + "1714:authorization.config.api_key", "CAN_ACCESS", "system:http:ops.acme.example"),
        (s + "1714:headers.Authorization", "CAN_ACCESS", "system:http:ops.acme.example"),
        ("secret:dify:acme:model-provider:anthropic", "CAN_ACCESS", "system:saas:anthropic"),
        ("secret:dify:acme:tool-provider:tavily", "CAN_ACCESS", "system:saas:tavily"),
    }
    assert not any(x == c + "1715" for x, k, y in edges if k == "TARGETS")  # URL is computed
    assert props[s + "environment:ZENDESK_TOKEN"]["fingerprint"] == fingerprint(values[0])
    assert "fingerprint" not in props[s + "environment:JIRA_TOKEN"]  # exported without value
    assert props[s + "1714:headers.Authorization"]["fingerprint"] == fingerprint(values[2])
    assert batch.notes == [f"{path / 'ticket-workflow.yml'}: workflow.graph.nodes[6]: not a "
                           "node with an id and data; skipped"]
    assert not any(v in repr(batch) for v in values)
    validate(batch)


@pytest.mark.parametrize("body, reason", [
    ("- a\n- b\n", "not a Dify app DSL file"),
    ("kind: plugin\napp: {}\n", "not a Dify app DSL file"),
    ("app: [\n", "line"),
])
def test_bad_file_is_skipped(tmp_path, body, reason):
    (tmp_path / "bad.yml").write_text(body)
    (tmp_path / "ok.yml").write_text("app: {mode: chat, name: Q}\nkind: app\nversion: 0.1.0\n")
    batch = parse(tmp_path, workspace="w")
    assert len(batch.skipped) == 1 and reason in batch.skipped[0]
    assert ("Workflow", "workflow:dify:w:ok.yml") in {(n.kind, n.id) for n in batch.nodes}


def test_dify_variable_and_mcp_config_are_one_credential(tmp_path):
    shared = token(42)
    (tmp_path / "dify").mkdir()
    (tmp_path / "dify" / "app.yml").write_text(
        "app: {mode: workflow, name: Sync}\nkind: app\nversion: 0.3.0\nworkflow:\n"
        "  environment_variables:\n  - {name: STRIPE_KEY, value_type: secret, value: "
        f"{shared}}}\n")
    (tmp_path / "mcp").mkdir()
    (tmp_path / "mcp" / "mcp.json").write_text(json.dumps({"mcpServers": {"stripe": {
        "command": "npx", "args": ["-y", "@stripe/mcp", f"--api-key={shared}"]}}}))
    store = EmbeddedStore(tmp_path / "store", create=True)
    ingest("dify", [tmp_path / "dify"], store, source="dify", options={"workspace": "acme"})
    ingest("mcp", [tmp_path / "mcp"], store, source="mcp", options={"machine": "laptop"})
    same = {frozenset((a, b)) for a, b, k in store.graph.edges(keys=True)
            if k == "SAME_VALUE_AS"}
    assert same == {frozenset(("secret:dify:acme:app.yml:environment:STRIPE_KEY",
                               "secret:mcp:laptop:mcp.json:stripe:args[2]"))}
