"""GitHub Actions: workflow files of one repository -> canonical records.

Reads a checkout (its ``.github/workflows/*.yml``) or a folder of workflow files, and
optionally the secret lists ``gh secret list --json name,updatedAt`` writes (repository,
per-environment and organisation scope).

Per repository: Workspace ``workspace:github:<owner>/<repo>`` CONTAINS a Workflow per file;
each job is a Connector; ``${{ secrets.X }}`` anywhere in a job is a REFERENCES edge to the
Secret X (environment scope where the job's ``environment:`` has X in its list, else
repository, else organisation); the built-in ``GITHUB_TOKEN`` is an Identity per workflow
that every job AUTHENTICATES_WITH, with ``CAN_ACCESS`` to the repository as strong as the
``permissions:`` blocks allow (``unknown`` where none is given: the repository default).
A third-party action step that receives secrets (``with:``, or ``env:`` of the step, job
or workflow, which every step can read) is a Connector of its own, marked ``third_party``,
``pinned`` (a full commit SHA) and ``version`` (the ref). OIDC logins (AWS, Azure, GCP)
with ``id-token: write`` become CAN_ASSUME edges from the job to stub Identity nodes whose
ids the cloud ingesters share (docs/ids.md).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from graph.records import Batch, normalise_environment

from . import github_oidc
from .files import DEFAULT_MAX_BYTES, Skip, collect, load_json, load_yaml, progress
from .github_common import Builder, secret_refs, strings
from .registry import RUN_OPTIONS, WORKFLOW_OPTIONS, Ingester, Option, strict_option
from .services import ACTION_SERVICES

FIRST_PARTY_OWNERS = frozenset({"actions", "github"})
_SHA = re.compile(r"^[0-9a-f]{40}$")
_REMOTE = re.compile(r"github\.com[:/]+([^/\s]+)/([^/\s]+?)(?:\.git)?/?$")


def parse(path, repo: str | None = None, secrets: str | None = None,
          env_secrets: dict[str, str] | list[str] | None = None, org_secrets: str | None = None,
          environment: str | None = None, saas_tenant: str | None = None,
          max_bytes: int = DEFAULT_MAX_BYTES) -> Batch:
    """Parse the GitHub Actions workflows of one repository into a batch.

    ``repo`` is ``OWNER/NAME`` (default: the checkout's ``origin`` remote, else the
    folder's name); ``secrets``/``org_secrets`` are ``gh secret list --json
    name,updatedAt`` files; ``env_secrets`` maps an environment name to such a file
    (or is a list of ``ENV=FILE``).
    """
    roots = [Path(path)] if isinstance(path, (str, Path)) else [Path(p) for p in path]
    batch = Batch()
    batch.notes = []
    checkout = _checkout(roots[0])
    name = repo or _remote(checkout) or checkout.name
    if not repo and not _remote(checkout):
        batch.notes.append(f"{roots[0]}: repository named {name!r} after the folder; "
                           "pass --repo OWNER/NAME to join other sources")
    b = Builder(name, normalise_environment(environment) if environment else None,
                saas_tenant, batch)
    b.workspace()
    lists = _secret_lists(batch, secrets, env_secrets, org_secrets, max_bytes)
    b.secret_lists(*lists)
    files: list[Path] = []
    for root in roots:
        wf_dir = root / ".github" / "workflows"
        files += collect([wf_dir if wf_dir.is_dir() else root], (".yml", ".yaml"))
    for f in progress(files, "workflow files"):
        try:
            doc = load_yaml(f, max_bytes)
            jobs = _jobs(doc)
        except Skip as exc:
            batch.skipped.append(f"{f}: {exc}")
            continue
        batch.files_read += 1
        _workflow(b, f, _wf_path(f, checkout), doc, jobs)
    b.finish()
    return batch


def _checkout(root: Path) -> Path:
    root = root.resolve()
    if root.is_file():
        root = root.parent
    if root.name == "workflows" and root.parent.name == ".github":
        return root.parent.parent
    return root


def _remote(checkout: Path) -> str | None:
    config = checkout / ".git" / "config"
    try:
        text = config.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    section = re.search(r'\[remote "origin"\][^\[]*?url\s*=\s*(\S+)', text)
    m = _REMOTE.search(section.group(1)) if section else None
    return f"{m.group(1)}/{m.group(2)}" if m else None


def _wf_path(f: Path, checkout: Path) -> str:
    try:
        rel = f.resolve().relative_to(checkout)
        if rel.parts[:2] == (".github", "workflows"):
            return rel.as_posix()
    except ValueError:
        pass
    return f".github/workflows/{f.name}"


def _secret_lists(batch, repo_file, env_files, org_file, max_bytes):
    def read(p) -> dict[str, dict]:
        if not p:
            return {}
        try:
            doc = load_json(Path(p), max_bytes)
        except Skip as exc:
            batch.skipped.append(f"{p}: {exc}")
            return {}
        if not isinstance(doc, list) or not all(isinstance(d, dict) and isinstance(
                d.get("name"), str) for d in doc):
            batch.skipped.append(f"{p}: not a `gh secret list --json name,updatedAt` list")
            return {}
        batch.files_read += 1
        return {d["name"]: d for d in doc}

    if isinstance(env_files, list):
        env_files = dict(item.split("=", 1) for item in env_files)
    envs = {env: read(p) for env, p in (env_files or {}).items()}
    return read(repo_file) if repo_file else None, envs, read(org_file) if org_file else None


def _jobs(doc: Any) -> dict[str, dict]:
    if not isinstance(doc, dict):
        raise Skip("not a GitHub Actions workflow (not a mapping)")
    jobs = doc.get("jobs")
    if not isinstance(jobs, dict) or not jobs:
        raise Skip("not a GitHub Actions workflow (no 'jobs' mapping)")
    for job_id, job in jobs.items():
        if not isinstance(job, dict):
            raise Skip(f"jobs.{job_id} is a {type(job).__name__}, not a mapping")
        steps = job.get("steps", [])
        if not isinstance(steps, list) or not all(isinstance(s, dict) for s in steps):
            raise Skip(f"jobs.{job_id}.steps is not a list of steps")
    return jobs


def _triggers(on: Any) -> str:
    if isinstance(on, str):
        return on
    if isinstance(on, (list, dict)):
        return ",".join(sorted(str(t) for t in on))
    return "unknown"


def _job_environment(job: dict) -> str | None:
    env = job.get("environment")
    if isinstance(env, dict):
        env = env.get("name")
    return str(env) if isinstance(env, (str, int)) and str(env).strip() else None


def _workflow(b: Builder, f: Path, wf_path: str, doc: dict, jobs: dict) -> None:
    where = f"{f}"
    on = doc.get("on", doc.get(True))  # PyYAML reads the bare key `on` as True
    envs = {job_id: _job_environment(job) for job_id, job in jobs.items()}
    norm = {normalise_environment(e) for e in envs.values() if e} - {"unknown"}
    env = "prod" if "prod" in norm else (norm.pop() if len(norm) == 1 else b.env)
    w = b.workflow(wf_path, doc.get("name"), _triggers(on), env, where)
    top_perms = doc.get("permissions")
    wf_env_refs = secret_refs(strings(doc.get("env")))
    token = b.token(w, wf_path, top_perms, where)
    for job_id, job in jobs.items():
        jw = f"{where}: jobs.{job_id}"
        job_env = envs[job_id]
        perms = job.get("permissions", top_perms)
        c = b.job(w, wf_path, job_id, job, job_env, where=jw)
        b.grant_token(c, token, perms, job_id, jw)
        refs = secret_refs(strings(job)) | wf_env_refs
        for name in sorted(refs):
            b.reference(c, name, job_env, f"${{{{ secrets.{name} }}}} in jobs.{job_id}", jw)
        job_env_refs = secret_refs(strings(job.get("env"))) | wf_env_refs
        uses = job.get("uses")
        if isinstance(uses, str):
            _reusable(b, w, c, wf_path, job_id, job, uses, job_env, jw)
        unpinned = []
        for i, step in enumerate(job.get("steps") or []):
            sw = f"{jw}.steps[{i}]"
            action = step.get("uses")
            if not isinstance(action, str):
                continue
            github_oidc.login_step(b, c, action, step, perms, sw)
            third, pinned, version, owner = _action(action)
            if not third:
                continue
            if not pinned:
                unpinned.append(action)
            received = secret_refs(strings(step.get("with")) + strings(step.get("env")))
            received |= job_env_refs
            if not received:
                continue
            sid = step.get("id") or str(i)
            sc = b.step(w, wf_path, job_id, sid, step, action, third, pinned, version,
                        job_env, sw)
            if owner in ACTION_SERVICES:
                b.targets(sc, ACTION_SERVICES[owner], sw)
            for name in sorted(received):
                b.reference(sc, name, job_env, f"passed to {action} (with/env)", sw)
        if unpinned:
            b.set_props(c, unpinned_actions=unpinned)


def _reusable(b, w, c, wf_path, job_id, job, uses, job_env, where) -> None:
    """A job that calls a reusable workflow: a local one is USES; ``secrets: inherit``
    hands it every secret the caller can read."""
    if uses.startswith("./"):
        target = uses[2:].split("@")[0]
        b.calls.append((w, f"workflow:github:{b.repo}:{target}", job_id, where))
    if job.get("secrets") == "inherit":
        b.batch.notes.append(f"{where}: secrets: inherit passes every secret to {uses}")
    third, pinned, version, owner = _action(uses)
    if third and isinstance(job.get("secrets"), (dict, str)):
        sc = b.step(w, wf_path, job_id, "uses", job, uses, third, pinned, version, job_env,
                    where)
        for name in sorted(secret_refs(strings(job.get("secrets")))):
            b.reference(sc, name, job_env, f"passed to reusable workflow {uses}", where)


def _action(uses: str) -> tuple[bool, bool, str | None, str]:
    """(third party, pinned, version, owner) of a ``uses:`` reference."""
    if uses.startswith("./"):
        return False, True, None, ""
    if uses.startswith("docker://"):
        return True, "@sha256:" in uses, uses.rsplit(":", 1)[-1] if ":" in uses[9:] else \
            "latest", "docker"
    ref = uses.split("@", 1)[1] if "@" in uses else None
    owner = uses.split("/", 1)[0]
    third = owner not in FIRST_PARTY_OWNERS
    return third, bool(ref and _SHA.match(ref)), ref, owner



INGESTER = Ingester(
    name="github-actions",
    help="Ingest GitHub Actions workflows of one repository (checkout or workflow folder).",
    parse=parse,
    paths_exist=True,
    strict=strict_option(),
    options=(
        Option("--repo", "Repository (default: the checkout's origin remote, else the folder "
               "name).", metavar="OWNER/NAME"),
        Option("--secrets", "Repository secrets: `gh secret list --json name,updatedAt` "
               "output.", type="file"),
        Option("--env-secrets", "Environment secrets of ENV (repeatable).", type="pairs",
               metavar="ENV=FILE"),
        Option("--org-secrets", "Organisation secrets visible to the repository.",
               type="file"),
        RUN_OPTIONS,
        *WORKFLOW_OPTIONS,
    ),
)
