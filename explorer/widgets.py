"""Pieces every view uses: node pickers, the graph frame, tables, downloads, errors.

Text that comes from the data (node names, ids, error messages naming them) is never
handed to Markdown unescaped: :func:`text` backslash-escapes it, because Markdown would
otherwise turn a crafted name into a link or an image that the browser fetches.
"""

from __future__ import annotations

import re

import streamlit as st
import streamlit.components.v1 as components

from graph.errors import NhiGraphError

from . import render, store_cache
from .subgraph import MAX_ELEMENTS, Drawing, bound

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:=^&\"'])")
GRAPH_HEIGHT = 560
#: Notes of a simplified drawing shown in full; past that the rest are counted (a cluster of
#: thousands of workflows makes thousands of collapses, 200 KB of text in one box).
NOTES_SHOWN = 8
KIND_ORDER = ("Workflow", "Secret", "Identity", "Connector", "Workspace", "Vault", "System",
              "Resource", "Owner")


def text(value) -> str:
    """``value`` as Markdown that shows exactly its characters (one line)."""
    return _MD_SPECIAL.sub(r"\\\1", " ".join(str(value).split()))


def show_error(exc: Exception) -> None:
    """One line for an error a user can cause; anything else is a bug and propagates."""
    if not isinstance(exc, NhiGraphError):
        raise exc
    from graph.redact import scrub

    st.error(text(scrub(str(exc))), icon=":material/error:")


def open_store_or_stop():
    """The store, or an explanation of how to load one and a stop of the page."""
    try:
        return store_cache.get_store()
    except NhiGraphError as exc:
        show_error(exc)
        st.info("Load data first: `nhigraph demo` loads the bundled sample estate, "
                "`nhigraph ingest inventory FILE` loads your own; or use the Data page.")
        st.stop()


def _label(row: tuple[str, str, str]) -> str:
    nid, kind, name = row
    return f"{name}  \u00b7  {kind}" if name == nid else f"{name}  \u00b7  {kind}  \u00b7  {nid}"


def pick_node(label: str, key: str, kinds_first: tuple[str, ...] = (),
              param: str | None = None, default: str | None = None) -> str | None:
    """A searchable select over every node's name and id (type to filter). The choice is
    mirrored in the URL query parameter ``param`` so a view can be linked to.

    On stores too large to list, a text box takes an id, ARN or exact name instead."""
    token = store_cache.store_token()
    nodes = store_cache.catalogue(token)
    wanted = st.query_params.get(param) if param else None
    if nodes is None:
        value = st.text_input(f"{label} (id, ARN or exact name)", value=wanted or "", key=key)
        return value.strip() or None
    order = {k: i for i, k in enumerate(kinds_first)}
    rows = sorted(nodes, key=lambda r: (order.get(r[1], len(order)), r[2].lower(), r[0]))
    ids = [r[0] for r in rows]
    labels = dict(zip(ids, map(_label, rows), strict=True))
    if key not in st.session_state and (wanted in labels or default in labels):
        st.session_state[key] = wanted if wanted in labels else default
    choice = st.selectbox(label, ids, index=None, key=key, format_func=labels.__getitem__,
                          placeholder="Type a name or id to search...")
    if param:
        if choice:
            st.query_params[param] = choice
        elif param in st.query_params:
            del st.query_params[param]
    return choice


def show_graph(d: Drawing, direction: str = "out", layout: str = "tree",
               title: str = "access graph", max_elements: int = MAX_ELEMENTS,
               full: tuple[int, int] | None = None) -> Drawing:
    """Draw ``d`` (bounded first) and say what was collapsed; ``full`` is the (nodes,
    edges) of ``d`` before it was bounded, when the caller bounded it already."""
    full_nodes, full_edges = full or (len(d.nodes), len(d.edges))
    bound(d, max_elements)
    html = render.to_html(d, direction=direction, layout=layout, height=GRAPH_HEIGHT,
                          title=title)
    if hasattr(st, "iframe"):
        st.iframe(html, height=GRAPH_HEIGHT + 40)
    else:  # Streamlit before st.iframe
        components.html(html, height=GRAPH_HEIGHT + 40, scrolling=False)
    caption = (f"Drawn: {len(d.nodes)} nodes, {len(d.edges)} edges "
               f"(of {full_nodes} nodes, {full_edges} edges). Hover for details; drag to "
               "move, scroll to zoom.")
    st.caption(caption)
    if d.notes:
        shown = [text(n) for n in d.notes[:NOTES_SHOWN]]
        if len(d.notes) > NOTES_SHOWN:
            shown.append(f"and {len(d.notes) - NOTES_SHOWN} more such simplifications")
        st.info("To stay readable the graph is simplified: " + "; ".join(shown) + ".",
                icon=":material/compress:")
    return d


def table(frame, key: str | None = None, on_select=None):
    """A result table; with ``on_select`` a click on a row selects it."""
    st.caption(f"{len(frame)} row(s)")
    if on_select is None:
        return st.dataframe(frame, hide_index=True, width="stretch", key=key)
    return st.dataframe(frame, hide_index=True, width="stretch", key=key,
                        on_select=on_select, selection_mode="single-row")


