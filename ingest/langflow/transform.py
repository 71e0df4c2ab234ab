"""Langflow flows -> records: components with credentials become Connectors, global
variables shared Secrets, inline keys embedded Secrets (fingerprint only), Agent components
Agent nodes with CAN_INVOKE to their tools, Chat Input and Webhook components entry points.
No I/O happens here; the caller reads the files and hands over each flow dict.
"""

from __future__ import annotations

import re
from typing import Any

from graph.fingerprint import fingerprint

from ..actors import ANYONE, actor, can_trigger
from ..secret_detect import is_secret, named_secret
from ..workflow_records import RecordBuilder

_FIELD = re.compile(r"fieldName[^A-Za-z0-9_]+([A-Za-z0-9_]+)")
TOOL_INPUTS = frozenset({"tools", "tool"})
MODEL_INPUTS = frozenset({"llm", "model", "language_model"})


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def target_field(edge: dict) -> str:
    """The input a Langflow edge plugs into (``data.targetHandle.fieldName`` or the
    encoded ``targetHandle`` string)."""
    handle = (edge.get("data") or {}).get("targetHandle") if isinstance(edge.get("data"),
                                                                       dict) else None
    if isinstance(handle, dict) and isinstance(handle.get("fieldName"), str):
        return handle["fieldName"]
    m = _FIELD.search(str(edge.get("targetHandle") or ""))
    return m.group(1) if m else ""


