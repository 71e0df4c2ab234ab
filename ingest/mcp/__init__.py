"""MCP client configurations: Claude Desktop, Cursor, VS Code, Windsurf... -> records.

``nhigraph ingest mcp PATH...`` reads ``claude_desktop_config.json``, ``.cursor/mcp.json``,
``.vscode/mcp.json`` (``servers`` plus ``inputs``, JSONC), Windsurf's ``mcp_config.json``,
Claude Code's ``.mcp.json`` and any file of the same shape, files or folders. The files of
one run are one machine's (``--machine``, default the folder's name): its Workspace holds
one Workflow per file, whose Agent (the client) CAN_INVOKE each server's Connector; tokens
in ``env``, ``headers`` or ``args`` are fingerprinted Secrets, ``${input:...}`` and
``${env:...}`` references named Secret slots (see :mod:`.transform`, docs/ingest-mcp.md).
:mod:`.read` finds and decodes the files. The same token in two configs, or in a config
and an n8n workflow, becomes one shared credential when the batch is stitched.
"""

from __future__ import annotations

from pathlib import Path

from graph.records import Batch, normalise_environment

from ..files import DEFAULT_MAX_BYTES, Skip, progress, relative
from ..registry import Option, workflow_platform
from .read import client_of, collect_configs, load_config, servers_of
from .transform import McpBuilder


def parse(path, machine: str | None = None, environment: str | None = None,
          saas_tenant: str | None = None, max_bytes: int = DEFAULT_MAX_BYTES) -> Batch:
    """Parse MCP client configuration files and folders into one batch."""
    roots = [path] if isinstance(path, (str, Path)) else list(path)
    first = Path(roots[0]).resolve()
    name = machine or (first if first.is_dir() else first.parent).name or "mcp"
    env = normalise_environment(environment) if environment else None
    batch = Batch()
    b = McpBuilder(name, "mcp", batch, env, saas_tenant)
    for f in progress(collect_configs(roots), "MCP configurations"):
        try:
            key, servers, inputs = servers_of(load_config(f, max_bytes))
        except Skip as exc:
            batch.skipped.append(f"{f}: {exc}")
            continue
        rel = relative(f, roots)
        b.config(rel, client_of(f, key), servers, inputs, str(f))
        batch.files_read += 1
    return batch


INGESTER = workflow_platform(
    "mcp",
    "Ingest MCP client configurations (Claude Desktop, Cursor, VS Code, Windsurf...).",
    parse,
    Option("--machine", "Machine or user whose configurations these are (default: the "
           "folder's name)."),
)