def picker_table(frame, keys: list, prefix: str, default=None) -> None:
    """The table of ``frame`` whose clicked row ``i`` picks ``keys[i]`` into the session
    value ``<prefix>-pick`` (a select box with that key then shows it); while the pick is
    not among ``keys``, ``default`` when it is among them, else the first key."""
    pick, table_key = f"{prefix}-pick", f"{prefix}-table"
    if st.session_state.get(pick) not in keys:
        st.session_state[pick] = default if default in keys else keys[0]

    def picked_row():
        sel = st.session_state[table_key].selection.rows
        if sel:
            st.session_state[pick] = keys[sel[0]]

    table(frame, key=table_key, on_select=picked_row)


def downloads(result, stem: str, key: str, report=None) -> None:
    """CSV (ids, as the CLI writes them) and JSON downloads of a result; with ``report`` (a
    function of no arguments returning a report dict, see :mod:`reports`) also "Download
    report" as self-contained HTML and as Markdown, the report the CLI writes for the view.
    Every file is built only when its button is clicked (Streamlit runs the function then),
    so drawing the page never pays for it."""
    safe = re.sub(r"[^A-Za-z0-9._-]+", "_", stem)[:80] or "result"
    row = st.container(horizontal=True)  # buttons as wide as their labels, wrapped
    # Built when clicked too: on every run they cost 0.33 s for the Shared credentials
    # page at 100k heavy sharing (every cluster's members as CSV and as JSON).
    row.download_button("Download CSV", lambda: result.to_frame().to_csv(index=False),
                        file_name=f"{safe}.csv", mime="text/csv", key=f"{key}-csv")
    row.download_button("Download JSON", result.to_json, file_name=f"{safe}.json",
                        mime="application/json", key=f"{key}-json")
    if report is None:
        return
    from reports.render import render_html, render_markdown

    row.download_button("Download report (HTML)", lambda: render_html(report()),
                        file_name=f"{safe}.html", mime="text/html", key=f"{key}-report-html",
                        help="One self-contained file, nothing fetched: summary, graph, the "
                             "findings involving it, access paths and tables.")
    row.download_button("Download report (Markdown)", lambda: render_markdown(report()),
                        file_name=f"{safe}.md", mime="text/markdown", key=f"{key}-report-md")


def default_note(chosen, default, name: str | None = None) -> None:
    """Say why the page opened on ``chosen`` when it is the page's ``default`` (a
    :class:`explorer.defaults.Default`), so nobody wonders who picked it."""
    if default is None or chosen != default.node:
        return
    st.caption(f"Opened on {text(name or chosen)}: {text(default.reason)}. Pick another "
               "node above, or link one with the URL.")


def unknown_as_control(key: str) -> str:
    return st.selectbox("Rank unknown access as", ("write", "read", "admin"), key=key,
                        help="A grant whose rights the source does not show.")


def depth_control(key: str) -> int | None:
    depth = st.number_input("Max hops (0 = no limit)", min_value=0, value=0, step=1, key=key)
    return int(depth) or None


def node_depth_unknown(label: str, key: str, kinds_first: tuple[str, ...], param: str,
                       hint: str, default: str | None = None
                       ) -> tuple[str | None, int | None, str]:
    """The node picker with the hop bound and the unknown-access ranking beside it; shows
    ``hint`` while no node is chosen."""
    top = st.columns([3, 1, 1])
    with top[0]:
        node = pick_node(label, f"{key}-node", kinds_first=kinds_first, param=param,
                         default=default)
    with top[1]:
        depth = depth_control(f"{key}-depth")
    with top[2]:
        unknown_as = unknown_as_control(f"{key}-unknown")
    if not node:
        st.info(hint)
    return node, depth, unknown_as


def run_or_show_error(fn, *args):
    """Run one cached analysis; on a user's error show one line and return None."""
    try:
        return fn(*args)
    except NhiGraphError as exc:
        show_error(exc)
        return None


def picked_walk(walk, label: str, key: str, kinds_first: tuple[str, ...], param: str,
                hint: str, default: str | None = None):
    """The node picked with :func:`node_depth_unknown` and the result of the cached
    ``walk`` (``store_cache.blast_radius`` or ``store_cache.inbound``) from it, as
    ``(node, result)``. While no node is picked, or on a user's error, the page says why
    and stops there (as :func:`open_store_or_stop` does)."""
    node, depth, unknown_as = node_depth_unknown(label, key, kinds_first, param, hint,
                                                 default)
    result = run_or_show_error(walk, store_cache.store_token(), node, depth, unknown_as) \
        if node else None
    if result is None:
        st.stop()
    return node, result


def metrics(pairs) -> None:
    """One row of ``st.metric`` tiles from (label, value) pairs."""
    pairs = list(pairs)
    for col, (label, value) in zip(st.columns(len(pairs)), pairs, strict=True):
        col.metric(label, value)
