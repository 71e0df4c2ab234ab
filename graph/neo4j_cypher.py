"""The Cypher the Neo4j store runs, built only from the model's whitelist.

Labels, relationship types and property names in these statements come from
:mod:`graph.model` (``NODE_KINDS``, ``EDGE_KINDS``, declared properties) and nowhere else;
every value travels as a parameter. Nothing here talks to a server.

Layout in the database: every node carries the label ``NhiNode`` (one index over all ids,
for lookups that do not know the kind) plus its kind's label; each edge is a relationship
of its kind. ``seen_by`` lists the sources that wrote a node or edge; ``_nhi_runs`` holds
one ``source<US>run_id`` tag per source, the run that last wrote it, for stale cleanup.
Ingest runs are ``NhiGraphRun`` nodes, which no query of the model ever matches.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from .model import COMMON_NODE_PROPS, EDGE_KINDS, NODE_KINDS, edge_props, node_props

NODE_LABEL = "NhiNode"
RUN_LABEL = "NhiGraphRun"
#: Store-managed properties, never shown as node or edge properties.
INTERNAL = frozenset({"seen_by", "_nhi_runs"})
#: Separates a source from its run id in a ``_nhi_runs`` tag (not allowed in source names).
TAG_SEP = "\x1f"
#: Properties indexed for ``find_nodes`` (name resolution and cross-source stitching).
INDEXED = ("name", "arn", "fingerprint", "access_key_id")

_DECLARED = frozenset(p.name for p in COMMON_NODE_PROPS) | frozenset(
    p.name for k in NODE_KINDS.values() for p in k.props)
_IDENT = re.compile(r"^[A-Za-z][A-Za-z0-9_]*\Z")


#: Ids per read query (a lookup, a fetch of nodes, an expansion).
READ_CHUNK = 5000


def chunks(items: list, size: int) -> Iterator[list]:
    for i in range(0, len(items), size):
        yield items[i:i + size]


def kind_of(labels: Iterable[str]) -> str | None:
    """The node kind among a node's labels (every nhigraph node also has ``NhiNode``)."""
    for lab in labels:
        if lab in NODE_KINDS:
            return lab
    return None


def label(kind: str) -> str:
    if kind not in NODE_KINDS:
        raise ValueError(f"not a node kind of the model: {kind!r}")
    return kind


def rel_types(kinds: Iterable[str]) -> str:
    """``A|B|C`` for a relationship pattern, whitelisted and sorted; '' for none."""
    return "|".join(sorted(k for k in set(kinds) if k in EDGE_KINDS))


def schema_statements() -> list[str]:
    out = [f"CREATE CONSTRAINT nhigraph_node_id IF NOT EXISTS "
           f"FOR (n:{NODE_LABEL}) REQUIRE n.id IS UNIQUE"]
    out += [f"CREATE CONSTRAINT nhigraph_{k.lower()}_id IF NOT EXISTS "
            f"FOR (n:{label(k)}) REQUIRE n.id IS UNIQUE" for k in NODE_KINDS]
    out += [f"CREATE INDEX nhigraph_node_{p} IF NOT EXISTS FOR (n:{NODE_LABEL}) ON (n.{p})"
            for p in INDEXED]
    return out


# --- reads -------------------------------------------------------------------------------

NODE_RETURN = "RETURN labels(n) AS labels, properties(n) AS props"

GET_NODES = f"UNWIND $ids AS i MATCH (n:{NODE_LABEL} {{id: i}}) {NODE_RETURN}"

KINDS_OF = (f"UNWIND $ids AS i MATCH (n:{NODE_LABEL} {{id: i}}) "
            "RETURN n.id AS id, labels(n) AS labels")


def nodes_all(kind: str | None) -> str:
    """Every node (of ``kind``) in id order: one query, streamed (see
    ``Neo4jStore._stream``)."""
    lab = label(kind) if kind else NODE_LABEL
    return (f"MATCH (n:{lab}) {'WHERE n:' + NODE_LABEL if kind else ''} "
            f"WITH n ORDER BY n.id {NODE_RETURN}")


def find_nodes(key: str, case_insensitive: bool) -> str | None:
    """Nodes whose ``key`` equals ``$value`` (or matches ``$pattern`` ignoring case)."""
    if key in _DECLARED and _IDENT.match(key):
        prop = f"n.{key}"  # a declared property: its index can answer
    elif _IDENT.match(key):
        prop = "n[$key]"
    else:
        return None
    if case_insensitive:
        return f"MATCH (n:{NODE_LABEL}) WHERE {prop} =~ $pattern {NODE_RETURN}"
    if key == "id":
        return f"MATCH (n:{NODE_LABEL} {{id: $value}}) {NODE_RETURN}"
    return f"MATCH (n:{NODE_LABEL}) WHERE {prop} = $value {NODE_RETURN}"


