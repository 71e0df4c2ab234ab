"""Dify app DSL -> records: the app a Workflow, its model, tool and HTTP nodes Connectors.

An app (``app.mode`` chat, agent-chat, completion, workflow or advanced-chat) is a Workflow
of the Dify workspace. Model providers (``model.provider`` of LLM, agent and classifier
nodes, or ``model_config.model``) and tool providers (tool nodes, ``agent_mode.tools``,
an agent node's tools) keep their credentials in the workspace, not in the file: each is a
Secret slot ``secret:dify:<ws>:model-provider:<p>`` / ``tool-provider:<p>`` the workspace
CONTAINS and every app naming it shares. Environment and conversation variables marked
``secret`` are Secrets of the app (fingerprinted when the export includes the value); a
variable of another type whose value is a key is one too. HTTP request nodes reach their
URL's host; an ``api-key`` authorization or a credential header is an embedded Secret
(fingerprint only) or, written as ``{{#env.NAME#}}``, a reference to the variable. An
agent-chat app, or an agent node, is an Agent that CAN_INVOKE its tools and model. Whoever
can use the app (its web app or API) CAN_TRIGGER it: ``actor:dify:<ws>:app-users``.
"""

from __future__ import annotations

import re
from typing import Any

from graph.fingerprint import fingerprint

from ..actors import ANYONE, actor, can_trigger
from ..secret_detect import is_placeholder, is_secret, named_secret, secret_part
from ..services import host_service, split_url
from ..workflow_records import RecordBuilder

_ENV_REF = re.compile(r"\{\{#env\.([\w-]+)#\}\}")
_EXPR = re.compile(r"\{\{#[^#]*#\}\}")
#: Built-in tool providers that need no credential.
NO_CREDENTIAL_TOOLS = {"time", "code", "webscraper", "maths", "json_process", "regex",
                       "current_time", "audio", "qrcode"}
#: Words of a provider name -> the SaaS service its credential opens.
PROVIDER_SERVICES = {"openai": "openai", "anthropic": "anthropic", "azure_openai": "azure",
                     "gemini": "google", "google": "google", "vertex_ai": "google",
                     "bedrock": "aws", "slack": "slack", "github": "github", "notion": "notion",
                     "tavily": "tavily", "serpapi": "serpapi", "feishu": "feishu",
                     "dingtalk": "dingtalk", "jina": "jina", "cohere": "cohere",
                     "deepseek": "deepseek", "tongyi": "tongyi", "zhipuai": "zhipuai"}


def text(v: Any) -> str | None:
    return str(v) if isinstance(v, (str, int)) and not isinstance(v, bool) and str(v) else None


def provider_name(raw: str) -> str:
    """``langgenius/openai/openai`` (plugin era) and ``openai`` (older DSL) are one provider."""
    return raw.rstrip("/").split("/")[-1]


