"""The ``nhigraph`` command line.

Every command opens the configured store (``--store DIR`` / ``NHIGRAPH_STORE`` for the
embedded one, ``--neo4j URI`` / ``NEO4J_*`` for Neo4j), runs one analysis from ``queries``
and prints it as a table, JSON or CSV. Errors a user can cause print one line and exit 2;
anything unexpected exits 1.
"""

from __future__ import annotations

import functools
import importlib
import os
import sys
from pathlib import Path

import click

from graph import NhiGraphError, open_store
from graph.errors import InputError
from graph.stitch import stitch

FORMATS = click.Choice(["table", "json", "csv"])


# --- plumbing --------------------------------------------------------------------------

class _Group(click.Group):
    """Turns the project's own errors into one line and exit 2; bugs into exit 1."""

    def invoke(self, ctx):
        # Remember the words given, to name the input if a parser gives up on it.
        words = [*getattr(ctx, "_protected_args", []), *ctx.args]
        try:
            return super().invoke(ctx)
        except NhiGraphError as exc:
            line = " ".join(str(exc).split())  # always one line, whatever the input held
            click.echo(f"error: {line[:1000]}", err=True)
            sys.exit(exc.exit_code)
        except RecursionError:
            if self.name != "ingest":
                raise
            # Only input nested deeper than Python's parsers can recurse gets here.
            paths = [w for w in words[1:] if not w.startswith("-") and os.path.exists(w)]
            click.echo(f"error: {paths[0] + ': ' if paths else ''}input nested too deeply "
                       "to read", err=True)
            sys.exit(2)
        except (click.ClickException, click.exceptions.Exit, click.Abort, SystemExit):
            raise
        except BrokenPipeError:  # output piped into head and the like: stop quietly
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            sys.exit(0)
        except KeyboardInterrupt:
            click.echo("interrupted; the store is unchanged", err=True)
            sys.exit(130)
        except Exception as exc:  # a bug: say so, and show the traceback when asked
            if os.environ.get("NHIGRAPH_DEBUG"):
                raise
            click.echo(f"unexpected error ({type(exc).__name__}): {exc}; "
                       "set NHIGRAPH_DEBUG=1 for a traceback", err=True)
            sys.exit(1)


def store_options(fn):
    """--store and --neo4j options on every command that opens a store."""
    @click.option("--store", "store_dir", type=click.Path(file_okay=False), default=None,
                  help="Embedded store folder (default $NHIGRAPH_STORE or ./.nhigraph).")
    @click.option("--neo4j", "neo4j_uri", default=None, metavar="URI",
                  help="Use a Neo4j store at this Bolt URI (default $NEO4J_URI).")
    @click.option("--neo4j-user", default=None, help="Default $NEO4J_USER or neo4j.")
    @click.option("--neo4j-database", default=None, help="Default $NEO4J_DATABASE.")
    @functools.wraps(fn)
    def wrapper(*args, store_dir, neo4j_uri, neo4j_user, neo4j_database, **kwargs):
        kwargs["store_config"] = dict(path=store_dir, neo4j_uri=neo4j_uri,
                                      neo4j_user=neo4j_user, neo4j_database=neo4j_database)
        return fn(*args, **kwargs)
    return wrapper


def output_options(fn):
    @click.option("--format", "fmt", type=FORMATS, default="table", show_default=True)
    @click.option("-o", "--output", type=click.Path(dir_okay=False), default=None,
                  help="Write to this file instead of standard output.")
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        return fn(*args, **kwargs)
    return wrapper


def _open(config, create=False):
    cfg = dict(config)
    return open_store(create=create, **cfg)


def _emit(result, fmt: str, output: str | None, title: str = "") -> None:
    if fmt == "json":
        text = result.to_json() + "\n"
    elif fmt == "csv":
        text = result.to_frame().to_csv(index=False)
    else:
        text = _table(result, title)
    if output:
        Path(output).write_text(text, encoding="utf-8")
        click.echo(f"wrote {output}", err=True)
    else:
        click.echo(text, nl=False)


def _table(result, title: str) -> str:
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    console = Console(record=True, width=max(100, _term_width()), file=open(os.devnull, "w"))
    frame = result.to_frame(readable=True)
    table = Table(title=title or None, show_lines=False)
    for col in frame.columns:
        table.add_column(str(col), overflow="fold")
    for rec in frame.itertuples(index=False):
        # Text(...) never interprets markup, so names from data print as they are.
        table.add_row(*(Text("" if v is None or v != v else str(v)) for v in rec))
    console.print(table)
    if result.summary:
        console.print(Text(_summary_line(result.summary)))
    return console.export_text()


def _summary_line(summary: dict) -> str:
    parts = []
    for k, v in summary.items():
        if isinstance(v, dict):
            v = ", ".join(f"{a}={b}" for a, b in v.items()) or "-"
        elif isinstance(v, list):
            v = len(v)
        parts.append(f"{k}: {v}")
    return "summary: " + "; ".join(parts)


