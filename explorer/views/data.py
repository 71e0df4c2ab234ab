"""Data: what the store holds (sources, ingest runs, counts) and an upload that ingests a file
into the embedded store. A bad file gives one clear error and leaves the store as it was:
the batch is parsed and validated completely before the store writes anything, and the
embedded store's write is atomic."""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

import pandas as pd
import streamlit as st

from explorer import store_cache
from explorer.widgets import show_error, table, text
from graph import open_store
from graph.errors import NhiGraphError

UPLOAD_TYPES = ["json", "yaml", "yml"]


def ingest_upload(name: str, content: bytes, kind: str = "inventory") -> str:
    """Parse ``content`` (a file called ``name``) with the ``kind`` ingester and write it to
    the configured embedded store under the source ``upload:<name>``. Returns a one-line
    summary; raises the project's errors naming the uploaded file, never the temp path.

    Exactly the CLI's path (:func:`ingest.pipeline.ingest`, with its input guard) and
    ``--strict``: one uploaded file is the whole input, so a file the ingester would skip
    (truncated, malformed) is refused with the skip's reason and the store is unchanged."""
    from ingest.pipeline import ingest
    from ingest.registry import get

    ingester = get(kind)  # an unknown kind is refused before anything is written
    safe = re.sub(r"[^A-Za-z0-9._-]+", "_", Path(name).name).lstrip(".") or "upload"
    with tempfile.TemporaryDirectory(prefix="nhigraph-upload-") as tmp:
        path = Path(tmp) / safe
        path.write_bytes(content)
        try:
            _, result = ingest(ingester, str(path), lambda: open_store(create=True),
                               source=f"upload:{safe}", strict=True)
        except NhiGraphError as exc:
            raise type(exc)(str(exc).replace(str(path), safe)) from None
    return (f"{safe}: {result.nodes_written} nodes ({result.nodes_created} new), "
            f"{result.edges_written} edges ({result.edges_created} new); removed "
            f"{result.nodes_removed} stale nodes, {result.edges_removed} stale edges")


def runs_frame(runs: list[dict]) -> pd.DataFrame:
    cols = ["finished_at", "source", "nodes_written", "edges_written", "nodes_removed",
            "edges_removed", "files_read", "skipped", "run_id"]
    return pd.DataFrame(list(reversed(runs)), columns=cols)


def render() -> None:
    st.title("Data")
    cfg = store_cache.store_config()
    st.caption(f"{cfg['backend']} store at {text(cfg['location'])}")
    if st.button("Reload from the store", icon=":material/refresh:"):
        store_cache.reload()
    try:
        stats = store_cache.stats(store_cache.store_token())
    except NhiGraphError as exc:
        show_error(exc)
        stats = None
    if stats:
        cols = st.columns(3)
        cols[0].metric("Nodes", stats["nodes"])
        cols[1].metric("Edges", stats["edges"])
        cols[2].metric("Ingest runs", stats["runs"])
        left, right = st.columns(2)
        with left:
            st.subheader("Nodes by kind")
            table(pd.DataFrame(list(stats["nodes_by_kind"].items()), columns=["kind", "nodes"]),
                  key="data-nodes")
        with right:
            st.subheader("Edges by kind")
            table(pd.DataFrame(list(stats["edges_by_kind"].items()), columns=["kind", "edges"]),
                  key="data-edges")
        st.subheader("Sources")
        table(pd.DataFrame({"source": stats["sources"]}), key="data-sources")
        st.subheader("Ingest runs (newest first)")
        table(runs_frame(store_cache.get_store().runs()), key="data-runs")
    _upload(cfg)


def _upload(cfg: dict) -> None:
    st.subheader("Ingest a file")
    if cfg["backend"] != "embedded":
        st.info("Uploads go to the embedded store only; load a Neo4j store with "
                "`nhigraph ingest ... --neo4j URI`.")
        return
    from ingest.registry import ingesters

    names = list(ingesters())  # every registered ingester, sorted by name
    st.caption("An inventory file (JSON or YAML, see docs/inventory-format.md) or another "
               "format an ingester reads. Re-uploading a file of the same name replaces what "
               "it loaded before.")
    kind = st.selectbox("Format", names, key="upload-kind", index=names.index("inventory"))
    uploaded = st.file_uploader("File", type=UPLOAD_TYPES, key="upload-file")
    if uploaded is None:
        return
    if st.session_state.get("upload-done") == uploaded.file_id:
        st.success(st.session_state.get("upload-message", ""), icon=":material/check:")
        return
    try:
        message = ingest_upload(uploaded.name, uploaded.getvalue(), kind)
    except NhiGraphError as exc:
        show_error(exc)
        return
    st.session_state["upload-done"] = uploaded.file_id
    st.session_state["upload-message"] = text(message)
    store_cache.reload()
    st.rerun()


if __name__ == "__main__":
    render()
