"""One estate, all platforms: the sample estate's Langflow project, Flowise agentflow and
Cursor MCP config (sample_estate/langflow, flowise, mcp) hold the acme-ops n8n instance's
Slack bot token (planted P13) and the Flowise bot is a public agent (E5). Asserted across
n8n + Langflow + Flowise + MCP: the same-value group and its shared-credential cluster, the
MCP server's blast radius against the n8n workflows', orphans, entry points and the
findings on the AI platforms' nodes. Every expected value below was worked out by hand from
the files (sample_estate/README.md, "AI platforms")."""

from __future__ import annotations

import pytest

import sample_estate
from graph.embedded import EmbeddedStore
from graph.fingerprint import fingerprint
from queries import blast_radius, entry_points, findings, orphaned_paths, shared_credentials

AS_OF = "2026-11-24T00:00:00Z"
TOKEN = "xoxb-demo-acme-ops-9Qv2Lm7Tx4Rz"
SLACK = "system:saas:slack:acme"
N8N_SLACK = "secret:n8n:acme-ops:ops-slack"
LF = "5d0c7e2a-9b41-4f6e-8a13-acme0ps0hand"
FW = "7b1e2c9d-0f3a-4d5e-b6a7-acme5upp0rt1"
CUR = "dave-laptop:.cursor/mcp.json"
LF_WF, FW_WF, MCP_WF = (f"workflow:langflow:acme-ops:{LF}", f"workflow:flowise:acme-support:{FW}",
                        f"workflow:mcp:{CUR}")
LF_TOKEN = f"secret:langflow:acme-ops:{LF}:embedded:SlackNotifier-Tq2Wd:slack_token"
FW_TOKEN = f"secret:flowise:acme-support:{FW}:embedded:agentAgentflow_0:env.SLACK_BOT_TOKEN"
MCP_TOKEN = f"secret:mcp:{CUR}:slack:env.SLACK_BOT_TOKEN"
PASTED = {LF_TOKEN, FW_TOKEN, MCP_TOKEN}
MCP_SLACK, MCP_GITHUB = f"connector:mcp:{CUR}:slack", f"connector:mcp:{CUR}:github"
BOT_AGENT = f"agent:flowise:acme-support:{FW}:agentAgentflow_0"
FW_MODEL = "secret:flowise:acme-support:c0ffee00-5eed-4a11-9d3b-0000000a1c01"
NEW = (":langflow:", ":flowise:", ":mcp:")


@pytest.fixture(scope="module")
def estate(tmp_path_factory):
    return sample_estate.load(EmbeddedStore(tmp_path_factory.mktemp("estate")))


def test_one_token_in_four_places_is_one_same_value_group(estate):
    assert {e.dst for e in estate.expand([N8N_SLACK], "out", ["SAME_VALUE_AS"])} == PASTED
    fp = fingerprint(TOKEN)
    assert {n["id"] for n in estate.nodes("Secret") if n.get("fingerprint") == fp} == \
        PASTED | {N8N_SLACK}
    for node in estate.nodes():
        assert TOKEN not in repr(node)


def test_shared_credential_cluster_has_the_exact_members(estate):
    (cluster,) = [r for r in shared_credentials(estate, as_of=AS_OF).rows
                  if N8N_SLACK in r["secrets"]]
    # the estate's big prod/dev n8n cluster (P1's Stripe key, P8's ShipBridge token, ...)
    # now with the three pasted copies and the three AI workflows
    assert cluster["secrets"] == sorted([
        "secret:aws:AKIAACMEOPSN8NDEMO01", FW_TOKEN, LF_TOKEN, MCP_TOKEN,
        *(f"secret:n8n:acme-dev:{s}" for s in ("cred-jira-sandbox", "cred-slack-dev",
                                               "cred-stripe-live-copy")),
        *(f"secret:n8n:acme-ops:{s}" for s in ("ops-aws", "ops-shipbridge", "ops-slack")),
        *(f"secret:n8n:acme-prod:{s}" for s in (
            "cred-clearbit", "cred-datadog", "cred-gmail-ops", "cred-hubspot", "cred-jira",
            "cred-salesforce-main", "cred-slack-bot", "cred-snowflake-reporting",
            "cred-stripe-live", "embedded:shipment-status-webhook:http"))])
    assert {LF_WF, FW_WF, MCP_WF, "workflow:n8n:acme-ops:ops-carrier-delay",
            "workflow:n8n:acme-ops:ops-label-archive"} <= set(cluster["workflows"])
    assert len(cluster["workflows"]) == 33 and cluster["mixed_environments"] is True


