"""Merging a validated batch into the embedded store's graph, with stale-data cleanup.

Nodes and edges go straight into NetworkX's adjacency dicts (the same structure
``add_node``/``add_edge`` build, in the same order): at millions of records the public
methods' per-call checks cost more than the work.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING

from .records import Batch, WriteResult

if TYPE_CHECKING:
    import networkx as nx


def merge_batch(g: nx.MultiDiGraph, batch: Batch, source: str, result: WriteResult) -> None:
    """Merge ``batch`` (validated against itself and the store, so edge ends exist) into
    ``g`` for ``source``, counting what happened in ``result``."""
    import networkx as nx  # only a write needs it

    node_attrs, succ, pred = g._node, g._succ, g._pred
    had_data = bool(node_attrs)
    touched_nodes: set[str] = set()
    for node in batch.nodes:
        touched_nodes.add(node.id)
        attrs = node_attrs.get(node.id)
        if attrs is not None:
            attrs.update(node.props)
            if source not in attrs["seen_by"]:
                attrs["seen_by"].append(source)
        else:
            props = dict(node.props)
            props.setdefault("name", node.id)
            props.setdefault("source", source)
            props["kind"] = node.kind
            props["seen_by"] = [source]
            node_attrs[node.id] = props
            succ[node.id] = {}
            pred[node.id] = {}
            result.nodes_created += 1
    touched_edges: set[tuple] = set()
    for edge in batch.edges:
        if had_data:
            touched_edges.add(edge.key)
        keyed = succ[edge.src].get(edge.dst) if edge.src in succ else None
        data = keyed.get(edge.kind) if keyed is not None else None
        if data is not None:
            data.update(edge.props)
            if source not in data["seen_by"]:
                data["seen_by"].append(source)
        elif keyed is not None:
            keyed[edge.kind] = {**edge.props, "seen_by": [source]}
            result.edges_created += 1
        elif edge.src in succ and edge.dst in pred:
            keyed = {edge.kind: {**edge.props, "seen_by": [source]}}
            succ[edge.src][edge.dst] = keyed
            pred[edge.dst][edge.src] = keyed
            result.edges_created += 1
        else:  # not validated against this graph: let NetworkX add the missing end
            g.add_edge(edge.src, edge.dst, key=edge.kind, **edge.props, seen_by=[source])
            result.edges_created += 1
    nx._clear_cache(g)
    if not had_data:  # a fresh graph holds only this batch (deduplicated by validate)
        result.nodes_written = len(touched_nodes)
        result.edges_written = len({e.key for e in batch.edges})
        return
    result.nodes_written = len(touched_nodes)
    result.edges_written = len(touched_edges)
    # Stale-data cleanup: what this source wrote before and not now loses its tag, and
    # goes when no source still vouches for it.
    stale_edges = [
        (a, b, k) for a, b, k, seen in g.edges(keys=True, data="seen_by")
        if source in seen and (a, k, b) not in touched_edges
    ]
    for a, b, k in stale_edges:
        seen = g.edges[a, b, k]["seen_by"]
        seen.remove(source)
        if not seen:
            g.remove_edge(a, b, key=k)
            result.edges_removed += 1
    stale_nodes = [n for n, seen in g.nodes(data="seen_by")
                   if source in seen and n not in touched_nodes]
    for n in stale_nodes:
        seen = g.nodes[n]["seen_by"]
        seen.remove(source)
        if not seen:
            result.edges_removed += g.degree(n)
            g.remove_node(n)
            result.nodes_removed += 1


class _FreshNodes(Mapping):
    """The nodes :func:`merge_batch` would make of a batch in an empty graph, as a mapping
    from id to attrs built when asked (each row's dict lives only while it is written)."""

    def __init__(self, batch: Batch, source: str):
        self.by_id = {node.id: node for node in batch.nodes}
        self.source = source
        self.seen = [source]  # one list for every row: a row's dict only lives to be written

    def __getitem__(self, node_id: str) -> dict:
        node = self.by_id[node_id]
        props = dict(node.props)
        props.setdefault("name", node.id)
        props.setdefault("source", self.source)
        props["kind"] = node.kind
        props["seen_by"] = self.seen
        return props

    def __iter__(self) -> Iterator[str]:
        return iter(self.by_id)

    def __len__(self) -> int:
        return len(self.by_id)


def fresh_rows(batch: Batch, source: str, result: WriteResult,
               ) -> tuple[Mapping[str, dict], Iterator[tuple[str, str, str, dict]]]:
    """What :func:`merge_batch` makes of ``batch`` in an empty graph, as the rows
    :func:`graph.columnar.save_rows` writes: ``{id: attrs}`` and ``(src, dst, kind, attrs)``
    edges, without building the NetworkX graph (a fresh store's ingest, or ``replace``).
    The batch is validated (deduplicated, edge ends among its nodes)."""
    nodes = _FreshNodes(batch, source)
    seen = [source]
    edges = ((e.src, e.dst, e.kind, {**e.props, "seen_by": seen}) for e in batch.edges)
    result.nodes_created = result.nodes_written = len(nodes)
    result.edges_created = result.edges_written = len(batch.edges)
    return nodes, edges
