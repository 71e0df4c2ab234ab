"""``nhigraph ingest`` commands of the platform ingesters (n8n, GitHub Actions, Airflow,
AWS IAM, Kubernetes). Each parses its files with one module of ``ingest/`` and writes the
batch with :func:`cli.write_batch`; registered on the ``ingest`` group by :func:`register`.
"""

from __future__ import annotations

import importlib
from pathlib import Path

import click

from cli import _open, say, source_name, store_options, write_batch
from graph.errors import InputError


def _ingest(kind: str, paths, replace, source, strict, store_config, name: str, **options):
    """Parse PATH... with one ingester as one batch (so several files join up) and write it
    as source ``name``. Options left unset (None, empty) take the ingester's default."""
    from ingest import INGESTERS

    module = importlib.import_module(INGESTERS[kind])
    batch = module.parse(list(paths), **{k: v for k, v in options.items()
                                         if v not in (None, (), [])})
    for line in batch.notes:
        say("note", line)
    if strict:  # show every skip, not only the first, before failing
        for line in batch.skipped:
            say("skipped", line)
    store = _open(store_config, create=True)
    write_batch(store, batch, name, replace, strict=strict)


def _ingest_files(kind: str, paths, replace, source, strict, store_config, **options):
    """The cloud exports: the default source name covers every path given."""
    name = source or f"{kind}:" + ";".join(str(Path(p).resolve()) for p in paths)
    _ingest(kind, paths, replace, source, strict, store_config, name, **options)


def _file_ingest_options(fn):
    for opt in reversed((
        click.argument("paths", nargs=-1, required=True, type=click.Path()),
        click.option("--replace", is_flag=True, help="Start a fresh graph with only this source."),
        click.option("--source", "source", default=None,
                     help="Name of this source for stale-data cleanup (default: kind and paths)."),
        click.option("--strict", is_flag=True,
                     help="Fail (store unchanged) if any file, entry or action was skipped."),
    )):
        fn = opt(fn)
    return fn


@click.command("aws-iam")
@_file_ingest_options
@click.option("--eks-cluster", "eks", multiple=True, metavar="OIDC_ID=CLUSTER",
              help="Name the EKS cluster of an OIDC issuer id, so IRSA trusts start at that "
                   "cluster's service accounts (repeatable).")
@store_options
def ingest_aws_iam(paths, replace, source, strict, eks, store_config):
    """Ingest AWS IAM exports: get-account-authorization-details JSON, credential report
    CSV, list-access-keys JSON (files or folders; several accounts join by their trust)."""
    clusters = {}
    for item in eks:
        issuer, sep, name = item.partition("=")
        if not sep or not issuer or not name:
            raise InputError(f"--eks-cluster wants OIDC_ID=CLUSTER, not {item!r}")
        clusters[issuer] = name
    _ingest_files("aws-iam", paths, replace, source, strict, store_config,
                  eks_clusters=clusters)


@click.command("kubernetes")
@_file_ingest_options
@click.option("--cluster", default=None,
              help="Cluster name used in ids (default: 'default').")
@store_options
def ingest_kubernetes(paths, replace, source, strict, cluster, store_config):
    """Ingest Kubernetes RBAC: manifests or `kubectl get -o json/yaml` lists of
    ServiceAccounts, Secrets (never their data), Roles, ClusterRoles and bindings."""
    _ingest_files("kubernetes", paths, replace, source, strict, store_config, cluster=cluster)


def _common_ingest(fn):
    """Options every workflow-platform ingester shares."""
    for deco in reversed((
        click.option("--replace", is_flag=True, help="Start a fresh graph with only this source."),
        click.option("--source", "source", default=None,
                     help="Name of this source for stale-data cleanup (default: kind and path)."),
        click.option("--strict", is_flag=True,
                     help="Fail (store unchanged) if any file is skipped."),
        click.option("--environment", default=None,
                     help="Environment of this instance/repository (prod, staging, dev...)."),
        click.option("--saas-tenant", default=None,
                     help="Tenant of the SaaS systems it calls (system:saas:<service>:<tenant>)."),
        click.option("--max-file-size", "max_bytes", type=click.IntRange(min=1),
                     default=20 * 1024 * 1024, show_default=True,
                     help="Skip files bigger than this many bytes."),
        store_options,
    )):
        fn = deco(fn)
    return fn


def _ingest_platform(kind, paths, replace, source, strict, store_config, **options):
    """The workflow platforms: the default source name is the kind and the first path."""
    _ingest(kind, paths, replace, source, strict, store_config,
            source_name(kind, paths[0], source), **options)


@click.command("n8n")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True))
@click.option("--instance", default=None, help="Instance name (default: the folder's name).")
@click.option("--credentials", type=click.Path(exists=True), default=None,
              help="An `n8n export:credentials` file or folder (encrypted or --decrypted).")
@_common_ingest
def ingest_n8n(paths, instance, credentials, **kw):
    """Ingest n8n workflow exports (files, JSON arrays or folders) of one instance."""
    _ingest_platform("n8n", paths, instance=instance, credentials=credentials, **kw)


@click.command("github-actions")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True))
@click.option("--repo", default=None, metavar="OWNER/NAME",
              help="Repository (default: the checkout's origin remote, else the folder name).")
@click.option("--secrets", type=click.Path(exists=True, dir_okay=False), default=None,
              help="Repository secrets: `gh secret list --json name,updatedAt` output.")
@click.option("--env-secrets", multiple=True, metavar="ENV=FILE",
              help="Environment secrets of ENV (repeatable).")
@click.option("--org-secrets", type=click.Path(exists=True, dir_okay=False), default=None,
              help="Organisation secrets visible to the repository.")
@_common_ingest
def ingest_github_actions(paths, repo, secrets, env_secrets, org_secrets, **kw):
    """Ingest GitHub Actions workflows of one repository (checkout or workflow folder)."""
    for item in env_secrets:
        if "=" not in item:
            raise InputError(f"--env-secrets wants ENV=FILE, not {item!r}")
    _ingest_platform("github-actions", paths, repo=repo, secrets=secrets,
                     env_secrets=list(env_secrets), org_secrets=org_secrets, **kw)


@click.command("airflow")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True))
@click.option("--deployment", default=None, help="Deployment name (default: the folder's name).")
@click.option("--dags", multiple=True, type=click.Path(exists=True),
              help="DAG files or folders (repeatable; .py files among PATHS count too).")
@_common_ingest
def ingest_airflow(paths, deployment, dags, **kw):
    """Ingest `airflow connections export` files (JSON/YAML/env) and DAG files."""
    _ingest_platform("airflow", paths, deployment=deployment, dags=list(dags), **kw)


def register(group: click.Group) -> None:
    for command in (ingest_aws_iam, ingest_kubernetes, ingest_n8n, ingest_github_actions, ingest_airflow):
        group.add_command(command)
