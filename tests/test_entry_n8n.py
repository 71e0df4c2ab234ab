"""n8n entry points and AI agents (ingest/n8n/triggers.py), on workflows written from n8n's
node documentation: the exact CAN_TRIGGER edge (source, authentication, gate) of every
trigger and authentication variant, what is not an entry point, and the agent-to-tool paths
(Agent USES, CAN_INVOKE prompt-controlled, the walk from the actor to each tool credential).
"""

from __future__ import annotations

import json

import pytest

from graph.embedded import EmbeddedStore
from ingest.pipeline import ingest
from queries import blast_radius, shortest_paths

W = "workflow:n8n:t:"
S = "secret:n8n:t:"
WEBHOOK, FORM = "n8n-nodes-base.webhook", "n8n-nodes-base.formTrigger"
CHAT, MCP = "@n8n/n8n-nodes-langchain.chatTrigger", "@n8n/n8n-nodes-langchain.mcpTrigger"
LC = "@n8n/n8n-nodes-langchain."


def node(name, ntype, params=None, creds=None, **extra):
    n = {"id": name.lower().replace(" ", "-"), "name": name, "type": ntype, "typeVersion": 2,
         "position": [0, 0], "parameters": params or {}}
    if creds:
        n["credentials"] = {t: {"id": cid, "name": cid} for t, cid in creds.items()}
    n.update(extra)
    return n


def workflow(wid, trigger, *more, active=True, connections=None):
    """A workflow whose trigger feeds a Slack node holding the slack credential."""
    slack = node("Post", "n8n-nodes-base.slack", {"text": "hi"}, {"slackApi": "slack"})
    return {"id": wid, "name": wid, "active": active, "nodes": [trigger, slack, *more],
            "connections": connections or {trigger["name"]: {"main": [[{"node": "Post",
                                                                         "type": "main",
                                                                         "index": 0}]]}}}


def load(tmp_path, *workflows):
    folder = tmp_path / "t"
    folder.mkdir(exist_ok=True)
    for wf in workflows:
        (folder / f"{wf['id']}.json").write_text(json.dumps(wf))
    store = EmbeddedStore(tmp_path / "store")
    batch, _ = ingest("n8n", folder, store, options={"instance": "t"})
    return store, batch


def triggers(store):
    return {(e.src, e.dst, e.props["authentication"], e.props.get("gate"))
            for e in store.edges("CAN_TRIGGER")}


CASES = [
    # Webhook: authentication none (default), basicAuth, headerAuth, jwtAuth; ipWhitelist
    ("hook-none", node("Hook", WEBHOOK, {"path": "a"}), {("actor:anyone", "none")}),
    ("hook-none-explicit", node("Hook", WEBHOOK, {"authentication": "none"}),
     {("actor:anyone", "none")}),
    ("hook-basic", node("Hook", WEBHOOK, {"authentication": "basicAuth"},
                        {"httpBasicAuth": "hb"}), {(S + "hb", "basic")}),
    ("hook-header", node("Hook", WEBHOOK, {"authentication": "headerAuth"},
                         {"httpHeaderAuth": "hh"}), {(S + "hh", "header")}),
    ("hook-jwt", node("Hook", WEBHOOK, {"authentication": "jwtAuth"}, {"jwtAuth": "jw"}),
     {(S + "jw", "jwt")}),
    ("hook-ip", node("Hook", WEBHOOK, {"options": {"ipWhitelist": "10.0.0.2, 10.0.0.1"}}),
     {("actor:ip:10.0.0.1,10.0.0.2", "ip-allowlist")}),
    ("hook-basic-ip", node("Hook", WEBHOOK, {"authentication": "basicAuth",
                                             "options": {"ipWhitelist": "10.0.0.1"}},
                           {"httpBasicAuth": "hb"}), {(S + "hb", "basic")}),
    # Form Trigger: none, basicAuth
    ("form-none", node("Form", FORM, {"formTitle": "Contact"}), {("actor:anyone", "none")}),
    ("form-basic", node("Form", FORM, {"authentication": "basicAuth"}, {"httpBasicAuth": "fb"}),
     {(S + "fb", "basic")}),
    # Chat Trigger: public or not; authentication none, basicAuth, n8nUserAuth
    ("chat-public", node("Chat", CHAT, {"public": True, "mode": "hostedChat"}),
     {("actor:anyone", "none")}),
    ("chat-public-basic", node("Chat", CHAT, {"public": True, "authentication": "basicAuth"},
                               {"httpBasicAuth": "cb"}), {(S + "cb", "basic")}),
    ("chat-public-users", node("Chat", CHAT, {"public": True, "authentication": "n8nUserAuth"}),
     {("actor:n8n:t:users", "platform-user")}),
    ("chat-private", node("Chat", CHAT, {"public": False}),
     {("actor:n8n:t:users", "platform-user")}),
    # MCP Server Trigger: none, bearerAuth, headerAuth
    ("mcp-none", node("MCP", MCP, {"path": "mcp"}), {("actor:anyone", "none")}),
    ("mcp-bearer", node("MCP", MCP, {"authentication": "bearerAuth"}, {"httpBearerAuth": "mb"}),
     {(S + "mb", "bearer")}),
    ("mcp-header", node("MCP", MCP, {"authentication": "headerAuth"}, {"httpHeaderAuth": "mh"}),
     {(S + "mh", "header")}),
    # Triggers fed by outside parties
    ("imap", node("Mail", "n8n-nodes-base.emailReadImap", {}, {"imap": "inbox"}),
     {("actor:email:unknown", "none")}),
    ("gmail", node("Gmail", "n8n-nodes-base.gmailTrigger", {}, {"gmailOAuth2": "g"}),
     {("actor:email:unknown", "none")}),
    ("slack-bot", node("Slack in", "n8n-nodes-base.slackTrigger", {}, {"slackApi": "slack"}),
     {("actor:chat:slack", "signature")}),
    ("telegram", node("Bot", "n8n-nodes-base.telegramTrigger", {}, {"telegramApi": "tg"}),
     {("actor:chat:telegram", "signature")}),
    ("whatsapp", node("WA", "n8n-nodes-base.whatsAppTrigger", {}, {"whatsAppTriggerApi": "wa"}),
     {("actor:chat:whatsapp", "signature")}),
    ("typeform", node("TF", "n8n-nodes-base.typeformTrigger", {}, {"typeformApi": "tf"}),
     {("actor:anyone", "none")}),
    ("github-events", node("GH", "n8n-nodes-base.githubTrigger", {}, {"githubApi": "gh"},
                           webhookId="x"), {("actor:saas:github", "signature")}),
    # Not entry points
    ("schedule", node("Every day", "n8n-nodes-base.scheduleTrigger"), set()),
    ("manual", node("Run", "n8n-nodes-base.manualTrigger"), set()),
    ("sub", node("Called", "n8n-nodes-base.executeWorkflowTrigger"), set()),
    ("disabled-hook", node("Hook", WEBHOOK, {}, disabled=True), set()),
]


