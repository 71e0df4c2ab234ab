"""Records of one GitHub repository's Actions workflows, built by
:mod:`ingest.github.transform` on the shared :class:`~ingest.workflow_records.RecordBuilder`.

Ids follow docs/ids.md: ``workflow:github:<owner>/<repo>:<path>``, connectors
``connector:github:<owner>/<repo>:<path>:<job>`` (a step that receives secrets:
``...:<job>:step:<step id or index>``), secrets by scope, the GITHUB_TOKEN identity per
workflow, and the repository as ``resource:github:<owner>/<repo>`` inside
``system:github:<owner>``. Pure: parsed workflows in, records out.
"""

from __future__ import annotations

from typing import Any

from graph.model import access_rank
from graph.records import Batch, normalise_environment

from ..files import iso_date
from ..services import secret_name_service, secret_name_type
from ..workflow_records import RecordBuilder
from .expressions import TOKEN


def token_access(perms: Any) -> tuple[str | None, list[str]]:
    """Access a GITHUB_TOKEN gets to its repository from a ``permissions:`` value:
    (level or None for no access, the grants). None means the repository default, which
    the file does not show (``unknown``). ``id-token`` only mints OIDC tokens; it is not
    repository access."""
    if perms is None:
        return "unknown", ["repository default permissions"]
    if perms == "write-all":
        return "write", ["write-all"]
    if perms == "read-all":
        return "read", ["read-all"]
    if not isinstance(perms, dict):
        return "unknown", [str(perms)]
    grants = sorted(f"{k}:{v}" for k, v in perms.items() if v in ("read", "write"))
    levels = {v for k, v in perms.items() if k != "id-token" and v in ("read", "write")}
    if "write" in levels:
        return "write", grants
    if "read" in levels:
        return "read", grants
    return None, grants


