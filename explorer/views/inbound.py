"""Inbound / crown jewels: pick a resource or system (or any node) and see every workflow,
workspace, connector, secret and identity that can reach it, with the access each gets."""

from __future__ import annotations

import streamlit as st

from explorer import defaults, store_cache, widgets
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
    default = defaults.for_page(("inbound-node",), ("target",), defaults.inbound)
    node, result = widgets.picked_walk(store_cache.inbound, *PICKER,
                                       default=default.node if default else None)
    widgets.default_note(node, default, result.header["target_name"])
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
    if st.session_state.get("inbound-kinds-of") != node:  # a new target lists all its kinds
        st.session_state["inbound-kinds-of"] = node
        st.session_state.pop("inbound-kinds", None)
    chosen = st.multiselect("Kinds", kinds, default=kinds, key="inbound-kinds")
    widgets.table(frame[frame["kind"].isin(chosen)], key="inbound-table")
    unknown_as = st.session_state.get("inbound-unknown", "write")

    def report():
        from reports import inbound_report

        return inbound_report(store, node, depth=result.header["depth"], unknown_as=unknown_as)

    widgets.downloads(result, f"inbound-{result.header['target_name'] or node}", "inbound",
                      report=report)


if __name__ == "__main__":
    render()
