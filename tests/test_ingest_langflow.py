"""Langflow ingester on hand-written fixtures (tests/data/langflow): a project export with
two flows (agent with tools, webhook), an old top-level-nodes flow, a non-flow JSON; global
variables shared across flows, an inline key fingerprinted, a broken component skipped."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from click.testing import CliRunner

from graph.fingerprint import fingerprint
from graph.records import validate
from ingest import langflow

DATA = Path(__file__).parent / "data" / "langflow"
W, C = "workflow:langflow:acme:", "connector:langflow:acme:"
V = "secret:langflow:acme:variable:"
AGENT = "agent:langflow:acme:3f1c-support:Agent-b2"
KEY = "sk-proj-Xq7fR2mLp9Vt4Bn8Kc3Wd6Hy1Zs5Ja0Ue"


def _batch(tmp_path: Path, value: str = KEY):
    shutil.copytree(DATA, tmp_path / "lf")
    p = tmp_path / "lf" / "support_project.json"
    p.write_text(p.read_text().replace("CANARY_VALUE", value))
    b = langflow.parse(tmp_path / "lf", instance="acme")
    validate(b)
    return b


def test_nodes_edges_exact(tmp_path):
    b = _batch(tmp_path)
    emb = "secret:langflow:acme:3f1c-support:embedded:APIRequest-d4:api_key"
    assert {n.id for n in b.nodes} == {
        "workspace:langflow:acme", "actor:anyone", "actor:langflow:acme:api-key-holders",
        W + "old-1", W + "3f1c-support", W + "7a2d-hook",
        C + "3f1c-support:Agent-b2", C + "3f1c-support:SlackTool-c3",
        C + "3f1c-support:APIRequest-d4", C + "7a2d-hook:Slack-h8",
        V + "OPENAI_API_KEY", V + "SLACK_BOT_TOKEN", emb, AGENT}
    edges = {(e.src, e.kind, e.dst) for e in b.edges}
    assert {
        (C + "3f1c-support:SlackTool-c3", "AUTHENTICATES_WITH", V + "SLACK_BOT_TOKEN"),
        (C + "7a2d-hook:Slack-h8", "AUTHENTICATES_WITH", V + "SLACK_BOT_TOKEN"),
        (C + "3f1c-support:Agent-b2", "AUTHENTICATES_WITH", V + "OPENAI_API_KEY"),
        (C + "3f1c-support:APIRequest-d4", "EMBEDS", emb),
        (AGENT, "CAN_INVOKE", C + "3f1c-support:SlackTool-c3"),
        (AGENT, "CAN_INVOKE", C + "3f1c-support:APIRequest-d4"),  # encoded handle string
        (AGENT, "CAN_INVOKE", C + "3f1c-support:Agent-b2"),
        ("actor:anyone", "CAN_TRIGGER", W + "7a2d-hook"),
        ("actor:langflow:acme:api-key-holders", "CAN_TRIGGER", W + "3f1c-support"),
        ("actor:langflow:acme:api-key-holders", "CAN_TRIGGER", W + "old-1"),
    } <= edges
    # CONTAINS 3 flows + 2 variables, USES 5, AUTHENTICATES_WITH 3, EMBEDS 1, CAN_INVOKE 3,
    # CAN_TRIGGER 3
    assert len(b.edges) == 20
    secret = next(n for n in b.nodes if n.id == emb)
    assert secret.props["fingerprint"] == fingerprint(KEY)
    assert KEY not in json.dumps([n.props for n in b.nodes] + [e.props for e in b.edges])
    assert b.skipped == ["notes.json: not a Langflow flow export (no 'data.nodes')"]
    assert b.notes == ["support_project.json: flows[0]: data.nodes[4] is not a Langflow "
                       "component (no data.node.template); left out"]


def test_placeholder_is_not_a_secret(tmp_path):
    b = _batch(tmp_path, "your-api-key-here")
    assert not [n for n in b.nodes if ":embedded:" in n.id]
    assert C + "3f1c-support:APIRequest-d4" in {n.id for n in b.nodes}  # tool mode keeps it


def test_public_flow_is_open_to_anyone(tmp_path):
    flow = {"id": "p1", "name": "Public", "access_type": "PUBLIC", "data": {"nodes": [
        {"data": {"id": "ChatInput-1", "type": "ChatInput", "node": {"template": {}}}}],
        "edges": []}}
    (tmp_path / "p.json").write_text(json.dumps(flow))
    b = langflow.parse(tmp_path / "p.json", instance="acme")
    assert [(e.src, e.kind, e.dst) for e in b.edges if e.kind == "CAN_TRIGGER"] == [
        ("actor:anyone", "CAN_TRIGGER", W + "p1")]


def test_cli_ingest_and_blast_radius(tmp_path):
    from cli import cli
    shutil.copytree(DATA, tmp_path / "lf")
    store = tmp_path / "store"
    r = CliRunner().invoke(cli, ["ingest", "langflow", str(tmp_path / "lf"), "--instance",
                                 "acme", "--store", str(store)], catch_exceptions=False)
    assert r.exit_code == 0, r.output
    r = CliRunner().invoke(cli, ["inbound", V + "SLACK_BOT_TOKEN", "--format", "json",
                                 "--store", str(store)], catch_exceptions=False)
    assert r.exit_code == 0, r.output
    assert W + "7a2d-hook" in r.output and W + "3f1c-support" in r.output
    assert "actor:anyone" in r.output  # the webhook flow reaches the shared token
    r = CliRunner().invoke(cli, ["ingest", "langflow", str(DATA / "notes.json"), "--strict",
                                 "--store", str(store)])
    assert r.exit_code == 2 and "notes.json" in r.output
