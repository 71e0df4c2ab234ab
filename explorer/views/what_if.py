"""What if: toggle changes (revoke, rotate or split a secret, remove a grant, retire a
workflow, require MFA on a role, user or workflow's triggers, as ``nhigraph what-if``
offers them) and see, on an in-memory copy of the graph,
the crown-jewel paths before and after, the paths lost, findings and risk, and **what
would break** (workflows that lose access they have today, and callers an MFA requirement cuts off); the plan and its delta
download as CSV, JSON or Markdown. The store is never written. The page opens on a plan
that revokes the most-shared secret, so the numbers move before anything is chosen."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from explorer import store_cache
from explorer.widgets import downloads, open_store_or_stop, run_or_show_error, table, text

SECRET_KINDS = ("Secret", "Identity")
MFA_KINDS = ("Identity", "Workflow")
BREAK_COLUMNS = ["caller", "loses access to", "subject", "target"]
COLUMNS = ["change", "severity", "subject", "target", "rule", "detail"]


def default_secret(shared_rows: list[dict]) -> str | None:
    """The secret held by the most workflows (ties: the smallest id), or None."""
    ranked = sorted((-len(d["workflows"]), d["id"]) for r in shared_rows
                    for d in r.get("credentials", ()) if d.get("kind") == "Secret")
    return ranked[0][1] if ranked else None


def breaks_frame(result, names: dict[str, str]) -> pd.DataFrame:
    """One row per (workflow, target) it would lose, names first, ids after."""
    rows = [{"caller": names.get(r["subject"], r["subject"]),
             "loses access to": names.get(r["target"], r["target"]),
             "subject": r["subject"], "target": r["target"]}
            for r in result.rows if r["change"] == "would-break"]
    return pd.DataFrame(rows, columns=BREAK_COLUMNS)


def changes_frame(result, kinds) -> pd.DataFrame:
    frame = pd.DataFrame([r for r in result.rows
                          if r["change"] != "would-break" and r["change"] in kinds])
    if frame.empty:
        return pd.DataFrame(columns=COLUMNS)
    return frame[[c for c in COLUMNS if c in frame.columns]]


def _choices(kinds: tuple[str, ...]) -> tuple[list[str], dict[str, str]] | None:
    nodes = store_cache.catalogue(store_cache.store_token())
    if nodes is None:
        return None
    rows = [r for r in nodes if r[1] in kinds]
    return [r[0] for r in rows], {r[0]: r[2] if r[2] == r[0] else f"{r[2]}  \u00b7  {r[0]}"
                                  for r in rows}


def _pick(col, label: str, key: str, kinds: tuple[str, ...], default=()) -> list[str]:
    """A multiselect over nodes of ``kinds`` (a text box of ids on stores too large)."""
    listed = _choices(kinds)
    if listed is None:
        raw = col.text_area(f"{label} (ids or exact names, one a line)", key=key)
        return [x.strip() for x in raw.splitlines() if x.strip()]
    ids, labels = listed
    if key not in st.session_state:
        st.session_state[key] = [d for d in default if d in labels]
    return col.multiselect(label, ids, key=key, format_func=labels.__getitem__,
                           placeholder="Type a name or id...")


def render() -> None:
    st.title("What if")
    st.caption("Try a change before making it: what it closes, what is left, and what "
               "would break. Computed on a copy; the store is not changed.")
    store_open = open_store_or_stop()
    token = store_cache.store_token()
    shared = run_or_show_error(store_cache.shared_credentials, token, 2)
    default = default_secret(shared.rows if shared else [])
    a, b, c = st.columns(3)
    revoke = _pick(a, "Revoke", "whatif-revoke", SECRET_KINDS, (default,) if default else ())
    rotate = _pick(b, "Rotate", "whatif-rotate", SECRET_KINDS)
    split = _pick(c, "Split (one credential per workflow)", "whatif-split", SECRET_KINDS)
    d, f, e = st.columns(3)
    retire = _pick(d, "Retire workflow", "whatif-retire", ("Workflow",))
    mfa = _pick(f, "Require MFA (AWS role, IAM user, workflow's triggers)", "whatif-mfa",
                MFA_KINDS)
    grants = e.text_area("Remove grants (SRC->DST or SRC-KIND->DST, one a line)",
                         key="whatif-grants")
    remove = [x.strip() for x in grants.splitlines() if x.strip()]
    if not any((revoke, rotate, split, retire, remove, mfa)):
        st.info("Choose at least one change above.")
        return
    result = run_or_show_error(store_cache.what_if, token, tuple(revoke), tuple(rotate),
                               tuple(split), tuple(remove), tuple(retire), "write", tuple(mfa))
    if result is None:
        return
    s, by = result.summary, result.summary["by_change"]
    cols = st.columns(5)
    cols[0].metric("Crown-jewel paths", s["jewel_paths"]["after"],
                   s["jewel_paths"]["after"] - s["jewel_paths"]["before"], delta_color="inverse")
    cols[1].metric("Crown-jewel paths lost", by.get("jewel-path-lost", 0))
    cols[2].metric("Findings", s["findings"]["after"],
                   s["findings"]["after"] - s["findings"]["before"], delta_color="inverse")
    cols[3].metric("Total risk", s["risk"]["after"], s["risk"]["change"], delta_color="inverse")
    cols[4].metric("Callers that would break", s["would_break"])
    st.caption(f"Plan on {text(store_open.location)}: "
               + "; ".join(text(f"{p['change']} {p.get('node') or '->'.join(p.get('edge', []))}")
                           for p in result.header["plan"]))
    st.subheader("What would break")
    names = {r[0]: r[2] for r in store_cache.catalogue(token) or []}
    breaks = breaks_frame(result, names)
    if breaks.empty:
        st.success("No remaining workflow loses access it has today.")
    else:
        table(breaks, key="whatif-breaks")
    st.subheader("What changes")
    kinds = sorted(k for k in by if k != "would-break")
    chosen = st.multiselect("Kinds of change", kinds, default=kinds,
                            format_func=lambda k: f"{k} ({by[k]})",
                            key="whatif-kinds:" + ",".join(kinds))  # all again on a new plan
    table(changes_frame(result, chosen), key="whatif-table")
    downloads(result, "what-if", "whatif")
    from reports.changes import changes_markdown

    st.download_button("Download plan (Markdown)", changes_markdown(result, "What if"),
                       file_name="what-if.md", mime="text/markdown", key="whatif-md")


if __name__ == "__main__":
    render()
