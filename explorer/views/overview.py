"""Overview: what the store holds, findings by severity, the workflows and secrets with the
largest blast radius, and how blast radius and credential sharing are distributed."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from explorer import defaults, store_cache
from explorer.widgets import open_store_or_stop, picker_table, table, text

SEVERITIES = defaults.SEVERITY_ORDER
TOP = 10


def kind_counts(stats: dict) -> pd.DataFrame:
    return pd.DataFrame({"kind": list(stats["nodes_by_kind"]),
                         "nodes": list(stats["nodes_by_kind"].values())})


def blast_distribution(counts: list[list]) -> pd.DataFrame:
    """How many workflows and secrets reach N systems and resources, for each N, from the
    ranking's ``[targets, kind, count]`` (over every workflow and secret, not only the
    ranked ones)."""
    frame = pd.DataFrame(counts or [], columns=["targets", "kind", "count"])
    if frame.empty:
        return pd.DataFrame(columns=["systems and resources reached", "Workflow", "Secret"])
    counts = frame.pivot_table(index="targets", columns="kind", values="count",
                               aggfunc="sum", fill_value=0)
    counts = counts.reindex(columns=["Workflow", "Secret"], fill_value=0)
    counts.index.name = "systems and resources reached"
    return counts


def render() -> None:
    st.title("Overview")
    open_store_or_stop()
    token = store_cache.store_token()
    stats = store_cache.stats(token)
    st.caption(f"{stats['backend']} store at {text(stats['location'])} \u00b7 "
               f"{stats['runs']} ingest run(s)")
    by_kind = stats["nodes_by_kind"]
    cols = st.columns(6)
    for col, (label, value) in zip(cols, (
            ("Nodes", stats["nodes"]), ("Edges", stats["edges"]),
            ("Workflows", by_kind.get("Workflow", 0)), ("Secrets", by_kind.get("Secret", 0)),
            ("Identities", by_kind.get("Identity", 0)),
            ("Systems + resources", by_kind.get("System", 0) + by_kind.get("Resource", 0))),
            strict=True):
        col.metric(label, value)

    left, right = st.columns(2)
    with left:
        st.subheader("Nodes by kind")
        st.bar_chart(kind_counts(stats), x="kind", y="nodes", horizontal=True, height=280)
    with right:
        st.subheader("Findings by severity")
        # Findings are the slow part of a first visit (seconds on a large estate): the rest
        # of the page is drawn first and the findings fill this slot at the end.
        findings_slot = st.container()

    # On a large store the whole-estate analyses run in the background: the figures above
    # are shown at once and each part below fills in when it is ready.
    background = store_cache.in_background(token)
    if background:
        store_cache.start_overview(token)
    parts = {name: store_cache.overview_part(token, name) if background else None
             for name in store_cache.OVERVIEW_PARTS}
    pending = [name for name in parts if background and parts[name] is None
               and (name != "findings" or store_cache.findings_available())]

    st.subheader("Largest blast radius")
    ranked = parts["ranking"] if background else store_cache.blast_ranking(token)
    if ranked is None:
        _computing("ranking the blast radius of every workflow and secret")
    else:
        _ranking(ranked[0], ranked[1])
    left, right = st.columns(2)
    with left:
        st.subheader("Blast radius distribution")
        st.caption("Workflows and secrets by how many systems and resources they reach")
        if ranked is None:
            _computing("the distribution follows the ranking")
        else:
            st.bar_chart(blast_distribution(ranked[2]), height=260,
                         x_label="systems and resources reached", y_label="count")
    with right:
        st.subheader("Shared-credential clusters")
        shared = parts["shared"] if background else store_cache.shared_credentials(token, 2)
        if shared is None:
            _computing("clustering the workflows that share credentials")
        else:
            _clusters(shared)
    with findings_slot:
        if background and "findings" in pending:
            _computing("evaluating every finding rule")
        else:
            _findings(token, parts["findings"])
    if pending:
        _wait_for(token, pending)


def _computing(what: str) -> None:
    st.caption(f"Computing in the background ({what}); this part appears when it is "
               "ready.")


def _wait_for(token: str, pending: list[str]) -> None:
    """Rerun the page as soon as a pending background part is ready, so each part shows
    when it arrives (checked every half second in a fragment, so nothing else on the page
    is redrawn meanwhile)."""

    @st.fragment(run_every=0.5)
    def poll() -> None:
        if any(store_cache.overview_part(token, name) is not None for name in pending):
            st.rerun()

    poll()


def _ranking(ranking: list[dict], total: int) -> None:
    if total > len(ranking):
        st.caption(f"The widest {len(ranking)} of {total} workflows and secrets.")
    cols = ["name", "kind", "targets", "crown_jewels", "admin_targets", "reachable", "id"]
    wf, sec = st.columns(2)
    for col, kind in ((wf, "Workflow"), (sec, "Secret")):
        with col:
            st.markdown(f"**Top {kind.lower()}s** by crown jewels, then systems and "
                        "resources reached")
            top = [r for r in ranking if r["kind"] == kind][:TOP]
            table(pd.DataFrame(top, columns=cols), key=f"top-{kind}")


def _clusters(shared) -> None:
    st.caption(f"{shared.summary['clusters']} cluster(s), "
               f"{shared.summary['mixed_environment_clusters']} mixing prod and non-prod; "
               "workflows per cluster")
    charted = sorted(shared.rows, key=lambda r: (-r["size"], r["cluster"]))
    charted = charted[:store_cache.CLUSTERS_CHARTED]
    if len(shared.rows) > len(charted):
        st.caption(f"The {len(charted)} largest of {len(shared.rows)} clusters.")
    sizes = pd.DataFrame({"cluster": [f"#{r['cluster']}" for r in charted],
                          "workflows": [r["size"] for r in charted]})
    st.bar_chart(sizes, x="cluster", y="workflows", height=260)


def _findings(token: str, result=None) -> None:
    if not store_cache.findings_available():
        st.caption("Findings appear here once the findings module (queries.findings) is "
                   "installed.")
        return
    if result is None:
        result = store_cache.findings(token)
    counts = result.summary["by_severity"]  # of every finding (the rows: the worst)
    cols = st.columns(len(SEVERITIES))
    for col, sev in zip(cols, SEVERITIES, strict=True):
        col.metric(sev.capitalize(), counts.get(sev, 0))
    cols = ["severity", "risk", "owasp", "title", "rule", "nodes"]
    # the worst FINDINGS_SHOWN, worst first (explorer.background.findings)
    rows = result.rows[:store_cache.FINDINGS_SHOWN]
    total = result.summary["findings"]
    if total > len(rows):
        st.caption(f"The worst {len(rows)} of {total} findings (by severity, then risk); "
                   "`nhigraph findings` lists them all.")
    frame = pd.DataFrame([{
        "severity": r.get("severity"), "risk": r.get("risk"), "owasp": r.get("owasp"),
        "title": r.get("title"), "rule": r.get("rule"), "nodes": len(r.get("nodes") or []),
    } for r in rows], columns=cols)
    if not rows:
        table(frame, key="findings")
        return
    picker_table(frame, list(range(len(rows))), "findings")  # the worst is picked first
    _finding_detail(rows, st.session_state["findings-pick"])


def _finding_detail(rows: list[dict], index: int) -> None:
    """The picked finding: what, why, its evidence as names, and a button to open the first
    evidence path in Path finder."""
    f = rows[index]
    if index == 0:
        st.caption("Selected: the worst finding (highest severity, then risk); click a row "
                   "for another.")
    st.markdown(f"**{text(str(f.get('severity', '')).upper())}** {text(f.get('title', ''))} "
                f"· {text(f.get('rule', ''))} · risk {text(f.get('risk'))}")
    if f.get("detail"):
        st.caption(text(f["detail"]))
    paths = [p for p in f.get("paths") or [] if len(p) > 1]
    if not paths:
        return
    ids = {n for p in paths for n in p}
    names = {i: str(n.get("name") or i) for i, n in store_cache.get_store().get_nodes(ids).items()}
    for p in paths[:3]:
        st.caption("Evidence: " + text(" → ".join(names.get(n, n) for n in p)))
    if st.button("Open its evidence in Path finder", key="findings-open"):
        for picker in ("path-src", "path-dst"):  # the link's ends win over an old choice
            st.session_state.pop(picker, None)
        st.switch_page("explorer/views/path_finder.py",
                       query_params={"from": paths[0][0], "to": paths[0][-1]})


if __name__ == "__main__":
    render()