@pytest.mark.parametrize("wid,trigger,expected", CASES, ids=[c[0] for c in CASES])
def test_each_trigger_variant_gives_its_exact_can_trigger_edge(tmp_path, wid, trigger,
                                                                 expected):
    store, _ = load(tmp_path, workflow(wid, trigger))
    assert triggers(store) == {(src, W + wid, auth, None) for src, auth in expected}


def test_edge_properties_and_actor_nodes(tmp_path):
    store, _ = load(tmp_path, workflow("hook", node("Orders", WEBHOOK, {"path": "o"})),
                    workflow("chat", node("Chat", CHAT, {"public": True})))
    edges = {(e.src, e.dst): e.props for e in store.edges("CAN_TRIGGER")}
    hook = edges[("actor:anyone", W + "hook")]
    assert hook["trigger"] == "Orders (webhook)"
    assert hook["reason"] == "webhook URL with no authentication: anyone who knows it"
    assert edges[("actor:anyone", W + "chat")]["trigger"] == "Chat (chatTrigger)"
    anyone = store.get_node("actor:anyone")
    assert (anyone["kind"], anyone["name"], anyone["actor_type"]) == (
        "Actor", "anyone on the internet", "anyone")


def test_inactive_workflow_keeps_its_trigger_behind_a_gate(tmp_path):
    store, _ = load(tmp_path, workflow("off", node("Hook", WEBHOOK), active=False))
    assert triggers(store) == {("actor:anyone", W + "off", "none",
                                "workflow inactive: the production URL is not registered")}


def test_authenticated_trigger_without_its_credential_is_a_note_not_an_edge(tmp_path):
    store, batch = load(tmp_path, workflow("nocred", node("Hook", WEBHOOK,
                                                          {"authentication": "basicAuth"})))
    assert triggers(store) == set()
    assert any("uses basicAuth but names no credential" in n for n in batch.notes)


def test_two_triggers_of_one_actor_are_one_edge_naming_both(tmp_path):
    wf = workflow("two", node("A", WEBHOOK), node("B", FORM))
    store, _ = load(tmp_path, wf)
    (e,) = list(store.edges("CAN_TRIGGER"))
    assert e.props["trigger"] == "A (webhook), B (formTrigger)"