def _term_width() -> int:
    try:
        return os.get_terminal_size().columns
    except OSError:
        return 160


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="nhigraph")
def cli():
    """nhigraph: access paths of non-human identities in workflow platforms."""


# --- ingest ------------------------------------------------------------------------------

@cli.group(cls=_Group)
def ingest():
    """Load a source into the store (idempotent; stale data of that source is removed)."""


def say(prefix: str, line) -> None:
    """One short line on standard error, whatever the input held."""
    line = " ".join(str(line).split())
    click.echo(f"{prefix}: {line[:500] + '...' if len(line) > 500 else line}", err=True)


def write_batch(store, batch, source: str, replace: bool, strict: bool = False) -> None:
    """Write one parsed batch and print what happened."""
    if strict and batch.skipped:
        raise InputError(f"{len(batch.skipped)} input(s) skipped under --strict; first: "
                         f"{batch.skipped[0]}")
    for line in batch.skipped:
        say("skipped", line)
    stitch(batch, None if replace else store)
    report_write(source, store.write(batch, source=source, replace=replace))


def report_write(source: str, result) -> None:
    click.echo(
        f"{source}: {result.files_read} file(s) read, {len(result.skipped)} skipped; "
        f"{result.nodes_written} nodes ({result.nodes_created} new), "
        f"{result.edges_written} edges ({result.edges_created} new); "
        f"removed {result.nodes_removed} stale nodes, {result.edges_removed} stale edges"
    )


def source_name(kind: str, path: str, given: str | None) -> str:
    return given or f"{kind}:{Path(path).resolve()}"


@ingest.command("inventory")
@click.argument("path", type=click.Path())
@click.option("--replace", is_flag=True, help="Start a fresh graph with only this source.")
@click.option("--source", "source", default=None,
              help="Name of this source for stale-data cleanup (default: kind and path).")
@store_options
def ingest_inventory(path, replace, source, store_config):
    """Ingest a canonical inventory (JSON/YAML file or folder of CSV files)."""
    from ingest import inventory

    batch = inventory.parse(path)
    store = _open(store_config, create=True)
    write_batch(store, batch, source_name("inventory", path, source), replace)



# --- analyses ----------------------------------------------------------------------------

@cli.command()
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table")
@store_options
def stats(fmt, store_config):
    """Counts by node and edge kind, sources and ingest runs."""
    import json

    from queries import stats as q_stats

    data = q_stats(_open(store_config))
    if fmt == "json":
        click.echo(json.dumps(data, indent=2))
        return
    click.echo(f"store: {data['backend']} at {data['location']}")
    click.echo(f"nodes: {data['nodes']}  edges: {data['edges']}  ingest runs: {data['runs']}")
    for kind, n in data["nodes_by_kind"].items():
        click.echo(f"  {kind:<12} {n}")
    for kind, n in data["edges_by_kind"].items():
        click.echo(f"  {kind:<20} {n}")
    for s in data["sources"]:
        click.echo(f"source: {s}")


def _unknown_as(fn):
    return click.option("--unknown-as", type=click.Choice(["read", "write", "admin"]),
                        default="write", show_default=True,
                        help="How to rank grants of unknown access.")(fn)


@cli.command("blast-radius")
@click.argument("node")
@click.option("--depth", type=click.IntRange(min=0), default=None, help="At most N hops.")
@_unknown_as
@output_options
@store_options
def blast_radius_cmd(node, depth, unknown_as, fmt, output, store_config):
    """What an attacker holding NODE can reach, with what access, along which path."""
    from queries import blast_radius

    result = blast_radius(_open(store_config), node, depth=depth, unknown_as=unknown_as)
    _emit(result, fmt, output, f"Blast radius of {result.header['source']}")


@cli.command("blast-radius-all")
@output_options
@store_options
def blast_radius_all_cmd(fmt, output, store_config):
    """Every node's blast radius figures at once, widest reach to crown jewels first."""
    from queries import blast_radius_summaries

    _emit(blast_radius_summaries(_open(store_config)), fmt, output, "Blast radius of every node")


@cli.command("inbound")
@click.argument("node")
@click.option("--depth", type=click.IntRange(min=0), default=None, help="At most N hops.")
@_unknown_as
@output_options
@store_options
def inbound_cmd(node, depth, unknown_as, fmt, output, store_config):
    """Who (workflows, secrets, identities...) can reach NODE."""
    from queries import inbound

    result = inbound(_open(store_config), node, depth=depth, unknown_as=unknown_as)
    _emit(result, fmt, output, f"Who can reach {result.header['target']}")


