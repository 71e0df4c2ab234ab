"""GitHub Actions entry points: who can start each workflow, and which environments gate
the jobs behind it (from GitHub's documentation of workflow events and environments).

Per workflow file, ``CAN_TRIGGER`` edges by event (the ``on:`` key):

- ``actor:github:any-user`` (any GitHub user, on a public repository): ``pull_request_target``
  (runs the base repository's workflow with its secrets and a writable token, whatever the
  pull request holds), ``issue_comment``, ``issues``, ``pull_request_review``,
  ``pull_request_review_comment``, ``discussion``, ``discussion_comment``, ``fork``,
  ``watch``, and ``workflow_run`` (runs with the base repository's secrets after a workflow
  an outsider may have started). ``pull_request`` from a fork also comes from any user, but
  GitHub gives it no secrets and a read-only token: that edge carries the gate
  ``fork pull request: no secrets, read-only GITHUB_TOKEN``.
- ``actor:github:<owner>/<repo>:writers`` (people and tokens with write access): ``push``,
  ``pull_request`` from a branch of the repository, ``workflow_dispatch``, ``schedule``
  (runs the default branch's file, which writers control), ``repository_dispatch``,
  ``release``, ``create``, ``delete``, ``merge_group`` and every other event.
  ``workflow_call`` is not an entry point (the calling workflow is).

Environments: with ``gh api repos/OWNER/REPO/environments`` output, a job whose
``environment:`` has a ``required_reviewers`` protection rule waits for a reviewer before it
runs and before it sees that environment's secrets: its ``USES`` edge carries the gate
``environment <name>: required reviewers (...)``; the walk keeps the path, marks it gated
and ranks it below ungated ones. Not knowable from the files: whether the repository is
public (private ones limit "any user" to people with read access), fork-PR approval settings
("require approval for first-time contributors"), branch protection, and, without the
environments export, any protection rule (the path is then reported ungated). Branch
policies of an environment are not gates here: ``pull_request_target`` and
``workflow_run`` run on the default branch, which passes them.
"""

from __future__ import annotations

from typing import Any

from ..actors import GITHUB_ANY_USER, actor, can_trigger

ANY_USER_EVENTS = {
    "pull_request_target": "runs the base repository's workflow, with its secrets and a "
                           "writable token, for a pull request anyone can open",
    "issue_comment": "any user can comment on an issue or pull request",
    "issues": "any user can open or edit an issue",
    "pull_request_review": "any user can review a pull request",
    "pull_request_review_comment": "any user can comment on a pull request's diff",
    "discussion": "any user can open a discussion",
    "discussion_comment": "any user can comment on a discussion",
    "fork": "any user can fork the repository",
    "watch": "any user can star the repository",
    "workflow_run": "runs with the repository's secrets after another workflow, which a "
                    "pull request from anyone may have started",
}
NOT_ENTRY = frozenset({"workflow_call"})
FORK_GATE = "fork pull request: no secrets, read-only GITHUB_TOKEN"


def events(on: Any) -> list[str]:
    """The event names of an ``on:`` value (a name, a list or a mapping)."""
    if isinstance(on, str):
        return [on]
    if isinstance(on, (list, dict)):
        return sorted({str(e) for e in on})
    return []


def protected_environments(doc: Any) -> dict[str, str]:
    """Environment name -> gate text, for environments with required reviewers, from
    ``gh api repos/OWNER/REPO/environments`` output (or its ``environments`` list)."""
    envs = doc.get("environments") if isinstance(doc, dict) else doc
    out: dict[str, str] = {}
    for env in envs if isinstance(envs, list) else ():
        if not isinstance(env, dict) or not isinstance(env.get("name"), str):
            continue
        for rule in env.get("protection_rules") or ():
            if isinstance(rule, dict) and rule.get("type") == "required_reviewers":
                names = sorted(_reviewer(r) for r in rule.get("reviewers") or ()
                               if isinstance(r, dict))
                out[env["name"]] = (f"environment {env['name']}: required reviewers"
                                    + (f" ({', '.join(names)})" if names else ""))
    return out


def _reviewer(r: dict) -> str:
    who = r.get("reviewer") if isinstance(r.get("reviewer"), dict) else {}
    return str(who.get("login") or who.get("slug") or who.get("name") or r.get("type") or "?")


def add_entry_points(b, on: Any, w: str, path: str, where: str) -> None:
    """The CAN_TRIGGER edges of one workflow file."""
    writers = f"actor:github:{b.repo}:writers"
    for event in events(on):
        if event in NOT_ENTRY:
            continue
        trigger = f"on: {event}"
        if event in ANY_USER_EVENTS:
            a = actor(b, GITHUB_ANY_USER, where)
            can_trigger(b, a, w, trigger, "none", f"{path}: {ANY_USER_EVENTS[event]}", where)
            continue
        if event == "pull_request":
            a = actor(b, GITHUB_ANY_USER, where)
            can_trigger(b, a, w, trigger, "none", f"{path}: any user can open a pull request "
                        "from a fork", where, gate=FORK_GATE)
        a = actor(b, writers, where, name=f"writers of {b.repo}", actor_type="repo-writers",
                  platform="github")
        can_trigger(b, a, w, trigger, "platform-user",
                    f"{path}: {event} needs write access to {b.repo}", where)


def add_gates(b, gates: dict[str, str]) -> None:
    """Put each protected environment's gate on the USES edges into the jobs that name it."""
    if not gates:
        return
    gated = {nid: gates[str(n.props.get("deployment_environment"))]
             for nid, n in b.by_id.items()
             if n.kind == "Connector" and str(n.props.get("deployment_environment")) in gates}
    for e in b.batch.edges:
        if e.kind == "USES" and e.dst in gated:
            e.props["gate"] = gated[e.dst]


def read_environments(batch, path, max_bytes: int) -> Any:
    """The environments document at ``path`` (None when not given or unreadable: a skip)."""
    if not path:
        return None
    from pathlib import Path

    from ..files import Skip, load_json

    try:
        doc = load_json(Path(path), max_bytes)
    except Skip as exc:
        batch.skipped.append(f"{path}: {exc}")
        return None
    if not (isinstance(doc, dict) and isinstance(doc.get("environments"), list)):
        batch.skipped.append(f"{path}: not `gh api repos/OWNER/REPO/environments` output "
                             "(no 'environments' list)")
        return None
    batch.files_read += 1
    return doc
