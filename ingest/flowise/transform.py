"""Flowise flows -> records: nodes with a chosen credential become Connectors that
AUTHENTICATES_WITH the credential's shared Secret, empty credential slots are noted, agent
nodes get CAN_INVOKE to their tools and model, saved-flow settings give entry points.
No I/O happens here.
"""

from __future__ import annotations

from typing import Any

from graph.fingerprint import fingerprint

from ..actors import ANYONE, actor, can_trigger
from ..files import json_loads
from ..mcp.transform import literals, service_of, what_runs
from ..secret_detect import named_secret, secret_part
from ..services import host_service, split_url
from ..workflow_records import RecordBuilder

CRED_KEYS = ("credential", "FLOWISE_CREDENTIAL_ID")
#: Agent categories: chatflow agents, agentflow v1 multi-agent (supervisor/worker) and
#: sequential-agent nodes; agentflow v2 agents are ``agentAgentflow`` in "Agent Flows".
AGENT_CATEGORIES = frozenset({"Agents", "Multi Agents"})
AGENT_NAMES = frozenset({"agentAgentflow", "toolAgent", "openAIToolAgent",
                         "conversationalAgent", "seqAgent", "seqToolNode", "worker",
                         "supervisor"})


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def credential_ids(value: Any) -> list[str]:
    """Every credential id chosen anywhere in a node's data (v2 nests them in inputs)."""
    found: list[str] = []
    if isinstance(value, dict):
        for k, v in value.items():
            if k in CRED_KEYS and _text(v):
                found.append(_text(v))
            elif k not in ("inputParams", "inputAnchors", "outputAnchors"):
                found += credential_ids(v)
    elif isinstance(value, list):
        for v in value:
            found += credential_ids(v)
    return list(dict.fromkeys(found))


def is_agent(data: dict) -> bool:
    return data.get("category") in AGENT_CATEGORIES or _text(data.get("name")) in AGENT_NAMES


def mcp_configs(value: Any, path: str = "inputs") -> list[tuple[str, dict]]:
    """(where, parsed config) of every Custom MCP ``mcpServerConfig`` in a node's inputs
    (a chatflow ``customMCP`` node, or an agentflow v2 ``agentTools`` entry); a config that
    is no JSON object is left out (Flowise shows it as code, it may be a placeholder)."""
    out: list[tuple[str, dict]] = []
    if isinstance(value, dict):
        for k, v in value.items():
            if k == "mcpServerConfig" and isinstance(v, str):
                try:
                    cfg = json_loads(v)
                except ValueError:
                    continue
                if isinstance(cfg, dict):
                    out.append((f"{path}.{k}", cfg))
            else:
                out += mcp_configs(v, f"{path}.{k}")
    elif isinstance(value, list):
        for i, v in enumerate(value):
            out += mcp_configs(v, f"{path}[{i}]")
    return out


