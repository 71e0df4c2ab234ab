"""n8n workflows -> records: pure, parsed workflow documents in, a batch's records out.

:func:`transform` takes the workflows and credential exports :mod:`ingest.n8n.read` found
and emits, per instance, the Workspace (and one per n8n project), each Workflow, a
Connector per node that holds a credential or a hard-coded secret, the Secrets they
AUTHENTICATES_WITH or EMBEDS, and the Systems they TARGETS and CAN_ACCESS. It does no I/O,
so a test can hand it fixture dicts. Ids and identity decisions are described in
:mod:`ingest.n8n` and docs/ids.md.
"""

from __future__ import annotations

import dataclasses
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from graph.fingerprint import fingerprint
from graph.records import Batch

from ..files import iso_date
from ..secret_scan import embedded_secrets, is_placeholder, url_host
from ..services import (
    host_service,
    n8n_credential_service,
    n8n_node_service,
    n8n_secret_type,
    system_id,
)
from ..workflow_records import RecordBuilder
from .credentials import add_export
from .triggers import add_entry_points

TRIGGERS = {"scheduleTrigger": "schedule", "cron": "schedule", "interval": "schedule",
            "webhook": "webhook", "formTrigger": "webhook", "manualTrigger": "manual",
            "executeWorkflowTrigger": "sub-workflow", "errorTrigger": "error"}
SUB_WORKFLOW_NODES = frozenset({"executeWorkflow", "toolWorkflow"})
_EMAIL = re.compile(r"<([^<>@\s]+@[^<>\s]+)>")


@dataclass
class Found:
    """One workflow read from a file (``index`` within a JSON array, else None; ``lines``:
    node id -> line in the file, when read from one)."""

    doc: dict
    file: Path
    rel: str
    index: int | None
    lines: dict[str, int] = dataclasses.field(default_factory=dict)


def transform(found: list[Found], cred_docs: list[tuple[Path, Any]], inst: str,
              env: str | None, tenant: str | None, batch: Batch) -> None:
    """Append the records of one instance's workflows and credential exports to ``batch``."""
    b = N8nRecords(inst, env, tenant, batch)
    b.workspace()
    for f, doc in cred_docs:
        add_export(b, f, doc)
    ids = assign_ids(found, batch.notes)
    known = set(ids.values())
    for item in found:
        b.workflow_of(item, ids[id(item)], known)


def is_node(n: Any) -> bool:
    """An n8n node: a mapping with a ``type``. Anything else in ``nodes`` is left out."""
    return isinstance(n, dict) and isinstance(n.get("type"), str)


def text(v: Any) -> str | None:
    """A value as stripped text; None for nothing, blanks and booleans."""
    if isinstance(v, bool) or v is None:
        return None
    s = str(v).strip()
    return s or None


def assign_ids(found: list[Found], notes: list[str]) -> dict[int, str]:
    """Each workflow's id: its own, or its file path where it has none or shares it."""
    counts = Counter(text(f.doc.get("id")) for f in found)
    out: dict[int, str] = {}
    for f in found:
        wid = text(f.doc.get("id"))
        where = f"{f.file}{'' if f.index is None else f'[{f.index}]'}"
        path_id = "file:" + re.sub(r"\.json$", "", f.rel) + \
            ("" if f.index is None else f"#{f.index}")
        if wid is None:
            notes.append(f"{where}: workflow has no id; using {path_id!r}")
            out[id(f)] = path_id
        elif counts[wid] > 1:
            notes.append(f"{where}: workflow id {wid!r} appears in {counts[wid]} workflows; "
                         f"using {path_id!r}")
            out[id(f)] = path_id
        else:
            out[id(f)] = wid
    return out


