"""Streamlit explorer entry point: ``streamlit run app.py``.

Explores the store the CLI would use (``NHIGRAPH_STORE`` or ``./.nhigraph``; Neo4j when
``NEO4J_URI`` is set). One page per view in :mod:`explorer.views`; the repo's
``.streamlit/config.toml`` serves on 127.0.0.1 and sends no usage statistics.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from explorer import store_cache
from explorer.links import follow_view_param
from explorer.search_box import sidebar_search
from explorer.widgets import text

VIEWS = Path(__file__).parent / "explorer" / "views"
# No page icons: the active page's icon becomes the favicon, and Streamlit fetches material
# and emoji favicons from the internet.
PAGES = (
    ("overview.py", "Overview", "overview"),
    ("blast_radius.py", "Blast radius", "blast-radius"),
    ("inbound.py", "Inbound / crown jewels", "inbound"),
    ("path_finder.py", "Path finder", "path-finder"),
    ("shared_credentials.py", "Shared credentials", "shared-credentials"),
    ("orphans.py", "Orphaned paths", "orphaned-paths"),
    ("exposure.py", "Exposure", "exposure"),
    ("changes.py", "Changes", "changes"),
    ("what_if.py", "What if", "what-if"),
    ("data.py", "Data", "data"),
)


def main() -> None:
    st.set_page_config(page_title="nhigraph explorer", layout="wide")
    pages = [st.Page(VIEWS / f, title=t, url_path=u, default=(u == "overview"))
             for f, t, u in PAGES]
    page = st.navigation(pages)
    follow_view_param({u: p for (_, _, u), p in zip(PAGES, pages, strict=True)}, page)
    sidebar_search({f: p for (f, _, _), p in zip(PAGES, pages, strict=True)})
    cfg = store_cache.store_config()
    st.sidebar.caption(f"nhigraph \u00b7 {cfg['backend']} store\n\n{text(cfg['location'])}")
    page.run()


main()