def test_basic_auth_secret_reaches_what_the_workflow_holds(tmp_path):
    store, _ = load(tmp_path, workflow("hb", node("Hook", WEBHOOK, {"authentication":
                                                                    "basicAuth"},
                                                  {"httpBasicAuth": "hb"})))
    reached = {r["id"] for r in blast_radius(store, S + "hb").rows}
    assert {W + "hb", S + "slack"} <= reached


def agent_workflow(public=True):
    """Chat Trigger -> AI Agent with an OpenAI model, a HubSpot tool (CRM), a Code tool, an
    HTTP Request tool, an MCP Client tool and a sub-workflow tool; written from n8n's
    cluster-node docs (tools attach with ``ai_tool``, the model with ``ai_languageModel``)."""
    nodes = [
        node("Chat", CHAT, {"public": public}),
        node("AI Agent", LC + "agent", {"options": {}}),
        node("OpenAI", LC + "lmChatOpenAi", {"model": "gpt-4o-mini"}, {"openAiApi": "openai"}),
        node("HubSpot", "n8n-nodes-base.hubspotTool", {"resource": "contact"},
             {"hubspotAppToken": "hubspot"}),
        node("Code", LC + "toolCode", {"jsCode": "return 1"}),
        node("Fetch", LC + "toolHttpRequest", {"url": "https://api.partner.example/v1"}),
        node("MCP", LC + "mcpClientTool", {"sseEndpoint": "https://mcp.tools.example/sse"}),
        node("Refund", LC + "toolWorkflow", {"workflowId": {"__rl": True, "value": "refund"}}),
        node("Memory", LC + "memoryBufferWindow"),
    ]
    tool = lambda name, t="ai_tool": {name: {t: [[{"node": "AI Agent", "type": t,  # noqa: E731
                                                   "index": 0}]]}}
    conns = {"Chat": {"main": [[{"node": "AI Agent", "type": "main", "index": 0}]]},
             **tool("OpenAI", "ai_languageModel"), **tool("HubSpot"), **tool("Code"),
             **tool("Fetch"), **tool("MCP"), **tool("Refund"), **tool("Memory", "ai_memory")}
    return {"id": "support", "name": "Support chat", "active": True, "nodes": nodes,
            "connections": conns}


def refund_workflow():
    return {"id": "refund", "name": "Refund", "active": True, "connections": {},
            "nodes": [node("Called", "n8n-nodes-base.executeWorkflowTrigger"),
                      node("Stripe", "n8n-nodes-base.stripe", {}, {"stripeApi": "stripe"})]}


def test_agent_node_and_its_prompt_controlled_edges(tmp_path):
    store, _ = load(tmp_path, agent_workflow(), refund_workflow())
    agent = "agent:n8n:t:support:ai-agent"
    a = store.get_node(agent)
    assert (a["kind"], a["model"], a["input_from"]) == ("Agent", LC + "lmChatOpenAi", ["Chat"])
    assert a["tools"] == ["HubSpot", "Code", "Fetch", "MCP", "Refund"]
    c = "connector:n8n:t:support:"
    invoke = {(e.dst, e.props["tool_type"]) for e in store.edges("CAN_INVOKE")}
    assert invoke == {(c + "openai", "language-model"), (c + "hubspot", "tool"),
                      (c + "code", "code"), (c + "fetch", "http"), (c + "mcp", "mcp-client"),
                      (W + "refund", "sub-workflow")}
    assert all(e.props["reason"].startswith("prompt-controlled") for e in
               store.edges("CAN_INVOKE"))
    assert (W + "support", "USES", agent) in {(e.src, e.kind, e.dst) for e in
                                              store.edges("USES")}
    assert {e.dst for e in store.edges("TARGETS") if e.src in (c + "fetch", c + "mcp")} == {
        "system:http:api.partner.example", "system:http:mcp.tools.example"}
    assert triggers(store) == {("actor:anyone", W + "support", "none", None)}


def test_paths_from_the_actor_through_the_agent_to_every_tool_credential(tmp_path):
    store, _ = load(tmp_path, agent_workflow(), refund_workflow())
    agent = "agent:n8n:t:support:ai-agent"
    reached = {r["id"] for r in blast_radius(store, "anyone").rows}
    assert {agent, S + "openai", S + "hubspot", S + "stripe"} <= reached
    via = shortest_paths(store, agent, S + "stripe").rows[0]["path"]
    assert via == [agent, W + "refund", "connector:n8n:t:refund:stripe", S + "stripe"]
    to_crm = shortest_paths(store, agent, S + "hubspot").rows[0]["path"]
    assert to_crm == [agent, "connector:n8n:t:support:hubspot", S + "hubspot"]


def test_private_chat_agent_is_reachable_only_by_instance_users(tmp_path):
    store, _ = load(tmp_path, agent_workflow(public=False), refund_workflow())
    assert triggers(store) == {("actor:n8n:t:users", W + "support", "platform-user", None)}
