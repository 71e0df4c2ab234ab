"""MCP client configurations -> records: the client an Agent, each server a Connector.

One config file is a Workflow (the client's session) of the machine's Workspace; it USES
an Agent (the desktop or IDE agent) that CAN_INVOKE every server (``tool_type
mcp-server``), prompt-controlled like an n8n AI Agent's tools. A server is a Connector
(also USED by the workflow: the client starts it) with what it runs: ``command``,
``package`` (``npx -y @modelcontextprotocol/server-github`` -> the package), or ``url``
and ``transport``. A literal token in ``env``, ``headers`` or ``args`` is an embedded
Secret (fingerprint only, through :func:`ingest.secret_detect.is_secret` or a
secret-looking key name) the server EMBEDS; ``${input:id}`` is a Secret slot of the
config (VS Code prompts for it), ``${env:VAR}`` / ``${VAR}`` one of the machine (its
environment variable), both REFERENCED, never values. A remote URL is the System the
server reaches; a local server's System is guessed from its package or its variables'
names (``server-github``, ``GITHUB_TOKEN`` -> github), or the host of a database URL.
"""

from __future__ import annotations

import re
from typing import Any

from graph.fingerprint import fingerprint

from ..secret_detect import SECRET_NAME, is_placeholder, named_secret, secret_part
from ..services import host_service, secret_name_service, secret_name_type, split_url
from ..workflow_records import RecordBuilder

_REF = re.compile(r"\$\{(?:(input|env):)?([A-Za-z_][\w.-]*)(?::-[^}]*)?\}|"
                  r"\$([A-Z_][A-Z0-9_]*)\b")
#: VS Code's predefined variables: paths, never secrets.
_PREDEFINED = {"workspaceFolder", "workspaceFolderBasename", "userHome", "pathSeparator", "cwd"}
_PACKAGE = re.compile(r"^@?[a-z0-9][a-z0-9._-]*(?:/[a-z0-9._-]+)?(?:@[\w.^~<>=-]+)?$")
_LAUNCHERS = {"npx": "npm", "bunx": "npm", "pnpm": "npm", "uvx": "pypi", "uv": "pypi",
              "pipx": "pypi", "docker": "docker", "podman": "docker"}
_DB_SCHEMES = {"postgres": "postgres", "postgresql": "postgres", "mysql": "mysql",
               "mongodb": "mongodb", "mongodb+srv": "mongodb", "redis": "redis",
               "rediss": "redis"}
_PKG_SERVICES = {"github": "github", "gitlab": "gitlab", "slack": "slack", "notion": "notion",
                 "stripe": "stripe", "sentry": "sentry", "jira": "jira", "atlassian": "jira",
                 "linear": "linear", "airtable": "airtable", "google": "google",
                 "gdrive": "google", "openai": "openai", "aws": "aws", "cloudflare": "cloudflare",
                 "datadog": "datadog", "hubspot": "hubspot", "salesforce": "salesforce"}
_PATH = re.compile(r"^(?:[/~.]|[A-Za-z]:[\\/]|\$\{)")


def what_runs(cfg: dict) -> dict:
    """``command``, ``package`` (with its registry and version), ``url``, ``transport``."""
    out: dict[str, Any] = {}
    url = next((cfg[k] for k in ("url", "serverUrl", "httpUrl") if isinstance(cfg.get(k), str)),
               None)
    command = cfg.get("command") if isinstance(cfg.get("command"), str) else None
    transport = cfg.get("type") or cfg.get("transport")
    out["transport"] = str(transport) if isinstance(transport, str) else \
        ("http" if url else "stdio")
    if url:
        out["url"] = url.split("?", 1)[0]
    if command:
        out["command"] = command
        launcher = _LAUNCHERS.get(command.rsplit("/", 1)[-1].removesuffix(".exe"))
        args = [a for a in cfg.get("args") or [] if isinstance(a, str)] \
            if isinstance(cfg.get("args"), list) else []
        pkg = next((a for a in args if not a.startswith("-") and a not in
                    ("run", "exec", "dlx", "tool", "x", "mcp") and _PACKAGE.match(a)), None)
        if launcher and pkg:
            name, _, version = pkg[1:].partition("@") if pkg.startswith("@") else \
                pkg.partition("@")
            out.update(package=("@" if pkg.startswith("@") else "") + name, registry=launcher,
                       pinned=bool(version) and bool(re.match(r"^\d+\.\d+\.\d+$", version)))
            if version:
                out["version"] = version
    return out


