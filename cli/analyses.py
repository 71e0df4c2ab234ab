"""The analysis commands: ``stats``, ``blast-radius``, ``blast-radius-all``, ``inbound``,
``path``, ``shared-credentials``, ``orphans``, ``entry-points`` and ``unused-credentials``. Each opens the configured store, runs one
analysis of :mod:`queries` and prints its result with :func:`cli.plumbing.emit`.
"""

from __future__ import annotations

import click

from cli.plumbing import (
    emit,
    open_configured,
    output_options,
    store_options,
    unknown_as,
    walk_options,
)
from graph.safe_output import terminal_safe


@click.command()
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table")
@store_options
def stats(fmt, store_config):
    """Counts by node and edge kind, sources and ingest runs."""
    from graph.safe_output import strict_json
    from queries import stats as q_stats

    data = q_stats(open_configured(store_config))
    if fmt == "json":
        click.echo(strict_json(data, indent=2))
        return
    click.echo(terminal_safe(f"store: {data['backend']} at {data['location']}"))
    click.echo(f"nodes: {data['nodes']}  edges: {data['edges']}  ingest runs: {data['runs']}")
    for kind, n in data["nodes_by_kind"].items():
        click.echo(f"  {kind:<12} {n}")
    for kind, n in data["edges_by_kind"].items():
        click.echo(f"  {kind:<20} {n}")
    for s in data["sources"]:
        click.echo(terminal_safe(f"source: {s}"))


def _walk_command(name: str, analysis: str, header: str, title: str, doc: str):
    """A command NODE [--depth] [--unknown-as] that prints one walk from or to NODE."""
    @click.command(name, help=doc)
    @click.argument("node")
    @walk_options
    @output_options
    @store_options
    def command(node, depth, unknown_as, fmt, output, store_config):
        import queries

        result = getattr(queries, analysis)(open_configured(store_config), node, depth=depth,
                                            unknown_as=unknown_as)
        emit(result, fmt, output, title.format(result.header[header]))
    return command


blast_radius_cmd = _walk_command(
    "blast-radius", "blast_radius", "source", "Blast radius of {}",
    "What an attacker holding NODE can reach, with what access, along which path.")
inbound_cmd = _walk_command(
    "inbound", "inbound", "target", "Who can reach {}",
    "Who (workflows, secrets, identities...) can reach NODE.")


@click.command("blast-radius-all")
@output_options
@store_options
def blast_radius_all_cmd(fmt, output, store_config):
    """Every node's blast radius figures at once, widest reach to crown jewels first."""
    from queries import blast_radius_summaries

    emit(blast_radius_summaries(open_configured(store_config)), fmt, output,
         "Blast radius of every node")


@click.command("path")
@click.argument("src")
@click.argument("dst")
@click.option("--limit", type=click.IntRange(min=1), default=5, show_default=True)
@output_options
@store_options
def path_cmd(src, dst, limit, fmt, output, store_config):
    """Shortest access paths from SRC to DST, each hop explained."""
    from queries import shortest_paths

    result = shortest_paths(open_configured(store_config), src, dst, limit=limit)
    if not result.rows and fmt == "table":
        click.echo(terminal_safe(f"no access path from {result.header['source']} to "
                                 f"{result.header['target']}"))
        return
    emit(result, fmt, output, f"Paths {result.header['source']} -> {result.header['target']}")


@click.command("shared-credentials")
@click.option("--min-workflows", type=click.IntRange(min=2), default=2, show_default=True)
@output_options
@store_options
def shared_credentials_cmd(min_workflows, fmt, output, store_config):
    """Clusters of workflows sharing secrets or identities."""
    from queries import shared_credentials

    result = shared_credentials(open_configured(store_config), min_workflows=min_workflows)
    emit(result, fmt, output, "Shared-credential clusters")


@click.command("orphans")
@click.option("--reason", "reasons", multiple=True,
              type=click.Choice(["no_owner", "departed_owner", "retired_but_valid",
                                 "unused_but_valid", "cloned_inherited"]),
              help="Only these reasons (repeatable).")
@output_options
@store_options
def orphans_cmd(reasons, fmt, output, store_config):
    """Access paths with no accountable owner or that outlived their workflow."""
    from queries import orphaned_paths
    from queries.orphans import REASONS

    result = orphaned_paths(open_configured(store_config), reasons=reasons or REASONS)
    emit(result, fmt, output, "Orphaned paths")


@click.command("entry-points")
@click.option("--actor", default=None, metavar="ACTOR",
              help="Only this actor's (or credential's) entry points, e.g. anyone.")
@unknown_as
@output_options
@store_options
def entry_points_cmd(actor, unknown_as, fmt, output, store_config):
    """Who can start each workflow from outside, and the blast radius behind it."""
    from queries import entry_points

    result = entry_points(open_configured(store_config), actor=actor, unknown_as=unknown_as)
    emit(result, fmt, output, "Entry points" + (f" of {result.header['actor']}"
                                                if actor else ""))


@click.command("unused-credentials")
@click.option("--days", type=click.IntRange(min=0), default=90, show_default=True,
              help="Not used in this many days counts as not run recently.")
@click.option("--platform", default=None, metavar="SOURCE",
              help="Only secrets of this source, e.g. n8n or aws.")
@click.option("--as-of", default=None, metavar="ISO-DATE",
              help="Judge ages as of this time (default: now).")
@output_options
@store_options
def unused_credentials_cmd(days, platform, as_of, fmt, output, store_config):
    """Valid secrets no workflow uses, no active workflow uses, or not used recently."""
    from graph.records import normalise_datetime
    from queries.unused_credentials import unused_credentials

    when = normalise_datetime(as_of, "--as-of") if as_of else None
    result = unused_credentials(open_configured(store_config), days=days, as_of=when,
                                platform=platform)
    emit(result, fmt, output, f"Unused credentials ({days} days)")


COMMANDS = (stats, blast_radius_cmd, blast_radius_all_cmd, inbound_cmd, path_cmd,
            shared_credentials_cmd, orphans_cmd, entry_points_cmd, unused_credentials_cmd)
