"""Shared credentials: clusters of workflows that share secrets or identities, filtered, and
the chosen cluster drawn with the workflows, credentials and what they open."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from explorer import defaults, store_cache
from explorer.widgets import (
    default_note,
    downloads,
    open_store_or_stop,
    picker_table,
    show_graph,
    table,
    text,
)

#: Names shown in one cell of the clusters table; the rest are counted (a cluster of thousands
#: of workflows otherwise puts megabytes of names in the table). Downloads keep every id.
CELL_ITEMS = 5
COLUMNS = ["cluster", "size", "mixed_environments", "environments", "workspaces", "secrets",
           "identities", "reaches"]


def filter_clusters(rows: list[dict], mixed_only: bool, search: str,
                    names: dict[str, str]) -> list[dict]:
    """Clusters that mix prod and non-prod (when asked) and mention ``search`` in any id or
    name of their workflows, credentials or what they reach."""
    needle = search.strip().lower()
    out = []
    for row in rows:
        if mixed_only and not row["mixed_environments"]:
            continue
        if needle:
            ids = row["workflows"] + row["secrets"] + row["identities"] + row["reaches"]
            if not any(needle in i.lower() or needle in names.get(i, "").lower()
                       for i in ids):
                continue
        out.append(row)
    return out


def clusters_frame(rows: list[dict], names: dict[str, str]) -> pd.DataFrame:
    def show(ids):
        shown = ", ".join(names.get(i, i) for i in ids[:CELL_ITEMS])
        return shown + (f" (+{len(ids) - CELL_ITEMS} more)" if len(ids) > CELL_ITEMS else "")

    return pd.DataFrame([{
        "cluster": r["cluster"], "size": r["size"], "mixed_environments": r["mixed_environments"],
        "environments": ", ".join(r["environments"]), "workspaces": show(r["workspaces"]),
        "secrets": show(r["secrets"]), "identities": show(r["identities"]),
        "reaches": show(r["reaches"]),
    } for r in rows], columns=COLUMNS)


def opening_cluster(rows: list[dict], node: str | None,
                    names: dict[str, str]) -> defaults.Default | None:
    """The cluster the page opens on: the one holding the URL's ``?node=`` (a workflow,
    secret, identity or workspace of it), else the biggest."""
    if node:
        for r in rows:
            if node in r["workflows"] + r["secrets"] + r["identities"] + r["workspaces"]:
                return defaults.Default(r["cluster"], f"it holds {names.get(node, node)}, "
                                                      "named in the link")
    number = defaults.biggest_cluster(rows)
    if number is None:
        return None
    size = next(r["size"] for r in rows if r["cluster"] == number)
    return defaults.Default(number, f"the biggest cluster, {size} workflows share its "
                                    "credentials")


def render() -> None:
    st.title("Shared credentials")
    st.caption("Which secrets and identities are reused across workflows, workspaces or "
               "environments, so one leak opens many doors?")
    store = open_store_or_stop()
    token = store_cache.store_token()
    f1, f2, f3 = st.columns([1, 1, 2])
    min_wf = int(f1.number_input("At least N workflows share", min_value=2, value=2,
                                 key="shared-min"))
    mixed_only = f2.toggle("Only prod mixed with non-prod", value=False, key="shared-mixed")
    search = f3.text_input("Search names and ids", key="shared-search")
    result = store_cache.shared_credentials(token, min_wf)
    # Names of every member only when a search needs them; else those the page shows.
    keys = ("workflows", "secrets", "identities", "reaches", "workspaces")
    ids = {i for r in result.rows for k in keys
           for i in (r[k] if search.strip() else r[k][:CELL_ITEMS])}
    ids.update(i for r in result.rows for i in r["mixing_credentials"])
    if st.query_params.get("node"):
        ids.add(st.query_params["node"])
    names = {i: str(n.get("name") or i) for i, n in store.get_nodes(ids).items()}
    rows = filter_clusters(result.rows, mixed_only, search, names)
    s = result.summary
    st.caption(f"{s['clusters']} cluster(s), {s['mixed_environment_clusters']} mixing prod "
               f"and non-prod; {s['shared_credentials']} shared credential(s) across "
               f"{s['workflows_involved']} workflow(s). Showing {len(rows)}.")
    if not rows:
        st.info("No cluster matches.")
        return
    numbers = [r["cluster"] for r in rows]
    default = opening_cluster(result.rows, st.query_params.get("node"), names)
    picker_table(clusters_frame(rows, names), numbers, "shared",
                 default=default.node if default else None)
    by_number = {r["cluster"]: r for r in rows}
    number = st.selectbox("Cluster to draw (or click a row)", numbers, key="shared-pick",
                          format_func=lambda n: f"#{n}: {by_number[n]['size']} workflows")
    row = by_number[number]
    st.subheader(f"Cluster #{number}")
    default_note(number, default, f"cluster #{number}")
    if row["mixed_environments"]:
        mixing = ", ".join(text(names.get(c, c)) for c in row["mixing_credentials"])
        st.warning(f"Mixes production and non-production through: {mixing}",
                   icon=":material/warning:")
    drawn, full = store_cache.cluster_drawing(token, min_wf, number)
    show_graph(drawn, layout="physics", title=f"Shared-credential cluster {number}",
               full=full)
    listed = row["credentials"]
    shown = store_cache.CREDENTIALS_SHOWN
    if len(listed) > shown:
        listed = sorted(listed, key=lambda c: (-len(c["workflows"]), c["id"]))[:shown]
        st.caption(f"The {shown} most shared of its {len(row['credentials'])} "
                   "credentials; Download JSON below lists every one.")
    creds = pd.DataFrame([{
        "name": c["name"], "kind": c["kind"], "workflows": len(c["workflows"]),
        "environments": ", ".join(c["environments"]),
        "mixed_environments": c["mixed_environments"], "id": c["id"],
    } for c in listed])
    table(creds, key="shared-creds")
    def report():
        from reports import cluster_report

        return cluster_report(store, number, min_workflows=min_wf)

    downloads(result, f"shared-credential-cluster-{number}", "shared", report=report)


if __name__ == "__main__":
    render()
