"""Inbound / crown jewels: pick a resource or system (or any node) and see every workflow,
workspace, connector, secret and identity that can reach it, with the access each gets."""

from __future__ import annotations

import streamlit as st

from explorer import state
from explorer.subgraph import inbound_drawing
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

TABLE_COLUMNS = ["name", "kind", "access", "distance", "environment", "path", "id"]


def crown_jewels(store) -> list[dict]:
    return sorted(store.find_nodes("crown_jewel", True),
                  key=lambda n: str(n.get("name") or n["id"]))


def render() -> None:
    st.title("Inbound / crown jewels")
    st.caption("Who (workflows, secrets, identities...) can reach this resource or system?")
    store = open_store_or_stop()
    jewels = crown_jewels(store)
    if jewels:
        st.caption("Crown jewels in this store: "
                   + ", ".join(text(n.get("name") or n["id"]) for n in jewels))
    top = st.columns([3, 1, 1])
    with top[0]:
        node = pick_node("Target", "inbound-node",
                         kinds_first=("Resource", "System", "Vault", "Identity", "Secret"),
                         param="target")
    with top[1]:
        depth = depth_control("inbound-depth")
    with top[2]:
        unknown_as = unknown_as_control("inbound-unknown")
    if not node:
        st.info("Choose a resource, system or any other node above.")
        return
    try:
        result = state.inbound(state.store_token(), node, depth, unknown_as)
    except NhiGraphError as exc:
        show_error(exc)
        return
    s = result.summary
    cols = st.columns(5)
    for col, (label, value) in zip(cols, (
            ("Can reach it", s["sources"]), ("Workflows", s["workflows"]),
            ("Workspaces", s["workspaces"]), ("With admin", s["by_access"].get("admin", 0)),
            ("Dead credentials", len(s["dead_credentials"]))), strict=True):
        col.metric(label, value)
    show_graph(inbound_drawing(store, result), direction="in",
               title=f"Who can reach {result.header['target_name']}")
    st.subheader("Can reach it")
    frame = result.to_frame(readable=True)
    frame = frame[[c for c in TABLE_COLUMNS if c in frame.columns]]
    kinds = sorted(frame["kind"].dropna().unique()) if not frame.empty else []
    chosen = st.multiselect("Kinds", kinds, default=kinds, key="inbound-kinds")
    table(frame[frame["kind"].isin(chosen)], key="inbound-table")
    downloads(result, f"inbound-{result.header['target_name'] or node}", "inbound")


if __name__ == "__main__":
    render()
