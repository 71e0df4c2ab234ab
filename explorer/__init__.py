"""The Streamlit explorer's views and the pieces they share.

``app.py`` is the entry point (``streamlit run app.py``); it registers one page per module
in :mod:`explorer.views`. What to draw is worked out in :mod:`explorer.subgraph` (plain
Python, bounded by aggregation), how it is drawn in :mod:`explorer.render` (self-contained
HTML, no network request), and the store and cached analyses live in :mod:`explorer.store_cache`.
"""