def service_of(props: dict, keys: list[str]) -> str | None:
    """The SaaS service a local server talks to: from its package, else its keys' names."""
    words = re.split(r"[^a-z0-9]+", str(props.get("package", "")).lower())
    for word in words:
        if word in _PKG_SERVICES:
            return _PKG_SERVICES[word]
    for key in keys:
        found = secret_name_service(key) or _PKG_SERVICES.get(key.upper().split("_")[0].lower())
        if found:
            return found
    return None


def literals(cfg: dict) -> list[tuple[str, str, str]]:
    """(field, key, value) of every string in ``env``, ``headers`` and ``args``."""
    out = []
    for block in ("env", "headers"):
        items = cfg.get(block)
        if isinstance(items, dict):
            out += [(f"{block}.{k}", str(k), v) for k, v in items.items() if isinstance(v, str)]
    args = cfg.get("args") if isinstance(cfg.get("args"), list) else []
    for i, a in enumerate(args):
        if not isinstance(a, str):
            continue
        flag, eq, val = a.partition("=")
        prev = args[i - 1] if i and isinstance(args[i - 1], str) else ""
        if eq and flag.startswith("-"):
            out.append((f"args[{i}]", flag.lstrip("-"), val))
        elif prev.startswith("-") and "=" not in prev:
            out.append((f"args[{i}]", prev.lstrip("-"), a))
        else:
            out.append((f"args[{i}]", "", a))
    return out