class N8nRecords(RecordBuilder):
    """The records of one n8n instance; keeps what is already emitted to avoid repeats."""

    def __init__(self, inst: str, env: str | None, tenant: str | None, batch: Batch):
        super().__init__("n8n", batch, env, tenant)
        self.inst = inst
        self.ws = f"workspace:n8n:{inst}"
        self.seen_fp: dict[str, str] = {}

    def workspace(self) -> None:
        self.node(self.ws, "Workspace", {"name": f"n8n {self.inst}", "platform": "n8n",
                                         **self.envprops()}, self.inst)

    def secret_id(self, ctype: str, cid: Any, name: Any, wid: str | None = None) -> str:
        """A credential by id; by type and name where the export gives only a name; and
        within its workflow where the id is a placeholder (``credential-id``) that template
        exports reuse for unrelated credentials."""
        cid, name = text(cid), text(name)
        if cid and not is_placeholder(cid):
            return f"secret:n8n:{self.inst}:{cid}"
        if cid and wid is not None:
            return f"secret:n8n:{self.inst}:{wid}:{ctype}:{name or cid}"
        return f"secret:n8n:{self.inst}:{ctype}:{name or cid}"

    def secret(self, sid: str, ctype: str, name: str | None, where: str, **props) -> str:
        base = {"name": name or sid.rsplit(":", 1)[-1], "secret_type": n8n_secret_type(ctype),
                "store": "n8n", "scope": "instance", "credential_type": ctype,
                **self.envprops()}
        self.node(sid, "Secret", {**base, **props}, where)
        self.contains(self.ws, sid, "credential stored in the instance", where, once=sid)
        return sid

    def system(self, service: str | None, host: str | None) -> str | None:
        """The System a node or credential reaches: its SaaS service, else its host."""
        if service:
            return self.saas_system(service, str(system_id(service, None, self.tenant)))
        if not host:
            return None
        known = host_service(host)
        if known is None:
            return self.host_system("http", host, f"system:http:{host.lower()}")
        sid = f"system:saas:{known}"
        # No tenant in the id (a host names no tenant), but the stub rule still applies.
        return self.once(sid, "System", {} if self.tenant else {"name": known,
                                                                "system_type": "saas"}, sid)

    def workflow_of(self, item: Found, wid: str, known: set[str]) -> None:
        doc = item.doc
        where = f"{item.file}{'' if item.index is None else f'[{item.index}]'}"
        w = f"workflow:n8n:{self.inst}:{wid}"
        status = "archived" if doc.get("isArchived") is True else {
            True: "active", False: "inactive"}.get(doc.get("active"), "unknown")
        tags = [t.get("name") if isinstance(t, dict) else t for t in _listed(doc.get("tags"))]
        props: dict[str, Any] = {
            "name": text(doc.get("name")) or wid, "platform": "n8n", "status": status,
            "tags": [str(t) for t in tags if isinstance(t, (str, int, float)) and t], "has_pin_data": bool(doc.get("pinData")),
            "trigger": _trigger(doc["nodes"]),
            "node_count": sum(1 for n in doc["nodes"] if is_node(n)),
            "source": f"n8n:{item.rel}", "n8n_id": text(doc.get("id")),
        }
        for key, prop in (("createdAt", "created_at"), ("updatedAt", "updated_at")):
            props[prop] = iso_date(doc.get(key), self.batch.notes, f"{where}: {key}")
        props.update(self.envprops())
        self.node(w, "Workflow", props, where)
        parent = self.ws
        for share in _listed(doc.get("shared")):
            project = share.get("project") if isinstance(share, dict) else None
            if isinstance(project, dict) and text(project.get("id")):
                parent = self.project(project, where)
                self.owner(project, share.get("role"), w, where)
        self.contains(parent, w, "workflow in the instance", where)
        for j, n in enumerate(doc["nodes"]):
            if is_node(n):
                loc = {"source": props["source"], "line": item.lines.get(text(n.get("id")) or "")}
                self.n8n_node(w, wid, props["name"], n, f"{where}: nodes[{j}]", known, loc)
        add_entry_points(self, w, wid, doc, where, known)

    def project(self, project: dict, where: str) -> str:
        pid = f"{self.ws}:project:{project['id']}"
        if self.first(pid):
            self.node(pid, "Workspace", {"name": text(project.get("name")) or pid,
                                         "platform": "n8n",
                                         "project_type": text(project.get("type"))}, where)
            self.contains(self.ws, pid, "n8n project in the instance", where)
        return pid

    def owner(self, project: dict, role: Any, w: str, where: str) -> None:
        """A personal project named ``Name <email>`` whose role is owner: that person."""
        m = _EMAIL.search(str(project.get("name") or ""))
        if project.get("type") != "personal" or not m or "owner" not in str(role):
            return
        oid = f"owner:email:{m.group(1).lower()}"
        name = str(project["name"]).split("<")[0].strip() or m.group(1)
        self.node(oid, "Owner", {"name": name, "owner_type": "person", "email": m.group(1)},
                  where)
        self.edge(oid, "OWNS", w, "owner of the personal n8n project", where)

    def n8n_node(self, w: str, wid: str, wname: str, n: dict, where: str,
                 known: set[str], loc: dict | None = None) -> None:
        short, service = n8n_node_service(n["type"])
        label = text(n.get("name")) or short
        params = n.get("parameters") if isinstance(n.get("parameters"), dict) else {}
        if short in SUB_WORKFLOW_NODES:
            target = _sub_workflow(params)
            if target in known:
                self.edge(w, "USES", f"workflow:n8n:{self.inst}:{target}",
                          f"node {label!r} runs the sub-workflow", where)
        refs, unset = credential_refs(n.get("credentials"), where, self.batch.notes)
        found = list(embedded_secrets(params))
        if not refs and not unset and not found:
            return
        host = url_host(params.get("url")) or text(params.get("host"))
        c = f"connector:n8n:{self.inst}:{wid}:{text(n.get('id')) or label}"
        pkg = n["type"].rsplit(".", 1)[0] if "." in n["type"] else ""
        props = {"name": f"{wname} / {label}", "service": service or short,
                 "node_type": n["type"], "version": text(n.get("typeVersion")),
                 "third_party": pkg not in ("n8n-nodes-base", "@n8n/n8n-nodes-langchain")}
        if n.get("disabled") is True:
            props["status"] = "disabled"
        if unset:
            props["credentials_unset"] = unset
        props.update(self.envprops())
        props.update({k: v for k, v in (loc or {}).items() if v})
        self.connector(c, props, w, f"node {label!r} ({short})", where)
        systems = []
        for ctype, cid, name in refs:
            sid = self.secret(self.secret_id(ctype, cid, name, wid), ctype, text(name), where)
            self.edge(c, "AUTHENTICATES_WITH", sid, f"credentials.{ctype}", where)
            cservice = service if service is not None and service != "" else \
                n8n_credential_service(ctype)
            system = self.system(cservice, None if cservice else host)
            if system:
                systems.append(system)
                self.can_access(sid, system,
                                f"n8n {ctype} credential used by {short} node {label!r}", where)
        seen_fp: set[str] = set()
        for field, stype, value, detector in found:
            fp = fingerprint(value)
            if fp in seen_fp:
                continue
            seen_fp.add(fp)
            sid = self.embedded(wid, n, label, field, stype, fp, detector, where)
            self.edge(c, "EMBEDS", sid, f"hard-coded in parameters {field}", where)
            system = self.system(service or None, host)
            if system:
                systems.append(system)
                self.can_access(sid, system, f"{field} of node {label!r}", where)
        if not systems and (service or host):
            system = self.system(service or None, host)
            systems = [system] if system else []
        for system in dict.fromkeys(systems):
            self.edge(c, "TARGETS", system, f"{short} node calls it", where)

    def embedded(self, wid: str, n: dict, label: str, field: str, stype: str, fp: str,
                 detector: str, where: str) -> str:
        # One secret per value per workflow: the same token pasted into ten nodes is one
        # credential embedded ten times (each node EMBEDS it).
        key = f"{wid}\0{fp}"
        if key in self.seen_fp:
            return self.seen_fp[key]
        sid = f"secret:n8n:{self.inst}:{wid}:embedded:{text(n.get('id')) or label}:{field}"
        props = {"name": f"{field} in {label!r}", "secret_type": stype, "store": "embedded",
                 "fingerprint": fp, "detector": detector, **self.envprops()}
        self.seen_fp[key] = self.node(sid, "Secret", props, where)
        return sid


