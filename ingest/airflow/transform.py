"""Airflow connections and DAGs -> records: pure, decoded files in, records out.

:func:`transform` takes what :mod:`ingest.airflow.read` decoded and emits the deployment's
Workspace, a Secret per connection (password and ``extra`` fingerprinted, never kept) with
``CAN_ACCESS`` to the System its type and host name and ``AUTHENTICATES_AS`` to a role or
login it names, and per DAG a Workflow that USES a Connector per connection id, which
AUTHENTICATES_WITH the connection's Secret. Rules and ids are described in
:mod:`ingest.airflow` and docs/ids.md.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from graph.fingerprint import fingerprint
from graph.records import Batch

from ..files import json_loads
from ..secret_scan import split_credential
from ..services import AIRFLOW_CONN_TYPES, host_service
from ..workflow_records import RecordBuilder


def transform(dep: str, env: str | None, tenant: str | None,
              conns: list[tuple[Path, str, dict]],
              dag_conns: list[tuple[Path, list[str], list[str]]], batch: Batch) -> None:
    """Append the records of one deployment's connections and DAGs to ``batch``."""
    b = AirflowRecords(dep, env, tenant, batch)
    for f, conn_id, fields in conns:
        b.connection(conn_id, fields, f"{f}: {conn_id}")
    for f, dag_ids, conn_ids in dag_conns:
        for dag_id in dag_ids:
            b.dag(dag_id, conn_ids, f, len(dag_ids) > 1)


def _plain(value: Any) -> Any:
    """A number or text as the stores hold it; anything else (a nested mapping) as text."""
    if value in (None, ""):
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        return str(value)
    return value


def _port(value: Any) -> Any:
    return int(value) if isinstance(value, str) and value.strip().isdigit() else _plain(value)


class AirflowRecords(RecordBuilder):
    """The records of one Airflow deployment, starting with its Workspace."""

    def __init__(self, dep: str, env: str | None, tenant: str | None, batch: Batch):
        super().__init__("airflow", batch, env, tenant)
        self.dep = dep
        self.ws = f"workspace:airflow:{dep}"
        self.node(self.ws, "Workspace", {"name": f"airflow {dep}", "platform": "airflow",
                                         **self.envprops()}, dep)

    def connection(self, conn_id: str, fields: dict, where: str) -> None:
        sid = f"secret:airflow:{self.dep}:{conn_id}"
        ctype = str(fields.get("conn_type") or "").lower().replace("-", "_") or "unknown"
        host = str(fields.get("host") or "").strip().lower() or None
        login = str(fields.get("login") or "").strip() or None
        extra = fields.get("extra")
        if isinstance(extra, str) and extra.strip():
            try:
                extra = json_loads(extra)
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
        self.contains(self.ws, sid, "Airflow connection", where, once=sid)
        role = keep.get("role_arn")
        if role and role.startswith("arn:"):
            iid = self.stub_identity(f"identity:aws:{role}",
                                     {"name": role.rsplit("/", 1)[-1], "arn": role}, where)
            self.edge(sid, "AUTHENTICATES_AS", iid, "extra.role_arn: the hook assumes this "
                      "role", where)
        account = keep.get("account") or (host.split(".", 1)[0] if host and host.endswith(
            ".snowflakecomputing.com") else None)
        if ctype == "snowflake" and account and login:
            iid = self.stub_identity(f"identity:snowflake:{account}:{login}", {"name": login},
                                     where)
            self.edge(sid, "AUTHENTICATES_AS", iid, f"login {login}", where)
        system = self.system(ctype, host, keep, where)
        if system:
            self.can_access(sid, system, f"{ctype} connection", where)

    def system(self, ctype: str, host: str | None, keep: dict, where: str) -> str | None:
        kind, service = AIRFLOW_CONN_TYPES.get(ctype, ("host", ctype))
        if kind == "aws":
            return None
        if kind == "saas":
            tenant = self.tenant or keep.get("account")
            if service == "snowflake" and not keep.get("account") and host and \
                    host.endswith(".snowflakecomputing.com"):
                tenant = self.tenant or host.split(".", 1)[0]
            return self.saas_system(service, where, tenant)
        if not host:
            return None
        known = host_service(host)
        if known:
            return self.saas_system(known, where)
        return self.host_system("http" if kind == "http" else service, host, where)

    def dag(self, dag_id: str, conn_ids: list[str], f: Path, shared_file: bool) -> None:
        w = f"workflow:airflow:{self.dep}:{dag_id}"
        where = f"{f}: {dag_id}"
        self.workflow(w, {"name": dag_id, "platform": "airflow", "path": f.name,
                          "trigger": "schedule", **self.envprops(),
                          "source": f"airflow:{f.name}"}, self.ws, "DAG in the deployment", where)
        for conn_id in conn_ids:
            sid = f"secret:airflow:{self.dep}:{conn_id}"
            if self.first(sid):
                # Referenced but not exported (an Airflow default such as aws_default, or
                # one defined in a secrets backend): a stub that says only what it is.
                self.node(sid, "Secret", {"name": conn_id, "store": "airflow",
                                          "scope": "deployment"}, where)
                self.edge(self.ws, "CONTAINS", sid, "Airflow connection (referenced by a "
                          "DAG, not in the export)", where)
            reason = "conn_id in the DAG file" + (" (file defines several DAGs)"
                                                  if shared_file else "")
            c = self.connector(f"connector:airflow:{self.dep}:{dag_id}:{conn_id}",
                               {"name": f"{dag_id} / {conn_id}", "service": "airflow-hook",
                                **self.envprops()}, w, reason, where)
            self.edge(c, "AUTHENTICATES_WITH", sid, f"conn_id={conn_id!r}", where)
