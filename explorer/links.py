"""Links into the explorer: ``?view=<page>`` opens that page whatever path the URL has, so
a link like ``/?view=blast-radius&node=<id>`` (the CLI's ``explain --open``, a ticket) lands
on the view and node it names. The other parameters (``node``, ``target``, ``src``...) are
kept for the view's pickers; an unknown view is named in one warning and the page stays.
See docs/explorer-urls.md for every parameter.
"""

from __future__ import annotations

import streamlit as st

from .widgets import text


def follow_view_param(pages: dict, current) -> None:
    """Switch to ``pages[view]`` (``pages`` maps a URL path to its ``st.Page``) when the URL
    asks for a view other than ``current``; the ``view`` parameter is dropped either way so
    later clicks are not sent back."""
    view = st.query_params.get("view")
    if view is None:
        return
    rest = {k: st.query_params.get(k) for k in st.query_params if k != "view"}
    del st.query_params["view"]
    target = pages.get(view.strip().lower())
    if target is None:
        st.warning(f"No view {text(view)}; views: {', '.join(sorted(pages))}")
        return
    if target.url_path != current.url_path:
        st.switch_page(target, query_params=rest)
