"""GitHub Actions workflows -> records: pure, parsed workflow files in, records out.

:func:`transform` takes what :mod:`ingest.github.read` read (the workflow documents and the
secret lists) and emits, per repository, a Workflow per file, a Connector per job (and per
third-party step that receives secrets), the Secrets they REFERENCES, the GITHUB_TOKEN
Identity every job AUTHENTICATES_WITH and the OIDC logins (:mod:`ingest.github.oidc`).
The record shapes are in :mod:`ingest.github.records`; the rules are described in
:mod:`ingest.github`.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from graph.records import Batch, normalise_environment

from ..services import ACTION_SERVICES
from . import oidc
from .expressions import secret_refs, strings
from .records import GitHubRecords
from .triggers import add_entry_points, add_gates, protected_environments

FIRST_PARTY_OWNERS = frozenset({"actions", "github"})
_SHA = re.compile(r"^[0-9a-f]{40}$")


def transform(repo: str, env: str | None, tenant: str | None, lists: tuple,
              workflows: list[tuple[Path, str, dict, dict[str, dict], dict]], batch: Batch,
              environments: Any = None) -> None:
    """Append the records of one repository to ``batch`` (``environments``: the
    ``gh api repos/OWNER/REPO/environments`` document, for the gates, when given)."""
    b = GitHubRecords(repo, env, tenant, batch)
    b.workspace()
    b.secret_lists(*lists)
    for f, wf_path, doc, jobs, lines in workflows:
        _workflow(b, f, wf_path, doc, jobs, lines)
        add_entry_points(b, doc.get("on", doc.get(True)), f"workflow:github:{repo}:{wf_path}",
                         wf_path, str(f))
    b.finish()
    add_gates(b, protected_environments(environments))


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


def _located(b: GitHubRecords, node: str, wf_path: str, line: int | None) -> None:
    """The file and line a job or step was read from (SARIF points there)."""
    b.set_props(node, path=wf_path, **({"line": line} if line else {}))


def _workflow(b: GitHubRecords, f: Path, wf_path: str, doc: dict, jobs: dict,
              lines: dict | None = None) -> None:
    lines = lines or {}
    where = f"{f}"
    on = doc.get("on", doc.get(True))  # PyYAML reads the bare key `on` as True
    envs = {job_id: _job_environment(job) for job_id, job in jobs.items()}
    norm = {normalise_environment(e) for e in envs.values() if e} - {"unknown"}
    env = "prod" if "prod" in norm else (norm.pop() if len(norm) == 1 else b.env)
    w = b.workflow_file(wf_path, doc.get("name"), _triggers(on), env, where)
    top_perms = doc.get("permissions")
    wf_env_refs = secret_refs(strings(doc.get("env")))
    token = b.token(w, wf_path, top_perms, where)
    for job_id, job in jobs.items():
        jw = f"{where}: jobs.{job_id}"
        job_env = envs[job_id]
        perms = job.get("permissions", top_perms)
        c = b.job(w, wf_path, job_id, job, job_env, where=jw)
        _located(b, c, wf_path, lines.get(("jobs", job_id)))
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
            oidc.login_step(b, c, action, step, perms, sw)
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
            _located(b, sc, wf_path, lines.get(("jobs", job_id, "steps", i)))
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
    third, pinned, version, owner = _action(uses)
    if job.get("secrets") == "inherit":
        b.inherit(w, wf_path, job_id, c, uses, pinned, job_env, where)
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

