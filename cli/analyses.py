"""The analysis commands: ``stats``, ``blast-radius``, ``blast-radius-all``, ``inbound``,
``path``, ``shared-credentials``, ``orphans``, ``entry-points``, ``unused-credentials`` and
``search``. Each opens the configured store, runs one
analysis of :mod:`queries` and prints its result with :func:`cli.plumbing.emit`.
"""

from __future__ import annotations

import dataclasses

import click

from cli.names import ids_option
from cli.plumbing import (
    complete_node,
    emit,
    open_configured,
    output_options,
    store_options,
    unknown_as,
    walk_options,
    write_output,
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


def _walk_command(name: str, analysis: str, header: str, title: str, doc: str,
                  paths: bool = False):
    """A command NODE [--depth] [--unknown-as] that prints one walk from or to NODE; with
    ``paths``, also --paths (the walk as chains grouped by system). Names in the table,
    ids with --ids."""
    def command(node, depth, unknown_as, fmt, output, store_config, show_paths=False,
                ids=False):
        import queries

        store = open_configured(store_config)
        result = getattr(queries, analysis)(store, node, depth=depth, unknown_as=unknown_as)
        if show_paths and fmt == "table":
            from cli.chains import radius_tree

            text = radius_tree(store, result, ids=ids)
            if output:
                write_output(output, text)
            else:
                click.echo(text, nl=False)
            return
        emit_named(result, fmt, output, store, ids, title, result.header[header])
    command = ids_option(command)
    if paths:
        command = click.option("--paths", "show_paths", is_flag=True,
                               help="Each path to a system or resource, one hop per line, "
                                    "grouped by the system reached.")(command)
    for deco in (store_options, output_options, walk_options,
                 click.argument("node", shell_complete=complete_node)):
        command = deco(command)
    return click.command(name, help=doc)(command)


blast_radius_cmd = _walk_command(
    "blast-radius", "blast_radius", "source", "Blast radius of {}",
    "What an attacker holding NODE can reach, with what access, along which path.",
    paths=True)
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
@click.argument("src", shell_complete=complete_node)
@click.argument("dst", shell_complete=complete_node)
@click.option("--limit", type=click.IntRange(min=1), default=5, show_default=True)
@click.option("--ids", is_flag=True, help="A table of ids instead of chains of names.")
@output_options
@store_options
def path_cmd(src, dst, limit, ids, fmt, output, store_config):
    """Shortest access paths from SRC to DST, each hop explained."""
    from queries import shortest_paths

    store = open_configured(store_config)
    result = shortest_paths(store, src, dst, limit=limit)
    if not result.rows and fmt == "table":
        click.echo(terminal_safe(f"no access path from {result.header['source']} to "
                                 f"{result.header['target']}"))
        return
    if fmt == "table" and not ids:
        ids_seen = {n for row in result.rows for n in row["path"]}
        names = {k: v.get("name") or k for k, v in store.get_nodes(ids_seen).items()}
        text = terminal_safe(f"Paths {names.get(result.header['source'], '')} "
                             f"({result.header['source']}) -> "
                             f"{names.get(result.header['target'], '')} "
                             f"({result.header['target']})\n") + path_chains(result.rows, names)
        if output:
            write_output(output, text)
        else:
            click.echo(text, nl=False)
        return
    if fmt == "table":  # hops are in the chains and the JSON, never a dict repr in a cell
        result = dataclasses.replace(result, columns=("rank", "length", "path"))
    emit(result, fmt, output, f"Paths {result.header['source']} -> {result.header['target']}")


def emit_named(result, fmt, output, store, ids: bool, title: str, node: str | None = None):
    """:func:`emit`, with names in place of ids in a table (and the title's node as
    ``name (id)``) unless ``ids``; JSON and CSV unchanged."""
    from cli.names import node_name, with_names

    if fmt == "table" and not ids:
        result = with_names(result, store)
        node = node_name(store, node) if node else node
    emit(result, fmt, output, title.format(node) if node else title)


def path_chains(rows: list[dict], names: dict[str, str]) -> str:
    """Each path as a chain of names, one hop per line with its edge kind, access and
    reason (``--ids`` or ``--format`` give the rows instead)."""
    from cli.chains import hop_line, labeller

    label = labeller(names)
    lines = []
    for row in rows:
        lines.append(f"path {row['rank']} ({row['length']} hops):")
        lines.append(f"  {label(row['path'][0])}")
        lines += [hop_line(h["kind"], h.get("access"), h.get("reason"), label(h["to"]))
                  for h in row["hops"]]
    return terminal_safe("\n".join(lines) + "\n")


@click.command("shared-credentials")
@click.option("--min-workflows", type=click.IntRange(min=2), default=2, show_default=True)
@output_options
@store_options
@ids_option
def shared_credentials_cmd(min_workflows, ids, fmt, output, store_config):
    """Clusters of workflows sharing secrets or identities."""
    from queries import shared_credentials

    store = open_configured(store_config)
    result = shared_credentials(store, min_workflows=min_workflows)
    emit_named(result, fmt, output, store, ids, "Shared-credential clusters")


@click.command("orphans")
@click.option("--reason", "reasons", multiple=True,
              type=click.Choice(["no_owner", "departed_owner", "retired_but_valid",
                                 "unused_but_valid", "cloned_inherited"]),
              help="Only these reasons (repeatable).")
@output_options
@store_options
@ids_option
def orphans_cmd(reasons, ids, fmt, output, store_config):
    """Access paths with no accountable owner or that outlived their workflow."""
    from queries import orphaned_paths
    from queries.orphans import REASONS

    store = open_configured(store_config)
    result = orphaned_paths(store, reasons=reasons or REASONS)
    emit_named(result, fmt, output, store, ids, "Orphaned paths")


@click.command("entry-points")
@click.option("--actor", default=None, metavar="ACTOR",
              help="Only this actor's (or credential's) entry points, e.g. anyone.")
@unknown_as
@output_options
@store_options
@ids_option
def entry_points_cmd(actor, unknown_as, ids, fmt, output, store_config):
    """Who can start each workflow from outside, and the blast radius behind it."""
    from queries import entry_points

    store = open_configured(store_config)
    result = entry_points(store, actor=actor, unknown_as=unknown_as)
    emit_named(result, fmt, output, store, ids, "Entry points" + (" of {}" if actor else ""),
               result.header.get("actor"))


@click.command("search")
@click.argument("text")
@click.option("--kind", default=None, metavar="KIND", help="Only nodes of this kind.")
@click.option("--limit", type=click.IntRange(min=1), default=20, show_default=True)
@output_options
@store_options
def search_cmd(text, kind, limit, fmt, output, store_config):
    """Nodes whose name, id or ARN best match TEXT, best first."""
    from queries.search import search

    emit(search(open_configured(store_config), text, kind=kind, limit=limit), fmt, output,
         "Matches")


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


COMMANDS = (stats, search_cmd, blast_radius_cmd, blast_radius_all_cmd, inbound_cmd, path_cmd,
            shared_credentials_cmd, orphans_cmd, entry_points_cmd, unused_credentials_cmd)
