"""The store the explorer reads, and the analyses it runs, cached with Streamlit's caching.

The store is opened the way the CLI opens it (``NHIGRAPH_STORE``, ``NEO4J_*``) and kept by
``st.cache_resource`` under a *token* that changes whenever the embedded store is written
(its manifest's generation and modification time), so an ingest from the CLI or from the
Data page shows up on the next rerun while nothing is reloaded otherwise. Analyses are kept
by ``st.cache_data`` under the same token and their arguments.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import streamlit as st

from graph import open_store
from graph.store import DEFAULT_STORE_DIR

from . import background, warm

#: Stores with more nodes than this get a type-in box instead of a list of every node.
PICKER_MAX_NODES = 10000
#: At most this many workflows and secrets are ranked on the Overview.
OVERVIEW_MAX_SOURCES = background.OVERVIEW_MAX_SOURCES
#: Findings the Overview lists, worst first (its counts are of all).
FINDINGS_SHOWN = background.FINDINGS_SHOWN
#: Clusters in the Overview's cluster-size chart, largest first.
CLUSTERS_CHARTED = 30
#: Credentials listed for the drawn shared-credential cluster, most shared first (20,135 in
#: the hub cluster of the 100k heavy-sharing estate: 2 MB sent on every rerun).
CREDENTIALS_SHOWN = 500
#: Stores with more nodes than this compute the Overview's whole-estate analyses (blast
#: ranking, shared-credential clusters, findings) in the background: the page shows the
#: store's figures at once and each part when it is ready (:func:`overview_part`).
BACKGROUND_MIN_NODES = warm.MIN_NODES


def store_config() -> dict:
    """Where the store is, from the environment, as the CLI reads it (no password)."""
    uri = os.environ.get("NEO4J_URI")
    if uri:
        parts = urlsplit(uri)
        if parts.password is not None:  # never show a password put in the URI
            host = parts.hostname + (f":{parts.port}" if parts.port else "")
            uri = urlunsplit(parts._replace(netloc=f"{parts.username}:***@{host}"))
        return {"backend": "neo4j", "location": uri,
                "database": os.environ.get("NEO4J_DATABASE") or ""}
    return {"backend": "embedded",
            "location": os.environ.get("NHIGRAPH_STORE") or DEFAULT_STORE_DIR}


def store_token() -> str:
    """Changes whenever the configured store's content may have changed."""
    cfg = store_config()
    if cfg["backend"] != "embedded":
        return json.dumps(cfg, sort_keys=True)
    manifest = Path(cfg["location"]) / "manifest.json"
    try:
        stat = manifest.stat()
        generation = json.loads(manifest.read_text()).get("generation")
    except (OSError, ValueError):
        return json.dumps(cfg, sort_keys=True) + ":missing"
    return f"{json.dumps(cfg, sort_keys=True)}:{generation}:{stat.st_mtime_ns}"


@st.cache_resource(show_spinner="Loading the graph...", max_entries=2)
def _open(token: str):
    return open_store(create=False)


def get_store():
    """The configured store (raises StoreError when there is none)."""
    return _open(store_token())


def reload() -> None:
    """Forget every cached store and analysis (after a write, or when asked)."""
    st.cache_resource.clear()
    st.cache_data.clear()


# --- cached analyses ---------------------------------------------------------------------

@st.cache_data(show_spinner=False, max_entries=4)
def stats(token: str) -> dict:
    from queries import stats as q

    return q(get_store())


@st.cache_data(show_spinner=False, max_entries=4)
def catalogue(token: str) -> list[tuple[str, str, str]] | None:
    """(id, kind, name) of every node, for the pickers; None when there are too many."""
    store = get_store()
    if sum(store.counts()["nodes"].values()) > PICKER_MAX_NODES:
        return None
    rows = [(n["id"], n.get("kind", ""), str(n.get("name") or n["id"])) for n in store.nodes()]
    return sorted(rows, key=lambda r: (r[2].lower(), r[0]))


@st.cache_data(show_spinner="Computing blast radius...", max_entries=64)
def blast_radius(token: str, node: str, depth: int | None, unknown_as: str):
    from queries import blast_radius as q

    return q(get_store(), node, depth=depth, unknown_as=unknown_as)


@st.cache_data(show_spinner="Finding who can reach it...", max_entries=64)
def inbound(token: str, node: str, depth: int | None, unknown_as: str):
    from queries import inbound as q

    return q(get_store(), node, depth=depth, unknown_as=unknown_as)


@st.cache_data(show_spinner="Finding paths...", max_entries=64)
def shortest_paths(token: str, src: str, dst: str, limit: int):
    from queries import shortest_paths as q

    return q(get_store(), src, dst, limit=limit)


def in_background(token: str) -> bool:
    """Whether this store's whole-estate analyses are computed in the background (and kept
    on disk): a store of more than BACKGROUND_MIN_NODES nodes."""
    return stats(token)["nodes"] > BACKGROUND_MIN_NODES


