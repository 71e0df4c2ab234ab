"""Changes: pick two snapshots of the store (or the live store) and see what changed
between them, as ``nhigraph diff`` reports it: crown-jewel paths gained and lost, findings
opened and closed (by their stable ids), blast radii, sharing, orphans and entry points,
with the totals before and after and the rows filtered by kind of change."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from explorer.widgets import downloads, open_store_or_stop, show_error, table
from graph.errors import NhiGraphError
from graph.snapshot import Shelf
from queries.drift import diff

CURRENT = "current"
COLUMNS = ["change", "severity", "subject", "target", "rule", "detail"]


def changes_frame(rows: list[dict], kinds) -> pd.DataFrame:
    frame = pd.DataFrame([r for r in rows if r["change"] in kinds])
    if frame.empty:
        return pd.DataFrame(columns=COLUMNS)
    return frame[[c for c in COLUMNS if c in frame.columns]]


def render() -> None:
    st.title("Changes")
    st.caption("What changed between two snapshots: new and lost access paths to crown "
               "jewels, findings opened and closed, entry points, with the ids `nhigraph "
               "diff` uses.")
    store = open_store_or_stop()
    shelf = Shelf(store)
    names = [m["name"] for m in shelf.list()] + [CURRENT]
    if len(names) < 2:
        st.info("No snapshot yet: `nhigraph snapshot save NAME` keeps one (`nhigraph demo` "
                "saves two quarters of the sample estate).")
        return
    a, b = st.columns(2)
    old = a.selectbox("From", names, index=len(names) - 3 if len(names) > 2 else 0,
                      key="changes-from")
    new = b.selectbox("To", names, index=len(names) - 2 if len(names) > 2 else 1,
                      key="changes-to")
    try:
        _, before = shelf.resolve(old)
        _, after = shelf.resolve(new)
        result = diff(before, after, labels=(old, new))
    except NhiGraphError as exc:
        show_error(exc)
        return
    s = result.summary
    cols = st.columns(4)
    cols[0].metric("Changes", s["changes"])
    cols[1].metric("Crown-jewel paths", s["jewel_paths"]["after"],
                   s["jewel_paths"]["after"] - s["jewel_paths"]["before"], delta_color="inverse")
    cols[2].metric("Findings", s["findings"]["after"],
                   s["findings"]["after"] - s["findings"]["before"], delta_color="inverse")
    cols[3].metric("Total risk", s["risk"]["after"], s["risk"]["change"], delta_color="inverse")
    by = s["by_change"]
    kinds = st.multiselect("Kinds of change", sorted(by), default=sorted(by),
                           format_func=lambda k: f"{k} ({by[k]})", key="changes-kinds")
    table(changes_frame(result.rows, kinds), key="changes-table")
    downloads(result, f"diff-{old}-{new}", "changes")


if __name__ == "__main__":
    render()
