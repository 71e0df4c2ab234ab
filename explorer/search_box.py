"""The sidebar search box: type part of a name, id or ARN (typos are fine) and pick one of
the ranked matches (:func:`queries.search.search`) to open it. A resource, system or vault
opens on Inbound (what reaches it), any other node on Blast radius (what it reaches); the
node travels in the URL (``?node=`` / ``?target=``) the way a pasted link does.
"""

from __future__ import annotations

import streamlit as st

from graph.errors import NhiGraphError

from . import store_cache
from .widgets import text

#: Matches listed under the box.
SHOWN = 8
#: Kinds that open on Inbound; the rest open on Blast radius.
TARGET_KINDS = ("Resource", "System", "Vault")


def destination(kind: str) -> tuple[str, str, str]:
    """(page file under explorer/views, URL parameter, picker widget key) for a kind."""
    if kind in TARGET_KINDS:
        return "inbound.py", "target", "inbound-node"
    return "blast_radius.py", "node", "blast-node"


def sidebar_search(pages: dict) -> None:
    """Draw the box and the matches in the sidebar; ``pages`` maps a view's file name to its
    ``st.Page`` so a click can switch to it."""
    query = st.sidebar.text_input("Search nodes", key="node-search",
                                  placeholder="name, id or ARN")
    if not query.strip():
        return
    try:
        rows = store_cache.search(store_cache.store_token(), query.strip())
    except NhiGraphError as exc:  # no store yet, or a server that does not answer
        st.sidebar.caption(text(str(exc)))
        return
    if not rows:
        st.sidebar.caption("No matching node.")
        return
    for score, nid, name, kind in rows[:SHOWN]:
        if st.sidebar.button(f"{text(name)} \u00b7 {kind}", key=f"node-search-hit-{nid}",
                             help=f"{nid} (match {score:g})"):
            view, param, picker = destination(kind)
            st.session_state.pop(picker, None)  # the URL's node wins over an old choice
            st.switch_page(pages[view], query_params={param: nid})
