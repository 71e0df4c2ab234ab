"""Langflow 1.x flow export in the shape of Langflow's starter projects (docs/ingest-
langflow.md, "Checked against"): an Agent whose model key loads a global variable with none
chosen (``load_from_db: true``, empty value, as the starter projects ship), a legacy tool
(``api_build_tool`` output), two tool-mode components (``component_as_tool``, ``xy-edge__``
edges, one edge with only the encoded ``œ`` handle strings), one holding a global variable
and one a key typed inline. Fixture: tests/data/langflow_shapes, written by hand."""

from __future__ import annotations

import json
from pathlib import Path

from graph.fingerprint import fingerprint
from graph.records import validate
from ingest import langflow

DATA = Path(__file__).parent / "data" / "langflow_shapes"
F = "b7e1f0c4-5a2d-4c1e-9f3a-2d6c8e0a1b23"
W, C = f"workflow:langflow:acme:{F}", f"connector:langflow:acme:{F}:"
A = f"agent:langflow:acme:{F}:Agent-7mKwO"
VAR = "secret:langflow:acme:variable:TAVILY_API_KEY"
INLINE = f"secret:langflow:acme:{F}:embedded:NotionSearch-M66HF:notion_secret"
TOOLS = ("CalculatorTool-2c9q3", "TavilySearchComponent-Kp1Zr", "NotionSearch-M66HF")


def _batch():
    b = langflow.parse(DATA, instance="acme")
    validate(b)
    return b


def test_nodes_exact():
    b = _batch()
    assert {(n.kind, n.id) for n in b.nodes} == {
        ("Workspace", "workspace:langflow:acme"), ("Workflow", W), ("Agent", A),
        ("Actor", "actor:langflow:acme:api-key-holders"), ("Secret", VAR), ("Secret", INLINE),
        *(("Connector", C + t) for t in TOOLS)}
    by = {n.id: n for n in b.nodes}
    assert by[W].props["name"] == "Research Agent"
    assert by[A].props["tools"] == list(TOOLS)
    assert [by[C + t].props["tool_mode"] for t in TOOLS] == [False, True, True]


def test_edges_exact():
    b = _batch()
    assert {(e.src, e.kind, e.dst) for e in b.edges} == {
        ("workspace:langflow:acme", "CONTAINS", W), ("workspace:langflow:acme", "CONTAINS", VAR),
        (W, "USES", A), *((W, "USES", C + t) for t in TOOLS),
        *((A, "CAN_INVOKE", C + t) for t in TOOLS),
        (C + "TavilySearchComponent-Kp1Zr", "AUTHENTICATES_WITH", VAR),
        (C + "NotionSearch-M66HF", "EMBEDS", INLINE),
        ("actor:langflow:acme:api-key-holders", "CAN_TRIGGER", W)}
    assert {e.props["tool_type"] for e in b.edges if e.kind == "CAN_INVOKE"} == {"tool"}


def test_inline_key_fingerprinted_and_empty_slot_noted():
    b = _batch()
    value = "secret_LangflowShapeFixture00000000000000000000"
    by = {n.id: n for n in b.nodes}
    assert by[INLINE].props["fingerprint"] == fingerprint(value)
    assert value not in json.dumps([n.props for n in b.nodes] + [e.props for e in b.edges])
    assert b.notes == ["Research Agent.json: data.nodes[1]: api_key of component "
                       "'Agent-7mKwO' loads a global variable but none is chosen"]
