"""Exposure: every entry point (who can start a workflow from outside: anyone, any GitHub
user, whoever emails an inbox or messages a bot, or the holder of a trigger's credential),
ranked by what lies behind it; the chosen one drawn from the actor through the workflow to
everything it reaches. Gated entry points and targets are kept, marked and ranked below."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from explorer import defaults, store_cache
from explorer.subgraph import exposure_drawing
from explorer.widgets import (
    default_note,
    downloads,
    metrics,
    open_store_or_stop,
    picker_table,
    show_graph,
    text,
)

COLUMNS = ["rank", "actor", "workflow", "trigger", "authentication", "gate", "crown jewels",
           "admin", "systems", "secrets", "gated"]

#: Why entry point #1 opens first (the order of :func:`queries.entry_points.entry_points`).
RANKED_FIRST = ("ranked first: an ungated outside actor reaching the most crown jewels, then "
                "admin targets, systems and secrets")


def exposure_frame(rows: list[dict], names: dict[str, str]) -> pd.DataFrame:
    return pd.DataFrame([{
        "rank": r["rank"], "actor": r["actor_name"], "workflow": r["workflow_name"],
        "trigger": r["trigger"], "authentication": r["authentication"], "gate": r["gate"] or "",
        "crown jewels": ", ".join(names.get(c, c) for c in r["crown_jewels"]),
        "admin": len(r["admin_targets"]), "systems": r["systems"], "secrets": len(r["secrets"]),
        "gated": len(r["gated_targets"]),
    } for r in rows], columns=COLUMNS)


def filter_rows(rows: list[dict], outside_only: bool, search: str) -> list[dict]:
    needle = search.strip().lower()
    return [r for r in rows if (r["outside"] or not outside_only) and
            (not needle or any(needle in str(r[k]).lower()
                               for k in ("actor", "actor_name", "workflow", "workflow_name",
                                         "trigger")))]


def render() -> None:
    st.title("Exposure")
    st.caption("Who can start work from outside (a public webhook, a form, a chat, an inbox, "
               "a pull request from anyone), and what do they reach through it?")
    store = open_store_or_stop()
    token = store_cache.store_token()
    result = store_cache.entry_points(token)
    s = result.summary
    metrics([("Entry points", s["entry_points"]), ("Outside actors", s["outside"]),
             ("Unauthenticated", s["unauthenticated"]),
             ("Reach crown jewels", s["reaching_crown_jewels"]), ("Gated", s["gated"])])
    f1, f2 = st.columns([1, 2])
    outside = f1.checkbox("Outside actors only", value=False, key="exposure-outside")
    search = f2.text_input("Search actors, workflows, triggers", key="exposure-search")
    rows = filter_rows(result.rows, outside, search)
    if not rows:
        st.info("No entry point matches." if result.rows else
                "No entry points: no workflow in the store can be started from outside.")
        return
    picker_table(exposure_frame(rows, result.names), [r["rank"] for r in rows], "exposure")
    by_rank = {r["rank"]: r for r in rows}
    rank = st.selectbox("Entry point to draw (or click a row)", list(by_rank),
                        key="exposure-pick",
                        format_func=lambda k: f"{by_rank[k]['actor_name']} \u2192 "
                                              f"{by_rank[k]['workflow_name']}")
    row = by_rank[rank]
    st.subheader("What it reaches")
    if rank == 1:
        default_note(rank, defaults.Default(1, RANKED_FIRST),
                     f"{row['actor_name']} \u2192 {row['workflow_name']}")
    st.caption(f"{text(row['actor_name'])} starts {text(row['workflow_name'])} via "
               f"{text(row['trigger'])} (authentication {row['authentication']})"
               + (f"; gated: {text(row['gate'])}" if row["gate"] else "") + ". "
               + text(row["reason"] or ""))
    if row["gated_targets"]:
        st.caption("Behind a gate: " + "; ".join(text(g) for g in row["gated_targets"]))
    br = store_cache.blast_radius(token, row["workflow"], None, "write")
    show_graph(exposure_drawing(store, row["actor"], br), direction="out",
               title=f"{row['actor_name']} through {row['workflow_name']}")

    def report():  # the blast radius drawn above, as the CLI's report writes it
        from reports import blast_radius_report

        return blast_radius_report(store, row["workflow"])

    downloads(result, "entry-points", "exposure", report=report)


if __name__ == "__main__":
    render()