def test_mcp_server_reaches_what_the_n8n_workflows_reach_with_the_token(estate):
    def reach(src):
        rows = blast_radius(estate, src, as_of=AS_OF).rows
        return ({(r["id"], r["access"]) for r in rows if r["kind"] in ("System", "Resource")},
                {r["id"] for r in rows if r["kind"] == "Secret"})

    systems, secrets = reach(MCP_SLACK)
    assert systems == {(SLACK, "unknown")}
    assert secrets == PASTED | {N8N_SLACK}
    for wf in ("ops-carrier-delay", "ops-label-archive"):
        n8n_systems, n8n_secrets = reach(f"workflow:n8n:acme-ops:{wf}")
        assert systems <= n8n_systems and PASTED | {N8N_SLACK} <= n8n_secrets
    # the whole Cursor config: Slack through the pasted token, GitHub through ${env:GITHUB_TOKEN}
    systems, secrets = reach(MCP_WF)
    assert systems == {(SLACK, "unknown"), ("system:saas:github:acme", "unknown")}
    assert secrets == PASTED | {N8N_SLACK, "secret:mcp:dave-laptop:env:GITHUB_TOKEN"}


def test_ai_platforms_are_owned_so_no_orphans(estate):
    rows = orphaned_paths(estate, as_of=AS_OF).rows
    assert [r for r in rows if any(p in r["node"] for p in NEW)] == []
    owners = {e.src for e in estate.expand(["workspace:mcp:dave-laptop",
                                            "workspace:flowise:acme-support",
                                            "workspace:langflow:acme-ops"], "in", ["OWNS"])}
    assert owners == {"owner:acme:dave", "owner:acme:carol", "owner:acme:team-platform"}


def test_entry_points_the_exposed_agent(estate):
    rows = {(r["actor"], r["workflow"]): r for r in entry_points(estate, as_of=AS_OF).rows
            if any(p in r["workflow"] for p in NEW)}
    assert set(rows) == {("actor:anyone", FW_WF),
                         ("actor:langflow:acme-ops:api-key-holders", LF_WF)}
    bot = rows[("actor:anyone", FW_WF)]
    assert (bot["authentication"], bot["outside"], bot["trigger"]) == ("none", True,
                                                                       "prediction-api")
    assert bot["secrets"] == sorted(PASTED | {N8N_SLACK, FW_MODEL})
    assert bot["systems"] == 1 and bot["crown_jewels"] == []
    keyed = rows[("actor:langflow:acme-ops:api-key-holders", LF_WF)]
    assert (keyed["authentication"], keyed["outside"]) == ("header", False)
    assert keyed["secrets"] == sorted(PASTED | {N8N_SLACK,
                                                "secret:langflow:acme-ops:variable:OPENAI_API_KEY"})


def test_findings_on_the_ai_platforms(estate):
    got = {(f["rule"], f["severity"], f["nodes"][0]) for f in findings(estate, as_of=AS_OF).rows
           if any(p in f["nodes"][0] for p in NEW)}
    assert got == {
        ("agent-tools-exposed", "high", BOT_AGENT),
        ("unauthenticated-trigger", "high", FW_WF),
        ("secret-embedded", "high", LF_TOKEN), ("secret-embedded", "high", FW_TOKEN),
        ("secret-embedded", "high", MCP_TOKEN),
        ("third-party-unpinned", "high", MCP_SLACK), ("third-party-unpinned", "high", MCP_GITHUB),
        ("third-party-credential", "medium", MCP_SLACK),
        ("third-party-credential", "medium", MCP_GITHUB)}
    # the n8n side's findings now name the copies: the token is one credential in four places
    rows = {(f["rule"], f["nodes"][0]): f for f in findings(estate, as_of=AS_OF).rows}
    assert PASTED <= set(rows[("secret-not-rotated", N8N_SLACK)]["nodes"])
    embedded = rows[("secret-embedded", MCP_TOKEN)]["nodes"]
    assert {LF_WF, FW_WF, MCP_WF, "workflow:n8n:acme-ops:ops-carrier-delay"} <= set(embedded)
