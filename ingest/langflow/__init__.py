"""Langflow: flow exports (one flow, a project/folder export with ``flows``, a JSON list
of flows, older exports with ``nodes`` at the top) -> canonical records.

Each flow is a Workflow of a Langflow Workspace. A component (``data.nodes[].data``) whose
``template`` holds a credential is a Connector the flow USES: a field with
``load_from_db: true`` names a Langflow global variable, which is one Secret
``secret:langflow:<instance>:variable:<NAME>`` shared by every flow naming it (the value
lives in Langflow's database, never in the file); a password field holding a literal that
:func:`ingest.secret_detect.is_secret` calls a secret is an embedded Secret (fingerprint
only). Agent components are Agent nodes with CAN_INVOKE to the components wired into their
``tools`` input and to their own model credential; a Webhook component is an entry point
for anyone (Langflow's webhook endpoint takes no API key unless the server enables it), a
Chat Input one for holders of a Langflow API key, or anyone when the flow is public. A bad
component is skipped with a note, not the flow. See docs/ingest-langflow.md.
"""

from __future__ import annotations

from graph.records import Batch, normalise_environment

from ..files import DEFAULT_MAX_BYTES, Skip, collect, load_json, relative
from ..registry import Option, workflow_platform
from .transform import LangflowBuilder


def flows_of(doc) -> list[dict]:
    """The flows of one export, whatever its shape."""
    if isinstance(doc, list):
        flows = [f for f in doc if isinstance(f, dict)]
    elif isinstance(doc, dict) and isinstance(doc.get("flows"), list):
        flows = [f for f in doc["flows"] if isinstance(f, dict)]
    elif isinstance(doc, dict):
        flows = [doc]
    else:
        raise Skip(f"not a Langflow export (top level is {type(doc).__name__})")
    flows = [f for f in flows if isinstance((f.get("data") or f).get("nodes"), list)]
    if not flows:
        raise Skip("not a Langflow flow export (no 'data.nodes')")
    return flows


def parse(path, instance: str = "default", environment: str | None = None,
          saas_tenant: str | None = None, max_bytes: int = DEFAULT_MAX_BYTES) -> Batch:
    """Parse Langflow flow and project exports under ``path``."""
    batch = Batch()
    b = LangflowBuilder(instance, batch, normalise_environment(environment)
                        if environment else None, saas_tenant)
    roots = [path] if isinstance(path, (str, bytes)) or hasattr(path, "parts") else list(path)
    for f in collect(roots, (".json",)):
        where = relative(f, roots)
        try:
            flows = flows_of(load_json(f, max_bytes))
        except Skip as exc:
            batch.skipped.append(f"{where}: {exc}")
            continue
        batch.files_read += 1
        for i, flow in enumerate(flows):
            b.flow(flow, f"{where}: flows[{i}]" if len(flows) > 1 else where)
    return batch


INGESTER = workflow_platform(
    "langflow",
    "Ingest Langflow flow and project exports (JSON files or folders).",
    parse,
    Option("--instance", "Langflow instance name (ids and global variables are per instance).",
           default="default", show_default=True),
)
