"""n8n, live: the public API v1 of a running instance -> the records of ``ingest.n8n``.

:func:`fetch` reads, with GET requests only, the workflows (nodes and credential
references), the credentials (id, name, type; never their data: the API does not give it
and nothing here asks), the users and whether each is still pending, the projects where the
licence allows (a 403 falls back to personal projects and says so in one note), and the last
execution of each workflow. Lists follow ``nextCursor``; each request has a timeout, and a
429 or a 5xx is retried with backoff a bounded number of times. The API key is sent in the
``X-N8N-API-KEY`` header and appears in no message.

:func:`transform` hands the workflows and credentials to the file ingester's builder
(:class:`ingest.n8n.transform.N8nRecords`) and the file ingester's shape check
(:func:`ingest.n8n.read.workflow_problem`), so a collected instance gives the same nodes
and edges as its exports, then adds what only the live API knows: who owns each credential
and workflow (from sharing), whether that person still exists (a user gone, or invited and
never signed up, is an owner with ``status=departed`` or ``inactive``), and when each
workflow last ran (``last_used_at`` on the workflow and on each credential it uses).
"""

from __future__ import annotations

import json
import re
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from graph.errors import InputError
from graph.records import Batch, normalise_datetime, normalise_environment
from ingest.n8n.credentials import add_export
from ingest.n8n.read import workflow_problem
from ingest.n8n.transform import Found, N8nRecords, assign_ids

PAGE = 250
#: Attempts for one request answered 429 (rate limited) or 5xx, before giving up.
ATTEMPTS = 5