class DifyBuilder(RecordBuilder):
    """The records of one Dify workspace's app exports."""

    def __init__(self, ws: str, batch, env=None, tenant=None):
        super().__init__("dify", batch, env, tenant)
        self.ws_name, self.ws = ws, f"workspace:dify:{ws}"

    def app(self, rel: str, doc: dict, where: str) -> None:
        self.once(self.ws, "Workspace", {"name": self.ws_name, "platform": "dify",
                                         **self.envprops()}, where)
        app = doc.get("app") if isinstance(doc.get("app"), dict) else {}
        mode = text(app.get("mode")) or "unknown"
        wf_doc = doc.get("workflow") if isinstance(doc.get("workflow"), dict) else {}
        self.wid = f"workflow:dify:{self.ws_name}:{rel}"
        self.rel, self.where, self.envs = rel, where, {}
        self.workflow(self.wid, {"name": text(app.get("name")) or rel, "platform": "dify",
                                 "path": rel, "mode": mode, "dsl_version":
                                 text(doc.get("version")), "trigger": "app", **self.envprops()},
                      self.ws, f"Dify {mode} app", where)
        for block in ("environment_variables", "conversation_variables"):
            self.variables(wf_doc.get(block), block)
        users = actor(self, f"actor:dify:{self.ws_name}:app-users", where,
                      f"users of Dify workspace {self.ws_name}'s apps", "api-users", "dify")
        can_trigger(self, users, self.wid, f"{mode} app (web app or service API)", "unknown",
                    "whoever the app is published to can run it", where)
        mc = doc.get("model_config")
        if isinstance(mc, dict):
            self.model_config(mc, mode)
        graph = wf_doc.get("graph") if isinstance(wf_doc.get("graph"), dict) else {}
        nodes = graph.get("nodes") if isinstance(graph.get("nodes"), list) else []
        for i, n in enumerate(nodes):
            data = n.get("data") if isinstance(n, dict) else None
            if not isinstance(data, dict) or not text(n.get("id")):
                self.batch.notes.append(f"{where}: workflow.graph.nodes[{i}]: not a node with "
                                        "an id and data; skipped")
                continue
            self.node_of(str(n["id"]), data, f"{where}: workflow.graph.nodes[{i}]")

    # --- variables ------------------------------------------------------------------
    def variables(self, items: Any, block: str) -> None:
        for i, v in enumerate(items if isinstance(items, list) else []):
            name = text(v.get("name")) or text(v.get("variable")) if isinstance(v, dict) else None
            if not name:
                self.batch.notes.append(f"{self.where}: workflow.{block}[{i}]: no name; skipped")
                continue
            value = v.get("value") if isinstance(v.get("value"), str) else ""
            marked = v.get("value_type") == "secret"
            detector = is_secret(value, name) if value else None
            if not marked and not detector:
                continue
            sid = f"secret:dify:{self.ws_name}:{self.rel}:{block.split('_')[0]}:{name}"
            props = {"name": name, "secret_type": "secret", "store": "platform",
                     "scope": "app", **self.envprops()}
            if value and not is_placeholder(value):
                props.update(fingerprint=fingerprint(secret_part(value)),
                             detector=detector or "marked-secret")
            if not marked:
                props["note"] = f"value of a {v.get('value_type')} variable looks like a key"
            self.node(sid, "Secret", props, self.where)
            self.envs[name] = sid
            self.edge(self.wid, "REFERENCES", sid, f"{block} {name!r} of the app", self.where)

    # --- providers ------------------------------------------------------------------
    def provider(self, kind: str, raw: str, c: str, where: str) -> str:
        """The workspace's credential slot of a model or tool provider, used by ``c``."""
        p = provider_name(raw)
        sid = f"secret:dify:{self.ws_name}:{kind}-provider:{p}"
        service = PROVIDER_SERVICES.get(p)
        if self.first(sid):
            self.node(sid, "Secret", {"name": f"{p} {kind} provider credential",
                                      "secret_type": "api_key", "store": "platform",
                                      "scope": "workspace", **self.envprops()}, where)
            self.contains(self.ws, sid, f"{kind} provider credentials live in the workspace",
                          where)
            if service:
                self.can_access(sid, self.saas_system(service, where),
                                f"{p} {kind} provider credential", where)
        self.edge(c, "AUTHENTICATES_WITH", sid, f"{kind} provider {p}", where)
        if service:
            self.edge(c, "TARGETS", self.saas_system(service, where), f"calls {p}", where)
        return sid

    def model(self, key: str, model: Any, label: str, where: str) -> str | None:
        if not isinstance(model, dict) or not text(model.get("provider")):
            return None
        c = self.connector(f"connector:dify:{self.ws_name}:{self.rel}:{key}",
                           {"name": label, "service": provider_name(str(model["provider"])),
                            "node_type": "model", "model": text(model.get("name")),
                            "third_party": False, **self.envprops()},
                           self.wid, f"model {model.get('name')}", where)
        self.provider("model", str(model["provider"]), c, where)
        return c

    def tool(self, key: str, t: dict, where: str) -> str | None:
        raw = text(t.get("provider_id")) or text(t.get("provider_name"))
        if not raw:
            self.batch.notes.append(f"{where}: tool without provider_id; skipped")
            return None
        c = self.connector(f"connector:dify:{self.ws_name}:{self.rel}:{key}",
                           {"name": text(t.get("tool_label")) or text(t.get("tool_name")) or key,
                            "service": provider_name(raw), "node_type": "tool",
                            "provider_type": text(t.get("provider_type")),
                            "tool_name": text(t.get("tool_name")),
                            "third_party": t.get("provider_type") not in ("builtin", "workflow"),
                            **self.envprops()}, self.wid, f"tool {t.get('tool_name')}", where)
        if provider_name(raw) not in NO_CREDENTIAL_TOOLS and t.get("provider_type") != "workflow":
            self.provider("tool", raw, c, where)
        return c

    def agent(self, aid: str, label: str, node_type: str, model: str | None,
              tools: list[str], where: str) -> None:
        self.node(aid, "Agent", {"name": label, "node_type": node_type, "tools": tools,
                                 "model": model, **self.envprops()}, where)
        self.edge(self.wid, "USES", aid, f"Dify agent {label!r}", where)

    def model_config(self, mc: dict, mode: str) -> None:
        where = f"{self.where}: model_config"
        m = self.model("model", mc.get("model"), "app model", where)
        am = mc.get("agent_mode") if isinstance(mc.get("agent_mode"), dict) else {}
        tools = [t for t in am.get("tools") or [] if isinstance(t, dict)
                 and t.get("enabled", True) is not False] if isinstance(am.get("tools"), list) \
            else []
        if mode != "agent-chat" and not (am.get("enabled") and tools):
            return
        aid = f"agent:dify:{self.ws_name}:{self.rel}"
        self.agent(aid, f"{self.by_id[self.wid].props['name']} agent", mode,
                   text((mc.get("model") or {}).get("name")) if isinstance(mc.get("model"), dict)
                   else None, [str(t.get("tool_name")) for t in tools], where)
        self.invoke(aid, m, [self.tool(f"tool:{i}", t, f"{where}.agent_mode.tools[{i}]")
                             for i, t in enumerate(tools)], where)

    def invoke(self, aid: str, model: str | None, tools: list[str | None], where: str) -> None:
        if model:
            self.edge(aid, "CAN_INVOKE", model, "prompt-controlled: the agent's model (cost "
                      "abuse)", where, tool_type="language-model")
        for c in tools:
            if c:
                self.edge(aid, "CAN_INVOKE", c, "prompt-controlled: agent tool", where,
                          tool_type="tool")

    # --- workflow nodes -------------------------------------------------------------
    def node_of(self, nid: str, data: dict, where: str) -> None:
        kind, label = text(data.get("type")), text(data.get("title")) or nid
        if kind in ("llm", "question-classifier", "parameter-extractor"):
            self.model(nid, data.get("model"), label, where)
        elif kind == "tool":
            self.tool(nid, data, where)
        elif kind == "http-request":
            self.http(nid, data, label, where)
        elif kind == "agent":
            params = data.get("agent_parameters") if isinstance(data.get("agent_parameters"),
                                                                dict) else {}
            tv = (params.get("tools") or {}).get("value") if isinstance(params.get("tools"),
                                                                        dict) else None
            tools = [t for t in tv or [] if isinstance(t, dict)] if isinstance(tv, list) else []
            mv = (params.get("model") or {}).get("value") if isinstance(params.get("model"),
                                                                        dict) else None
            aid = f"agent:dify:{self.ws_name}:{self.rel}:{nid}"
            self.agent(aid, label, "agent", text((mv or {}).get("model")) if
                       isinstance(mv, dict) else None, [str(t.get("tool_name")) for t in tools],
                       where)
            self.invoke(aid, self.model(f"{nid}:model", {"provider": mv.get("provider"),
                                                          "name": mv.get("model")},
                                        f"{label} model", where) if isinstance(mv, dict)
                        else None,
                        [self.tool(f"{nid}:tool:{i}", t, where) for i, t in enumerate(tools)],
                        where)
        elif kind == "trigger-webhook":
            can_trigger(self, actor(self, ANYONE, where), self.wid, f"webhook trigger "
                        f"{label!r}", "unknown", "a webhook URL starts the workflow", where)

    def http(self, nid: str, data: dict, label: str, where: str) -> None:
        url = text(data.get("url")) or ""
        parts = None if _EXPR.match(url) else split_url(url)
        host = parts.hostname if parts else None
        c = self.connector(f"connector:dify:{self.ws_name}:{self.rel}:{nid}",
                           {"name": label, "service": "http", "node_type": "http-request",
                            "third_party": False, **self.envprops()},
                           self.wid, f"HTTP request node {label!r}", where)
        system = None
        if host:
            known = host_service(host)
            system = self.saas_system(known, where) if known else \
                self.host_system("http", host, where)
            self.edge(c, "TARGETS", system, "the node calls it", where)
        found: list[tuple[str, str, str]] = []
        auth = data.get("authorization") if isinstance(data.get("authorization"), dict) else {}
        cfg = auth.get("config") if isinstance(auth.get("config"), dict) else {}
        if auth.get("type") == "api-key" and isinstance(cfg.get("api_key"), str):
            found.append(("authorization.config.api_key", text(cfg.get("header")) or
                          "Authorization", cfg["api_key"]))
        headers = data.get("headers") if isinstance(data.get("headers"), str) else ""
        for line in headers.splitlines():
            key, sep, value = line.partition(":")
            if sep:
                found.append((f"headers.{key.strip()}", key.strip(), value.strip()))
        for field, key, value in found:
            refs = _ENV_REF.findall(value)
            for ref in refs:
                sid = self.envs.get(ref)
                if sid:
                    self.edge(c, "REFERENCES", sid, f"{field} names env {ref}", where)
                    if system:
                        self.can_access(sid, system, f"sent by HTTP node {label!r}", where)
            if refs or _EXPR.search(value):
                continue
            detector = named_secret(value, key) or \
                ("auth-field" if field.startswith("authorization") and secret_part(value)
                 and not is_placeholder(secret_part(value)) else None)
            if not detector:
                continue
            sid = self.node(f"secret:dify:{self.ws_name}:{self.rel}:{nid}:{field}", "Secret",
                            {"name": f"{field} of {label!r}", "secret_type": "api_key",
                             "store": "embedded", "fingerprint":
                             fingerprint(secret_part(value)), "detector": detector,
                             **self.envprops()}, where)
            self.edge(c, "EMBEDS", sid, f"hard-coded in {field}", where)
            if system:
                self.can_access(sid, system, f"{field} of HTTP node {label!r}", where)
