"""Dify app DSL exports (``.yml``: ``kind: app``, ``version``, ``app``, ``workflow`` or
``model_config``) -> records, files or folders.

Every app file of one run belongs to one Dify workspace (``--workspace``, default the
folder's name): a Workflow per app, model and tool providers as the workspace's shared
credential slots, secret variables and HTTP authorization as Secrets (fingerprint only),
agent-chat apps and agent nodes as Agents (see :mod:`.transform`, docs/ingest-dify.md).
YAML goes through the project's one loader; a file that is not a Dify app is skipped with
its reason, one bad node is left out with a note.
"""

from __future__ import annotations

from pathlib import Path

from graph.records import Batch, normalise_environment

from ..files import DEFAULT_MAX_BYTES, Skip, collect_some, load_yaml, progress, relative
from ..registry import Option, workflow_platform
from .transform import DifyBuilder


def parse(path, workspace: str | None = None, environment: str | None = None,
          saas_tenant: str | None = None, max_bytes: int = DEFAULT_MAX_BYTES) -> Batch:
    """Parse Dify DSL files and folders into one batch."""
    roots = [path] if isinstance(path, (str, Path)) else list(path)
    first = Path(roots[0]).resolve()
    name = workspace or (first if first.is_dir() else first.parent).name or "dify"
    env = normalise_environment(environment) if environment else None
    batch = Batch()
    b = DifyBuilder(name, batch, env, saas_tenant)
    for f in progress(collect_some(roots, (".yml", ".yaml")), "Dify apps"):
        try:
            doc = load_yaml(f, max_bytes, batch.notes)
            if not isinstance(doc, dict) or doc.get("kind", "app") != "app" or \
                    not isinstance(doc.get("app"), dict):
                raise Skip("not a Dify app DSL file (expected kind: app and an app mapping)")
        except Skip as exc:
            batch.skipped.append(f"{f}: {exc}")
            continue
        b.app(relative(f, roots), doc, str(f))
        batch.files_read += 1
    return batch


INGESTER = workflow_platform(
    "dify",
    "Ingest Dify app DSL exports (.yml: chat, agent-chat, workflow, advanced-chat apps).",
    parse,
    Option("--workspace", "Dify workspace name (default: the folder's name)."),
)
