"""Flowise: chatflow and agentflow exports (a flow's ``nodes``/``edges``, a saved chatflow
with a ``flowData`` string, the ``Export all`` file with ``ChatFlow``/``AgentFlow``/
``AgentFlowV2`` lists) -> canonical records.

Each flow is a Workflow of a Flowise Workspace; a node (``nodes[].data``) with a chosen
credential id (``data.credential``, ``inputs.FLOWISE_CREDENTIAL_ID``, or, in agentflow v2, a
``credential`` inside ``inputs`` such as ``agentModelConfig`` or an ``agentTools`` entry) is
a Connector that AUTHENTICATES_WITH the Secret ``secret:flowise:<instance>:<id>``, shared by
every flow choosing it (the value stays in Flowise's database). A credential slot
(``inputParams`` of type ``credential`` with ``credentialNames``) with no id is noted, not a
Secret. Agent nodes (category ``Agents``, agentflow ``agent`` nodes) get CAN_INVOKE to the
tools wired into their ``tools`` input (or listed in ``agentTools``) and to their model. A
saved chatflow that is public (``isPublic``) or has no API key (``apikeyid``) can be
started by anyone through the prediction API; one with an API key by the holders of that
key (Secret ``secret:flowise:<instance>:apikey:<id>``). See docs/ingest-flowise.md.
"""

from __future__ import annotations

from graph.records import Batch, normalise_environment

from ..files import DEFAULT_MAX_BYTES, Skip, collect, json_loads, load_json, relative
from ..registry import Option, workflow_platform
from .transform import FlowiseBuilder

EXPORT_LISTS = ("ChatFlow", "AgentFlow", "AgentFlowV2", "MultiAgent", "Assistant")


def flows_of(doc, notes: list[str] | None = None, where: str = "") -> list[tuple[dict, dict]]:
    """(saved-flow settings, flow graph) pairs of one export, whatever its shape; a saved
    flow whose ``flowData`` is not JSON is left out with a note."""
    items: list = []
    if isinstance(doc, dict) and any(isinstance(doc.get(k), list) for k in EXPORT_LISTS):
        items = [i for k in EXPORT_LISTS if isinstance(doc.get(k), list) for i in doc[k]]
    elif isinstance(doc, list):
        items = doc
    elif isinstance(doc, dict):
        items = [doc]
    out = []
    for item in items:
        if not isinstance(item, dict):
            continue
        graph = item.get("flowData", item)
        if isinstance(graph, str):
            try:
                graph = json_loads(graph)
            except Exception:  # a damaged flowData string skips that flow only
                if notes is not None:
                    notes.append(f"{where}: flow {item.get('id')!r}: flowData is not JSON; "
                                 "left out")
                continue
        if isinstance(graph, dict) and isinstance(graph.get("nodes"), list):
            out.append((item, graph))
    if not out:
        raise Skip("not a Flowise chatflow/agentflow export (no 'nodes' or 'flowData')")
    return out


def parse(path, instance: str = "default", environment: str | None = None,
          saas_tenant: str | None = None, max_bytes: int = DEFAULT_MAX_BYTES) -> Batch:
    """Parse Flowise chatflow/agentflow exports under ``path``."""
    batch = Batch()
    b = FlowiseBuilder(instance, batch, normalise_environment(environment)
                       if environment else None, saas_tenant)
    roots = [path] if isinstance(path, (str, bytes)) or hasattr(path, "parts") else list(path)
    for f in collect(roots, (".json",)):
        where = relative(f, roots)
        try:
            flows = flows_of(load_json(f, max_bytes), batch.notes, where)
        except Skip as exc:
            batch.skipped.append(f"{where}: {exc}")
            continue
        batch.files_read += 1
        for i, (saved, graph) in enumerate(flows):
            b.flow(saved, graph, f.stem, f"{where}: flows[{i}]" if len(flows) > 1 else where)
    return batch


INGESTER = workflow_platform(
    "flowise",
    "Ingest Flowise chatflow and agentflow exports (JSON files or folders).",
    parse,
    Option("--instance", "Flowise instance name (ids and credentials are per instance).",
           default="default", show_default=True),
)