class LangflowBuilder(RecordBuilder):
    """Records of one Langflow instance."""

    def __init__(self, inst: str, batch, env=None, tenant=None):
        super().__init__("langflow", batch, env, tenant)
        self.inst = inst
        self.ws = f"workspace:langflow:{inst}"
        self.node(self.ws, "Workspace", {"name": f"Langflow {inst}", "platform": "langflow",
                                         **self.envprops()}, "")

    def flow(self, doc: dict, where: str) -> None:
        graph = doc.get("data") if isinstance(doc.get("data"), dict) else doc
        fid = _text(doc.get("id")) or _text(doc.get("name")) or where
        wid = self.workflow(f"workflow:langflow:{self.inst}:{fid}",
                            {"name": _text(doc.get("name")) or fid, "platform": "langflow",
                             **self.envprops()}, self.ws, "flow of the instance", where)
        comps: dict[str, tuple[str, dict]] = {}
        for j, n in enumerate(graph["nodes"]):
            data = n.get("data") if isinstance(n, dict) else None
            tmpl = ((data or {}).get("node") or {}).get("template") \
                if isinstance((data or {}).get("node"), dict) else None
            if not isinstance(data, dict) or not isinstance(tmpl, dict):
                self.batch.notes.append(f"{where}: data.nodes[{j}] is not a Langflow component "
                                        "(no data.node.template); left out")
                continue
            nid = _text(data.get("id")) or _text(n.get("id")) or f"node{j}"
            ctype = _text(data.get("type")) or nid.split("-")[0]
            comps[nid] = (ctype, data)
            self.component(wid, fid, nid, ctype, data, tmpl, f"{where}: data.nodes[{j}]")
            self.entry(doc, wid, ctype, f"{where}: data.nodes[{j}]")
        edges = [e for e in graph.get("edges") or [] if isinstance(e, dict)]
        for nid, (ctype, data) in comps.items():
            if "agent" in ctype.lower():
                self.agent(wid, fid, nid, ctype, data, edges, comps, where)

    def cid(self, fid: str, nid: str) -> str:
        return f"connector:langflow:{self.inst}:{fid}:{nid}"

    def ensure_connector(self, wid: str, fid: str, nid: str, ctype: str, data: dict,
                         where: str) -> str:
        c = self.cid(fid, nid)
        if c not in self.by_id:
            node = data.get("node") or {}
            self.connector(c, {"name": _text(node.get("display_name")) or nid,
                               "node_type": ctype, "platform": "langflow",
                               "tool_mode": node.get("tool_mode") is True, **self.envprops()},
                           wid, f"component {nid!r}", where)
        return c

    def component(self, wid: str, fid: str, nid: str, ctype: str, data: dict, tmpl: dict,
                  where: str) -> None:
        for key, field in tmpl.items():
            if not isinstance(field, dict):
                continue
            value = _text(field.get("value"))
            if not value:
                if field.get("load_from_db") is True:
                    self.batch.notes.append(f"{where}: {key} of component {nid!r} loads a "
                                            "global variable but none is chosen")
                continue
            if field.get("load_from_db") is True:
                c = self.ensure_connector(wid, fid, nid, ctype, data, where)
                sid = self.once(f"secret:langflow:{self.inst}:variable:{value}", "Secret",
                                {"name": value, "secret_type": "langflow-global-variable",
                                 "store": "langflow", **self.envprops()}, where)
                self.contains(self.ws, sid, "global variable of the instance", where,
                              once=("contains", sid))
                self.edge(c, "AUTHENTICATES_WITH", sid, f"{key} loads global variable "
                          f"{value!r}", where)
            elif field.get("password") is True or key.endswith(("api_key", "token")):
                # a literal typed into a secret input (SecretStrInput, password: true) is a
                # secret even when it looks tame; elsewhere the detector decides
                detector = is_secret(value, key) or (named_secret(value, "password")
                                                     if field.get("password") is True else None)
                if not detector:
                    continue
                c = self.ensure_connector(wid, fid, nid, ctype, data, where)
                sid = self.once(f"secret:langflow:{self.inst}:{fid}:embedded:{nid}:{key}",
                                "Secret", {"name": f"{key} in {nid!r}",
                                           "secret_type": "api-key", "store": "embedded",
                                           "fingerprint": fingerprint(value),
                                           "detector": detector, **self.envprops()}, where)
                self.edge(c, "EMBEDS", sid, f"hard-coded in template field {key}", where)
        if (data.get("node") or {}).get("tool_mode") is True:
            self.ensure_connector(wid, fid, nid, ctype, data, where)

    def entry(self, doc: dict, wid: str, ctype: str, where: str) -> None:
        if ctype == "Webhook":
            can_trigger(self, actor(self, ANYONE, where), wid, "webhook", "none",
                        "Langflow webhook endpoint (no API key by default)", where)
        elif ctype == "ChatInput":
            if str(doc.get("access_type") or "").upper() == "PUBLIC":
                can_trigger(self, actor(self, ANYONE, where), wid, "chat", "none",
                            "public flow: anyone can chat with it", where)
            else:
                a = actor(self, f"actor:langflow:{self.inst}:api-key-holders", where,
                          name=f"Langflow {self.inst} API key holders",
                          actor_type="api-users", platform="langflow")
                can_trigger(self, a, wid, "chat", "header",
                            "Chat Input: run by the flow's API with a Langflow API key", where)

    def agent(self, wid: str, fid: str, nid: str, ctype: str, data: dict, edges: list[dict],
              comps: dict, where: str) -> None:
        aid = f"agent:langflow:{self.inst}:{fid}:{nid}"
        wired = [(e.get("source"), target_field(e)) for e in edges if e.get("target") == nid]
        tools = [s for s, f in wired if f in TOOL_INPUTS and s in comps]
        self.node(aid, "Agent", {"name": f"{self.by_id[wid].props['name']} / {nid}",
                                 "node_type": ctype, "tools": tools, **self.envprops()}, where)
        self.edge(wid, "USES", aid, f"agent component {nid!r}", where)
        own = self.cid(fid, nid)
        if own in self.by_id:
            self.edge(aid, "CAN_INVOKE", own, "prompt-controlled: the agent's own model "
                      "credential (cost abuse)", where, tool_type="language-model")
        for s, f in wired:
            if s not in comps or f not in TOOL_INPUTS | MODEL_INPUTS:
                continue
            c = self.ensure_connector(wid, fid, s, comps[s][0], comps[s][1], where)
            kind = "tool" if f in TOOL_INPUTS else "language-model"
            self.edge(aid, "CAN_INVOKE", c, f"prompt-controlled: {kind} {s!r}", where,
                      tool_type=kind)
