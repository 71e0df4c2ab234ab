"""Orphaned paths: access with no accountable owner, or that outlived its workflow,
filtered by reason and kind; the chosen row drawn as what that node still opens."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from explorer import store_cache
from explorer.subgraph import blast_radius_drawing
from explorer.widgets import downloads, open_store_or_stop, picker_table, show_graph, text
from queries.orphans import REASONS

COLUMNS = ["name", "kind", "reason", "detail", "owner", "environment", "reaches", "node"]


def filter_orphans(rows: list[dict], reasons, kinds, search: str) -> list[dict]:
    needle = search.strip().lower()
    return [r for r in rows if r["reason"] in reasons and r["kind"] in kinds
            and (not needle or needle in r["node"].lower() or needle in r["name"].lower())]


def orphans_frame(rows: list[dict], names: dict[str, str]) -> pd.DataFrame:
    return pd.DataFrame([{
        "name": r["name"], "kind": r["kind"], "reason": r["reason"], "detail": r["detail"],
        "owner": ", ".join(names.get(o, o) for o in r["owner"]) or "(none)",
        "environment": r.get("environment", "unknown"),
        "reaches": ", ".join(names.get(x, x) for x in r["reaches"]), "node": r["node"],
    } for r in rows], columns=COLUMNS)


def render() -> None:
    st.title("Orphaned paths")
    st.caption("Which access paths have no accountable owner, belong to retired workflows, "
               "or hang on credentials nobody uses but that still work?")
    store = open_store_or_stop()
    token = store_cache.store_token()
    result = store_cache.orphaned_paths(token)
    s = result.summary
    st.caption(f"{s['orphans']} orphaned path(s) on {s['nodes']} node(s): "
               + ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in s["by_reason"].items()))
    all_kinds = sorted({r["kind"] for r in result.rows})
    f1, f2, f3 = st.columns([2, 1, 2])
    reasons = f1.multiselect("Reasons", REASONS, default=list(REASONS), key="orphan-reasons")
    kinds = f2.multiselect("Kinds", all_kinds, default=all_kinds, key="orphan-kinds")
    search = f3.text_input("Search names and ids", key="orphan-search")
    rows = filter_orphans(result.rows, reasons, kinds, search)
    if not rows:
        st.info("No orphaned path matches.")
        return
    ids = {i for r in result.rows for i in r["owner"] + r["reaches"]}
    names = {i: str(n.get("name") or i) for i, n in store.get_nodes(ids).items()}
    keys = [f"{r['node']}|{r['reason']}" for r in rows]
    picker_table(orphans_frame(rows, names), keys, "orphan")
    by_key = dict(zip(keys, rows, strict=True))
    key = st.selectbox("Orphan to draw (or click a row)", keys, key="orphan-pick",
                       format_func=lambda k: f"{by_key[k]['name']} \u00b7 "
                                             f"{by_key[k]['reason'].replace('_', ' ')}")
    row = by_key[key]
    st.subheader("What it still opens")
    st.caption(f"{text(row['name'])} ({row['kind']}): {text(row['detail'])}")
    br = store_cache.blast_radius(token, row["node"], None, "write")
    show_graph(blast_radius_drawing(store, br), direction="out",
               title=f"What {row['name']} still opens")

    def report():  # the blast radius drawn above, as the CLI's report writes it
        from reports import blast_radius_report

        return blast_radius_report(store, row["node"])

    downloads(result, "orphaned-paths", "orphans", report=report)


if __name__ == "__main__":
    render()
