"""Cuts: the cheapest set of edge removals that separates a source from a target (or from
every crown jewel), with the paths each removal closes, the what-if delta and what would
break (other than the source losing the targets, which is the point).

The relevant subgraph is what the source reaches that also reaches a target (dead
credentials open nothing, as in every walk). Each access edge gets a cost by what removing
it means (:data:`COSTS`: narrowing a grant or a trust, or splitting or revoking a
credential's use, is cheaper than cutting a workflow off its connector), parallel edges
between two nodes add up, and NetworkX's maximum-flow minimum cut (preflow-push;
of equally cheap cuts the one nearest the targets) over a super-sink joined to every target gives the cheapest separating set.
"""

from __future__ import annotations

import networkx as nx

from graph.errors import InputError
from graph.model import ACCESS_EDGES
from graph.store import Store

from .posture import crown_jewels
from .resolve import resolve_node
from .results import Result
from .traverse import now_iso, reach
from .what_if import Plan, what_if

#: Cost of removing one edge of each kind, and what the change is called.
COSTS = {
    "CAN_ACCESS": (1, "narrow the grant"),
    "CAN_ASSUME": (1, "narrow the trust policy"),
    "MEMBER_OF": (2, "remove the group membership"),
    "AUTHENTICATES_AS": (2, "split or rebind the credential"),
    "SAME_VALUE_AS": (2, "rotate the copied secret"),
    "STORES": (3, "move the secret out of the vault"),
    "AUTHENTICATES_WITH": (3, "give the connector its own credential"),
    "REFERENCES": (3, "stop the workflow reading the credential"),
    "EMBEDS": (3, "remove the hard-coded credential"),
    "USES": (5, "retire the workflow's use of the connector"),
    "CONTAINS": (50, "move the resource out of the system"),
}
DEFAULT_COST = (4, "remove the edge")
SINK = ("__sink__",)
COLUMNS = ("src", "kind", "dst", "cost", "change", "closes", "example_path")


def _flow_graph(store: Store, source: str, targets: list[str], as_of: str):
    fwd = reach(store, [source], "out", as_of=as_of)
    back = reach(store, targets, "in", as_of=as_of)
    keep = (set(fwd.dist) & set(back.dist)) | {source} | (set(targets) & set(fwd.dist))
    g = nx.DiGraph()
    kinds: dict[tuple[str, str], list[str]] = {}
    for e in store.expand(sorted(keep), "out", ACCESS_EDGES):
        if e.dst not in keep or e.src in fwd.dead or e.src in back.dead or e.dst == source:
            continue
        cost = COSTS.get(e.kind, DEFAULT_COST)[0]
        if g.has_edge(e.src, e.dst):
            g[e.src][e.dst]["capacity"] += cost
        else:
            g.add_edge(e.src, e.dst, capacity=cost)
        kinds.setdefault((e.src, e.dst), []).append(e.kind)
    for t in targets:
        if t in g:
            g.add_edge(t, SINK)  # no capacity: never cut
    return g, kinds, fwd


def _nearest_target_cut(g: nx.DiGraph, src: str) -> tuple[float, list[tuple[str, str]]]:
    """The minimum cut whose target side is smallest: among equally cheap cuts, the one
    closest to the targets (narrow the grants rather than cut the workflow off)."""
    from networkx.algorithms.flow import preflow_push

    residual = preflow_push(g, src, SINK)
    back: dict = {}
    for u, v, d in residual.edges(data=True):
        if d["capacity"] - d["flow"] > 0:
            back.setdefault(v, []).append(u)
    near, todo = {SINK}, [SINK]
    while todo:
        for u in back.get(todo.pop(), ()):
            if u not in near:
                near.add(u)
                todo.append(u)
    pairs = sorted((u, v) for u, v in g.edges if u not in near and v in near)
    return residual.graph["flow_value"], pairs


def cut(store: Store, source: str, to: str = "every-crown-jewel", as_of: str | None = None,
        unknown_as: str = "write", with_delta: bool = True) -> Result:
    """The minimum-cost set of edge removals separating ``source`` from ``to``.

    Examples
    --------
    >>> from tests.graphs import chain_store
    >>> r = cut(chain_store(), "wf", "bucket", as_of="2026-01-01T00:00:00Z")
    >>> [(x["src"], x["kind"], x["dst"]) for x in r.rows], r.summary["cost"]
    ([('admin-role', 'CAN_ACCESS', 'acct'), ('deploy-role', 'CAN_ACCESS', 'bucket')], 2)
    """
    as_of = as_of or now_iso()
    src = resolve_node(store, source)
    if to in ("every-crown-jewel", "crown-jewels"):
        targets = crown_jewels(store)
        if not targets:
            raise InputError("no crown jewels in the graph (mark resources crown_jewel: true)")
    else:
        targets = [resolve_node(store, to)]
    if src in targets:
        raise InputError(f"{src} is itself the target; nothing to cut")
    g, kinds, fwd = _flow_graph(store, src, targets, as_of)
    header = {"source": src, "targets": targets, "as_of": as_of}
    if src not in g or not g.has_node(SINK) or not nx.has_path(g, src, SINK):
        return Result(rows=[], rows_key="cut", header=header, columns=COLUMNS,
                      summary={"cost": 0, "edges": 0, "reachable_targets": 0})
    value, pairs = _nearest_target_cut(g, src)
    rows, removals = [], []
    for u, v in pairs:
        reached = [t for t in targets if t in g and nx.has_path(g, v, t)]
        example = (fwd.path(u) or [u]) + (nx.shortest_path(g, v, reached[0]) if reached
                                          else [v])
        for kind in sorted(kinds[(u, v)]):
            cost, change = COSTS.get(kind, DEFAULT_COST)
            removals.append((u, kind, v))
            rows.append({"src": u, "kind": kind, "dst": v, "cost": cost, "change": change,
                         "closes": reached, "example_path": example})
    reachable = [t for t in targets if t in g and nx.has_path(g, src, t)]
    if not with_delta:  # the what-if delta recomputes findings twice: costly on big estates
        return Result(rows=rows, rows_key="cut", header=header, columns=COLUMNS,
                      summary={"cost": int(value), "edges": len(rows),
                               "reachable_targets": len(reachable)})
    delta = what_if(store, Plan(remove_edges=removals), as_of=as_of, unknown_as=unknown_as)
    # the source losing the targets is the point; anything else losing access is collateral
    breaks = [b for b in delta.rows if b["change"] == "would-break"
              and not (b["subject"] == src and b["target"] in targets)]
    return Result(rows=rows, rows_key="cut",
                  header={**header, "would_break": breaks, "delta": delta.to_dict()},
                  columns=COLUMNS,
                  summary={"cost": int(value), "edges": len(rows),
                           "reachable_targets": len(reachable),
                           "would_break": len({b["subject"] for b in breaks}),
                           "jewel_paths_lost": delta.summary["by_change"].get(
                               "jewel-path-lost", 0)})
