"""Who owns the sample estate's AI platforms, as a CMDB would say: the Langflow instance of
ops, the Flowise instance of the support team and the MCP configuration on Dave's laptop.
Their flows and configs arrive from real-format files under ``sample_estate/langflow/``,
``sample_estate/flowise/`` and ``sample_estate/mcp/`` (planted P13 and E5 of
``sample_estate/README.md``); the inventory only names their workspaces' owners.
"""

from __future__ import annotations

from .inventory_records import node


def ai_platforms(e: dict) -> None:
    """Write the AI platforms' workspaces with their owners (``e``: the company's ids)."""
    o = e["o"]
    node("Workspace", "workspace:langflow:acme-ops", name="Langflow acme-ops",
         platform="langflow", environment="prod", owner=o["platform"])
    node("Workspace", "workspace:flowise:acme-support", name="Flowise acme-support",
         platform="flowise", environment="prod", owner=o["carol"])
    node("Workspace", "workspace:mcp:dave-laptop", name="dave-laptop", platform="mcp",
         owner=o["dave"])