class FlowiseBuilder(RecordBuilder):
    """Records of one Flowise instance."""

    def __init__(self, inst: str, batch, env=None, tenant=None):
        super().__init__("flowise", batch, env, tenant)
        self.inst = inst
        self.ws = f"workspace:flowise:{inst}"
        self.node(self.ws, "Workspace", {"name": f"Flowise {inst}", "platform": "flowise",
                                         **self.envprops()}, "")

    def flow(self, saved: dict, graph: dict, stem: str, where: str) -> None:
        fid = _text(saved.get("id")) or stem
        name = _text(saved.get("name")) or fid
        wid = self.workflow(f"workflow:flowise:{self.inst}:{fid}",
                            {"name": name, "platform": "flowise", **self.envprops()},
                            self.ws, "flow of the instance", where)
        nodes: dict[str, dict] = {}
        for j, n in enumerate(graph["nodes"]):
            data = n.get("data") if isinstance(n, dict) else None
            if not isinstance(data, dict) or not _text(data.get("name")):
                self.batch.notes.append(f"{where}: nodes[{j}] is not a Flowise node "
                                        "(no data.name); left out")
                continue
            nid = _text(data.get("id")) or _text(n.get("id")) or f"node{j}"
            nodes[nid] = data
            self.credentials(wid, fid, nid, data, f"{where}: nodes[{j}]",
                             canvas="flowData" not in saved)
            self.mcp_tools(wid, fid, nid, data, f"{where}: nodes[{j}]")
        edges = [e for e in graph.get("edges") or [] if isinstance(e, dict)]
        for nid, data in nodes.items():
            if is_agent(data):
                self.agent(wid, fid, nid, data, nodes, edges, where)
        self.entry(saved, wid, where)

    def connector_of(self, wid: str, fid: str, nid: str, data: dict, where: str) -> str:
        c = f"connector:flowise:{self.inst}:{fid}:{nid}"
        if c not in self.by_id:
            self.connector(c, {"name": _text(data.get("label")) or nid,
                               "node_type": _text(data.get("name")), "platform": "flowise",
                               **self.envprops()}, wid, f"node {nid!r}", where)
        return c

    def credentials(self, wid: str, fid: str, nid: str, data: dict, where: str,
                    canvas: bool = False) -> None:
        ids = credential_ids({k: v for k, v in data.items() if k != "id"})
        for cred in ids:
            c = self.connector_of(wid, fid, nid, data, where)
            sid = self.once(f"secret:flowise:{self.inst}:{cred}", "Secret",
                            {"name": cred, "secret_type": "flowise-credential",
                             "store": "flowise", **self.envprops()}, where)
            self.contains(self.ws, sid, "credential of the instance", where,
                          once=("contains", sid))
            self.edge(c, "AUTHENTICATES_WITH", sid, f"node {nid!r} uses credential {cred!r}",
                      where)
        slots = [p for p in data.get("inputParams") or [] if isinstance(p, dict)
                 and p.get("type") == "credential"]
        if slots and not ids:
            names = ", ".join(str(x) for s in slots for x in s.get("credentialNames") or [])
            # Flowise's own "Export" drops chosen credential ids (and password inputs), so
            # in a canvas export an empty slot may have had one; a saved flow's is empty.
            why = "none is in this canvas export (Flowise's Export drops credential ids)" \
                if canvas else "none is chosen"
            self.batch.notes.append(f"{where}: node {nid!r} needs a credential ({names or '?'})"
                                    f" but {why}")

    def mcp_tools(self, wid: str, fid: str, nid: str, data: dict, where: str) -> None:
        """A Custom MCP tool's server config: a token pasted into its ``env`` or ``headers``
        is an embedded Secret (fingerprint only) the node EMBEDS, with CAN_ACCESS to the
        system the server reaches (its URL's host, else its package's service). Secret ids
        end in the variable (``env.SLACK_BOT_TOKEN``), prefixed ``mcp<i>.`` when the node
        holds several configs (a v2 agent with several Custom MCP tools)."""
        configs = mcp_configs(data.get("inputs"))
        for i, (field, cfg) in enumerate(configs):
            props = what_runs(cfg)
            keys = [k.split(".", 1)[-1] for k, _, _ in literals(cfg) if not k.startswith("args")]
            parts = split_url(props["url"]) if props.get("url") else None
            host = parts.hostname if parts else None
            service = host_service(host) if host else service_of(props, keys)
            system = (self.saas_system(service, where) if service else
                      self.host_system("http", host, where) if host else None)
            c = self.connector_of(wid, fid, nid, data, where)
            if system and self.first(("targets", c, system)):
                self.edge(c, "TARGETS", system, f"its MCP server ({field}) calls it", where)
            for sub, key, value in literals(cfg):
                if sub.startswith("args"):
                    continue  # packages and paths; a token is taken from env and headers
                detector = named_secret(value, key) if "${" not in value and \
                    "{{" not in value and "$vars." not in value else None
                if not detector:
                    continue
                tail = sub if len(configs) == 1 else f"mcp{i}.{sub}"
                sid = self.node(f"secret:flowise:{self.inst}:{fid}:embedded:{nid}:{tail}",
                                "Secret", {"name": f"{sub} of the MCP server in {nid!r}",
                                           "secret_type": "token", "store": "embedded",
                                           "fingerprint": fingerprint(secret_part(value)),
                                           "detector": detector, **self.envprops()}, where)
                self.edge(c, "EMBEDS", sid, f"hard-coded in {field} {sub}", where)
                if system:
                    self.can_access(sid, system, f"{sub} of the node's MCP server", where)

    def agent(self, wid: str, fid: str, nid: str, data: dict, nodes: dict, edges: list[dict],
              where: str) -> None:
        aid = f"agent:flowise:{self.inst}:{fid}:{nid}"
        wired = [(e.get("source"), str(e.get("targetHandle") or "")) for e in edges
                 if e.get("target") == nid and e.get("source") in nodes]
        tools = [s for s, h in wired if "-input-tools-" in h]
        models = [s for s, h in wired if "-input-model-" in h]
        self.node(aid, "Agent", {"name": f"{self.by_id[wid].props['name']} / {nid}",
                                 "node_type": _text(data.get("name")), "tools": tools,
                                 **self.envprops()}, where)
        self.edge(wid, "USES", aid, f"agent node {nid!r}", where)
        own = f"connector:flowise:{self.inst}:{fid}:{nid}"
        if own in self.by_id:  # agentflow v2: model and tool credentials live on the agent
            self.edge(aid, "CAN_INVOKE", own, "prompt-controlled: the agent's own model and "
                      "tool credentials", where, tool_type="tool")
        for s, kind in [(t, "tool") for t in tools] + [(m, "language-model") for m in models]:
            c = self.connector_of(wid, fid, s, nodes[s], where)
            self.edge(aid, "CAN_INVOKE", c, f"prompt-controlled: {kind} {s!r}", where,
                      tool_type=kind)

    def entry(self, saved: dict, wid: str, where: str) -> None:
        if "flowData" not in saved:
            return  # a bare flow export says nothing about who may call it
        key = _text(saved.get("apikeyid"))
        if saved.get("isPublic") is True or not key:
            how = "public chatbot" if saved.get("isPublic") is True else "no API key set"
            can_trigger(self, actor(self, ANYONE, where), wid, "prediction-api", "none",
                        f"Flowise prediction API: {how}", where)
            return
        sid = self.once(f"secret:flowise:{self.inst}:apikey:{key}", "Secret",
                        {"name": f"Flowise API key {key}", "secret_type": "api-key",
                         "store": "flowise", **self.envprops()}, where)
        can_trigger(self, sid, wid, "prediction-api", "bearer",
                    "Flowise prediction API with the flow's API key", where)
