"""Store parity: every analysis gives the same answer on the embedded store and on a real
Bolt + Cypher server (ArcadeDB, started by the session fixture) over the same graphs: the
hand-built graphs, the sample estate (loaded the way ``nhigraph demo`` loads it) and a
generated estate of a few thousand nodes."""

from __future__ import annotations

import random

import pytest

import sample_estate
from graph.embedded import EmbeddedStore
from queries import (
    blast_radius,
    blast_radius_summaries,
    entry_points,
    inbound,
    orphaned_paths,
    shared_credentials,
    shortest_paths,
    stats,
)
from tests import graphs
from tests.generated import estate

AS_OF = "2026-06-01T00:00:00Z"  # expiry is judged against a fixed time on both stores
GRAPHS = ["chain", "sharing", "orphans", "same_value", "entry", "sample", "generated", "ai"]
#: The AI-platform fixtures, ingested as a user would (their literal CANARY_VALUE markers
#: are one value, so the Dify and MCP copies are stitched into one shared credential).
AI_FIXTURES = (("mcp", "mcp", {"machine": "laptop"}), ("dify", "dify", {"workspace": "acme"}),
               ("n8n", "n8n/acme-test", {}))


def _load(store, name: str) -> None:
    if name in graphs.ALL:
        graphs.load(store, graphs.ALL[name])
    elif name == "ai":
        from pathlib import Path

        from graph.stitch import stitch
        from ingest.pipeline import guarded_parse
        from ingest.registry import get

        data = Path(__file__).parent / "data"
        for kind, sub, options in AI_FIXTURES:  # as `ingest` does, leaving no snapshot
            batch = guarded_parse(get(kind), [data / sub], options)
            stitch(batch, store)
            store.write(batch, source=kind)
    elif name == "generated":
        graphs.load(store, estate(3000, seed=11), source="generated")
    else:  # every source, as `nhigraph demo` loads them
        sample_estate.load(store)


@pytest.fixture(scope="module", params=GRAPHS)
def pair(request, bolt_server, tmp_path_factory):
    """(embedded, neo4j, name) holding the same graph; the Bolt database is emptied first."""
    from graph.neo4j_store import Neo4jStore
    from tests.neo4j_server import DATABASE, USER

    name = request.param
    emb = EmbeddedStore(tmp_path_factory.mktemp(f"parity-{name}"))
    neo = Neo4jStore(bolt_server.uri, user=USER, password=bolt_server.password,
                     database=DATABASE, retry_seconds=5)
    neo._clear()
    _load(emb, name)
    _load(neo, name)
    yield emb, neo, name
    neo.close()


def _sample(ids, k: int, seed: int = 3) -> list[str]:
    ids = sorted(ids)
    return ids if len(ids) <= k else sorted(random.Random(seed).sample(ids, k))


def _same(fn, emb, neo, *args, **kwargs):
    a = fn(emb, *args, as_of=AS_OF, **kwargs).to_dict()
    b = fn(neo, *args, as_of=AS_OF, **kwargs).to_dict()
    assert a == b, f"{fn.__name__}{args} differs between stores"
    return a


def test_counts_and_stats(pair):
    emb, neo, name = pair
    assert emb.counts() == neo.counts()
    a, b = stats(emb), stats(neo)
    for key in ("nodes", "edges", "nodes_by_kind", "edges_by_kind", "sources", "runs"):
        assert a[key] == b[key], key
    assert a["nodes"] > 0
    assert sorted(n["id"] for n in emb.nodes()) == sorted(n["id"] for n in neo.nodes())
    by_id = {n["id"]: n for n in emb.nodes()}
    assert {n["id"]: n for n in neo.nodes()} == by_id  # every property, as written
    assert sorted((e.key, sorted(e.props.items())) for e in emb.edges()) == \
        sorted((e.key, sorted(e.props.items())) for e in neo.edges())


def test_blast_radius(pair):
    emb, neo, name = pair
    ids = [n["id"] for n in emb.nodes()]
    reached = 0
    for node in _sample(ids, 25):
        reached += _same(blast_radius, emb, neo, node)["summary"]["reachable"]
    for node in _sample(ids, 5, seed=4):
        _same(blast_radius, emb, neo, node, depth=2, unknown_as="admin")
    assert reached > 0


def test_blast_radius_summaries(pair):
    """Every node at once: the condensation in memory, one joint walk on Neo4j."""
    emb, neo, name = pair
    result = _same(blast_radius_summaries, emb, neo)
    assert result["summary"]["nodes"] and result["summary"]["largest"] > 0


def test_inbound(pair):
    emb, neo, name = pair
    targets = [n["id"] for n in emb.nodes() if n["kind"] in ("Resource", "System", "Secret")]
    found = 0
    for node in _sample(targets, 20):
        found += len(_same(inbound, emb, neo, node)["sources"])
    assert found > 0


def test_shortest_paths(pair):
    emb, neo, name = pair
    sources = _sample([n["id"] for n in emb.nodes() if n["kind"] in ("Workflow", "Secret")], 8)
    targets = _sample([n["id"] for n in emb.nodes() if n["kind"] in ("Resource", "System")], 4)
    for s in sources:
        for t in targets:
            a = shortest_paths(emb, s, t, as_of=AS_OF).to_dict()
            assert a == shortest_paths(neo, s, t, as_of=AS_OF).to_dict(), (s, t)