# Kept as one object, not copied per call (st.cache_data unpickles its value on every
# call: 0.16 s for the 20,135 credentials of the 100k heavy-sharing hub cluster, twice a
# run). Its callers never change it.
@st.cache_resource(show_spinner="Clustering shared credentials...", max_entries=8)
def shared_credentials(token: str, min_workflows: int):
    if min_workflows == 2:
        if in_background(token):  # from the disk cache, the warm-up or the child
            start_overview(token)
        return _joined(token, "shared", lambda: background.shared(get_store()))
    from queries import shared_credentials as q

    return q(get_store(), min_workflows=min_workflows)


@st.cache_data(show_spinner="Drawing the cluster...", max_entries=16)
def cluster_drawing(token: str, min_workflows: int, number: int):
    """Shared-credential cluster ``number`` drawn and bounded (a cluster of thousands of
    workflows takes seconds to bound, so reruns reuse it), with the (nodes, edges) of the
    drawing before bounding; None when there is no such cluster. A cluster of more than
    ``subgraph.MAX_DRAWN_CREDENTIALS`` credentials is drawn with its most shared ones
    (:func:`explorer.subgraph.most_shared`, said in the notes)."""
    from explorer.subgraph import bound, most_shared
    from explorer.subgraph import cluster_drawing as draw

    if min_workflows == 2:  # the biggest cluster, drawn in the background when it is done
        job = _jobs(token).get("cluster")
        if job is not None and job.done() and job.exception() is None and \
                job.result() is not None and job.result()[0] == number:
            return job.result()[1], job.result()[2]
    rows = shared_credentials(token, min_workflows).rows
    row = next((r for r in rows if r["cluster"] == number), None)
    if row is None:
        return None
    row, note = most_shared(row)
    d = draw(get_store(), row)
    full = (len(d.nodes), len(d.edges))
    d = bound(d)
    if note:
        d.notes.insert(0, note)
    return d, full


@st.cache_data(show_spinner="Looking for orphaned paths...", max_entries=4)
def orphaned_paths(token: str):
    from queries import orphaned_paths as q

    return q(get_store())


@st.cache_data(show_spinner="Finding entry points...", max_entries=4)
def entry_points(token: str):
    from queries.entry_points import entry_points as q

    return q(get_store())


findings_available = background.findings_available


@st.cache_data(show_spinner="Evaluating findings...", max_entries=4)
def findings(token: str):
    return _joined(token, "findings", lambda: background.findings(get_store()))


@st.cache_data(show_spinner="Ranking blast radius of workflows and secrets...", max_entries=4)
def blast_ranking(token: str) -> tuple[list[dict], int, list[list]]:
    """The widest workflows and secrets (at most OVERVIEW_MAX_SOURCES), how many there
    were in all, and the distribution of their reach (:func:`explorer.background.ranking`)."""
    return _joined(token, "ranking", lambda: background.ranking(get_store()))


# --- the Overview's analyses in the background ------------------------------------------

#: The Overview's parts (:mod:`explorer.background` computes these and the drawing of
#: the biggest shared-credential cluster).
OVERVIEW_PARTS = background.OVERVIEW


@st.cache_resource(show_spinner=False, max_entries=2)
def _jobs(token: str) -> background.Jobs:
    return background.Jobs()


def _joined(token: str, name: str, compute):
    """The result of the Overview's background job ``name`` when one was started for this
    token (waited for, never computed twice), else ``compute()`` here."""
    job = _jobs(token).get(name)
    return job.result() if job is not None else compute()


def start_overview(token: str) -> None:
    """Start the Overview's analyses in the background (once per token): from the disk
    cache when it holds them, else waited for from the post-ingest warm-up
    (:mod:`explorer.warm`) while it runs, else computed in a child."""
    cfg = store_config()
    key = warm.store_key(cfg["location"]) if cfg["backend"] == "embedded" else None
    # a Neo4j database changes without a new token: never cached
    cache = background.DiskCache(key) if key is not None else None
    _jobs(token).start(background.available_parts(), cache)


def overview_part(token: str, name: str):
    """The background result ``name`` ("ranking", "shared" or "findings") once it is
    computed, else None (started by :func:`start_overview`). A failure is raised here."""
    job = _jobs(token).get(name)
    if job is None or not job.done():
        return None
    return job.result()


def wait_overview(token: str, timeout: float | None = None) -> None:
    """Block until every background part of the Overview is computed (for tests and
    benchmarks)."""
    jobs = _jobs(token)
    for name in OVERVIEW_PARTS:
        job = jobs.get(name)
        if job is not None:
            job.exception(timeout)


@st.cache_data(show_spinner=False, max_entries=64)
def search(token: str, text: str) -> list[tuple[float, str, str, str]]:
    """Ranked (score, id, name, kind) matches for the sidebar search box."""
    from queries.search import ranked

    return ranked(get_store(), text)


@st.cache_data(show_spinner="Working out what would change...", max_entries=16)
def what_if(token: str, revoke: tuple, rotate: tuple, split: tuple, remove_grant: tuple,
            retire: tuple, unknown_as: str, add_mfa: tuple = ()):
    """:func:`queries.what_if.what_if` of this plan on a copy of the store."""
    from queries.what_if import Plan
    from queries.what_if import what_if as q

    plan = Plan(list(revoke), list(rotate), list(split), list(remove_grant), list(retire),
                add_mfa=list(add_mfa))
    return q(get_store(), plan, unknown_as=unknown_as)
