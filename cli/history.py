"""The commands over time: ``snapshots`` (list), ``snapshot save NAME`` / ``snapshot export
FILE`` (:mod:`graph.snapshot`) and ``diff`` (:func:`queries.drift.diff`, printed as a table,
JSON, CSV, Markdown or HTML, with ``--fail-on`` for CI).
"""

from __future__ import annotations

import sys

import click

from cli.plumbing import ErrorGroup, as_of, note, open_configured, store_options, unknown_as

DIFF_FORMATS = click.Choice(["table", "json", "csv", "markdown", "html"])


@click.command("snapshots")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table")
@store_options
def snapshots_cmd(fmt, store_config):
    """List the snapshots of the store (every ingest run leaves one), oldest first."""
    import json

    from graph.snapshot import Shelf

    shelf = Shelf(open_configured(store_config))
    snaps = shelf.list()
    if fmt == "json":
        click.echo(json.dumps({"folder": str(shelf.dir), "snapshots": snaps}, indent=2))
        return
    if not snaps:
        click.echo(f"no snapshots in {shelf.dir}")
    for m in snaps:
        click.echo(f"{m['name']:<48} {m['kind']:<6} {m['created_at']}  "
                   f"{m['nodes']} nodes, {m['edges']} edges")


@click.group("snapshot", cls=ErrorGroup)
def snapshot():
    """Save the graph as a named snapshot, or export it to a portable file."""


@snapshot.command("save")
@click.argument("name")
@store_options
def snapshot_save(name, store_config):
    """Keep the current graph as snapshot NAME (never removed by retention)."""
    from graph.snapshot import Shelf

    meta = Shelf(open_configured(store_config)).save(name)
    click.echo(f"saved snapshot {meta['name']}: {meta['nodes']} nodes, {meta['edges']} edges "
               f"({meta['file']})")


@snapshot.command("export")
@click.argument("file", type=click.Path(dir_okay=False))
@store_options
def snapshot_export(file, store_config):
    """Write the current graph to FILE, a snapshot another machine can `diff --from`."""
    from graph.snapshot import write_snapshot

    meta = write_snapshot(open_configured(store_config), file)
    note(f"wrote {file}: {meta['nodes']} nodes, {meta['edges']} edges")


@click.command("diff")
@click.option("--from", "from_", default=None, metavar="SNAPSHOT|DATE|FILE",
              help="Default: the previous snapshot (before the last ingest run).")
@click.option("--to", default=None, metavar="SNAPSHOT|DATE|FILE",
              help="Default: the current graph.")
@click.option("--fail-on", default=None, metavar="new-crown-jewel-path|SEVERITY",
              type=click.Choice(["new-crown-jewel-path", "critical", "high", "medium", "low",
                                 "info"]),
              help="Exit 1 when a change of this kind (or for the worse at or above this "
                   "severity) is found.")
@click.option("--as-of", "as_of_time", default=None,
              help="Judge both sides as of this ISO 8601 time (default now).")
@unknown_as
@click.option("--format", "fmt", type=DIFF_FORMATS, default="table", show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False), default=None)
@store_options
def diff_cmd(from_, to, fail_on, as_of_time, unknown_as, fmt, output, store_config):
    """What changed: crown-jewel paths gained and lost, findings opened and closed, ..."""
    from graph.snapshot import Shelf
    from queries.drift import diff, failing

    shelf = Shelf(open_configured(store_config))
    a_label, open_a = shelf.locate(from_, "previous")  # a bad name fails here, in order
    b_label, open_b = shelf.locate(to, "current")
    # opened by diff: the "to" side's posture starts in a child (which reads a snapshot
    # file itself) before this process reads the "from" side (a file: seconds at 100k)
    result = diff(open_a, open_b, as_of=as_of(as_of_time), unknown_as=unknown_as,
                  labels=(a_label, b_label))
    emit_change(result, fmt, output, f"Changes {a_label} -> {b_label}")
    if fail_on:
        bad = failing(result.rows, fail_on)
        if bad:
            click.echo(f"{len(bad)} change(s) fail --fail-on {fail_on}", err=True)
            sys.exit(1)


def emit_change(result, fmt: str, output: str | None, title: str) -> None:
    """A delta (drift or what-if) in any of the diff formats."""
    from cli.plumbing import emit, write_output

    if fmt not in ("markdown", "html"):
        emit(result, fmt, output, title)
        return
    from reports.changes import changes_html, changes_markdown

    text = (changes_markdown if fmt == "markdown" else changes_html)(result, title)
    if output:
        write_output(output, text)
        note(f"wrote {output}")
    else:
        click.echo(text, nl=False)


COMMANDS = (snapshots_cmd, snapshot, diff_cmd)