def expand(direction: str, types: str, props: bool = True) -> str:
    """One hop from ``$ids``; ``props=False`` leaves the edges' properties out."""
    # Anchor on the indexed id first, then step: the planner must not start at the far end.
    extra = ", properties(r) AS props" if props else ""
    if direction == "out":
        return (f"UNWIND $ids AS i MATCH (a:{NODE_LABEL} {{id: i}}) "
                f"MATCH (a)-[r:{types}]->(b:{NODE_LABEL}) "
                f"RETURN a.id AS src, type(r) AS kind, b.id AS dst{extra}")
    return (f"UNWIND $ids AS i MATCH (a:{NODE_LABEL} {{id: i}}) "
            f"MATCH (a)<-[r:{types}]-(b:{NODE_LABEL}) "
            f"RETURN b.id AS src, type(r) AS kind, a.id AS dst{extra}")


def edge_sources(kind: str | None) -> list[str]:
    """Labels whose nodes can be the source of ``kind`` edges (the model's pairs), so a
    listing of one kind pages only over those nodes; every node for all kinds."""
    if kind is None:
        return [NODE_LABEL]
    return sorted({label(a) for a, _ in EDGE_KINDS[kind].pairs})


def edges_all(lab: str, kind: str | None) -> str:
    """Every edge (of ``kind``, or all) out of ``lab`` nodes, in source id order: one
    query, streamed."""
    types = f":{rel_types([kind])}" if kind else ""
    extra = "" if lab == NODE_LABEL else f"WHERE a:{NODE_LABEL} "
    return (f"MATCH (a:{lab}) {extra}MATCH (a)-[r{types}]->(b:{NODE_LABEL}) "
            "RETURN a.id AS src, type(r) AS kind, b.id AS dst, properties(r) AS props "
            "ORDER BY src")


COUNT_NODES = f"MATCH (n:{NODE_LABEL}) RETURN labels(n) AS labels, count(*) AS n"
COUNT_EDGES = (f"MATCH (:{NODE_LABEL})-[r]->(:{NODE_LABEL}) "
               "RETURN type(r) AS kind, count(*) AS n")
ANY_NODE = f"MATCH (n:{NODE_LABEL}) RETURN n.id AS id LIMIT 1"
#: Anything in the database that nhigraph did not write.
FOREIGN_NODE = (f"MATCH (n) WHERE NOT n:{NODE_LABEL} AND NOT n:{RUN_LABEL} "
                "RETURN labels(n) AS labels LIMIT 1")
SOURCES = f"MATCH (n:{NODE_LABEL}) UNWIND n.seen_by AS s RETURN DISTINCT s AS source"
RUNS = f"MATCH (r:{RUN_LABEL}) RETURN properties(r) AS run ORDER BY r.seq"


# --- writes ------------------------------------------------------------------------------

_TAG_NODE = """
    {v}.seen_by = CASE WHEN $source IN coalesce({v}.seen_by, []) THEN {v}.seen_by
                   ELSE coalesce({v}.seen_by, []) + $source END,
    {v}.`_nhi_runs` = [x IN coalesce({v}.`_nhi_runs`, []) WHERE NOT x STARTS WITH $prefix] + $tag"""


def update_nodes(kind: str) -> str:
    """Merge properties into nodes that exist; return the ids it found."""
    return (f"UNWIND $rows AS row MATCH (n:{label(kind)} {{id: row.id}}) "
            f"SET n += row.props, {_TAG_NODE.format(v='n')} RETURN n.id AS id")


def _inline(fixed: dict[str, str], keys: tuple[str, ...], declared: dict) -> str:
    """A property map for CREATE: the store's fixed entries, then ``row.props.<key>`` for
    each key, which must be a declared property of the kind (the whitelist) and a plain
    identifier; a declared key overrides a fixed default (``name``, ``source``)."""
    fields = dict(fixed)
    for key in keys:
        if key not in declared or not _IDENT.match(key) or key in INTERNAL:
            raise ValueError(f"not a declared property: {key!r}")
        fields[key] = f"row.props.`{key}`"
    return "{" + ", ".join(f"`{k}`: {v}" for k, v in fields.items()) + "}"


def split_props(props: dict, declared: dict) -> tuple[tuple[str, ...], bool]:
    """The declared keys of ``props`` that a CREATE can write in its own map (sorted), and
    whether any other key is left for ``SET += row.props``."""
    keys = tuple(sorted(k for k in props if k in declared and _IDENT.match(k)))
    return keys, len(keys) < len(props)


