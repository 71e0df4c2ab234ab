"""Inbound / crown jewels: pick a resource or system (or any node) and see every workflow,
workspace, connector, secret and identity that can reach it, with the access each gets."""

from __future__ import annotations

import streamlit as st

from explorer import store_cache, widgets
from explorer.subgraph import inbound_drawing

TABLE_COLUMNS = ["name", "kind", "access", "distance", "environment", "path", "id"]
#: The node picker: label, widget key, kinds listed first, URL parameter, hint.
PICKER = ("Target", "inbound", ("Resource", "System", "Vault", "Identity", "Secret"), "target",
          "Choose a resource, system or any other node above.")


def crown_jewels(store) -> list[dict]:
    return sorted(store.find_nodes("crown_jewel", True),
                  key=lambda n: str(n.get("name") or n["id"]))


def render() -> None:
    st.title("Inbound / crown jewels")
    st.caption("Who (workflows, secrets, identities...) can reach this resource or system?")
    store = widgets.open_store_or_stop()
    jewels = crown_jewels(store)
    if jewels:
        st.caption("Crown jewels in this store: "
                   + ", ".join(widgets.text(n.get("name") or n["id"]) for n in jewels))
    node, result = widgets.picked_walk(store_cache.inbound, *PICKER)
    s = result.summary
    widgets.metrics((("Can reach it", s["sources"]), ("Workflows", s["workflows"]),
                     ("Workspaces", s["workspaces"]),
                     ("With admin", s["by_access"].get("admin", 0)),
                     ("Dead credentials", len(s["dead_credentials"]))))
    widgets.show_graph(inbound_drawing(store, result), direction="in",
                       title=f"Who can reach {result.header['target_name']}")
    st.subheader("Can reach it")
    frame = result.to_frame(readable=True)
    frame = frame[[c for c in TABLE_COLUMNS if c in frame.columns]]
    kinds = sorted(frame["kind"].dropna().unique()) if not frame.empty else []
    chosen = st.multiselect("Kinds", kinds, default=kinds, key="inbound-kinds")
    widgets.table(frame[frame["kind"].isin(chosen)], key="inbound-table")
    widgets.downloads(result, f"inbound-{result.header['target_name'] or node}", "inbound")


if __name__ == "__main__":
    render()