def test_shared_credentials(pair):
    emb, neo, name = pair
    result = _same(shared_credentials, emb, neo)
    if name in ("sharing", "same_value", "sample", "generated"):
        assert result["summary"]["clusters"], "a graph with sharing must give clusters"


def test_credential_users(pair):
    """The Neo4j store's in-database aggregation gives every credential's workflows exactly
    as the Python rules do (graph/credential_use.py, inverted), at every threshold."""
    from graph.credential_use import credential_use

    emb, neo, name = pair
    workflows = sorted(n["id"] for n in emb.nodes("Workflow"))
    expected: dict[str, set[str]] = {}
    for wf, used in credential_use(emb, workflows)[0].items():
        for c in used:
            expected.setdefault(c, set()).add(wf)
    assert neo.credential_users(1) == emb.credential_users(1) == expected
    for m in (2, 3):
        want = {c: ws for c, ws in expected.items() if len(ws) >= m}
        assert neo.credential_users(m) == want
    if name in ("sharing", "same_value", "generated"):
        assert any(len(ws) >= 2 for ws in expected.values())


def test_reached(pair):
    """The Neo4j store's id-only walk (validity decided in the database) meets the same
    nodes as the embedded store's walk, both ways, from single nodes and from every
    workflow at once (what orphaned paths asks)."""
    from graph.model import ACCESS_EDGES

    emb, neo, name = pair
    ids = sorted(n["id"] for n in emb.nodes())
    workflows = sorted(n["id"] for n in emb.nodes("Workflow"))
    starts = [[i] for i in _sample(ids, 12)] + [workflows, ["no-such-node"]]
    for direction in ("out", "in"):
        for s in starts:
            want = set(emb.reach(s, direction, ACCESS_EDGES, as_of=AS_OF).dist)
            assert neo.reached(s, direction, ACCESS_EDGES, AS_OF) == want, (direction, s[:3])
            assert emb.reached(s, direction, ACCESS_EDGES, AS_OF) == want
    if name in ("chain", "generated"):
        assert len(emb.reached(workflows, "out", ACCESS_EDGES, AS_OF)) > len(workflows)


def test_orphaned_paths(pair):
    emb, neo, name = pair
    result = _same(orphaned_paths, emb, neo)
    if name in ("orphans", "sample", "generated"):
        assert result["summary"]["orphans"]


def test_entry_points(pair):
    emb, neo, name = pair
    result = _same(entry_points, emb, neo)
    if name in ("entry", "sample"):
        assert result["summary"]["outside"] and result["summary"]["gated"]
        actors = [r["actor"] for r in result["entry_points"]]
        a = blast_radius(emb, "anyone", as_of=AS_OF).to_dict()
        assert a == blast_radius(neo, "anyone", as_of=AS_OF).to_dict() and actors


def test_targets_of(pair):
    """What many start sets reach (the Neo4j store's one sweep and client-side condensation)
    equals the embedded store's, for single nodes, pairs and every workflow at once, at a
    time when some credentials have expired and with none expired."""
    from graph.model import TARGET_KINDS

    emb, neo, name = pair
    ids = sorted(n["id"] for n in emb.nodes())
    workflows = sorted(n["id"] for n in emb.nodes("Workflow"))
    one = _sample(ids, 80)
    sets = [[i] for i in one] + [one[i:i + 2] for i in range(0, len(one), 2)] \
        + [workflows, ["no-such-node"], [one[0], "no-such-node"]]
    for as_of in (AS_OF, "2000-01-01T00:00:00Z"):
        want = emb.reach_many_kinds(sets, TARGET_KINDS, as_of)
        assert neo.reach_many_kinds(sets, TARGET_KINDS, as_of) == want, as_of
        # the per-set walks agree with it
        for s in sets[:12]:
            walked = sorted(n for n in emb.reach(s, as_of=as_of).dist
                            if (emb.get_node(n) or {}).get("kind") in TARGET_KINDS)
            assert want[tuple(sorted(set(s)))] == walked
    if name in ("chain", "sharing", "generated", "sample"):
        assert any(want.values())


def test_first_paths(pair):
    """The Neo4j store's first shortest paths (one sweep, then a walk per source in the
    client) are the embedded store's, pair by pair, dead credentials as sources too."""
    from queries.joint_paths import _by_hops, first_paths

    emb, neo, name = pair
    ids = sorted(n["id"] for n in emb.nodes())
    sources = _sample(ids, 40, seed=5)
    pairs = {(s, d) for s in sources for d in _sample(emb.reached([s], as_of=AS_OF), 6)}
    pairs |= {(s, d) for s, d in zip(sources, _sample(ids, len(sources), seed=7), strict=False)}
    pairs |= {(sources[0], "no-such-node"), ("no-such-node", sources[0])}
    want = _by_hops(emb, pairs, AS_OF)
    assert neo.first_paths(pairs, AS_OF) == want
    assert first_paths(neo, pairs, as_of=AS_OF) == want
    if name in ("chain", "sharing", "generated", "sample"):
        assert any(len(p) > 2 for p in want.values())
