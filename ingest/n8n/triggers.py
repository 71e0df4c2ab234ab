"""n8n entry points and AI agents: who can start a workflow, and what its agents may call.

Read from n8n's node documentation. Entry points (``CAN_TRIGGER`` into the Workflow):

- **Webhook** (``n8n-nodes-base.webhook``): ``authentication`` none (default), basicAuth,
  headerAuth or jwtAuth; ``options.ipWhitelist`` limits callers to listed addresses.
- **Form Trigger** (``formTrigger``): ``authentication`` none or basicAuth.
- **Chat Trigger** (``@n8n/n8n-nodes-langchain.chatTrigger``): reachable from outside only
  when ``public`` is on; ``authentication`` none, basicAuth or n8nUserAuth (users of the
  instance). Off, only the instance's users can chat (the editor's chat).
- **MCP Server Trigger** (``mcpTrigger``): ``authentication`` none, bearerAuth or headerAuth;
  MCP clients call the tools connected to it directly.
- Triggers fed by outside parties: email (IMAP, Gmail, Outlook: whoever can email the
  inbox), chat bots (Slack, Telegram, WhatsApp, Teams: whoever can message them), forms of
  other SaaS (Typeform, Jotform...: anyone), and any other ``...Trigger`` of a SaaS
  (whoever can create events there). Schedule, manual, sub-workflow and error triggers are
  not entry points.

With no authentication the edge comes from ``actor:anyone`` (or the allow-listed addresses,
``actor:ip:<list>``); with one, from the Secret of the credential the node names. A trigger
of an inactive workflow is kept with the gate "workflow inactive" (its production URL is not
registered until someone activates it).

AI agents (``@n8n/n8n-nodes-langchain.agent``) are ``Agent`` nodes the workflow USES, with
``CAN_INVOKE`` (reason "prompt-controlled") to every node connected to them by ``ai_tool``
(tools: app tools with credentials, HTTP Request, Code and MCP Client tools, sub-workflows)
and by ``ai_languageModel`` (the model's credential: cost abuse). A tool without a
credential that still acts (code, HTTP, MCP client) becomes a Connector of its own.
"""

from __future__ import annotations

from typing import Any

from ..actors import ANYONE, actor, can_trigger
from ..secret_scan import url_host

NOT_ENTRY = frozenset({"scheduleTrigger", "cron", "interval", "manualTrigger",
                       "executeWorkflowTrigger", "errorTrigger", "n8nTrigger",
                       "workflowTrigger", "localFileTrigger", "manualChatTrigger",
                       "evaluationTrigger", "rssFeedReadTrigger"})
EMAIL_TRIGGERS = {"emailReadImap": "imap", "gmailTrigger": "gmail",
                  "microsoftOutlookTrigger": "outlook"}
CHAT_TRIGGERS = {"slackTrigger": "slack", "telegramTrigger": "telegram",
                 "whatsAppTrigger": "whatsapp", "microsoftTeamsTrigger": "teams",
                 "mattermostTrigger": "mattermost", "lineTrigger": "line"}
FORM_SAAS = {"typeformTrigger": "typeform", "jotFormTrigger": "jotform",
             "formstackTrigger": "formstack", "wufooTrigger": "wufoo",
             "formIoTrigger": "form.io", "surveyMonkeyTrigger": "surveymonkey",
             "calendlyTrigger": "calendly"}
#: ``authentication`` values -> (model value, credential types the node may name).
AUTH = {"basicAuth": ("basic", ("httpBasicAuth",)), "headerAuth": ("header", ("httpHeaderAuth",)),
        "jwtAuth": ("jwt", ("jwtAuth",)), "bearerAuth": ("bearer", ("httpBearerAuth",)),
        "n8nUserAuth": ("platform-user", ())}
AGENTS = frozenset({"agent", "agentTool"})
ACTING_TOOLS = {"toolCode": "code", "toolHttpRequest": "http", "httpRequestTool": "http",
                "mcpClientTool": "mcp-client"}
SUB_WORKFLOW_TOOLS = frozenset({"toolWorkflow"})


def _short(n: dict) -> str:
    return str(n.get("type", "")).rsplit(".", 1)[-1]


def _label(n: dict) -> str:
    return str(n.get("name") or _short(n))


def _params(n: dict) -> dict:
    return n["parameters"] if isinstance(n.get("parameters"), dict) else {}


def add_entry_points(b, w: str, wid: str, doc: dict, where: str, known: set[str]) -> None:
    """The CAN_TRIGGER edges, Agent nodes and CAN_INVOKE edges of one workflow."""
    nodes = [n for n in doc["nodes"] if isinstance(n, dict)]
    inactive = doc.get("active") is False
    for j, n in enumerate(nodes):
        if n.get("disabled") is True:
            continue
        _trigger(b, w, n, f"{where}: nodes[{j}]", inactive)
    edges = _connections(doc.get("connections"))
    for j, n in enumerate(nodes):
        if _short(n) in AGENTS and n.get("disabled") is not True:
            _agent(b, w, wid, n, nodes, edges, f"{where}: nodes[{j}]", known)


