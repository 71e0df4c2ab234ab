"""The ``findings``, ``report`` and ``export`` commands: thin wrappers over
``queries.findings``, ``reports`` and ``reports.export`` that open the configured
store and print or write what those return.
"""

from __future__ import annotations

import sys

import click

from cli.plumbing import (
    ErrorGroup,
    as_of,
    depth_option,
    emit,
    note,
    open_configured,
    store_options,
    unknown_as,
)

SEVERITY_CHOICE = click.Choice(["critical", "high", "medium", "low", "info"])


@click.command("findings")
@click.option("--fail-on", type=SEVERITY_CHOICE, default=None,
              help="Exit 1 when a finding at or above this severity exists (CI gating).")
@click.option("--min-severity", type=SEVERITY_CHOICE, default=None,
              help="Leave out findings below this severity.")
@click.option("--rule", "rules", multiple=True, help="Only this rule id (repeatable).")
@click.option("--rotation-days", type=click.IntRange(min=1), default=90, show_default=True,
              help="Rotation policy for long-lived secrets (NHI7).")
@click.option("--as-of", "as_of_time", default=None,
              help="Judge ages and expiry as of this ISO 8601 time.")
@click.option("--baseline", type=click.Path(exists=True, dir_okay=False), default=None,
              help="Show only findings not in this baseline (or whose acceptance expired).")
@click.option("--write-baseline", type=click.Path(dir_okay=False), default=None,
              help="Write the findings shown as a baseline file (reasons/expiry kept from "
                   "--baseline).")
@unknown_as
@click.option("-o", "--output", type=click.Path(dir_okay=False), default=None,
              help="Write to this file instead of standard output.")
@click.option("--format", "fmt", type=click.Choice(["table", "json", "csv", "sarif"]),
              default="table", show_default=True)
@store_options
def findings_cmd(fail_on, min_severity, rules, rotation_days, as_of_time, baseline,
                 write_baseline, unknown_as, fmt, output, store_config):
    """Risks mapped to the OWASP NHI Top 10 (2025) and NIST CSF 2.0, highest risk first."""
    from queries.findings import at_or_above, findings

    store = open_configured(store_config)
    result = findings(store, as_of=as_of(as_of_time),
                      rotation_days=rotation_days, unknown_as=unknown_as, rules=rules or None,
                      min_severity=min_severity)
    known = None
    if baseline:
        from queries.baseline import apply_baseline, load_baseline

        known = load_baseline(baseline)
        result.rows = apply_baseline(result.rows, known, result.header["as_of"])
        result.summary["baseline"] = {"file": baseline, "not_in_baseline": len(result.rows)}
    if write_baseline:
        from queries.baseline import write_baseline as write

        all_rows = findings(store, as_of=result.header["as_of"], rotation_days=rotation_days,
                            unknown_as=unknown_as, rules=rules or None,
                            min_severity=min_severity).rows if baseline else result.rows
        note(f"wrote {write_baseline}: {write(write_baseline, all_rows, known)} finding(s)")
    if fmt == "sarif":
        _emit_sarif(store, result.rows, output)
    elif fmt == "table":  # nodes and remediation are in the JSON/CSV; a terminal needs less
        result.columns = ("severity", "risk", "owasp", "rule", "detail")
    if fmt != "sarif":
        emit(result, fmt, output, "Findings (OWASP NHI Top 10 2025)")
    if fail_on and at_or_above(result.rows, fail_on):
        click.echo(f"{len(at_or_above(result.rows, fail_on))} finding(s) at or above "
                   f"{fail_on}", err=True)
        sys.exit(1)


def _emit_sarif(store, rows, output) -> None:
    from importlib.metadata import PackageNotFoundError, version
    from pathlib import Path

    from reports.sarif import sarif_text

    try:
        ver = version("nhigraph")
    except PackageNotFoundError:  # pragma: no cover - run from a checkout
        ver = "0"
    text = sarif_text(rows, store.get_nodes({n for f in rows for n in f["nodes"]}), ver)
    if output:
        Path(output).write_text(text, encoding="utf-8")
        note(f"wrote {output}")
    else:
        click.echo(text, nl=False)


@click.command("export")
@click.option("--format", "fmt", type=click.Choice(["opengraph", "graphml", "json"]),
              required=True, help="opengraph (BloodHound, plus <stem>.extension.json), "
              "graphml (networkx, Gephi) or json (re-ingestable inventory).")
@click.option("-o", "--output", type=click.Path(dir_okay=False), required=True)
@store_options
def export_cmd(fmt, output, store_config):
    """Export the whole graph for BloodHound, Gephi/networkx or another nhigraph."""
    from reports.export import export

    for path in export(open_configured(store_config), fmt, output):
        note(f"wrote {path}")


@click.group(cls=ErrorGroup)
def report():
    """Write a report; the format comes from the file extension (.html .md .csv .json .xlsx)."""


def _report_options(fn):
    fn = store_options(fn)
    fn = click.option("-o", "--output", type=click.Path(dir_okay=False), required=True,
                      help="Report file: .html (self-contained), .md, .csv, .json or .xlsx.")(fn)
    fn = click.option("--rotation-days", type=click.IntRange(min=1), default=90,
                      show_default=True)(fn)
    fn = click.option("--as-of", "as_of_time", default=None,
                      help="Judge ages as of this ISO 8601 time.")(fn)
    return unknown_as(fn)


@report.command("blast-radius")
@click.argument("node")
@depth_option
@_report_options
def report_blast_radius(node, depth, **options):
    """What an attacker holding NODE reaches, with the findings that involve it."""
    from reports import blast_radius_report

    _write(blast_radius_report, node, depth=depth, **options)


@report.command("estate")
@_report_options
def report_estate(**options):
    """The whole estate: findings by risk, riskiest nodes, shared credentials, orphans."""
    from reports import estate_report

    _write(estate_report, **options)


def _write(build, *args, output, rotation_days, as_of_time, unknown_as, store_config,
           **kwargs):
    from reports import write_report

    data = build(open_configured(store_config), *args, as_of=as_of(as_of_time),
                 rotation_days=rotation_days, unknown_as=unknown_as, **kwargs)
    note(f"wrote {write_report(data, output)}")


COMMANDS = (findings_cmd, report, export_cmd)