class McpBuilder(RecordBuilder):
    """The records of one machine's MCP client configurations."""

    def __init__(self, machine: str, source: str, batch, env=None, tenant=None):
        super().__init__(source, batch, env, tenant)
        self.machine = machine
        self.ws = f"workspace:mcp:{machine}"

    def workspace(self) -> None:
        self.once(self.ws, "Workspace", {"name": self.machine, "platform": "mcp",
                                         **self.envprops()}, self.ws)

    def config(self, rel: str, client: str, servers: dict, inputs: list, where: str) -> None:
        self.workspace()
        w = self.workflow(f"workflow:mcp:{self.machine}:{rel}",
                          {"name": f"{client} {rel}", "platform": "mcp", "path": rel,
                           "trigger": "prompt", "client": client, **self.envprops()},
                          self.ws, f"MCP configuration of {client}", where)
        agent = self.node(f"agent:mcp:{self.machine}:{rel}", "Agent",
                          {"name": f"{client} agent ({rel})", "node_type": client,
                           "tools": sorted(str(s) for s, c in servers.items()
                                           if isinstance(c, dict)), **self.envprops()}, where)
        self.edge(w, "USES", agent, f"the {client} agent reads this configuration", where)
        declared = {str(i.get("id")): i for i in inputs if isinstance(i, dict) and i.get("id")}
        for name, cfg in servers.items():
            at = f"{where}: servers.{name}"
            if not isinstance(cfg, dict):
                self.batch.notes.append(f"{at}: a JSON {type(cfg).__name__}, not a server "
                                        "object; skipped")
                continue
            c = self.server(w, rel, str(name), cfg, declared, at)
            self.edge(agent, "CAN_INVOKE", c, f"prompt-controlled: MCP server {name!r}", at,
                      tool_type="mcp-server")

    def server(self, w: str, rel: str, name: str, cfg: dict, declared: dict,
               where: str) -> str:
        props = what_runs(cfg)
        keys = [k.split(".", 1)[-1] for k, _, _ in literals(cfg) if not k.startswith("args")]
        service = None if props.get("url") else service_of(props, keys)
        c = self.connector(f"connector:mcp:{self.machine}:{rel}:{name}",
                           {"name": name, "service": service or "mcp", "node_type":
                            f"mcp-server:{props['transport']}", "third_party": True,
                            **({"status": "disabled"} if cfg.get("disabled") is True else {}),
                            **props, **self.envprops()},
                           w, f"MCP server {name!r}", where)
        systems = self._systems(props, service, cfg, where)
        for system in systems:
            self.edge(c, "TARGETS", system, f"MCP server {name!r} calls it", where)
        if isinstance(cfg.get("envFile"), str) and cfg["envFile"]:
            self._reference(c, rel, "file", cfg["envFile"], declared, systems,
                            f"{where}.envFile")
        seen: set[str] = set()
        for field, key, value in literals(cfg):
            for kind, ref, bare in _REF.findall(value):
                if (ref or bare) not in _PREDEFINED:
                    self._reference(c, rel, kind or "env", ref or bare, declared, systems,
                                    f"{where}.{field}")
            if _REF.search(value):
                continue
            self._literal(c, rel, name, field, key, value, systems, seen, where)
        return c

    def _systems(self, props: dict, service: str | None, cfg: dict, where: str) -> list[str]:
        out = []
        parts = split_url(props["url"]) if props.get("url") else None
        host = parts.hostname if parts else None
        if host:
            known = host_service(host)
            out.append(self.saas_system(known, where) if known else
                       self.host_system("http", host, where))
        elif service:
            out.append(self.saas_system(service, where))
        for _, _, value in literals(cfg):
            parts = split_url(value) if "://" in value else None
            kind = _DB_SCHEMES.get(parts.scheme.lower()) if parts else None
            if parts and kind and parts.hostname:
                out.append(self.host_system(kind, parts.hostname, where))
        return list(dict.fromkeys(out))

    def _reference(self, c: str, rel: str, kind: str, ref: str, declared: dict, systems: list[str],
                   where: str) -> None:
        if kind == "input":
            sid = f"secret:mcp:{self.machine}:{rel}:input:{ref}"
            spec = declared.get(ref)
            if spec is None:
                self.batch.notes.append(f"{where}: ${{input:{ref}}} names no declared input")
            props = {"name": str((spec or {}).get("description") or ref),
                     "secret_type": secret_name_type(ref.replace("-", "_")),
                     "store": "client-prompt", "scope": "configuration"}
        elif kind == "file":
            sid = f"secret:mcp:{self.machine}:env-file:{ref}"
            props = {"name": f"variables in {ref}", "secret_type": "secret", "store": "file",
                     "scope": "machine"}
        else:
            sid = f"secret:mcp:{self.machine}:env:{ref}"
            props = {"name": ref, "secret_type": secret_name_type(ref), "store": "env",
                     "scope": "machine"}
        if self.first(sid):
            self.node(sid, "Secret", {**props, **self.envprops()}, where)
            self.contains(self.ws, sid, "a secret slot of the machine's MCP clients", where)
        if self.first(("ref", c, sid)):
            self.edge(c, "REFERENCES", sid, f"named in {where.rsplit(': ', 1)[-1]}", where)
            for system in systems:
                if self.first(("access", sid, system)):
                    self.can_access(sid, system, "passed to the MCP server that calls it",
                                    where)

    def _literal(self, c: str, rel: str, name: str, field: str, key: str, value: str,
                 systems: list[str], seen: set[str], where: str) -> None:
        parts = split_url(value) if "://" in value else None
        if parts and parts.password and not is_placeholder(parts.password):
            value, detector, key = parts.password, "url-password", "password"
        elif not SECRET_NAME.search(key) and (_PACKAGE.match(value) or _PATH.match(value)):
            return  # a package, image or path (``-y @scope/server``), not a credential
        else:
            detector = named_secret(value, key)
            value = secret_part(value)
        if not detector:
            return
        fp = fingerprint(value)
        if fp in seen:
            return
        seen.add(fp)
        sid = self.node(f"secret:mcp:{self.machine}:{rel}:{name}:{field}", "Secret",
                        {"name": f"{field} of MCP server {name!r}",
                         "secret_type": secret_name_type(key.replace("-", "_")) if key
                         else "token", "store": "embedded", "fingerprint": fp,
                         "detector": detector, **self.envprops()}, where)
        self.edge(c, "EMBEDS", sid, f"hard-coded in {field}", where)
        for system in systems:
            self.can_access(sid, system, f"{field} of MCP server {name!r}", where)
