"""Flowise ingester on hand-written fixtures (tests/data/flowise): a bare chatflow export,
an ``Export all`` file (public chatflow, API-keyed chatflow, damaged flowData, agentflow v2),
and a non-flow JSON; credential ids shared across flows, empty slots noted, agents' tools."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from graph.records import validate
from ingest import flowise

DATA = Path(__file__).parent / "data" / "flowise"
W, C, S = "workflow:flowise:acme:", "connector:flowise:acme:", "secret:flowise:acme:"
BARE = "support_bot Chatflow"


def _batch():
    b = flowise.parse(DATA, instance="acme")
    validate(b)
    return b


def test_nodes_exact():
    b = _batch()
    flows = {"cf-11", "cf-12", "af-21", BARE}
    assert {n.id for n in b.nodes} == {
        "workspace:flowise:acme", "actor:anyone", S + "cred-openai-1", S + "cred-slack-9",
        S + "apikey:key-7", *(W + f for f in flows),
        *(C + f"{f}:{n}" for f in ("cf-11", BARE)
          for n in ("chatOpenAI_0", "slackTool_0", "serpAPI_0")),
        C + "cf-12:chatOpenAI_0", C + "af-21:agentAgentflow_0",
        "agent:flowise:acme:cf-11:toolAgent_0", f"agent:flowise:acme:{BARE}:toolAgent_0",
        "agent:flowise:acme:af-21:agentAgentflow_0"}


def test_edges_and_entry_points():
    b = _batch()
    edges = {(e.src, e.kind, e.dst) for e in b.edges}
    agent = "agent:flowise:acme:cf-11:toolAgent_0"
    v2 = "agent:flowise:acme:af-21:agentAgentflow_0"
    assert {
        (C + "cf-11:slackTool_0", "AUTHENTICATES_WITH", S + "cred-slack-9"),
        (C + "af-21:agentAgentflow_0", "AUTHENTICATES_WITH", S + "cred-slack-9"),
        (C + "af-21:agentAgentflow_0", "AUTHENTICATES_WITH", S + "cred-openai-1"),
        (C + "cf-12:chatOpenAI_0", "AUTHENTICATES_WITH", S + "cred-openai-1"),
        (agent, "CAN_INVOKE", C + "cf-11:slackTool_0"),
        (agent, "CAN_INVOKE", C + "cf-11:serpAPI_0"),
        (agent, "CAN_INVOKE", C + "cf-11:chatOpenAI_0"),
        (v2, "CAN_INVOKE", C + "af-21:agentAgentflow_0"),
    } <= edges
    triggers = {(e.src, e.dst, e.props["authentication"]) for e in b.edges
                if e.kind == "CAN_TRIGGER"}
    # public chatflow and keyless agentflow: anyone; keyed chatflow: its key; bare export:
    # nothing is known about who may call it
    assert triggers == {("actor:anyone", W + "cf-11", "none"),
                        ("actor:anyone", W + "af-21", "none"),
                        (S + "apikey:key-7", W + "cf-12", "bearer")}
    # serpAPI's slot has no credential: a note, not a Secret, not AUTHENTICATES_WITH
    assert not [e for e in b.edges if e.src.endswith("serpAPI_0") and e.kind != "CAN_INVOKE"
                and e.kind != "USES"]
    # by hand: cf-11 13 edges, cf-12 4, af-21 7, the bare export 10
    assert len(b.edges) == 34


def test_notes_and_skips():
    b = _batch()
    assert b.skipped == ["readme.json: not a Flowise chatflow/agentflow export "
                         "(no 'nodes' or 'flowData')"]
    assert sorted(b.notes) == sorted([
        "export_all.json: flow 'cf-13': flowData is not JSON; left out",
        "export_all.json: flows[0]: nodes[3]: node 'serpAPI_0' needs a credential (serpApi) "
        "but none is chosen",
        "export_all.json: flows[0]: nodes[4] is not a Flowise node (no data.name); left out",
        f"{BARE}.json: nodes[3]: node 'serpAPI_0' needs a credential (serpApi) but none is "
        "in this canvas export (Flowise's Export drops credential ids)",
        f"{BARE}.json: nodes[4] is not a Flowise node (no data.name); left out"])
    text = json.dumps([n.props for n in b.nodes] + [e.props for e in b.edges])
    assert "CANARY_VALUE" not in text  # a pasted input value is never kept


def test_cli_shared_credential(tmp_path):
    from cli import cli
    store = tmp_path / "store"
    r = CliRunner().invoke(cli, ["ingest", "flowise", str(DATA), "--instance", "acme",
                                 "--store", str(store)], catch_exceptions=False)
    assert r.exit_code == 0, r.output
    r = CliRunner().invoke(cli, ["inbound", S + "cred-slack-9", "--format", "json",
                                 "--store", str(store)], catch_exceptions=False)
    assert r.exit_code == 0, r.output
    for f in ("cf-11", "af-21", BARE):
        assert W + f in r.output
