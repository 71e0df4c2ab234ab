"""Airflow: ``airflow connections export`` files and DAG files -> canonical records.

Connections: the JSON, YAML and env files ``airflow connections export`` writes (JSON/YAML:
a mapping of ``conn_id`` to ``conn_type``, ``host``, ``login``, ``password``, ``schema``,
``port``, ``extra``; env: ``conn_id=<URI>`` or ``conn_id=<JSON>`` per line). Each becomes a
Secret ``secret:airflow:<deployment>:<conn_id>`` (the password fingerprinted, ``extra``
split into identifiers and a fingerprint, never stored), CONTAINed by the deployment's
Workspace, with ``CAN_ACCESS access=unknown`` to the System its ``conn_type`` and host name
(docs/ids.md). An AWS connection keeps its access key id (joins the AWS side) and a
``role_arn`` in its extra makes it AUTHENTICATES_AS that role (stub Identity).

DAGs: Python files are read as text, never imported or run. A regex finds DAG ids
(``DAG("id"``, ``DAG(dag_id="id"``, ``@dag(dag_id=...)``, else the ``@dag`` function's
name) and connection ids (``*_conn_id="x"``, ``conn_id="x"``, ``get_connection("x")``,
``{{ conn.x }}``). Limits: ids built at run time (variables, f-strings, defaults of
custom operators, Variables) are not seen; a file with several DAGs gives every DAG every
connection the file names. Each DAG is a Workflow that USES a Connector per connection,
which AUTHENTICATES_WITH the connection's Secret.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from graph.fingerprint import fingerprint
from graph.records import Batch, Edge, Node, normalise_environment

from .files import DEFAULT_MAX_BYTES, Skip, collect, load_json, parse_yaml_text, progress, read_text
from .registry import RUN_OPTIONS, WORKFLOW_OPTIONS, Ingester, Option, strict_option
from .secret_scan import split_credential
from .services import AIRFLOW_CONN_TYPES, host_service

CONN_FIELDS = ("conn_type", "description", "host", "login", "password", "schema", "port",
               "extra")
_DAG_ID = re.compile(r"""\b(?:DAG|dag)\s*\(\s*(?:dag_id\s*=\s*)?['"]([^'"]+)['"]""")
_DAG_FN = re.compile(r"@dag\b[^\n]*\n(?:\s*@[^\n]*\n)*\s*def\s+(\w+)")
_CONN = re.compile(r"""\b\w*conn(?:ection)?_id\s*=\s*['"]([^'"]+)['"]""")
_GET_CONN = re.compile(r"""get_connection(?:_from_secrets)?\s*\(\s*['"]([^'"]+)['"]""")
_JINJA_CONN = re.compile(r"\{\{[^}]*\bconn\.(\w+)")


def parse(path, deployment: str | None = None, dags=None, environment: str | None = None,
          saas_tenant: str | None = None, max_bytes: int = DEFAULT_MAX_BYTES) -> Batch:
    """Parse connection exports and DAG files (``.py`` among the paths, or ``dags``)."""
    roots = [path] if isinstance(path, (str, Path)) else list(path)
    if dags:
        roots += [dags] if isinstance(dags, (str, Path)) else list(dags)
    dep = deployment or _default_name(Path(roots[0]))
    env = normalise_environment(environment) if environment else None
    b = _Builder(dep, env, saas_tenant)
    files = collect(roots, (".json", ".yaml", ".yml", ".env", ".py"))
    dag_conns: list[tuple[Path, list[str], list[str]]] = []
    for f in progress(files, "airflow files"):
        try:
            text = read_text(f, max_bytes)
            if f.suffix.lower() == ".py":
                dag_ids = _dag_ids(text)
                if dag_ids:  # helper modules beside the DAGs are normal, not broken
                    dag_conns.append((f, dag_ids, _conn_ids(text)))
            else:
                conns = _connections(f, text, max_bytes)
                for conn_id, fields in conns.items():
                    b.connection(conn_id, fields, f"{f}: {conn_id}")
        except Skip as exc:
            b.batch.skipped.append(f"{f}: {exc}")
            continue
        b.batch.files_read += 1
    for f, dag_ids, conn_ids in dag_conns:
        for dag_id in dag_ids:
            b.dag(dag_id, conn_ids, f, len(dag_ids) > 1)
    return b.batch


def _default_name(p: Path) -> str:
    p = p.resolve()
    return (p if p.is_dir() else p.parent).name or "airflow"


def _connections(f: Path, text: str, max_bytes: int) -> dict[str, dict]:
    suffix = f.suffix.lower()
    if suffix == ".env":
        return _env_connections(text)
    doc = load_json(f, max_bytes) if suffix == ".json" else parse_yaml_text(text)
    if not isinstance(doc, dict) or not doc:
        raise Skip("not an `airflow connections export` file (expected a mapping of "
                   "conn_id to connection)")
    for conn_id, fields in doc.items():
        if isinstance(fields, str):
            doc[conn_id] = _uri_fields(fields, conn_id)
        elif not isinstance(fields, dict) or not (set(fields) & {"conn_type", "host"}):
            raise Skip(f"connection {conn_id!r} has an unexpected shape (needs conn_type "
                       "or host)")
    return doc


def _env_connections(text: str) -> dict[str, dict]:
    out = {}
    for n, line in enumerate(text.splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if "=" not in line:
            raise Skip(f"line {n} is not conn_id=URI")
        conn_id, value = (x.strip() for x in line.split("=", 1))
        if value.startswith("{"):
            try:
                fields = json.loads(value)
            except json.JSONDecodeError:
                raise Skip(f"line {n}: invalid JSON connection") from None
            if not isinstance(fields, dict):
                raise Skip(f"line {n}: JSON connection is not a mapping")
            out[conn_id] = fields
        else:
            out[conn_id] = _uri_fields(value, f"line {n}")
    return out


def _uri_fields(uri: str, where: str) -> dict:
    """Fields of an Airflow connection URI ``type://login:password@host:port/schema?extra``."""
    try:
        parts = urlsplit(uri)
        port = parts.port
    except ValueError:
        raise Skip(f"{where}: not a connection URI") from None
    if not parts.scheme:
        raise Skip(f"{where}: not a connection URI (no conn_type://)")
    extra = dict(parse_qsl(parts.query))
    if "__extra__" in extra:
        try:
            extra = json.loads(extra["__extra__"])
        except json.JSONDecodeError:
            extra = {}
    return {"conn_type": parts.scheme.replace("-", "_"),
            "host": unquote(parts.hostname or "") or None,
            "login": unquote(parts.username) if parts.username else None,
            "password": unquote(parts.password) if parts.password else None,
            "port": port, "schema": unquote(parts.path.lstrip("/")) or None, "extra": extra}


def _dag_ids(text: str) -> list[str]:
    ids = list(dict.fromkeys(_DAG_ID.findall(text)))
    if not ids:
        ids = list(dict.fromkeys(_DAG_FN.findall(text)))
    return ids


def _conn_ids(text: str) -> list[str]:
    found = _CONN.findall(text) + _GET_CONN.findall(text) + _JINJA_CONN.findall(text)
    return sorted(set(found))


def _plain(value: Any) -> Any:
    """A number or text as the stores hold it; anything else (a nested mapping) as text."""
    if value in (None, ""):
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        return str(value)
    return value


def _port(value: Any) -> Any:
    return int(value) if isinstance(value, str) and value.strip().isdigit() else _plain(value)


class _Builder:
    def __init__(self, dep: str, env: str | None, tenant: str | None):
        self.dep, self.env, self.tenant = dep, env, tenant
        self.batch = Batch()
        self.ws = f"workspace:airflow:{dep}"
        self.seen: set[str] = set()
        self.conns: set[str] = set()
        self.node(self.ws, "Workspace", {"name": f"airflow {dep}", "platform": "airflow",
                                         **self.envprops()}, dep)

    def envprops(self) -> dict:
        return {"environment": self.env} if self.env else {}

    def node(self, nid: str, kind: str, props: dict, where: str) -> str:
        self.batch.nodes.append(Node(nid, kind, props, where))
        return nid

    def edge(self, src, kind, dst, reason, where, **props) -> None:
        self.batch.edges.append(Edge(src, kind, dst, {"reason": reason, "source": "airflow",
                                                      **props}, where))

    def connection(self, conn_id: str, fields: dict, where: str) -> None:
        sid = f"secret:airflow:{self.dep}:{conn_id}"
        ctype = str(fields.get("conn_type") or "").lower().replace("-", "_") or "unknown"
        host = str(fields.get("host") or "").strip().lower() or None
        login = str(fields.get("login") or "").strip() or None
        extra = fields.get("extra")
        if isinstance(extra, str) and extra.strip():
            try:
                extra = json.loads(extra)
            except json.JSONDecodeError:
                extra = {"extra": extra}  # opaque text: fingerprinted below, never kept
        keep, primary, secret_fields = split_credential(extra if isinstance(extra, dict) else {})
        props: dict[str, Any] = {"name": conn_id, "store": "airflow", "scope": "deployment",
                                 "conn_type": ctype, "host": host, "user": login,
                                 "port": _port(fields.get("port")),
                                 "schema": _plain(fields.get("schema")),
                                 "description": _plain(fields.get("description")),
                                 **self.envprops(), **{k: v for k, v in keep.items()
                                                       if k not in ("host",)}}
        password = fields.get("password")
        if ctype in ("aws", "s3", "emr") and login and login.startswith(("AKIA", "ASIA")):
            props["access_key_id"] = login
            props.pop("user")
        value = password if isinstance(password, str) and password else primary
        if value:
            props["fingerprint"] = fingerprint(value)
        props["secret_fields"] = (["password"] if password else []) + secret_fields
        props["secret_type"] = "access_key" if "access_key_id" in props else (
            "password" if password else ("api_key" if primary else "connection"))
        self.node(sid, "Secret", {k: v for k, v in props.items() if v is not None}, where)
        if sid not in self.conns:
            self.conns.add(sid)
            self.edge(self.ws, "CONTAINS", sid, "Airflow connection", where)
        role = keep.get("role_arn")
        if role and role.startswith("arn:"):
            iid = f"identity:aws:{role}"
            if iid not in self.seen:
                self.seen.add(iid)
                self.node(iid, "Identity", {"name": role.rsplit("/", 1)[-1], "arn": role},
                          where)
            self.edge(sid, "AUTHENTICATES_AS", iid, "extra.role_arn: the hook assumes this "
                      "role", where)
        account = keep.get("account") or (host.split(".", 1)[0] if host and host.endswith(
            ".snowflakecomputing.com") else None)
        if ctype == "snowflake" and account and login:
            iid = f"identity:snowflake:{account}:{login}"
            if iid not in self.seen:
                self.seen.add(iid)
                self.node(iid, "Identity", {"name": login}, where)  # stub
            self.edge(sid, "AUTHENTICATES_AS", iid, f"login {login}", where)
        system = self.system(ctype, host, keep, where)
        if system:
            self.edge(sid, "CAN_ACCESS", system, f"{ctype} connection", where,
                      access="unknown")

    def system(self, ctype: str, host: str | None, keep: dict, where: str) -> str | None:
        kind, service = AIRFLOW_CONN_TYPES.get(ctype, ("host", ctype))
        if kind == "aws":
            return None
        if kind == "saas":
            tenant = self.tenant or keep.get("account")
            if service == "snowflake" and not keep.get("account") and host and \
                    host.endswith(".snowflakecomputing.com"):
                tenant = self.tenant or host.split(".", 1)[0]
            sid = f"system:saas:{service}:{tenant}" if tenant else f"system:saas:{service}"
            props = {} if tenant else {"name": service, "system_type": "saas"}
        elif not host:
            return None
        elif kind == "http" or host_service(host):
            known = host_service(host)
            if known:
                sid = f"system:saas:{known}:{self.tenant}" if self.tenant else \
                    f"system:saas:{known}"
                props = {} if self.tenant else {"name": known, "system_type": "saas"}
            else:
                sid, props = f"system:http:{host}", {"name": host, "system_type": "http",
                                                      "host": host}
        else:
            sid, props = f"system:{service}:{host}", {"name": host, "system_type": service,
                                                      "host": host}
        if sid not in self.seen:
            self.seen.add(sid)
            self.node(sid, "System", props, where)
        return sid

    def dag(self, dag_id: str, conn_ids: list[str], f: Path, shared_file: bool) -> None:
        w = f"workflow:airflow:{self.dep}:{dag_id}"
        where = f"{f}: {dag_id}"
        self.node(w, "Workflow", {"name": dag_id, "platform": "airflow", "path": f.name,
                                  "trigger": "schedule", **self.envprops(),
                                  "source": f"airflow:{f.name}"}, where)
        self.edge(self.ws, "CONTAINS", w, "DAG in the deployment", where)
        for conn_id in conn_ids:
            sid = f"secret:airflow:{self.dep}:{conn_id}"
            if sid not in self.conns:
                # Referenced but not exported (an Airflow default such as aws_default, or
                # one defined in a secrets backend): a stub that says only what it is.
                self.conns.add(sid)
                self.node(sid, "Secret", {"name": conn_id, "store": "airflow",
                                          "scope": "deployment"}, where)
                self.edge(self.ws, "CONTAINS", sid, "Airflow connection (referenced by a "
                          "DAG, not in the export)", where)
            c = f"connector:airflow:{self.dep}:{dag_id}:{conn_id}"
            self.node(c, "Connector", {"name": f"{dag_id} / {conn_id}",
                                       "service": "airflow-hook", **self.envprops()}, where)
            reason = "conn_id in the DAG file" + (" (file defines several DAGs)"
                                                  if shared_file else "")
            self.edge(w, "USES", c, reason, where)
            self.edge(c, "AUTHENTICATES_WITH", sid, f"conn_id={conn_id!r}", where)


INGESTER = Ingester(
    name="airflow",
    help="Ingest `airflow connections export` files (JSON/YAML/env) and DAG files.",
    parse=parse,
    paths_exist=True,
    strict=strict_option(),
    options=(
        Option("--deployment", "Deployment name (default: the folder's name)."),
        Option("--dags", "DAG files or folders (repeatable; .py files among PATHS count too).",
               type="path", multiple=True),
        RUN_OPTIONS,
        *WORKFLOW_OPTIONS,
    ),
)
