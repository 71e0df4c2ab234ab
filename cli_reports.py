"""The ``findings``, ``report`` and ``export`` commands of the ``nhigraph`` command line.

Thin wrappers over ``queries.findings``, ``queries.report`` and ``queries.export``; they use
the plumbing of ``cli.py`` (store and output options, one-line errors) and are added to its
group by :func:`register`.
"""

from __future__ import annotations

import sys

import click

from cli import _emit, _Group, _open, _unknown_as, output_options, store_options

# --- findings, reports, exports (queries/findings, queries/report, queries/export) ------

SEVERITY_CHOICE = click.Choice(["critical", "high", "medium", "low", "info"])


@click.command("findings")
@click.option("--fail-on", type=SEVERITY_CHOICE, default=None,
              help="Exit 1 when a finding at or above this severity exists (CI gating).")
@click.option("--min-severity", type=SEVERITY_CHOICE, default=None,
              help="Leave out findings below this severity.")
@click.option("--rule", "rules", multiple=True, help="Only this rule id (repeatable).")
@click.option("--rotation-days", type=click.IntRange(min=1), default=90, show_default=True,
              help="Rotation policy for long-lived secrets (NHI7).")
@click.option("--as-of", default=None, help="Judge ages and expiry as of this ISO 8601 time.")
@_unknown_as
@output_options
@store_options
def findings_cmd(fail_on, min_severity, rules, rotation_days, as_of, unknown_as, fmt, output,
                 store_config):
    """Risks mapped to the OWASP NHI Top 10 (2025) and NIST CSF 2.0, highest risk first."""
    from graph.records import normalise_datetime
    from queries.findings import at_or_above, findings

    as_of = normalise_datetime(as_of, "--as-of") if as_of else None
    result = findings(_open(store_config), as_of=as_of, rotation_days=rotation_days,
                      unknown_as=unknown_as, rules=rules or None, min_severity=min_severity)
    if fmt == "table":  # nodes and remediation are in the JSON/CSV; a terminal needs less
        result.columns = ("severity", "risk", "owasp", "rule", "detail")
    _emit(result, fmt, output, "Findings (OWASP NHI Top 10 2025)")
    if fail_on and at_or_above(result.rows, fail_on):
        click.echo(f"{len(at_or_above(result.rows, fail_on))} finding(s) at or above "
                   f"{fail_on}", err=True)
        sys.exit(1)


@click.command("export")
@click.option("--format", "fmt", type=click.Choice(["opengraph", "graphml", "json"]),
              required=True, help="opengraph (BloodHound, plus <stem>.extension.json), "
              "graphml (networkx, Gephi) or json (re-ingestable inventory).")
@click.option("-o", "--output", type=click.Path(dir_okay=False), required=True)
@store_options
def export_cmd(fmt, output, store_config):
    """Export the whole graph for BloodHound, Gephi/networkx or another nhigraph."""
    from reports.export import export

    for path in export(_open(store_config), fmt, output):
        click.echo(f"wrote {path}", err=True)


@click.group(cls=_Group)
def report():
    """Write a report; the format comes from the file extension (.html .md .csv .json .xlsx)."""


def _report_options(fn):
    fn = click.option("-o", "--output", type=click.Path(dir_okay=False), required=True,
                      help="Report file: .html (self-contained), .md, .csv, .json or .xlsx.")(fn)
    fn = click.option("--rotation-days", type=click.IntRange(min=1), default=90,
                      show_default=True)(fn)
    fn = click.option("--as-of", default=None, help="Judge ages as of this ISO 8601 time.")(fn)
    return _unknown_as(fn)


def _as_of(value):
    from graph.records import normalise_datetime

    return normalise_datetime(value, "--as-of") if value else None


@report.command("blast-radius")
@click.argument("node")
@click.option("--depth", type=click.IntRange(min=0), default=None, help="At most N hops.")
@_report_options
@store_options
def report_blast_radius(node, depth, output, rotation_days, as_of, unknown_as, store_config):
    """What an attacker holding NODE reaches, with the findings that involve it."""
    from reports import blast_radius_report, write_report

    data = blast_radius_report(_open(store_config), node, depth=depth, as_of=_as_of(as_of),
                               rotation_days=rotation_days, unknown_as=unknown_as)
    click.echo(f"wrote {write_report(data, output)}", err=True)


@report.command("estate")
@_report_options
@store_options
def report_estate(output, rotation_days, as_of, unknown_as, store_config):
    """The whole estate: findings by risk, riskiest nodes, shared credentials, orphans."""
    from reports import estate_report, write_report

    data = estate_report(_open(store_config), as_of=_as_of(as_of), rotation_days=rotation_days,
                         unknown_as=unknown_as)
    click.echo(f"wrote {write_report(data, output)}", err=True)


def register(group: click.Group) -> None:
    for command in (findings_cmd, report, export_cmd):
        group.add_command(command)