def create_nodes(kind: str, keys: tuple[str, ...] = (), rest: bool = True) -> str:
    """Create nodes the update did not find, or that the database did not hold.

    Not ``MERGE (n:NhiNode:Kind ...)``: ArcadeDB runs a two-label MERGE as a scan (measured
    10-40x slower); the store upserts with MATCH-then-CREATE instead (on Neo4j both forms
    use the id constraint's index). Every property goes in the CREATE's own map, the
    declared ``keys`` read from ``row.props``: ArcadeDB spends about 30% less per row than
    on ``SET n += row.props``, which is kept only for undeclared properties (``rest``)."""
    fixed = {"id": "row.id", "name": "row.id", "source": "$source", "seen_by": "[$source]",
             "_nhi_runs": "[$tag]"}
    props = _inline(fixed, keys, node_props(label(kind)))
    return (f"UNWIND $rows AS row CREATE (n:{NODE_LABEL}:{label(kind)} {props})"
            + (" SET n += row.props" if rest else ""))


def update_edges(kind: str, src_kind: str, dst_kind: str) -> str:
    """Merge properties into edges that exist; return the (src, dst) pairs it found."""
    types = rel_types([kind])
    if not types:
        raise ValueError(f"not an edge kind of the model: {kind!r}")
    return (f"UNWIND $rows AS row MATCH (a:{label(src_kind)} {{id: row.src}}) "
            f"MATCH (a)-[r:{types}]->(b:{label(dst_kind)}) WHERE b.id = row.dst "
            f"SET r += row.props, {_TAG_NODE.format(v='r')} "
            "RETURN a.id AS src, b.id AS dst")


def create_edges(kind: str, src_kind: str, dst_kind: str, keys: tuple[str, ...] = (),
                 rest: bool = True) -> str:
    """Create the edges the update did not find, or that cannot exist yet (an endpoint is
    new). Like the node upsert, MATCH-then-CREATE: the batch holds each (src, kind, dst)
    once (validation merges repeats), and ArcadeDB creates twice as fast as it MERGEs
    (benchmarks/neo4j_bench.py); on Neo4j ``MERGE (a)-[r:KIND]->(b)`` would do the same
    work. Properties go in the CREATE's map as for nodes."""
    types = rel_types([kind])
    if not types:
        raise ValueError(f"not an edge kind of the model: {kind!r}")
    props = _inline({"seen_by": "[$source]", "_nhi_runs": "[$tag]"}, keys, edge_props(kind))
    return (f"UNWIND $rows AS row MATCH (a:{label(src_kind)} {{id: row.src}}) "
            f"MATCH (b:{label(dst_kind)} {{id: row.dst}}) "
            f"CREATE (a)-[r:{types} {props}]->(b)"
            + (" SET r += row.props" if rest else ""))


# Stale cleanup, one bounded slice per transaction until nothing is left: first what only
# this source vouched for goes, then the source's tag comes off what others still vouch for.
STALE_EDGES_DELETE = (
    f"MATCH (:{NODE_LABEL})-[r]->(:{NODE_LABEL}) "
    "WHERE r.seen_by = [$source] AND NOT $tag IN coalesce(r.`_nhi_runs`, []) "
    "WITH r LIMIT $limit DELETE r RETURN count(*) AS n")
STALE_EDGES_UNTAG = (
    f"MATCH (:{NODE_LABEL})-[r]->(:{NODE_LABEL}) "
    "WHERE $source IN r.seen_by AND NOT $tag IN coalesce(r.`_nhi_runs`, []) "
    "WITH r LIMIT $limit "
    "SET r.seen_by = [x IN r.seen_by WHERE x <> $source], "
    "r.`_nhi_runs` = [x IN coalesce(r.`_nhi_runs`, []) WHERE NOT x STARTS WITH $prefix] "
    "RETURN count(*) AS n")
STALE_NODES_DELETE = (
    f"MATCH (n:{NODE_LABEL}) "
    "WHERE n.seen_by = [$source] AND NOT $tag IN coalesce(n.`_nhi_runs`, []) "
    "WITH n LIMIT $limit OPTIONAL MATCH (n)-[r]-() WITH n, count(r) AS degree "
    "DETACH DELETE n RETURN count(*) AS n, sum(degree) AS edges")
STALE_NODES_UNTAG = (
    f"MATCH (n:{NODE_LABEL}) "
    "WHERE $source IN n.seen_by AND NOT $tag IN coalesce(n.`_nhi_runs`, []) "
    "WITH n LIMIT $limit "
    "SET n.seen_by = [x IN n.seen_by WHERE x <> $source], "
    "n.`_nhi_runs` = [x IN coalesce(n.`_nhi_runs`, []) WHERE NOT x STARTS WITH $prefix] "
    "RETURN count(*) AS n")
CLEAR_SLICE = (f"MATCH (n:{NODE_LABEL}) WITH n LIMIT $limit DETACH DELETE n "
               "RETURN count(*) AS n")
CLEAR_RUNS = f"MATCH (r:{RUN_LABEL}) DETACH DELETE r"
RECORD_RUN = f"CREATE (r:{RUN_LABEL}) SET r = $run"
TRIM_RUNS = (f"MATCH (r:{RUN_LABEL}) WITH r ORDER BY r.seq DESC SKIP $keep "
             "DETACH DELETE r")