def credential_refs(block: Any, where: str, notes: list[str]
                    ) -> tuple[list[tuple[str, str | None, str | None]], list[str]]:
    """A node's ``credentials`` block read leniently: the references it makes, as
    (type, id, name), and the credential types it needs with none set.

    ``{"slackApi": {"id": "7", "name": "Slack"}}`` is a reference; so is a bare string in
    old exports (``{"slackApi": "Slack account"}``: by name). ``""``, ``{}``, blank id and
    name, ``"[REDACTED]"``: the node needs a slackApi credential, none is set (a note). A
    block that is not a mapping at all (``"[REDACTED]"``) sets none, of unknown type.
    """
    if block is None or block == {} or block == []:
        return [], []
    if not isinstance(block, dict):
        notes.append(f"{where}: credentials block is a {type(block).__name__} "
                     f"({str(block)[:20]!r}), not a mapping of credential type to credential; "
                     "no credential reference kept")
        return [], ["unknown"]
    refs: list[tuple[str, str | None, str | None]] = []
    unset: list[str] = []
    for ctype, ref in block.items():
        cid, name = (text(ref.get("id")), text(ref.get("name"))) if isinstance(ref, dict) \
            else (None, text(ref) if isinstance(ref, (str, int)) else None)
        if cid is None and (name is None or name.upper() in ("[REDACTED]", "REDACTED")):
            if ref in ("", {}, None):
                shape = "empty"
            elif isinstance(ref, str):
                shape = repr(ref.strip()[:20])
            else:
                shape = f"{type(ref).__name__} without id or name"
            notes.append(f"{where}: credentials.{ctype}: {shape}; the node needs a credential "
                         f"of type {ctype}, none is set")
            unset.append(str(ctype))
            continue
        refs.append((str(ctype), cid, name))
    return refs, unset


def _trigger(nodes: list[dict]) -> str:
    found = []
    for n in nodes:
        if not is_node(n):
            continue
        short = n["type"].rsplit(".", 1)[-1]
        if short in TRIGGERS:
            found.append(TRIGGERS[short])
        elif short.endswith("Trigger"):
            found.append("event")
    return ",".join(sorted(set(found))) or "unknown"


def _sub_workflow(params: dict) -> str | None:
    ref = params.get("workflowId")
    if isinstance(ref, dict):
        ref = ref.get("value")
    t = text(ref)
    return t if t and not t.startswith("=") else None


def _listed(value: Any) -> list:
    """``tags``/``shared`` as a list; any other shape holds none."""
    return value if isinstance(value, list) else []