class GitHubRecords(RecordBuilder):
    """The records of one repository; also keeps what needs every file read first (the
    tokens' repository access, calls to local reusable workflows)."""

    def __init__(self, repo: str, env: str | None, tenant: str | None, batch: Batch):
        super().__init__("github-actions", batch, env, tenant)
        self.repo = repo
        self.owner = repo.split("/", 1)[0] if "/" in repo else None
        self.ws = f"workspace:github:{repo}"
        self.calls: list[tuple[str, str, str, str]] = []
        self.tokens: dict[str, tuple[str | None, set[str], str]] = {}
        self.lists: tuple = (None, {}, None)
        self.workflows: set[str] = set()
        self.current_token = ""
        self.current_wf = ""
        self.inherits: list[tuple[str, str, str, str, str, str | None, str]] = []
        self.read_by: dict[str, set[str]] = {}

    # --- nodes ----------------------------------------------------------------------
    def workspace(self) -> None:
        self.once(self.ws, "Workspace", {"name": self.repo, "platform": "github",
                                         **self.envprops()}, self.repo)

    def secret_lists(self, repo_list, env_lists, org_list) -> None:
        self.lists = (repo_list, env_lists, org_list)
        for scope, items, env in ([("repository", repo_list or {}, None)] +
                                  [("environment", v, k) for k, v in env_lists.items()] +
                                  [("organisation", org_list or {}, None)]):
            for name, item in items.items():
                sid = self.secret(name, scope, env, "secret list")
                rotated = iso_date(item.get("updatedAt"), self.batch.notes,
                                   f"{scope} secret list: {name}")
                self.set_props(sid, status="active", last_rotated_at=rotated)

    def workflow_file(self, path: str, name: Any, trigger: str, env: str | None,
                      where: str) -> str:
        w = f"workflow:github:{self.repo}:{path}"
        self.workflows.add(w)
        self.current_wf = w
        return self.workflow(w, {"name": str(name) if name else path, "platform": "github",
                                 "path": path, "trigger": trigger, **self.envprops(env),
                                 "source": f"github-actions:{path}"},
                             self.ws, "workflow file in the repository", where)

    def token(self, w: str, path: str, perms: Any, where: str) -> str:
        tid = f"identity:github:{self.repo}:{path}:{TOKEN}"
        _, grants = token_access(perms)
        self.node(tid, "Identity", {"name": f"GITHUB_TOKEN of {path}",
                                    "identity_type": "github_token", "account": self.repo,
                                    "permissions": grants}, where)
        self.tokens[tid] = (None, set(), where)
        self.current_token = tid
        return tid

    def grant_token(self, c: str, tid: str, perms: Any, job_id: str, where: str) -> None:
        level, grants = token_access(perms)
        self.edge(c, "AUTHENTICATES_WITH", tid, f"jobs.{job_id} runs with the workflow's "
                  "GITHUB_TOKEN", where, permissions=grants)
        best, actions, w0 = self.tokens[tid]
        if level and (best is None or access_rank(level) > access_rank(best)):
            best = level
        self.tokens[tid] = (best, actions | set(grants), w0)

    def job(self, w: str, path: str, job_id: str, job: dict, env: str | None,
            where: str) -> str:
        c = f"connector:github:{self.repo}:{path}:{job_id}"
        props = {"name": f"{path} job {job_id}", "service": "github-actions-job",
                 "runs_on": str(job.get("runs-on")) if job.get("runs-on") else None,
                 **self.envprops(normalise_environment(env) if env else None)}
        if env:
            props["deployment_environment"] = env
        return self.connector(c, props, w, f"jobs.{job_id}", where)

    def step(self, w, path, job_id, step_id, step, action, third, pinned, version, env,
             where) -> str:
        c = f"connector:github:{self.repo}:{path}:{job_id}:step:{step_id}"
        return self.connector(c, {
            "name": str(step.get("name") or f"{job_id}: {action}"),
            "service": action.split("@")[0], "third_party": third, "pinned": pinned,
            "version": version, **self.envprops(normalise_environment(env) if env else None),
        }, w, f"jobs.{job_id} step uses {action}", where)

    def secret(self, name: str, scope: str, env: str | None, where: str) -> str:
        if scope == "environment":
            sid, parent = f"secret:github:{self.repo}:env:{env}:{name}", self.ws
        elif scope == "organisation" and self.owner:
            sid, parent = f"secret:github:{self.owner}:org:{name}", \
                f"workspace:github:{self.owner}"
            self.once(parent, "Workspace", {"name": self.owner, "platform": "github"}, where)
            self.contains(parent, self.ws, "repository of the organisation", where,
                          once=(parent, self.ws))
        else:
            sid, parent = f"secret:github:{self.repo}:{name}", self.ws
        if not self.first(sid):
            return sid
        props = {"name": name, "store": "github", "scope": scope,
                 "secret_type": secret_name_type(name)}
        if scope == "environment":
            props["environment"] = normalise_environment(env)
        self.node(sid, "Secret", props, where)
        self.contains(parent, sid, f"{scope} secret", where)
        service = secret_name_service(name)
        if service:
            self.can_access(sid, self.saas_system(service, where), f"secret named {name}",
                            where)
        return sid

    def scope_of(self, name: str, env: str | None) -> tuple[str, str | None]:
        repo_list, env_lists, org_list = self.lists
        if env and name in env_lists.get(env, {}):
            return "environment", env
        if repo_list is not None and name in repo_list:
            return "repository", None
        if org_list is not None and name in org_list:
            return "organisation", None
        return "repository", None

    def reference(self, c: str, name: str, env: str | None, reason: str, where: str) -> None:
        if name == TOKEN:
            self.edge(c, "AUTHENTICATES_WITH", self.current_token, reason, where)
            return
        scope, senv = self.scope_of(name, env)
        if (self.lists[0] is not None or self.lists[1] or self.lists[2] is not None) and \
                scope == "repository" and name not in (self.lists[0] or {}) and \
                ("unlisted", name) not in self.seen:
            self.seen.add(("unlisted", name))
            self.batch.notes.append(f"{where}: secret {name} is in none of the secret lists "
                                    "given (deleted, or a scope not listed)")
        sid = self.secret(name, scope, senv, where)
        self.read_by.setdefault(self.current_wf, set()).add(sid)
        self.edge(c, "REFERENCES", sid, reason, where)

    def inherit(self, w: str, path: str, job_id: str, c: str, uses: str, pinned: bool,
                env: str | None, where: str) -> None:
        """``secrets: inherit``: the called workflow can read every secret the caller can
        (the secret lists given, and every secret the caller's file names); resolved in
        :meth:`finish`, once every file is read."""
        local = uses.startswith("./")
        target = uses[2:].split("@")[0] if local else uses.split("@")[0]
        if local:
            callee, external = f"workflow:github:{self.repo}:{target}", False
        else:
            owner_repo = "/".join(target.split("/")[:2])
            wf_file = target[len(owner_repo) + 1:]
            callee, external = f"workflow:github:{owner_repo}:{wf_file}", \
                owner_repo.lower() != self.repo.lower()
        self.set_props(c, inherits_secrets_to=uses, inherits_external=external,
                       inherits_pinned=pinned or local)
        self.inherits.append((w, path, job_id, callee, uses, env, where))

    def targets(self, c: str, service: str, where: str) -> None:
        self.edge(c, "TARGETS", self.saas_system(service, where),
                  f"action talks to {service}", where)

    def finish(self) -> None:
        """Edges that need every file read first: repository access of each token, calls
        to local reusable workflows."""
        repo_res = f"resource:github:{self.repo}"
        for tid, (best, grants, where) in self.tokens.items():
            if best is None:
                continue
            self.once(repo_res, "Resource", {"name": self.repo,
                                             "resource_type": "repository"}, where)
            if self.owner:
                org = self.once(f"system:github:{self.owner}", "System",
                                {"name": f"GitHub {self.owner}", "system_type": "saas"}, where)
                self.contains(org, repo_res, "repository of the organisation", where,
                              once=("c", repo_res))
            self.can_access(tid, repo_res, "GITHUB_TOKEN permissions", where,
                            access=best, actions=sorted(grants),
                            grant="permissions: " + (", ".join(sorted(grants)) or "default"))
        for w, target, job_id, where in self.calls:
            if target in self.workflows:
                self.edge(w, "USES", target, f"jobs.{job_id} calls the reusable workflow",
                          where)
        self.finish_inherits()

    def finish_inherits(self) -> None:
        """Each ``secrets: inherit`` call: the callee REFERENCES every secret its caller can
        read (listed secrets in scope, and those the caller's file names)."""
        repo_list, env_lists, org_list = self.lists
        for w, path, job_id, callee, uses, env, where in self.inherits:
            names = [(n, "repository", None) for n in (repo_list or {})] + \
                [(n, "organisation", None) for n in (org_list or {})] + \
                [(n, "environment", env) for n in (env_lists.get(env, {}) if env else {})]
            sids = {self.secret(n, scope, e, where) for n, scope, e in names}
            sids |= self.read_by.get(w, set())
            if callee not in self.workflows:
                repo, _, wf_file = callee[len("workflow:github:"):].partition(":")
                self.once(callee, "Workflow", {"name": wf_file, "platform": "github",
                                               "path": wf_file, "repository": repo,
                                               "trigger": "workflow_call"}, where)
            for sid in sorted(sids):
                self.edge(callee, "REFERENCES", sid, f"inherited from {path} jobs.{job_id} "
                          f"(secrets: inherit to {uses})", where)
