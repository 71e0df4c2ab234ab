"""Blast radius: pick any node and see what an attacker holding it can reach, how strongly,
along which path; drawn as a graph and listed as a table to download."""

from __future__ import annotations

import streamlit as st

from explorer import defaults, store_cache, widgets
from explorer.subgraph import blast_radius_drawing

TABLE_COLUMNS = ["name", "kind", "access", "distance", "crown_jewel", "environment", "grant",
                 "path", "id"]
#: The node picker: label, widget key, kinds listed first, URL parameter, hint.
PICKER = ("Compromised node", "blast", ("Workflow", "Secret", "Identity", "Connector"), "node",
          "Choose a workflow, connector, secret, identity or workspace above.")


def render() -> None:
    st.title("Blast radius")
    st.caption("If this node is compromised, what can an attacker reach, with what access, "
               "along which path?")
    store = widgets.open_store_or_stop()
    default = defaults.for_page(("blast-node",), ("node",), defaults.blast_radius)
    node, result = widgets.picked_walk(store_cache.blast_radius, *PICKER,
                                       default=default.node if default else None)
    widgets.default_note(node, default, result.header["source_name"])
    s = result.summary
    widgets.metrics((("Reachable", s["reachable"]), ("Systems", s["systems"]),
                     ("Resources", s["resources"]), ("With admin", s["admin_targets"]),
                     ("Crown jewels", len(s["crown_jewels"])),
                     ("Max hops", s["max_distance"])))
    if s["crown_jewels"]:
        names = ", ".join(widgets.text(result.names.get(c, c)) for c in s["crown_jewels"])
        st.warning(f"Reaches crown jewels: {names}", icon=":material/diamond:")
    if s["dead_credentials"]:
        st.caption(f"{len(s['dead_credentials'])} revoked, expired or disabled credential(s) "
                   "reached but not followed (they open nothing).")
    widgets.show_graph(blast_radius_drawing(store, result), direction="out",
                       title=f"Blast radius of {result.header['source_name']}")
    st.subheader("Reachable")
    only_targets = st.toggle("Only systems, resources and vaults", value=False,
                             key="blast-only-targets")
    frame = result.to_frame(readable=True)
    frame = frame[[c for c in TABLE_COLUMNS if c in frame.columns]]
    if only_targets:
        frame = frame[frame["kind"].isin(["System", "Resource", "Vault"])]
    widgets.table(frame, key="blast-table")
    unknown_as = st.session_state.get("blast-unknown", "write")

    def report():
        from reports import blast_radius_report

        return blast_radius_report(store, node, depth=result.header["depth"],
                                   unknown_as=unknown_as)

    widgets.downloads(result, f"blast-radius-{result.header['source_name'] or node}", "blast",
                      report=report)


if __name__ == "__main__":
    render()