@cli.command("path")
@click.argument("src")
@click.argument("dst")
@click.option("--limit", type=click.IntRange(min=1), default=5, show_default=True)
@output_options
@store_options
def path_cmd(src, dst, limit, fmt, output, store_config):
    """Shortest access paths from SRC to DST, each hop explained."""
    from queries import shortest_paths

    result = shortest_paths(_open(store_config), src, dst, limit=limit)
    if not result.rows and fmt == "table":
        click.echo(f"no access path from {result.header['source']} to "
                   f"{result.header['target']}")
        return
    _emit(result, fmt, output, f"Paths {result.header['source']} -> {result.header['target']}")


@cli.command("shared-credentials")
@click.option("--min-workflows", type=click.IntRange(min=2), default=2, show_default=True)
@output_options
@store_options
def shared_credentials_cmd(min_workflows, fmt, output, store_config):
    """Clusters of workflows sharing secrets or identities."""
    from queries import shared_credentials

    result = shared_credentials(_open(store_config), min_workflows=min_workflows)
    _emit(result, fmt, output, "Shared-credential clusters")


@cli.command("orphans")
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

    result = orphaned_paths(_open(store_config), reasons=reasons or REASONS)
    _emit(result, fmt, output, "Orphaned paths")


@cli.command("generate")
@click.option("--nodes", "n_nodes", type=click.IntRange(min=100), required=True,
              help="How many nodes (about three edges each).")
@click.option("--seed", type=int, default=0, show_default=True,
              help="The same seed gives the same files.")
@click.option("-o", "--output", "out_dir", type=click.Path(file_okay=False), required=True,
              help="Folder to write the CSV inventory into.")
def generate_cmd(n_nodes, seed, out_dir):
    """Write a synthetic enterprise estate (CSV inventory folder) for scale tests."""
    from ingest.generate import generate

    def progress(done, total):
        click.echo(f"generated {done}/{total} nodes", err=True)

    out = generate(n_nodes, seed, out_dir, progress=progress)
    nodes = sum(v for k, v in out.items() if k not in ("edges", "owned"))
    click.echo(f"wrote {nodes} nodes and {out['edges'] + out['owned']} edges to {out_dir}")


# --- demo --------------------------------------------------------------------------------

def ingest_source(store, kind: str, path: str, replace: bool, source: str | None = None,
                  **options) -> None:
    """Parse ``path`` with the ingester named ``kind`` and write it."""
    from ingest import INGESTERS

    if kind not in INGESTERS:
        raise InputError(f"unknown ingester {kind!r}")
    module = importlib.import_module(INGESTERS[kind])
    batch = module.parse(path, **options)
    write_batch(store, batch, source or source_name(kind, path, None), replace)


@cli.command()
@click.option("--replace", is_flag=True, help="Replace whatever the store holds.")
@store_options
def demo(replace, store_config):
    """Load the bundled sample estate and print a summary of what it shows."""
    import sample_estate
    from queries import blast_radius, orphaned_paths, shared_credentials

    store = _open(store_config, create=True)
    sources = sample_estate.sources()
    names = {s["source"] for s in sources}
    held = {r["source"] for r in store.runs()} if not store.is_empty() else set()
    if held - names and not replace:
        raise InputError(f"the store at {store.location} holds other data "
                         f"({sorted(held - names)[0]}); use --replace or another --store")
    foreign = getattr(store, "foreign_data", lambda: None)()  # a Neo4j database's own data
    if foreign and not replace:
        raise InputError(f"the database at {store.location} holds data nhigraph did not write "
                         f"(a {foreign} node); use another database, or --replace to replace "
                         "nhigraph's data beside it")
    sample_estate.load(store, replace=replace, on_result=report_write)
    click.echo("")
    click.echo(f"Sample estate of {sample_estate.COMPANY} loaded into {store.location}")
    shared = shared_credentials(store)
    click.echo(f"shared-credential clusters: {shared.summary['clusters']} "
               f"({shared.summary['mixed_environment_clusters']} mix prod and non-prod)")
    orphans = orphaned_paths(store)
    click.echo("orphaned paths: " + ", ".join(f"{k}={v}" for k, v in
                                              orphans.summary["by_reason"].items()))
    for node in sample_estate.SHOWCASE:
        br = blast_radius(store, node)
        s = br.summary
        click.echo(f"blast radius of {node}: {s['reachable']} nodes, {s['systems']} systems, "
                   f"{s['resources']} resources, {s['admin_targets']} with admin, "
                   f"crown jewels: {', '.join(s['crown_jewels']) or 'none'}")
    click.echo("next: nhigraph blast-radius NODE | inbound NODE | shared-credentials | orphans")


# the platform ingest commands and the findings, report and export commands live in
# cli_ingest.py and cli_reports.py (they need what is above)
import cli_ingest  # noqa: E402
import cli_reports  # noqa: E402

cli_ingest.register(ingest)

cli_reports.register(cli)

import cli_collect  # noqa: E402  (the lead moves it into cli/ at merge)

cli_collect.register(cli)


def main() -> None:
    cli(prog_name="nhigraph")


if __name__ == "__main__":
    main()
