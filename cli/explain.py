"""``nhigraph explain NODE``: one screen about one node (see :mod:`queries.explain`, which
assembles it); this module only renders it as text or JSON, and with ``--open`` starts the
explorer on the node when on a terminal, or prints its link when not (:mod:`cli.launch`)."""

from __future__ import annotations

import click

from cli.plumbing import (
    as_of,
    complete_node,
    open_configured,
    store_options,
    unknown_as,
    write_output,
)
from graph.safe_output import terminal_safe


def _counts(d: dict) -> str:
    return ", ".join(f"{k} {v}" for k, v in d.items()) or "none"


def _targets(targets: list[dict], most: int = 6) -> str:
    """A finding's targets by name, crown jewels first and marked, at most ``most``."""
    ordered = sorted(targets, key=lambda t: not t["crown_jewel"])
    names = [t["name"] + (" (crown jewel)" if t["crown_jewel"] else "") for t in ordered[:most]]
    more = len(targets) - most
    return ", ".join(names) + (f" and {more} more" if more > 0 else "")


def render(e) -> str:
    """An :class:`~queries.explain.Explanation` as lines of plain text."""
    n = e.node
    lines = [f"{n.get('name', n['id'])}  ({n.get('kind', '?')}, id {n['id']})"]
    lines += [f"  {k}: {v}" for k, v in n.items() if k not in ("id", "name", "kind")]
    lines.append("owner: " + (", ".join(f"{o['name']} ({o['status']})" for o in e.owners)
                              or "none"))
    r = e.reaches
    lines.append(f"reaches: {r['nodes']} nodes; by access: {_counts(r['by_access'])}")
    lines.append("  crown jewels: " + (", ".join(r["crown_jewels"]) or "none"))
    b = e.reached_by
    lines.append(f"reached by: {b['nodes']} nodes ({_counts(b['by_kind'])})")
    lines.append(f"entry points in front: {len(e.entry_points)}")
    lines += [f"  {p['actor']} -> {p['workflow']} ({p.get('trigger') or '?'}; gate: "
              f"{p.get('gate') or 'none'})" for p in e.entry_points[:10]]
    lines.append(f"findings: {len(e.findings)}")
    for f in e.findings:
        lines.append(f"  [{f['severity']}] {f['rule']} {f['owasp']}: {f['title']}")
        if f["targets"]:
            lines.append("    -> " + _targets(f["targets"]))
    if e.risk:
        lines.append("risk: " + ", ".join(f"{k} {v}" for k, v in e.risk.items()))
    return terminal_safe("\n".join(lines) + "\n")


@click.command("explain")
@click.argument("node", shell_complete=complete_node)
@click.option("--as-of", "as_of_text", default=None, help="Judge ages and expiry at this time.")
@click.option("--open", "open_it", is_flag=True,
              help="Start the explorer on this node (only print its link when not on a "
              "terminal).")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table")
@click.option("-o", "--output", type=click.Path(dir_okay=False), default=None)
@unknown_as
@store_options
def explain_cmd(node, as_of_text, open_it, fmt, output, unknown_as, store_config):
    """Everything about one NODE: what it is, owner, reach, who reaches it, findings, risk."""
    from queries.explain import explain

    e = explain(open_configured(store_config), node, as_of=as_of(as_of_text),
                unknown_as=unknown_as)
    text = e.to_json() + "\n" if fmt == "json" else render(e)
    if output:
        write_output(output, text)
    else:
        click.echo(text, nl=False)
    if open_it:
        from cli.launch import open_explorer

        open_explorer(e.node, store_config)


COMMANDS = (explain_cmd,)
