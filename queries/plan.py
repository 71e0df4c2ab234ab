"""Plan changes applied to an in-memory copy of a graph (:class:`~graph.memory.MemoryStore`),
never to a store: the edits behind :mod:`queries.what_if` and :mod:`queries.cut`.

* ``revoke`` a secret: its status becomes ``revoked``, so it opens nothing;
* ``rotate`` a secret: it keeps working for its users, but copies holding the old value
  (``SAME_VALUE_AS``) and hard-coded copies (``EMBEDS``) stop working;
* ``split`` a secret: each workflow that holds it gets its own copy (and its own copy of a
  connector it shares with other workflows), so no two workflows share that credential;
* ``remove_grant``: remove access edges ``SRC->DST`` (every access kind between them) or
  ``SRC-KIND->DST``;
* ``retire`` a workflow: the workflow and its edges are removed.
"""

from __future__ import annotations

import re

from graph.errors import InputError
from graph.memory import MemoryStore
from graph.model import ACCESS_EDGES

from .credential_use import credential_use
from .resolve import resolve_node

_EDGE = re.compile(r"^(?P<src>.+?)-(?:(?P<kind>[A-Z_]+)-)?>(?P<dst>.+)$")


def parse_edge(plan: MemoryStore, text: str) -> list[tuple[str, str, str]]:
    """``SRC->DST`` or ``SRC-KIND->DST`` as the access edges it names."""
    m = _EDGE.match(text.strip())
    if not m:
        raise InputError(f"--remove-grant {text!r}: write SRC->DST or SRC-KIND->DST")
    src, dst = resolve_node(plan, m["src"].strip()), resolve_node(plan, m["dst"].strip())
    kinds = {m["kind"]} if m["kind"] else ACCESS_EDGES
    found = [(src, k, dst) for k in sorted(kinds) if plan.graph.has_edge(src, dst, k)]
    if not found:
        raise InputError(f"--remove-grant {text!r}: no access edge from {src} to {dst}")
    return found


def _secret(plan: MemoryStore, name: str, option: str) -> str:
    sid = resolve_node(plan, name)
    kind = plan.graph.nodes[sid].get("kind")
    if kind not in ("Secret", "Identity"):
        raise InputError(f"{option} {name!r}: {sid} is a {kind}, not a secret or identity")
    return sid


def revoke(plan: MemoryStore, name: str) -> str:
    sid = _secret(plan, name, "--revoke")
    plan.set_props(sid, status="revoked")
    return sid


def rotate(plan: MemoryStore, name: str, when: str) -> str:
    sid = _secret(plan, name, "--rotate")
    plan.set_props(sid, last_rotated_at=when)
    g = plan.graph
    for a, b, k in list(g.in_edges(sid, keys=True)) + list(g.out_edges(sid, keys=True)):
        if k == "SAME_VALUE_AS":
            other = b if a == sid else a
            g.remove_edge(a, b, k)
            if g.nodes[other].get("kind") == "Secret":
                g.nodes[other]["status"] = "revoked"  # the old value no longer works
    for a, _, k in list(g.in_edges(sid, keys=True)):
        if k == "EMBEDS":  # a hard-coded copy of the old value
            g.remove_edge(a, sid, k)
    return sid


def split(plan: MemoryStore, name: str) -> list[str]:
    """Give each workflow holding the secret its own copy; returns the copies' ids."""
    sid = _secret(plan, name, "--split")
    g = plan.graph
    workflows = sorted(n["id"] for n in plan.nodes("Workflow"))
    uses, _ = credential_use(plan, workflows)
    users = [w for w in workflows if sid in uses.get(w, ())]
    attrs = dict(g.nodes[sid])
    outs = [(b, k, dict(d)) for _, b, k, d in g.out_edges(sid, keys=True, data=True)
            if k != "SAME_VALUE_AS"]
    ins = [(a, k, dict(d)) for a, _, k, d in g.in_edges(sid, keys=True, data=True)]
    copies = []
    for w in users:
        copy = f"{sid}#split:{w}"
        copies.append(copy)
        g.add_node(copy, **{**attrs, "name": f"{attrs.get('name', sid)} ({w})",
                            "fingerprint": f"split:{copy}"})
        for b, k, d in outs:
            g.add_edge(copy, b, k, **d)
        for a, k, d in ins:
            if a == w or g.nodes[a].get("kind") == "Vault":
                g.add_edge(a, copy, k, **d)
            elif g.nodes[a].get("kind") == "Connector" and g.has_edge(w, a, "USES"):
                conn = a if len([x for x in g.predecessors(a) if g.has_edge(x, a, "USES")]) \
                    == 1 else f"{a}#split:{w}"
                if conn != a:
                    g.add_node(conn, **g.nodes[a])
                    for _, cb, ck, cd in list(g.out_edges(a, keys=True, data=True)):
                        if cb != sid:
                            g.add_edge(conn, cb, ck, **cd)
                    g.add_edge(w, conn, "USES", **g.edges[w, a, "USES"])
                    g.remove_edge(w, a, "USES")
                g.add_edge(conn, copy, k, **d)
    if users:
        g.remove_node(sid)
    for n in [n for n in g.nodes if g.nodes[n].get("kind") == "Connector"
              and "#split:" not in n and g.in_degree(n) == 0 and g.has_node(n)
              and any(k == "AUTHENTICATES_WITH" for _, _, k in g.out_edges(n, keys=True))
              and _was_split(n, g)]:
        g.remove_node(n)
    return copies


def _was_split(conn: str, g) -> bool:
    return any(m.startswith(f"{conn}#split:") for m in g.nodes)


def retire(plan: MemoryStore, name: str) -> str:
    wid = resolve_node(plan, name)
    if plan.graph.nodes[wid].get("kind") != "Workflow":
        raise InputError(f"--retire {name!r}: {wid} is a {plan.graph.nodes[wid].get('kind')}, "
                         "not a workflow")
    plan.remove_node(wid)
    return wid