def _connections(conns: Any) -> list[tuple[str, str, str]]:
    """(source node name, connection type, target node name) of a workflow."""
    out = []
    for src, by_type in (conns.items() if isinstance(conns, dict) else ()):
        for ctype, outputs in (by_type.items() if isinstance(by_type, dict) else ()):
            for output in outputs if isinstance(outputs, list) else ():
                for c in output if isinstance(output, list) else ():
                    if isinstance(c, dict) and isinstance(c.get("node"), str):
                        out.append((str(src), str(ctype), c["node"]))
    return out


def _trigger(b, w: str, n: dict, where: str, inactive: bool) -> None:
    short, label, params = _short(n), _label(n), _params(n)
    trigger = f"{label} ({short})"
    gate = "workflow inactive: the production URL is not registered" if inactive else None
    if short in ("webhook", "formTrigger", "mcpTrigger"):
        _http_trigger(b, w, n, params.get("authentication") or "none", trigger, where, gate,
                      _ip_list(params))
    elif short == "chatTrigger":
        if params.get("public") is True:
            _http_trigger(b, w, n, params.get("authentication") or "none", trigger, where,
                          gate, None, what="public chat")
        else:
            _users(b, w, trigger, "chat not public: only users of the instance can chat",
                   where, gate)
    elif short in EMAIL_TRIGGERS:
        inbox = _inbox(b, n)
        a = actor(b, f"actor:email:{inbox}", where, name=f"anyone who can email {inbox}",
                  actor_type="email", platform="email")
        can_trigger(b, a, w, trigger, "none", f"{short} reads mail sent to {inbox} by anyone",
                    where, gate)
    elif short in CHAT_TRIGGERS:
        p = CHAT_TRIGGERS[short]
        a = actor(b, f"actor:chat:{p}", where, name=f"anyone who can message the {p} bot",
                  actor_type="chat", platform=p)
        can_trigger(b, a, w, trigger, "signature",
                    f"{short}: messages to the bot start the workflow", where, gate)
    elif short in FORM_SAAS:
        a = actor(b, ANYONE, where)
        can_trigger(b, a, w, trigger, "none",
                    f"{short}: anyone who fills the {FORM_SAAS[short]} form", where, gate)
    elif short.endswith("Trigger") and short not in NOT_ENTRY:
        service = short[: -len("Trigger")].lower() or short
        a = actor(b, f"actor:saas:{service}", where,
                  name=f"whoever can create events in {service}", actor_type="saas",
                  platform=service)
        can_trigger(b, a, w, trigger, "signature" if n.get("webhookId") else "unknown",
                    f"{short}: events in {service} start the workflow", where, gate)


def _ip_list(params: dict) -> str | None:
    opts = params.get("options") if isinstance(params.get("options"), dict) else {}
    raw = opts.get("ipWhitelist")
    ips = sorted({p.strip() for p in str(raw or "").split(",") if p.strip()})
    return ",".join(ips) or None


def _http_trigger(b, w: str, n: dict, auth: Any, trigger: str, where: str, gate: str | None,
                  ips: str | None, what: str = "URL") -> None:
    short = _short(n)
    if auth in (None, "", "none"):
        if ips:
            a = actor(b, f"actor:ip:{ips}", where, name=f"callers from {ips}",
                      actor_type="ip-allowlist", platform="internet")
            can_trigger(b, a, w, trigger, "ip-allowlist",
                        f"{short} {what} with no authentication, limited to {ips}", where, gate)
            return
        a = actor(b, ANYONE, where)
        can_trigger(b, a, w, trigger, "none",
                    f"{short} {what} with no authentication: anyone who knows it", where, gate)
        return
    level, ctypes = AUTH.get(str(auth), ("unknown", ()))
    if level == "platform-user":
        _users(b, w, trigger, f"{short} {what} open to users of the instance", where, gate)
        return
    block = n.get("credentials") if isinstance(n.get("credentials"), dict) else {}
    named = [(t, ref) for t, ref in block.items() if not ctypes or t in ctypes]
    if not named:
        b.batch.notes.append(f"{where}: {short} uses {auth} but names no credential; "
                             "who can call it is not known")
        return
    for ctype, ref in named:
        cid, name = (ref.get("id"), ref.get("name")) if isinstance(ref, dict) else (None, ref)
        sid = b.secret_id(ctype, cid, name)
        note = f", limited to {ips}" if ips else ""
        can_trigger(b, sid, w, trigger, level,
                    f"{short} {what} checks the {ctype} credential: whoever holds it{note}",
                    where, gate)