@dataclass
class Snapshot:
    """Everything one collect read from an instance, as the API gave it."""

    url: str
    workflows: list[dict] = field(default_factory=list)
    credentials: list[dict] = field(default_factory=list)
    users: list[dict] | None = None
    projects: list[dict] | None = None
    #: workflow id -> the newest execution (``startedAt``, ``status``), absent if none.
    last_execution: dict[str, dict] = field(default_factory=dict)
    #: project id -> its users, for projects known only by id (projects not licensed).
    project_members: dict[str, list[dict]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


class Client:
    """A small read-only client for n8n's public API (``<url>/api/v1``)."""

    def __init__(self, url: str, api_key: str, timeout: float = 30.0,
                 attempts: int = ATTEMPTS, sleep=time.sleep, on_call=None,
                 page_size: int = PAGE):
        if not api_key:
            raise InputError("N8N_API_KEY is not set (create a key in n8n under "
                             "Settings > n8n API)")
        parts = urllib.parse.urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise InputError(f"--url wants http(s)://host[:port], not {url!r}")
        self.base = url.rstrip("/") + "/api/v1"
        self.url = url.rstrip("/")
        self._key = api_key
        self.timeout, self.attempts, self.sleep = timeout, attempts, sleep
        self.on_call = on_call or (lambda what: None)
        self.page_size = page_size

    def get(self, path: str, params: dict | None = None, *, allow_403: bool = False):
        query = "?" + urllib.parse.urlencode(params) if params else ""
        req = urllib.request.Request(self.base + path + query, method="GET", headers={
            "X-N8N-API-KEY": self._key, "Accept": "application/json"})
        delay = 1.0
        for attempt in range(1, self.attempts + 1):
            self.on_call(path)
            try:
                with urllib.request.urlopen(req, timeout=self.timeout) as resp:
                    body = resp.read()
                break
            except urllib.error.HTTPError as exc:
                if exc.code == 403 and allow_403:
                    return None
                if exc.code in (401, 403):
                    raise InputError(f"n8n at {self.url} refused the API key (HTTP {exc.code} "
                                     f"on {path}); check N8N_API_KEY") from None
                if (exc.code == 429 or exc.code >= 500) and attempt < self.attempts:
                    wait = _retry_after(exc.headers.get("Retry-After"), delay)
                    self.sleep(wait)
                    delay = min(delay * 2, 30.0)
                    continue
                raise InputError(f"n8n at {self.url} answered HTTP {exc.code} on {path}"
                                 + (" after retries (rate limited)" if exc.code == 429 else "")
                                 ) from None
            except (urllib.error.URLError, TimeoutError, ConnectionError, OSError) as exc:
                reason = getattr(exc, "reason", exc)
                raise InputError(f"cannot reach n8n at {self.url} ({reason})") from None
        try:
            return json.loads(body)
        except json.JSONDecodeError:
            raise InputError(f"n8n at {self.url} answered {path} with something that is not "
                             "JSON (is this the n8n URL?)") from None

    def pages(self, path: str, params: dict | None = None, *, allow_403: bool = False):
        """All items of a paginated list, following ``nextCursor``; None on an allowed 403."""
        items: list[dict] = []
        params = {**(params or {}), "limit": self.page_size}
        seen: set[str] = set()
        while True:
            page = self.get(path, params, allow_403=allow_403)
            if page is None:
                return None
            if not isinstance(page, dict) or not isinstance(page.get("data"), list):
                raise InputError(f"n8n at {self.url}: {path} did not answer a list "
                                 "({'data': [...]})")
            items.extend(page["data"])
            cursor = page.get("nextCursor")
            if not cursor or cursor in seen:
                return items
            seen.add(cursor)
            params = {**params, "cursor": cursor}


def _retry_after(header: str | None, default: float) -> float:
    try:
        return max(0.0, min(float(header), 60.0)) if header else default
    except ValueError:
        return default


def fetch(client: Client) -> Snapshot:
    """Read one instance (GET requests only). Raises InputError for a wrong key, an
    unreachable URL or an answer that is not n8n's."""
    snap = Snapshot(client.url)
    snap.workflows = client.pages("/workflows", {"excludePinnedData": "true"})
    snap.credentials = client.pages("/credentials", allow_403=True)
    if snap.credentials is None:
        snap.credentials = []
        snap.notes.append("the API key may not list credentials (scope credential:list); "
                          "only the credentials workflows name are known")
    snap.users = client.pages("/users", {"includeRole": "true"}, allow_403=True)
    if snap.users is None:
        snap.notes.append("the API key may not list users (needs the owner or an admin); "
                          "owners are not checked against the user list")
    snap.projects = client.pages("/projects", allow_403=True)
    if snap.projects is None:
        snap.notes.append("projects are not licensed on this instance (HTTP 403); owners "
                          "are read from personal projects")
        # Which user each project holding a workflow belongs to (a personal project has one).
        named = {str(sh.get("id")) for c in snap.credentials for sh in c.get("shared") or []
                 if isinstance(sh, dict)}
        members: dict[str, list[dict]] = {}
        for wf in snap.workflows:
            for sh in wf.get("shared") or []:
                pid = str(sh.get("projectId") or "") if isinstance(sh, dict) else ""
                if pid and pid not in named and pid not in members and snap.users is not None:
                    members[pid] = client.pages("/users", {"projectId": pid}) or []
        snap.project_members = members
    for wf in snap.workflows:
        wid = str(wf.get("id") or "")
        if not wid:
            continue
        page = client.get("/executions", {"workflowId": wid, "limit": 1,
                                          "includeData": "false"})
        runs = page.get("data") if isinstance(page, dict) else None
        if runs:
            snap.last_execution[wid] = runs[0]
    return snap


_EMAIL = re.compile(r"<([^<>@\s]+@[^<>\s]+)>")


def instance_name(url: str) -> str:
    """The instance's name in ids when none is given: the URL's host (and port)."""
    return urllib.parse.urlsplit(url).netloc or "n8n"


def transform(snap: Snapshot, instance: str | None = None, environment: str | None = None,
              saas_tenant: str | None = None) -> Batch:
    """The records of one collected instance (see the module docstring)."""
    inst = instance or instance_name(snap.url)
    batch = Batch()
    batch.notes = list(snap.notes)
    env = normalise_environment(environment) if environment else None
    b = N8nRecords(inst, env, saas_tenant, batch)
    b.workspace()
    where = f"{snap.url}/api/v1/credentials"
    # The API never gives credential data; "" is what the file ingester reads as encrypted.
    add_export(b, Path(where), [
        {"id": c.get("id"), "name": c.get("name"), "type": c.get("type"), "data": "",
         "createdAt": c.get("createdAt"), "updatedAt": c.get("updatedAt")}
        for c in snap.credentials])
    projects = _projects(snap)
    found: list[Found] = []
    for i, wf in enumerate(snap.workflows):
        problem = workflow_problem(wf)
        if problem:
            batch.skipped.append(f"{snap.url}/api/v1/workflows[{i}]: {problem}")
            continue
        rel = f"workflows/{wf.get('id')}"
        # The API gives each share's project id; an export, the project: give it that.
        doc = {k: v for k, v in wf.items() if k != "activeVersion"}
        doc["shared"] = [{"role": sh.get("role"), "project": projects[str(sh.get("projectId"))]}
                         for sh in wf.get("shared") or [] if isinstance(sh, dict)
                         and str(sh.get("projectId")) in projects]
        found.append(Found(doc, Path(f"{snap.url}/api/v1/{rel}"), rel, None))
    batch.files_read = 0  # read from an API, not files
    ids = assign_ids(found, batch.notes)
    known = set(ids.values())
    for item in found:
        b.workflow_of(item, ids[id(item)], known)
    _live_facts(b, snap, {ids[id(f)]: wf for f, wf in zip(found, _readable(snap), strict=True)})
    return batch


def _projects(snap: Snapshot) -> dict[str, dict]:
    """Project id -> ``{id, name, type}`` as an export gives it, from what the API told."""
    out: dict[str, dict] = {}
    for p in snap.projects or []:
        out[str(p.get("id"))] = {"id": p.get("id"), "name": p.get("name"), "type": p.get("type")}
    for c in snap.credentials:
        for sh in c.get("shared") or []:
            name = str(sh.get("name") or "")
            out.setdefault(str(sh.get("id")), {"id": sh.get("id"), "name": name,
                                               "type": "personal" if _EMAIL.search(name)
                                               else None})
    for pid, members in snap.project_members.items():
        if pid not in out and len(members) == 1 and members[0].get("email"):
            u = members[0]
            full = " ".join(str(u.get(k) or "") for k in ("firstName", "lastName")).strip()
            out[pid] = {"id": pid, "name": f"{full} <{u['email']}>".strip(), "type": "personal"}
    return out


def _readable(snap: Snapshot) -> list[dict]:
    return [wf for wf in snap.workflows if not workflow_problem(wf)]


def _is_owner_role(role: Any) -> bool:
    return str(role or "").endswith(":owner")


def _live_facts(b, snap: Snapshot, workflows: dict[str, dict]) -> None:
    """Owners from sharing, the owners' state, and last runs: what no export holds."""
    users = {str(u.get("email") or "").lower(): u for u in snap.users or [] if u.get("email")}
    names: dict[str, str] = {}  # project id -> name ("First Last <email>" when personal)
    for p in snap.projects or []:
        if p.get("type") in (None, "personal"):
            names[str(p.get("id"))] = str(p.get("name") or "")
    for c in snap.credentials:
        for sh in c.get("shared") or []:
            names.setdefault(str(sh.get("id")), str(sh.get("name") or ""))
    done: set[str] = set()

    def owner_of(pid: str) -> str | None:
        m = _EMAIL.search(names.get(pid, ""))
        members = snap.project_members.get(pid) or []
        if m:
            email = m.group(1).lower()
        elif len(members) == 1 and members[0].get("email"):
            email = str(members[0]["email"]).lower()
        else:
            return None  # a team project: its members, not one person, answer for it
        oid = f"owner:email:{email}"
        if oid in done:
            return oid
        done.add(oid)
        user = users.get(email)
        props: dict[str, Any] = {"name": names.get(pid, "").split("<")[0].strip() or email,
                                 "owner_type": "person", "email": email}
        if user:
            full = " ".join(str(user.get(k) or "") for k in ("firstName", "lastName")).strip()
            props["name"] = full or email
            if user.get("isPending"):
                props["status"] = "inactive"
                props["description"] = "invited to n8n but never signed up"
            else:
                props["status"] = "active"
        elif snap.users is not None:
            props["status"] = "departed"
            props["description"] = "no longer a user of the n8n instance"
        b.node(oid, "Owner", props, f"{snap.url}/api/v1/users")
        return oid

    for c in snap.credentials:
        sid = b.secret_id(str(c.get("type")), c.get("id"), c.get("name"))
        for sh in c.get("shared") or []:
            oid = owner_of(str(sh.get("id"))) if _is_owner_role(sh.get("role")) else None
            if oid:
                b.edge(oid, "OWNS", sid, "owner of the n8n project holding the credential",
                       f"{snap.url}/api/v1/credentials/{c.get('id')}")
    last_use: dict[str, str] = {}
    for wid, doc in workflows.items():
        w = f"workflow:n8n:{b.inst}:{wid}"
        run = snap.last_execution.get(str(doc.get("id")))
        started = run and (run.get("startedAt") or run.get("createdAt"))
        if started:
            at = normalise_datetime(started, f"{snap.url}/api/v1/executions")
            b.node(w, "Workflow", {"last_used_at": at}, f"{snap.url}/api/v1/executions")
            for sid in _credentials_of(b, doc):
                last_use[sid] = max(last_use.get(sid, at), at)
        for sh in doc.get("shared") or []:
            if isinstance(sh, dict) and _is_owner_role(sh.get("role")):
                owner_of(str(sh.get("projectId")))  # the builder drew OWNS; add the state
    for sid, at in sorted(last_use.items()):
        b.node(sid, "Secret", {"last_used_at": at}, f"{snap.url}/api/v1/executions")


def _credentials_of(b, doc: dict) -> set[str]:
    out = set()
    for node in doc.get("nodes") or []:
        for ctype, ref in (node.get("credentials") or {}).items():
            cid, name = (ref.get("id"), ref.get("name")) if isinstance(ref, dict) else (None, ref)
            out.add(b.secret_id(ctype, cid, name))
    return out
