"""``nhigraph ingest NAME``: one command per registered ingester (:mod:`ingest.registry`),
generated from its declaration: its PATH argument, its options (turned into click options
here) and the run options, each command running :func:`ingest.pipeline.ingest` on the
configured store and printing what the write did.
"""

from __future__ import annotations

import functools

import click

from cli.plumbing import (
    ErrorGroup,
    open_configured,
    report_write,
    say,
    store_options,
    warm_explorer,
)
from ingest.registry import Ingester, Option, ingesters


class IngestGroup(ErrorGroup):
    """The ``ingest`` group: its commands are the registry's ingesters, looked up when
    asked for (so ``nhigraph stats`` imports no ingester, and one registered later shows)."""

    def list_commands(self, ctx) -> list[str]:
        return list(ingesters())

    def get_command(self, ctx, name: str) -> click.Command | None:
        found = ingesters().get(name)
        return command_for(found) if found is not None else None


@click.group(cls=IngestGroup)
def ingest():
    """Load a source into the store (idempotent; stale data of that source is removed)."""


def click_option(option: Option):
    """The click option that reads ``option`` from the command line."""
    kwargs = dict(help=option.help, default=option.default, show_default=option.show_default)
    if option.metavar:
        kwargs["metavar"] = option.metavar
    if option.type == "flag":
        kwargs = dict(is_flag=True, help=option.help)
    elif option.type == "int":
        kwargs["type"] = click.IntRange(min=option.min) if option.min is not None else int
    elif option.type == "path":
        kwargs["type"] = click.Path(exists=True)
    elif option.type == "file":
        kwargs["type"] = click.Path(exists=True, dir_okay=False)
    if option.repeatable:
        kwargs["multiple"] = True
        kwargs.pop("default")
    return click.option(option.name, option.key, **kwargs)


def _columns(ingester: Ingester, store_config: dict, replace: bool) -> bool:
    """Read an inventory CSV folder in columns: a fresh embedded store's ingest (a merge
    and Neo4j take the row path; see ``ingest.pipeline.ingest``)."""
    if ingester.name != "inventory":
        return False
    from graph.backends import embedded_holds_graph

    holds = embedded_holds_graph(**store_config)
    return holds is not None and (replace or not holds)


@functools.cache
def command_for(ingester: Ingester) -> click.Command:
    """The ``nhigraph ingest <name>`` command of one ingester."""
    parse_keys = [o.key for o in ingester.parse_options()]

    def run(store_config, replace, source, strict=False, **given):
        from ingest.pipeline import ingest as run_ingest

        paths = given.pop("path") if ingester.paths == "one" else list(given.pop("paths"))
        options = {k: given[k] for k in parse_keys}
        name = source or ingester.source_name(paths)
        _, result = run_ingest(ingester, paths, lambda: open_configured(store_config, True),
                               source=name, replace=replace, strict=strict, options=options,
                               say=say, columns=_columns(ingester, store_config, replace))
        report_write(name, result)
        warm_explorer(store_config)

    fn = store_options(run)
    for option in reversed(ingester.all_options()):
        fn = click_option(option)(fn)
    path_type = click.Path(exists=True) if ingester.paths_exist else click.Path()
    if ingester.paths == "one":
        fn = click.argument("path", type=path_type)(fn)
    else:
        fn = click.argument("paths", nargs=-1, required=True, type=path_type)(fn)
    return click.command(ingester.name, help=ingester.help)(fn)

