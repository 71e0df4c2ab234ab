"""The planning commands: ``what-if`` (:func:`queries.what_if.what_if`: apply revocations,
rotations, splits, grant removals, retirements and MFA requirements to an in-memory copy and print the delta
and what would break) and ``cut`` (:func:`queries.cut.cut`: the cheapest edge removals
separating a source from a target or every crown jewel). Neither writes to the store.
"""

from __future__ import annotations

import click

from cli.history import DIFF_FORMATS, emit_change
from cli.plumbing import as_of, emit, open_configured, output_options, store_options, unknown_as


@click.command("what-if")
@click.option("--revoke", multiple=True, metavar="SECRET", help="Revoke this credential.")
@click.option("--rotate", multiple=True, metavar="SECRET",
              help="Rotate it: copies of the old value stop working.")
@click.option("--split", multiple=True, metavar="SECRET",
              help="Give each workflow holding it its own credential.")
@click.option("--remove-grant", multiple=True, metavar="SRC->DST|SRC-KIND->DST",
              help="Remove the access edge(s) from SRC to DST.")
@click.option("--retire", multiple=True, metavar="WORKFLOW", help="Retire this workflow.")
@click.option("--add-mfa", multiple=True, metavar="ROLE|USER|WORKFLOW",
              help="Require MFA on this AWS role's trust, IAM user's keys or workflow's "
                   "triggers: non-human callers lose it.")
@click.option("--as-of", "as_of_time", default=None)
@unknown_as
@click.option("--format", "fmt", type=DIFF_FORMATS, default="table", show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False), default=None)
@store_options
def what_if_cmd(revoke, rotate, split, remove_grant, retire, add_mfa, as_of_time, unknown_as,
                fmt, output, store_config):
    """What changes, and what would break, if these changes were made (never applied)."""
    from graph.errors import InputError
    from queries.what_if import Plan, what_if

    plan = Plan(list(revoke), list(rotate), list(split), list(remove_grant), list(retire),
                add_mfa=list(add_mfa))
    if plan.is_empty():
        raise InputError("what-if needs at least one of --revoke, --rotate, --split, "
                         "--remove-grant, --retire, --add-mfa")
    result = what_if(open_configured(store_config), plan, as_of=as_of(as_of_time),
                     unknown_as=unknown_as)
    emit_change(result, fmt, output, "What if")


@click.command("cut")
@click.argument("source")
@click.option("--to", "target", default="every-crown-jewel", show_default=True,
              metavar="TARGET|every-crown-jewel")
@click.option("--as-of", "as_of_time", default=None)
@click.option("--no-delta", is_flag=True,
              help="Only the cut: skip the what-if delta and what would break (fast).")
@unknown_as
@output_options
@store_options
def cut_cmd(source, target, as_of_time, no_delta, unknown_as, fmt, output, store_config):
    """The cheapest set of edge removals separating SOURCE from TARGET."""
    from queries.cut import cut

    result = cut(open_configured(store_config), source, target, as_of=as_of(as_of_time),
                 unknown_as=unknown_as, with_delta=not no_delta)
    emit(result, fmt, output, f"Cut {result.header['source']} -> {target}")
    if fmt == "table":
        for b in result.header.get("would_break", []):
            click.echo(f"would break: {b['subject']} {b['detail']}")


COMMANDS = (what_if_cmd, cut_cmd)
