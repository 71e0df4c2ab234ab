"""The node each page opens on when the URL names none, and why, in words for the page.

- Blast radius: the widest source (the Overview's first-ranked workflow or secret).
- Inbound: the crown jewel reached by the most sources; with no crown jewel, the last node
  of the worst finding's evidence.
- Path finder: both ends of the worst finding whose evidence is an access path; else the
  widest source and the first crown jewel (or, with none, the first target) it reaches.
- Shared credentials: the biggest cluster. Exposure: the entry point ranked first.

Every default comes from analyses :mod:`explorer.store_cache` already keeps per store
version (the blast ranking, the findings, the inbound walks), so a rerun recomputes none
of them. On a store too large to list its nodes (the pickers become type-in boxes) no
default is chosen, as for the Blast radius page. A URL's ``?node=``/``?target=``/``?from=``
always wins: :func:`explorer.widgets.pick_node` prefers it, and :func:`for_page` does not
even work the default out then.
"""

from __future__ import annotations

from typing import NamedTuple

import streamlit as st

from graph.errors import NhiGraphError

from . import background, store_cache

#: At most this many crown jewels are walked back to pick the Inbound default.
MAX_JEWELS = 500
#: The Path finder's default 'at most' (so the check shares the page's cached walk).
PATH_LIMIT = 5
#: At most this many findings are tried for a Path finder default.
MAX_FINDINGS_TRIED = 20


class Default(NamedTuple):
    node: str
    #: Why this node, for the page ("widest blast radius: 3 crown jewels, 6 targets").
    reason: str


class PathDefault(NamedTuple):
    src: str
    dst: str
    reason: str


def for_page(picker_keys: tuple[str, ...], params: tuple[str, ...], compute):
    """``compute()`` (one of the functions below) for a page whose node pickers have the
    widget keys ``picker_keys`` and URL parameters ``params``; None, without computing
    anything, when the page was entered from a URL naming any of ``params``.

    Entering a page (its pickers not yet in the session) decides: a link that names a node
    never pays for a default, and later reruns of that visit (whose URL the pickers have
    since filled in) keep to that. The value is kept per store version."""
    name = picker_keys[0] + "-default"
    memo = st.session_state.get(name)
    if memo is None or any(k not in st.session_state for k in picker_keys):
        memo = {"linked": any(p in st.query_params for p in params), "token": None,
                "value": None}
    token = store_cache.store_token()
    if not memo["linked"] and memo["token"] != token:
        memo = {**memo, "token": token, "value": compute()}
    st.session_state[name] = memo
    return None if memo["linked"] else memo["value"]


def _listable(token: str) -> bool:
    return store_cache.catalogue(token) is not None


def blast_radius() -> Default | None:
    token = store_cache.store_token()
    if not _listable(token):
        return None
    ranked = store_cache.blast_ranking(token)[0]
    if not ranked:
        return None
    top = ranked[0]
    return Default(top["id"], f"widest blast radius of any workflow or secret: "
                              f"{top['crown_jewels']} crown jewel(s), {top['targets']} "
                              f"system(s) and resource(s), {top['reachable']} node(s) reached")


@st.cache_data(show_spinner="Finding the most reached crown jewel...", max_entries=4)
def _busiest_jewel(token: str) -> tuple[str, str, int] | None:
    """(id, name, sources) of the crown jewel the most nodes can reach (ties: by id)."""
    from queries import inbound

    store = store_cache.get_store()
    jewels = sorted(n["id"] for n in store.find_nodes("crown_jewel", True))[:MAX_JEWELS]
    best = None
    for jid in jewels:
        r = inbound(store, jid)
        n = r.summary["sources"]
        if best is None or n > best[2]:
            best = (jid, str(r.header["target_name"] or jid), n)
    return best


SEVERITY_ORDER = background.SEVERITY_ORDER
worst_first = background.worst_first


def _worst_findings(token: str) -> list[dict]:
    if not store_cache.findings_available():
        return []
    return worst_first(store_cache.findings(token).rows)


def _finding_words(f: dict) -> str:
    return f"worst finding: {f['severity']} {f['title']} ({f['rule']}, risk {f['risk']})"


def inbound() -> Default | None:
    token = store_cache.store_token()
    if not _listable(token):
        return None
    jewel = _busiest_jewel(token)
    if jewel is not None:
        return Default(jewel[0], f"the crown jewel the most nodes can reach: {jewel[2]} "
                                 "can reach it")
    for f in _worst_findings(token):
        if f["paths"]:
            return Default(f["paths"][0][-1], "the end of the " + _finding_words(f))
    return None


@st.cache_data(show_spinner=False, max_entries=4)
def _path(token: str) -> tuple[str, str, str] | None:
    """(src, dst, reason) of the Path finder default."""
    for f in _worst_findings(token)[:MAX_FINDINGS_TRIED]:
        for p in f["paths"]:
            if len(p) < 2 or p[0] == p[-1]:
                continue
            try:
                if store_cache.shortest_paths(token, p[0], p[-1], PATH_LIMIT).rows:
                    return p[0], p[-1], "the two ends of the " + _finding_words(f)
            except NhiGraphError:  # evidence naming a node the store lost: try the next
                continue
    top = blast_radius()
    if top is None:
        return None
    br = store_cache.blast_radius(token, top.node, None, "write")
    jewels = br.summary["crown_jewels"]
    targets = jewels or [r["id"] for r in br.rows
                         if r["kind"] in ("System", "Resource", "Vault")]
    if not targets:
        return None
    what = "a crown jewel it reaches" if jewels else "a system it reaches"
    return top.node, targets[0], f"the widest blast radius ({top.reason}) to {what}"


def path() -> PathDefault | None:
    token = store_cache.store_token()
    if not _listable(token):
        return None
    found = _path(token)
    return PathDefault(*found) if found else None


biggest_cluster = background.biggest_cluster
