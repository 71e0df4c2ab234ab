"""Path finder: the shortest access paths from a source to a target, every hop explained."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from explorer import defaults, store_cache
from explorer.subgraph import paths_drawing
from explorer.widgets import (
    default_note,
    downloads,
    open_store_or_stop,
    pick_node,
    show_error,
    show_graph,
    table,
)
from graph.errors import NhiGraphError


def hops_text(row: dict, names: dict[str, str]) -> str:
    """One line per path: ``a -[KIND access]-> b``, with each edge's reason."""
    parts = []
    for hop in row["hops"]:
        label = hop["kind"] + (f" {hop['access']}" if hop.get("access") else "")
        why = f" ({hop['reason']})" if hop.get("reason") else ""
        parts.append(f"{names.get(hop['from'], hop['from'])} -[{label}]-> "
                     f"{names.get(hop['to'], hop['to'])}{why}")
    return "; ".join(parts)


def paths_frame(result, store) -> pd.DataFrame:
    ids = {x for row in result.rows for x in row["path"]}
    names = {i: str(n.get("name") or i) for i, n in store.get_nodes(ids).items()}
    return pd.DataFrame([{
        "rank": row["rank"], "hops": row["length"],
        "path": " -> ".join(names.get(x, x) for x in row["path"]),
        "explained": hops_text(row, names),
    } for row in result.rows], columns=["rank", "hops", "path", "explained"])


def render() -> None:
    st.title("Path finder")
    st.caption("How does access flow from one node to another? The shortest access paths, "
               "each hop with the grant or reason behind it.")
    store = open_store_or_stop()
    # A link naming either end opens on what it names; only an empty URL gets the default.
    default = defaults.for_page(("path-src", "path-dst"), ("from", "to"), defaults.path)
    left, right, lim = st.columns([3, 3, 1])
    with left:
        src = pick_node("From", "path-src", kinds_first=("Workflow", "Secret", "Identity"),
                        param="from", default=default.src if default else None)
    with right:
        dst = pick_node("To", "path-dst", kinds_first=("Resource", "System", "Identity"),
                        param="to", default=default.dst if default else None)
    with lim:
        limit = int(st.number_input("At most", min_value=1, max_value=50,
                                    value=defaults.PATH_LIMIT, key="path-limit"))
    if default and (src, dst) == (default.src, default.dst):
        ends = {i: str(n.get("name") or i) for i, n in store.get_nodes([src, dst]).items()}
        default_note(src, defaults.Default(src, default.reason),
                     f"{ends.get(src, src)} \u2192 {ends.get(dst, dst)}")
    if not (src and dst):
        st.info("Choose where access starts and where it should end.")
        return
    try:
        result = store_cache.shortest_paths(store_cache.store_token(), src, dst, limit)
    except NhiGraphError as exc:
        show_error(exc)
        return
    if not result.rows:
        st.warning("No access path from the first node to the second.")
        return
    st.metric("Shortest path length (hops)", result.summary["length"])
    show_graph(paths_drawing(store, result), direction="out", title="Shortest access paths")
    st.subheader("Paths")
    table(paths_frame(result, store), key="path-table")

    def report():
        from reports import paths_report

        return paths_report(store, src, dst, limit=limit)

    downloads(result, "paths", "paths", report=report)


if __name__ == "__main__":
    render()
