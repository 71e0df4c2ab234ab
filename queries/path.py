"""Path: the shortest access paths from one node to another, each hop explained."""

from __future__ import annotations

from graph.model import ACCESS_EDGES

from .resolve import resolve_node
from .results import Result
from .traverse import is_valid_credential

COLUMNS = ("rank", "length", "path", "hops")


def shortest_paths(store, src: str, dst: str, limit: int = 5, max_depth: int | None = None,
                   as_of: str | None = None) -> Result:
    """All shortest access paths from ``src`` to ``dst`` (at most ``limit``), like
    ``networkx.all_shortest_paths`` over access edges. Each path lists its hops with the
    edge kind, access level and the reason the edge exists. No path gives no rows.

    Examples
    --------
    >>> from tests.graphs import chain_store
    >>> [p["path"] for p in shortest_paths(chain_store(), "wf", "key").rows]
    [['wf', 'conn', 'key']]
    """
    source = resolve_node(store, src)
    target = resolve_node(store, dst)
    preds: dict[str, list] = {source: []}
    frontier = [source]
    depth = 0
    found = source == target
    while frontier and not found and (max_depth is None or depth < max_depth):
        depth += 1
        layer: dict[str, list] = {}
        for e in sorted(store.expand(frontier, "out", ACCESS_EDGES),
                        key=lambda e: (e.src, e.kind, e.dst)):
            if e.dst in preds:
                continue
            layer.setdefault(e.dst, []).append(e)
        if not layer:
            break
        nodes = store.get_nodes(layer)
        preds.update(layer)
        found = target in layer
        frontier = sorted(n for n in layer if is_valid_credential(nodes.get(n, {}), as_of))
    paths: list[list] = []
    if found:
        def walk(node, tail):
            if len(paths) >= limit:
                return
            if node == source:
                paths.append(tail)
                return
            for e in preds[node]:
                walk(e.src, [e] + tail)
        walk(target, [])
    rows = []
    for i, hops in enumerate(paths, 1):
        ids = [source] + [e.dst for e in hops]
        rows.append({
            "rank": i,
            "length": len(hops),
            "path": ids,
            "hops": [{"from": e.src, "kind": e.kind, "to": e.dst,
                      "access": e.props.get("access"),
                      "reason": e.props.get("reason") or e.props.get("grant")} for e in hops],
        })
    return Result(rows=rows, rows_key="paths", header={"source": source, "target": target},
                  summary={"paths": len(rows), "length": rows[0]["length"] if rows else None},
                  columns=COLUMNS)
