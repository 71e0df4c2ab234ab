"""Reading a GitHub checkout from disk: the only I/O of the GitHub Actions ingester.

Finds the repository (the checkout's ``origin`` remote in ``.git/config``), collects the
workflow files (``.github/workflows/*.yml`` of a checkout, or a folder of them), loads each
within the size limit and checks it has a ``jobs`` mapping, and reads the secret lists
``gh secret list --json name,updatedAt`` writes. A file that cannot be read is a skip with
its reason; a job or step that cannot be read is left out with a note.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from graph.records import Batch

from ..files import Skip, collect, load_json, load_yaml, progress

_REMOTE = re.compile(r"github\.com[:/]+([^/\s]+)/([^/\s]+?)(?:\.git)?/?$")

#: A secret list: secret name -> its entry (``name``, ``updatedAt``).
SecretList = dict[str, dict]


def checkout(root: Path) -> Path:
    """The checkout a path is in (the folder above ``.github/workflows``)."""
    root = root.resolve()
    if root.is_file():
        root = root.parent
    if root.name == "workflows" and root.parent.name == ".github":
        return root.parent.parent
    return root


def remote(checkout: Path) -> str | None:
    """``OWNER/NAME`` of the checkout's ``origin`` remote on github.com, if any."""
    config = checkout / ".git" / "config"
    try:
        text = config.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    section = re.search(r'\[remote "origin"\][^\[]*?url\s*=\s*(\S+)', text)
    m = _REMOTE.search(section.group(1)) if section else None
    return f"{m.group(1)}/{m.group(2)}" if m else None


def read_workflows(roots: list[Path], checkout: Path, max_bytes: int,
                   batch: Batch) -> list[tuple[Path, str, dict, dict[str, dict], dict]]:
    """(file, path in the repository, document, jobs, line of each key path) of every
    readable workflow file."""
    files: list[Path] = []
    for root in roots:
        wf_dir = root / ".github" / "workflows"
        files += collect([wf_dir if wf_dir.is_dir() else root], (".yml", ".yaml"))
    out = []
    for f in progress(files, "workflow files"):
        def merge_key(line: int, f: Path = f) -> None:
            batch.notes.append(f"{f}: line {line}: merge key '<<': GitHub Actions does not "
                               "support merge keys (GitHub rejects the file); read merged")
        lines: dict[tuple, int] = {}
        try:
            doc = load_yaml(f, max_bytes, batch.notes, on_merge=merge_key, lines=lines)
            jobs = _jobs(doc, f, batch.notes)
        except Skip as exc:
            batch.skipped.append(f"{f}: {exc}")
            continue
        batch.files_read += 1
        out.append((f, _wf_path(f, checkout), doc, jobs, lines))
    return out


def _wf_path(f: Path, checkout: Path) -> str:
    try:
        rel = f.resolve().relative_to(checkout)
        if rel.parts[:2] == (".github", "workflows"):
            return rel.as_posix()
    except ValueError:
        pass
    return f".github/workflows/{f.name}"


def read_secret_lists(batch: Batch, repo_file, env_files, org_file, max_bytes: int
                      ) -> tuple[SecretList | None, dict[str, SecretList], SecretList | None]:
    """The repository, per-environment and organisation secret lists (None: not given)."""
    def read(p) -> SecretList:
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


def _jobs(doc: Any, f: Path, notes: list[str]) -> dict[str, dict]:
    """The workflow's jobs; a job that is not a mapping, or a step that is not one, is left
    out with a note (the rest of the file is kept)."""
    if not isinstance(doc, dict):
        raise Skip("not a GitHub Actions workflow (not a mapping)")
    jobs = doc.get("jobs")
    if not isinstance(jobs, dict) or not jobs:
        raise Skip("not a GitHub Actions workflow (no 'jobs' mapping)")
    out: dict[str, dict] = {}
    for job_id, job in jobs.items():
        if not isinstance(job, dict):
            notes.append(f"{f}: jobs.{job_id} is a {type(job).__name__}, not a mapping; "
                         "job left out")
            continue
        steps = job.get("steps", [])
        if not isinstance(steps, list):
            notes.append(f"{f}: jobs.{job_id}.steps is a {type(steps).__name__}, not a list; "
                         "steps left out")
            job = {**job, "steps": []}
        elif not all(isinstance(s, dict) for s in steps):
            for i, s in enumerate(steps):
                if not isinstance(s, dict):
                    notes.append(f"{f}: jobs.{job_id}.steps[{i}] is a {type(s).__name__}, "
                                 "not a step; left out")
            job = {**job, "steps": [s for s in steps if isinstance(s, dict)]}
        out[str(job_id)] = job
    if not out:
        raise Skip("no job in the workflow could be read")
    return out
