"""``nhigraph collect``: read a live system's API (n8n, AWS IAM) instead of export files.

Each command fetches everything first (a progress bar on a terminal, one summary line
otherwise), turns it into the records the file ingester makes, and only then writes one
batch, atomically, through :func:`ingest.pipeline.write` (the ingest commands' stitch and
write): a wrong key, an unreachable URL or Ctrl+C leaves the store as it was.
``cli/__init__.py`` puts :data:`COMMANDS` on the main group.
"""

from __future__ import annotations

import os

import click

from cli.plumbing import (
    ErrorGroup,
    open_configured,
    report_write,
    say,
    store_options,
    warm_explorer,
)


@click.group("collect", cls=ErrorGroup)
def collect():
    """Collect from a live system's API, read-only (n8n, AWS IAM)."""


def _write(batch, source, replace, strict, store_config) -> None:
    from ingest.pipeline import write

    result = write(batch, lambda: open_configured(store_config, create=True), source=source,
                   replace=replace, strict=strict, say=say)
    report_write(source, result)
    warm_explorer(store_config)


@collect.command("n8n")
@click.option("--url", required=True, help="The instance's base URL (https://n8n.example.com).")
@click.option("--instance", default=None,
              help="Instance name in ids (default: the URL's host and port). Use the name "
                   "given to `ingest n8n --instance` so both describe the same nodes.")
@click.option("--environment", default=None, help="prod, staging, dev...")
@click.option("--saas-tenant", default=None,
              help="Tenant of the SaaS systems it calls (system:saas:<service>:<tenant>).")
@click.option("--timeout", type=click.FloatRange(min=1), default=30, show_default=True,
              help="Seconds to wait for each API answer.")
@click.option("--replace", is_flag=True, help="Start a fresh graph with only this source.")
@click.option("--source", "source", default=None,
              help="Name of this source for stale-data cleanup (default: n8n:<url>).")
@click.option("--strict", is_flag=True, help="Fail (store unchanged) if a workflow is skipped.")
@store_options
def collect_n8n(url, instance, environment, saas_tenant, timeout, replace, source, strict,
                store_config):
    """Collect workflows, credentials (never their data), users, projects and last runs
    from n8n's public API. The API key comes from N8N_API_KEY only."""
    from ingest.collect import Progress, n8n_api

    with Progress("n8n") as progress:
        client = n8n_api.Client(url, os.environ.get("N8N_API_KEY", ""), timeout=timeout,
                                on_call=progress.step)
        snap = n8n_api.fetch(client)
        batch = n8n_api.transform(snap, instance=instance, environment=environment,
                                  saas_tenant=saas_tenant)
    progress.done(f"{len(snap.workflows)} workflows, {len(snap.credentials)} credentials, "
                  f"{len(snap.users or [])} users, {len(snap.last_execution)} with a last run")
    _write(batch, source or f"n8n:{client.url}", replace, strict, store_config)


@collect.command("aws")
@click.option("--profile", default=None, help="AWS profile (default: the usual boto3 chain).")
@click.option("--region", default=None, help="Region for the IAM endpoint (IAM is global).")
@click.option("--eks-cluster", "eks", multiple=True, metavar="OIDC_ID=CLUSTER",
              help="Name the EKS cluster of an OIDC issuer id (as `ingest aws-iam`).")
@click.option("--replace", is_flag=True, help="Start a fresh graph with only this source.")
@click.option("--source", "source", default=None,
              help="Name of this source for stale-data cleanup (default: aws:<account>).")
@click.option("--strict", is_flag=True,
              help="Fail (store unchanged) if any entry or action was skipped.")
@store_options
def collect_aws(profile, region, eks, replace, source, strict, store_config):
    """Collect IAM from an AWS account with read-only calls (docs/aws-iam.md lists them)."""
    from graph.errors import InputError
    from ingest.collect import Progress, aws_api

    clusters = {}
    for item in eks:
        issuer, sep, name = item.partition("=")
        if not sep or not issuer or not name:
            raise InputError(f"--eks-cluster wants OIDC_ID=CLUSTER, not {item!r}")
        clusters[issuer] = name
    with Progress("aws") as progress:
        exports = aws_api.fetch(aws_api.session(profile, region), on_call=progress.step)
        batch = aws_api.transform(exports, eks_clusters=clusters)
    d = exports.authorization_details
    progress.done(f"{len(d.get('UserDetailList', []))} users, "
                  f"{len(d.get('RoleDetailList', []))} roles, "
                  f"{len(d.get('GroupDetailList', []))} groups, "
                  f"{len(d.get('Policies', []))} managed policies, "
                  f"{len(exports.access_keys)} access keys")
    accounts = sorted({str(x.get("Arn", "")).split(":")[4]
                       for k in ("UserDetailList", "RoleDetailList") for x in d.get(k, [])
                       if str(x.get("Arn", "")).count(":") >= 5})
    _write(batch, source or f"aws:{','.join(accounts) or 'unknown'}", replace, strict,
           store_config)


COMMANDS = (collect,)
