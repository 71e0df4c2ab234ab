"""Flowise shapes checked against Flowise's published marketplace templates and UI code
(docs/ingest-flowise.md, "Checked against"): an agentflow v1 (Sequential Agents) canvas
export, which carries no credential ids, with a Custom MCP tool whose server config holds a
pasted GitHub token; and an agentflow v2 saved record (public) whose agent lists its tools in
``agentTools``: a remote MCP server with a pasted Stripe key and a tool with its own
credential. Fixtures in tests/data/flowise_shapes, written by hand in those shapes."""

from __future__ import annotations

import json
from pathlib import Path

from graph.fingerprint import fingerprint
from graph.records import validate
from ingest import flowise

DATA = Path(__file__).parent / "data" / "flowise_shapes"
V1, V2 = "Triage Agents", "af-77"
W, C, S = "workflow:flowise:acme:", "connector:flowise:acme:", "secret:flowise:acme:"
GH_TOKEN = "ghp_FlowiseShapeFixture0000000000000000aa"
MCP = f"{C}{V1}:customMCP_0"
GH_SECRET = f"{S}{V1}:embedded:customMCP_0:env.GITHUB_PERSONAL_ACCESS_TOKEN"
V2C = f"{C}{V2}:agentAgentflow_0"
STRIPE_SECRET = f"{S}{V2}:embedded:agentAgentflow_0:headers.Authorization"


def _batch():
    b = flowise.parse(DATA, instance="acme")
    validate(b)
    return b


def test_nodes_exact():
    b = _batch()
    assert {(n.kind, n.id) for n in b.nodes} == {
        ("Workspace", "workspace:flowise:acme"), ("Actor", "actor:anyone"),
        ("Workflow", W + V1), ("Workflow", W + V2),
        ("Agent", f"agent:flowise:acme:{V1}:seqAgent_0"),
        ("Agent", f"agent:flowise:acme:{V2}:agentAgentflow_0"),
        ("Connector", MCP), ("Connector", f"{C}{V1}:calculator_0"), ("Connector", V2C),
        ("Secret", GH_SECRET), ("Secret", STRIPE_SECRET),
        ("Secret", S + "cred-openai-2"), ("Secret", S + "cred-slack-4"),
        ("System", "system:saas:github"), ("System", "system:http:mcp.stripe.com")}


def test_edges_exact():
    b = _batch()
    a1, a2 = f"agent:flowise:acme:{V1}:seqAgent_0", f"agent:flowise:acme:{V2}:agentAgentflow_0"
    assert {(e.src, e.kind, e.dst) for e in b.edges} == {
        ("workspace:flowise:acme", "CONTAINS", W + V1),
        ("workspace:flowise:acme", "CONTAINS", W + V2),
        ("workspace:flowise:acme", "CONTAINS", S + "cred-openai-2"),
        ("workspace:flowise:acme", "CONTAINS", S + "cred-slack-4"),
        # v1: the sequential agent's tools come from its tools input (edges)
        (W + V1, "USES", a1), (W + V1, "USES", MCP), (W + V1, "USES", f"{C}{V1}:calculator_0"),
        (a1, "CAN_INVOKE", MCP), (a1, "CAN_INVOKE", f"{C}{V1}:calculator_0"),
        (MCP, "EMBEDS", GH_SECRET), (MCP, "TARGETS", "system:saas:github"),
        (GH_SECRET, "CAN_ACCESS", "system:saas:github"),
        # v2: model and tool credentials and the MCP config live on the agent node
        (W + V2, "USES", a2), (W + V2, "USES", V2C), (a2, "CAN_INVOKE", V2C),
        (V2C, "AUTHENTICATES_WITH", S + "cred-openai-2"),
        (V2C, "AUTHENTICATES_WITH", S + "cred-slack-4"),
        (V2C, "EMBEDS", STRIPE_SECRET), (V2C, "TARGETS", "system:http:mcp.stripe.com"),
        (STRIPE_SECRET, "CAN_ACCESS", "system:http:mcp.stripe.com"),
        ("actor:anyone", "CAN_TRIGGER", W + V2)}


def test_tokens_fingerprinted_never_stored():
    b = _batch()
    by = {n.id: n for n in b.nodes}
    assert by[GH_SECRET].props["fingerprint"] == fingerprint(GH_TOKEN)
    assert by[GH_SECRET].props["detector"] == "github-token"
    assert by[STRIPE_SECRET].props["detector"] == "stripe-access-key"
    text = json.dumps([n.props for n in b.nodes] + [e.props for e in b.edges])
    assert GH_TOKEN not in text and "sk_live_FlowiseShapeFixture" not in text


def test_canvas_export_slot_note():
    b = _batch()
    assert sorted(b.notes) == [
        f"{V1}.json: nodes[1]: node 'chatOpenAI_0' needs a credential (openAIApi) but none "
        "is in this canvas export (Flowise's Export drops credential ids)",
        f"{V1}.json: nodes[5] is not a Flowise node (no data.name); left out"]
    assert b.skipped == []


def test_two_custom_mcp_tools_on_one_agent_keep_apart(tmp_path):
    def cfg(token):
        return json.dumps({"command": "npx", "args": ["-y", "@modelcontextprotocol/server-slack"],
                           "env": {"SLACK_BOT_TOKEN": token}})
    tools = [{"agentSelectedTool": "customMCP",
              "agentSelectedToolConfig": {"mcpServerConfig": cfg(t)}}
             for t in ("xoxb-demo-one-9Qv2Lm7Tx4Rz", "xoxb-demo-two-7Hk3Pq8Wy1Zs")]
    node = {"id": "agentAgentflow_0", "data": {"id": "agentAgentflow_0", "name": "agentAgentflow",
                                               "category": "Agent Flows",
                                               "inputs": {"agentTools": tools}}}
    (tmp_path / "two.json").write_text(json.dumps({"nodes": [node], "edges": []}))
    b = flowise.parse(tmp_path, instance="t")
    validate(b)
    base = "secret:flowise:t:two:embedded:agentAgentflow_0:"
    by = {n.id: n for n in b.nodes if n.kind == "Secret"}
    assert set(by) == {base + "mcp0.env.SLACK_BOT_TOKEN", base + "mcp1.env.SLACK_BOT_TOKEN"}
    assert by[base + "mcp1.env.SLACK_BOT_TOKEN"].props["fingerprint"] == \
        fingerprint("xoxb-demo-two-7Hk3Pq8Wy1Zs")
    # both servers are Slack: one TARGETS edge from the agent's connector
    assert [(e.src, e.dst) for e in b.edges if e.kind == "TARGETS"] == [
        ("connector:flowise:t:two:agentAgentflow_0", "system:saas:slack")]
