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
ids the cloud ingesters share (docs/ids.md). :mod:`.read` reads the files,
:mod:`.transform` turns them into records.
"""

from __future__ import annotations

from pathlib import Path

from graph.records import Batch, normalise_environment

from ..files import DEFAULT_MAX_BYTES
from ..registry import Option, workflow_platform
from .read import checkout as find_checkout
from .read import read_secret_lists, read_workflows, remote
from .transform import transform
from .triggers import read_environments


def parse(path, repo: str | None = None, secrets: str | None = None,
          env_secrets: dict[str, str] | list[str] | None = None, org_secrets: str | None = None,
          environment: str | None = None, saas_tenant: str | None = None,
          max_bytes: int = DEFAULT_MAX_BYTES, environments: str | None = None) -> Batch:
    """Parse the GitHub Actions workflows of one repository into a batch.

    ``repo`` is ``OWNER/NAME`` (default: the checkout's ``origin`` remote, else the
    folder's name); ``secrets``/``org_secrets`` are ``gh secret list --json
    name,updatedAt`` files; ``env_secrets`` maps an environment name to such a file
    (or is a list of ``ENV=FILE``); ``environments`` is ``gh api
    repos/OWNER/REPO/environments`` output (protection rules: the gates of
    :mod:`.triggers`).
    """
    roots = [Path(path)] if isinstance(path, (str, Path)) else [Path(p) for p in path]
    batch = Batch()
    batch.notes = []
    checkout = find_checkout(roots[0])
    name = repo or remote(checkout) or checkout.name
    if not repo and not remote(checkout):
        batch.notes.append(f"{roots[0]}: repository named {name!r} after the folder; "
                           "pass --repo OWNER/NAME to join other sources")
    lists = read_secret_lists(batch, secrets, env_secrets, org_secrets, max_bytes)
    workflows = read_workflows(roots, checkout, max_bytes, batch)
    envs = read_environments(batch, environments, max_bytes)
    transform(name, normalise_environment(environment) if environment else None,
              saas_tenant, lists, workflows, batch, environments=envs)
    return batch


INGESTER = workflow_platform(
    "github-actions",
    "Ingest GitHub Actions workflows of one repository (checkout or workflow folder).",
    parse,
    Option("--repo", "Repository (default: the checkout's origin remote, else the folder "
           "name).", metavar="OWNER/NAME"),
    Option("--secrets", "Repository secrets: `gh secret list --json name,updatedAt` "
           "output.", type="file"),
    Option("--env-secrets", "Environment secrets of ENV (repeatable).", type="pairs",
           metavar="ENV=FILE"),
    Option("--org-secrets", "Organisation secrets visible to the repository.",
           type="file"),
    Option("--environments", "Environments and their protection rules: `gh api "
           "repos/OWNER/REPO/environments` output (required reviewers gate jobs).",
           type="file"),
)
