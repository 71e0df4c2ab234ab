"""Blast radius: pick any node and see what an attacker holding it can reach, how strongly,
along which path; drawn as a graph and listed as a table to download."""

from __future__ import annotations

import streamlit as st

from explorer import state
from explorer.subgraph import blast_radius_drawing
from explorer.widgets import (
    depth_control,
    downloads,
    open_store_or_stop,
    pick_node,
    show_error,
    show_graph,
    table,
    text,
    unknown_as_control,
)
from graph.errors import NhiGraphError

TABLE_COLUMNS = ["name", "kind", "access", "distance", "crown_jewel", "environment", "grant",
                 "path", "id"]


def render() -> None:
    st.title("Blast radius")
    st.caption("If this node is compromised, what can an attacker reach, with what access, "
               "along which path?")
    store = open_store_or_stop()
    top = st.columns([3, 1, 1])
    with top[0]:
        node = pick_node("Compromised node", "blast-node",
                         kinds_first=("Workflow", "Secret", "Identity", "Connector"),
                         param="node")
    with top[1]:
        depth = depth_control("blast-depth")
    with top[2]:
        unknown_as = unknown_as_control("blast-unknown")
    if not node:
        st.info("Choose a workflow, connector, secret, identity or workspace above.")
        return
    try:
        result = state.blast_radius(state.store_token(), node, depth, unknown_as)
    except NhiGraphError as exc:
        show_error(exc)
        return
    s = result.summary
    cols = st.columns(6)
    for col, (label, value) in zip(cols, (
            ("Reachable", s["reachable"]), ("Systems", s["systems"]),
            ("Resources", s["resources"]), ("With admin", s["admin_targets"]),
            ("Crown jewels", len(s["crown_jewels"])), ("Max hops", s["max_distance"])),
            strict=True):
        col.metric(label, value)
    if s["crown_jewels"]:
        names = ", ".join(text(result.names.get(c, c)) for c in s["crown_jewels"])
        st.warning(f"Reaches crown jewels: {names}", icon=":material/diamond:")
    if s["dead_credentials"]:
        st.caption(f"{len(s['dead_credentials'])} revoked, expired or disabled credential(s) "
                   "reached but not followed (they open nothing).")
    show_graph(blast_radius_drawing(store, result), direction="out",
               title=f"Blast radius of {result.header['source_name']}")
    st.subheader("Reachable")
    only_targets = st.toggle("Only systems, resources and vaults", value=False,
                             key="blast-only-targets")
    frame = result.to_frame(readable=True)
    frame = frame[[c for c in TABLE_COLUMNS if c in frame.columns]]
    if only_targets:
        frame = frame[frame["kind"].isin(["System", "Resource", "Vault"])]
    table(frame, key="blast-table")
    downloads(result, f"blast-radius-{result.header['source_name'] or node}", "blast")


if __name__ == "__main__":
    render()