def _users(b, w: str, trigger: str, reason: str, where: str, gate: str | None) -> None:
    a = actor(b, f"actor:n8n:{b.inst}:users", where, name=f"users of n8n {b.inst}",
              actor_type="platform-users", platform="n8n")
    can_trigger(b, a, w, trigger, "platform-user", reason, where, gate)


def _inbox(b, n: dict) -> str:
    """The inbox a mail trigger reads: the user of its credential when exported."""
    block = n.get("credentials") if isinstance(n.get("credentials"), dict) else {}
    for ctype, ref in block.items():
        cid, name = (ref.get("id"), ref.get("name")) if isinstance(ref, dict) else (None, ref)
        node = b.by_id.get(b.secret_id(ctype, cid, name))
        user = node.props.get("user") if node is not None else None
        if user and "@" in str(user):
            return str(user).lower()
    return "unknown"


def _agent(b, w: str, wid: str, n: dict, nodes: list[dict], edges, where: str,
           known: set[str]) -> None:
    label = _label(n)
    by_name = {_label(m): m for m in nodes}
    aid = f"agent:n8n:{b.inst}:{wid}:{n.get('id') or label}"
    tools = [by_name[s] for s, t, d in edges if t == "ai_tool" and d == label and s in by_name]
    models = [by_name[s] for s, t, d in edges
              if t == "ai_languageModel" and d == label and s in by_name]
    b.node(aid, "Agent", {"name": f"{b.by_id[w].props['name']} / {label}",
                          "node_type": n.get("type"), "tools": [_label(t) for t in tools],
                          "model": models[0].get("type") if models else None,
                          "input_from": _upstream_triggers(label, edges, by_name),
                          **b.envprops()}, where)
    b.edge(w, "USES", aid, f"AI agent node {label!r}", where)
    for m in models:
        c = _tool_connector(b, w, wid, m, where)
        if c:
            b.edge(aid, "CAN_INVOKE", c, f"prompt-controlled: language model {_label(m)!r} "
                   "(its credential pays for every prompt: cost abuse)", where,
                   tool_type="language-model")
    for t in tools:
        short = _short(t)
        if short in SUB_WORKFLOW_TOOLS:
            target = _sub_workflow(_params(t))
            if target in known:
                b.edge(aid, "CAN_INVOKE", f"workflow:n8n:{b.inst}:{target}",
                       f"prompt-controlled: sub-workflow tool {_label(t)!r}", where,
                       tool_type="sub-workflow")
            continue
        c = _tool_connector(b, w, wid, t, where)
        if c:
            b.edge(aid, "CAN_INVOKE", c, f"prompt-controlled: tool {_label(t)!r} ({short})",
                   where, tool_type=ACTING_TOOLS.get(short, "tool"))


def _tool_connector(b, w: str, wid: str, t: dict, where: str) -> str | None:
    """The Connector of a tool or model node: the one the node's credential made, else (for
    code, HTTP and MCP client tools, which act without one) a new one."""
    c = f"connector:n8n:{b.inst}:{wid}:{t.get('id') or _label(t)}"
    if c in b.by_id:
        return c
    short = _short(t)
    if short not in ACTING_TOOLS:
        return None
    params = _params(t)
    host = url_host(params.get("url") or params.get("endpointUrl") or params.get("sseEndpoint"))
    b.connector(c, {"name": f"{b.by_id[w].props['name']} / {_label(t)}",
                    "service": ACTING_TOOLS[short], "node_type": t.get("type"),
                    "third_party": False, **b.envprops()},
                w, f"tool node {_label(t)!r} ({short})", where)
    if host:
        b.edge(c, "TARGETS", b.system(None, host), f"{short} tool calls it", where)
    return c


def _upstream_triggers(label: str, edges, by_name: dict) -> list[str]:
    """Trigger nodes whose ``main`` output leads to ``label``."""
    preds: dict[str, set[str]] = {}
    for s, t, d in edges:
        if t == "main":
            preds.setdefault(d, set()).add(s)
    seen, stack, out = {label}, [label], []
    while stack:
        for p in preds.get(stack.pop(), ()):
            if p in seen:
                continue
            seen.add(p)
            stack.append(p)
            node = by_name.get(p)
            if node is not None and (_short(node).endswith("Trigger") or
                                     _short(node) in ("webhook", "emailReadImap")):
                out.append(p)
    return sorted(out)


def _sub_workflow(params: dict) -> str | None:
    ref = params.get("workflowId")
    if isinstance(ref, dict):
        ref = ref.get("value")
    t = str(ref).strip() if ref is not None and not isinstance(ref, bool) else ""
    return t if t and not t.startswith("=") else None
