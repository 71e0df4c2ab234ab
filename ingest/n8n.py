"""n8n: workflow exports (and optionally the credentials export) -> canonical records.

Reads what ``n8n export:workflow --all [--separate]`` writes (one JSON per workflow, a JSON
array of workflows, or a folder of them) and ``n8n export:credentials`` (encrypted or
``--decrypted``; found among the files by shape, or named with ``credentials=``).

Per instance: Workspace ``workspace:n8n:<instance>`` (and one per n8n project) CONTAINS
each Workflow; each node whose ``credentials`` block names a credential is a Connector
that AUTHENTICATES_WITH the credential's Secret; the node type (or a literal URL host)
gives the System it TARGETS, and the Secret gets ``CAN_ACCESS access=unknown`` to it.
Hard-coded credentials in node parameters are Secrets with ``store=embedded`` and a keyed
fingerprint. Decrypted credential data keeps identifiers (access key id, client id, user,
host) and the fingerprint of the secret part; the values go nowhere.

Identity decisions (docs/ids.md): a credential is ``secret:n8n:<instance>:<id>``; where an
export gives only a name, or an obvious placeholder id such as ``credential-id`` that
template exports reuse for unrelated credentials, it is ``secret:n8n:<instance>:<type>:<name>``.
A workflow without an ``id``, or whose ``id`` appears in several files, takes its id from
the file path (``file:<relative path>``), and a note says so.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from graph.fingerprint import fingerprint
from graph.records import Batch, Edge, Node, normalise_environment

from . import n8n_credentials as creds
from .files import DEFAULT_MAX_BYTES, Skip, collect, iso_date, load_json, progress, relative
from .registry import RUN_OPTIONS, WORKFLOW_OPTIONS, Ingester, Option, strict_option
from .secret_scan import embedded_secrets, is_placeholder, url_host
from .services import n8n_credential_service, n8n_node_service, n8n_secret_type, system_id

TRIGGERS = {"scheduleTrigger": "schedule", "cron": "schedule", "interval": "schedule",
            "webhook": "webhook", "formTrigger": "webhook", "manualTrigger": "manual",
            "executeWorkflowTrigger": "sub-workflow", "errorTrigger": "error"}
SUB_WORKFLOW_NODES = frozenset({"executeWorkflow", "toolWorkflow"})
_EMAIL = re.compile(r"<([^<>@\s]+@[^<>\s]+)>")


@dataclass
class Found:
    """One workflow read from a file (``index`` within a JSON array, else None)."""

    doc: dict
    file: Path
    rel: str
    index: int | None


def is_workflow(doc: Any) -> bool:
    return isinstance(doc, dict) and "nodes" in doc and "connections" in doc


def parse(path, instance: str | None = None, credentials: str | None = None,
          environment: str | None = None, saas_tenant: str | None = None,
          max_bytes: int = DEFAULT_MAX_BYTES) -> Batch:
    """Parse n8n workflow exports (files or folders) of one instance into a batch.

    ``instance`` names the instance (default: the folder's name); ``credentials`` a
    credentials export; ``environment`` the instance's environment; ``saas_tenant`` the
    tenant of the SaaS systems it calls (so ``system:saas:slack:<tenant>`` joins other
    sources), when known.
    """
    roots = [path] if isinstance(path, (str, Path)) else list(path)
    inst = instance or _default_instance(Path(roots[0]))
    batch = Batch()
    batch.notes = []
    found: list[Found] = []
    cred_docs: list[tuple[Path, Any]] = []
    extra = collect([credentials], (".json",)) if credentials else []
    files = [f for f in collect(roots, (".json",)) if f not in extra]
    for f in progress(files + extra, "n8n files"):
        try:
            doc = load_json(f, max_bytes)
        except Skip as exc:
            batch.skipped.append(f"{f}: {exc}")
            continue
        rel = relative(f, roots)
        if f in extra or creds.is_credential_export(doc):
            cred_docs.append((f, doc))
            batch.files_read += 1
            continue
        try:
            items = _workflows_in(doc)
        except Skip as exc:
            batch.skipped.append(f"{f}: {exc}")
            continue
        before = len(found)
        for i, wf in items:
            problem = _problem(wf)
            if problem:
                batch.skipped.append(f"{f}{'' if i is None else f'[{i}]'}: {problem}")
                continue
            found.append(Found(wf, f, rel, i))
        if len(found) > before:
            batch.files_read += 1
    env = normalise_environment(environment) if environment else None
    b = _Builder(inst, env, saas_tenant, batch)
    b.workspace()
    for f, doc in cred_docs:
        creds.add_export(b, f, doc)
    ids = _assign_ids(found, batch.notes)
    known = set(ids.values())
    for item in found:
        b.workflow(item, ids[id(item)], known)
    return batch


def _default_instance(p: Path) -> str:
    p = p.resolve()
    return (p if p.is_dir() else p.parent).name or "n8n"


def _workflows_in(doc: Any) -> list[tuple[int | None, dict]]:
    if isinstance(doc, dict):
        if "nodes" not in doc:
            raise Skip("not an n8n workflow export (no 'nodes')")
        return [(None, doc)]
    if isinstance(doc, list):
        if not any(isinstance(d, dict) and "nodes" in d for d in doc):
            raise Skip("a JSON array, but not of n8n workflows")
        return list(enumerate(doc))
    raise Skip(f"not an n8n workflow export (top level is {type(doc).__name__})")


def _problem(wf: Any) -> str | None:
    """Why a workflow cannot be read, or None. Checked before anything is emitted."""
    if not isinstance(wf, dict) or "nodes" not in wf:
        return "not an n8n workflow (no 'nodes')"
    nodes = wf["nodes"]
    if not isinstance(nodes, list):
        return f"'nodes' is a {type(nodes).__name__}, not a list"
    if not nodes:
        return "workflow without nodes"
    for j, n in enumerate(nodes):
        if not isinstance(n, dict) or not isinstance(n.get("type"), str):
            return f"nodes[{j}] is not an n8n node (no 'type')"
        block = n.get("credentials")
        if block is None:
            continue
        label = f"node {n.get('name', j)!r}"
        if not isinstance(block, dict):
            return f"{label}: credentials block is a {type(block).__name__} " \
                   f"({str(block)[:20]!r}), not a mapping of credential type to credential"
        for ctype, ref in block.items():
            if isinstance(ref, str) and ref.strip():
                continue
            if isinstance(ref, dict) and (_text(ref.get("id")) or _text(ref.get("name"))):
                continue
            return f"{label}: credential {ctype!r} has an unexpected shape " \
                   f"({type(ref).__name__} without id or name)"
    return None


def _text(v: Any) -> str | None:
    if isinstance(v, bool) or v is None:
        return None
    s = str(v).strip()
    return s or None


def _assign_ids(found: list[Found], notes: list[str]) -> dict[int, str]:
    counts = Counter(_text(f.doc.get("id")) for f in found)
    out: dict[int, str] = {}
    for f in found:
        wid = _text(f.doc.get("id"))
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


class _Builder:
    """Emits the records of one instance; keeps what is already emitted to avoid repeats."""

    def __init__(self, inst: str, env: str | None, tenant: str | None, batch: Batch):
        self.inst, self.env, self.tenant, self.batch = inst, env, tenant, batch
        self.ws = f"workspace:n8n:{inst}"
        self.seen: set[str] = set()
        self.seen_fp: dict[str, str] = {}

    def node(self, nid: str, kind: str, props: dict, where: str) -> str:
        self.batch.nodes.append(Node(nid, kind, props, where))
        return nid

    def edge(self, src: str, kind: str, dst: str, reason: str, where: str, **props) -> None:
        self.batch.edges.append(Edge(src, kind, dst, {"reason": reason, "source": "n8n",
                                                      **props}, where))

    def workspace(self) -> None:
        props = {"name": f"n8n {self.inst}", "platform": "n8n"}
        if self.env:
            props["environment"] = self.env
        self.node(self.ws, "Workspace", props, self.inst)

    def secret_id(self, ctype: str, cid: Any, name: Any) -> str:
        cid, name = _text(cid), _text(name)
        if cid and not is_placeholder(cid):
            return f"secret:n8n:{self.inst}:{cid}"
        return f"secret:n8n:{self.inst}:{ctype}:{name or cid}"

    def secret(self, sid: str, ctype: str, name: str | None, where: str, **props) -> str:
        base = {"name": name or sid.rsplit(":", 1)[-1], "secret_type": n8n_secret_type(ctype),
                "store": "n8n", "scope": "instance", "credential_type": ctype}
        if self.env:
            base["environment"] = self.env
        self.node(sid, "Secret", {**base, **props}, where)
        if sid not in self.seen:
            self.seen.add(sid)
            self.edge(self.ws, "CONTAINS", sid, "credential stored in the instance", where)
        return sid

    def system(self, service: str | None, host: str | None) -> str | None:
        sid = system_id(service, host, self.tenant if service else None)
        if sid is None or sid in self.seen:
            return sid
        self.seen.add(sid)
        if sid.startswith("system:http:"):
            self.node(sid, "System", {"name": host, "system_type": "http", "host": host}, sid)
        elif self.tenant:
            self.node(sid, "System", {}, sid)  # stub: the tenant's owner describes it
        else:
            self.node(sid, "System", {"name": sid.split(":")[2], "system_type": "saas"}, sid)
        return sid

    def workflow(self, item: Found, wid: str, known: set[str]) -> None:
        doc = item.doc
        where = f"{item.file}{'' if item.index is None else f'[{item.index}]'}"
        w = f"workflow:n8n:{self.inst}:{wid}"
        status = "archived" if doc.get("isArchived") is True else {
            True: "active", False: "inactive"}.get(doc.get("active"), "unknown")
        tags = [t.get("name") if isinstance(t, dict) else t for t in doc.get("tags") or []]
        props: dict[str, Any] = {
            "name": _text(doc.get("name")) or wid, "platform": "n8n", "status": status,
            "tags": [str(t) for t in tags if t], "has_pin_data": bool(doc.get("pinData")),
            "trigger": _trigger(doc["nodes"]), "node_count": len(doc["nodes"]),
            "source": f"n8n:{item.rel}", "n8n_id": _text(doc.get("id")),
        }
        for key, prop in (("createdAt", "created_at"), ("updatedAt", "updated_at")):
            props[prop] = iso_date(doc.get(key), self.batch.notes, f"{where}: {key}")
        if self.env:
            props["environment"] = self.env
        self.node(w, "Workflow", props, where)
        parent = self.ws
        for share in doc.get("shared") or []:
            project = share.get("project") if isinstance(share, dict) else None
            if isinstance(project, dict) and _text(project.get("id")):
                parent = self.project(project, where)
                self.owner(project, share.get("role"), w, where)
        self.edge(parent, "CONTAINS", w, "workflow in the instance", where)
        for j, n in enumerate(doc["nodes"]):
            self.n8n_node(w, wid, props["name"], n, f"{where}: nodes[{j}]", known)

    def project(self, project: dict, where: str) -> str:
        pid = f"{self.ws}:project:{project['id']}"
        if pid not in self.seen:
            self.seen.add(pid)
            self.node(pid, "Workspace", {"name": _text(project.get("name")) or pid,
                                         "platform": "n8n",
                                         "project_type": _text(project.get("type"))}, where)
            self.edge(self.ws, "CONTAINS", pid, "n8n project in the instance", where)
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
                 known: set[str]) -> None:
        short, service = n8n_node_service(n["type"])
        label = _text(n.get("name")) or short
        params = n.get("parameters") if isinstance(n.get("parameters"), dict) else {}
        if short in SUB_WORKFLOW_NODES:
            target = _sub_workflow(params)
            if target in known:
                self.edge(w, "USES", f"workflow:n8n:{self.inst}:{target}",
                          f"node {label!r} runs the sub-workflow", where)
        block = n.get("credentials") or {}
        found = list(embedded_secrets(params))
        if not block and not found:
            return
        host = url_host(params.get("url")) or _text(params.get("host"))
        c = f"connector:n8n:{self.inst}:{wid}:{_text(n.get('id')) or label}"
        pkg = n["type"].rsplit(".", 1)[0] if "." in n["type"] else ""
        props = {"name": f"{wname} / {label}", "service": service or short,
                 "node_type": n["type"], "version": _text(n.get("typeVersion")),
                 "third_party": pkg not in ("n8n-nodes-base", "@n8n/n8n-nodes-langchain")}
        if n.get("disabled") is True:
            props["status"] = "disabled"
        if self.env:
            props["environment"] = self.env
        self.node(c, "Connector", props, where)
        self.edge(w, "USES", c, f"node {label!r} ({short})", where)
        systems = []
        for ctype, ref in block.items():
            cid, name = (ref.get("id"), ref.get("name")) if isinstance(ref, dict) else (None, ref)
            sid = self.secret(self.secret_id(ctype, cid, name), ctype, _text(name), where)
            self.edge(c, "AUTHENTICATES_WITH", sid, f"credentials.{ctype}", where)
            cservice = service if service is not None and service != "" else \
                n8n_credential_service(ctype)
            system = self.system(cservice, None if cservice else host)
            if system:
                systems.append(system)
                self.edge(sid, "CAN_ACCESS", system,
                          f"n8n {ctype} credential used by {short} node {label!r}", where,
                          access="unknown")
        seen_fp: set[str] = set()
        for field, stype, value in found:
            fp = fingerprint(value)
            if fp in seen_fp:
                continue
            seen_fp.add(fp)
            sid = self.embedded(wid, n, label, field, stype, fp, where)
            self.edge(c, "EMBEDS", sid, f"hard-coded in parameters {field}", where)
            system = self.system(service or None, host)
            if system:
                systems.append(system)
                self.edge(sid, "CAN_ACCESS", system, f"{field} of node {label!r}", where,
                          access="unknown")
        if not systems and (service or host):
            system = self.system(service or None, host)
            systems = [system] if system else []
        for system in dict.fromkeys(systems):
            self.edge(c, "TARGETS", system, f"{short} node calls it", where)

    def embedded(self, wid: str, n: dict, label: str, field: str, stype: str, fp: str,
                 where: str) -> str:
        # One secret per value per workflow: the same token pasted into ten nodes is one
        # credential embedded ten times (each node EMBEDS it).
        key = f"{wid}\0{fp}"
        if key in self.seen_fp:
            return self.seen_fp[key]
        sid = f"secret:n8n:{self.inst}:{wid}:embedded:{_text(n.get('id')) or label}:{field}"
        props = {"name": f"{field} in {label!r}", "secret_type": stype, "store": "embedded",
                 "fingerprint": fp}
        if self.env:
            props["environment"] = self.env
        self.seen_fp[key] = self.node(sid, "Secret", props, where)
        return sid


def _trigger(nodes: list[dict]) -> str:
    found = []
    for n in nodes:
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
    text = _text(ref)
    return text if text and not text.startswith("=") else None


INGESTER = Ingester(
    name="n8n",
    help="Ingest n8n workflow exports (files, JSON arrays or folders) of one instance.",
    parse=parse,
    paths_exist=True,
    strict=strict_option(),
    options=(
        Option("--instance", "Instance name (default: the folder's name)."),
        Option("--credentials", "An `n8n export:credentials` file or folder (encrypted or "
               "--decrypted).", type="path"),
        RUN_OPTIONS,
        *WORKFLOW_OPTIONS,
    ),
)
