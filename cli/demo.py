"""``nhigraph demo`` (load the bundled sample estate and print what it shows) and
``nhigraph generate`` (write a synthetic estate for scale tests).
"""

from __future__ import annotations

import click

from cli.plumbing import open_configured, report_write, store_options, warm_explorer
from graph.errors import InputError
from graph.terminal import show_progress


@click.command()
@click.option("--replace", is_flag=True, help="Replace whatever the store holds.")
@store_options
def demo(replace, store_config):
    """Load the bundled sample estate and print a summary of what it shows."""
    import sample_estate
    from queries import blast_radius, orphaned_paths, shared_credentials

    store = open_configured(store_config, create=True)
    sources = sample_estate.sources()
    names = {s["source"] for s in sources}
    held = {r["source"] for r in store.runs()} if not store.is_empty() else set()
    if held - names and not replace:
        raise InputError(f"the store at {store.location} holds other data "
                         f"({sorted(held - names)[0]}); use --replace or another --store")
    foreign = store.foreign_data()  # a Neo4j database's own data
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
    _drift_summary(store)
    click.echo("next: nhigraph blast-radius NODE | inbound NODE | shared-credentials | orphans")
    warm_explorer(store_config)  # last: the snapshots above rewrite the manifest


def _drift_summary(store) -> None:
    """Save the sample's two quarters as snapshots and print what changed between them."""
    from graph.snapshot import Shelf
    from queries.drift import diff
    from sample_estate.quarters import NAMES, save_quarters

    save_quarters(store)
    shelf = Shelf(store)
    r = diff(shelf.resolve(NAMES[0])[1], shelf.resolve(NAMES[1])[1])
    by = r.summary["by_change"]
    click.echo(f"drift {NAMES[0]} -> {NAMES[1]}: "
               + ", ".join(f"{k}={v}" for k, v in by.items() if not k.startswith(("node",
                                                                                  "edge"))))
    for row in r.rows:
        if row["change"] == "jewel-path-gained" and row["subject"].startswith("workflow:"):
            click.echo(f"  new path: {row['subject']} -> {row['target']} ({row['access']})")
    click.echo(f"  (nhigraph diff --from {NAMES[0]} --to {NAMES[1]})")


@click.command("generate")
@click.option("--nodes", "n_nodes", type=click.IntRange(min=100), required=True,
              help="How many nodes (about three edges each).")
@click.option("--seed", type=int, default=0, show_default=True,
              help="The same seed gives the same files.")
@click.option("-o", "--output", "out_dir", type=click.Path(file_okay=False), required=True,
              help="Folder to write the CSV inventory into.")
@click.option("--shape", type=click.Choice(["default", "heavy-sharing"]), default="default",
              show_default=True,
              help="heavy-sharing: add a hub credential used by 10,000 workflows and a "
                   "cluster of 1,000 joined by shared secrets (at 100k nodes, scaled).")
def generate_cmd(n_nodes, seed, out_dir, shape):
    """Write a synthetic enterprise estate (CSV inventory folder) for scale tests."""
    from ingest.synthetic_estate import generate

    def progress(done, total):  # a count on a terminal only, as progress bars are
        if show_progress():
            click.echo(f"generated {done}/{total} nodes", err=True)

    out = generate(n_nodes, seed, out_dir, progress=progress, shape=shape)
    nodes = sum(v for k, v in out.items() if k not in ("edges", "owned"))
    click.echo(f"wrote {nodes} nodes and {out['edges'] + out['owned']} edges to {out_dir}")


COMMANDS = (demo, generate_cmd)
