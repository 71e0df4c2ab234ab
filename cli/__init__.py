"""The ``nhigraph`` command line, assembled from its command families.

Every command opens the configured store (``--store DIR`` / ``NHIGRAPH_STORE`` for the
embedded one, ``--neo4j URI`` / ``NEO4J_*`` for Neo4j), runs one analysis from ``queries``
and prints it as a table, JSON or CSV. Errors a user can cause print one line and exit 2;
anything unexpected exits 1. The shared plumbing is :mod:`cli.plumbing`; the commands are in
:mod:`cli.ingest` (generated from the ingester registry), :mod:`cli.analyses`,
:mod:`cli.reports`, :mod:`cli.demo` and :mod:`cli.collect` (live APIs); this module only puts them on one group.
"""

from __future__ import annotations

import click

from cli import analyses, collect, demo, explain, history, plans, reports
from cli import ingest as ingest_commands
from cli.plumbing import ErrorGroup


@click.group(cls=ErrorGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="nhigraph")
@click.option("-q", "--quiet", is_flag=True,
              help="Only results and errors: no notes, progress or 'wrote FILE' lines "
                   "(before or after the command).")
def cli(quiet):
    """nhigraph: access paths of non-human identities in workflow platforms.

    \b
    Global options (before or after the command): --store DIR, --neo4j URI,
    --neo4j-user, --neo4j-database, --format table|json|csv, -o FILE.
    \b
    Environment:
      NHIGRAPH_STORE   embedded store folder (default ./.nhigraph)
      NEO4J_URI, NEO4J_USER, NEO4J_PASSWORD, NEO4J_DATABASE   a Neo4j store
      COLUMNS          table width;  NHIGRAPH_DEBUG=1  tracebacks on bugs
      NO_COLOR         no colour (output that is not a terminal never has any)
      NHIGRAPH_WARM=0  no background warm-up of the explorer after an ingest
    """


cli.add_command(ingest_commands.ingest)
for _command in (*analyses.COMMANDS, *explain.COMMANDS, *demo.COMMANDS, *reports.COMMANDS,
                 *history.COMMANDS, *plans.COMMANDS, *collect.COMMANDS):
    cli.add_command(_command)


def main() -> None:
    cli(prog_name="nhigraph")


if __name__ == "__main__":
    main()
