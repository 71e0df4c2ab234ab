"""``queries.joint_paths.first_paths``: one joint walk gives, for every pair, the path that
``shortest_paths(..., limit=1)`` ranks first (worked out by hand on the chain graph, and
compared pair by pair on a heavy-sharing estate)."""

from __future__ import annotations

from graph.embedded import EmbeddedStore
from ingest.pipeline import ingest
from ingest.synthetic_estate import generate
from queries import orphaned_paths
from queries.context import Context
from queries.joint_paths import first_paths
from queries.path import shortest_paths
from tests.graphs import chain_store

AS_OF = "2026-06-01T00:00:00Z"


def one_by_one(store, pairs):
    out = {}
    for s, d in pairs:
        rows = shortest_paths(store, s, d, limit=1, as_of=AS_OF).rows
        out[(s, d)] = rows[0]["path"] if rows else [s, d]
    return out


def both_engines(store, pairs):
    """The CSR walk (with the invalid credentials known) and the one-hop-per-call walk."""
    invalid = Context(store, as_of=AS_OF).invalid_credentials
    csr = first_paths(store, pairs, as_of=AS_OF, invalid=invalid)
    assert first_paths(store, pairs, as_of=AS_OF) == csr
    return csr


def test_first_paths_on_the_chain_by_hand():
    store = chain_store()
    assert Context(store, as_of=AS_OF).invalid_credentials == {"old-key"}
    pairs = [("wf", "bucket"), ("wf", "acct"), ("conn", "bucket"), ("wf", "wf"),
             ("old-key", "acct"), ("bucket", "wf"), ("wf", "alice"), ("wf", "nowhere")]
    got = both_engines(store, pairs)
    assert got == {
        # read grant of deploy-role (4 hops) before the admin role's account (5 hops)
        ("wf", "bucket"): ["wf", "conn", "key", "deploy-role", "bucket"],
        # not through the revoked old-key (reached, never expanded)
        ("wf", "acct"): ["wf", "conn", "key", "deploy-role", "admin-role", "acct"],
        ("conn", "bucket"): ["conn", "key", "deploy-role", "bucket"],
        ("wf", "wf"): ["wf"],
        # a revoked source is still expanded, as shortest_paths does
        ("old-key", "acct"): ["old-key", "acct"],
        ("bucket", "wf"): ["bucket", "wf"],  # no path
        ("wf", "alice"): ["wf", "alice"],  # OWNS is not an access edge
        ("wf", "nowhere"): ["wf", "nowhere"],  # no such node
    }
    assert {p: got[p] for p in pairs[:-1]} == one_by_one(store, pairs[:-1])


def test_first_paths_equal_shortest_paths_on_heavy_sharing(tmp_path):
    generate(3000, 3, tmp_path / "heavy", shape="heavy-sharing")
    store = EmbeddedStore(tmp_path / "store")
    ingest("inventory", [str(tmp_path / "heavy")], store)
    rows = orphaned_paths(store, as_of=AS_OF).rows
    # what the offboarding rules ask: each orphan to (up to) three of the targets it reaches,
    # plus targets it cannot reach (the first orphan's targets from every other orphan)
    pairs = [(o["node"], t) for o in rows for t in o["reaches"][:3]]
    pairs += [(o["node"], t) for o in rows[1:200] for t in rows[0]["reaches"][:2]]
    assert len(pairs) > 1000
    got = both_engines(store, pairs)
    assert got == one_by_one(store, pairs)
    assert any(len(p) > 3 for p in got.values())  # not only direct neighbours
    ctx = Context(store, as_of=AS_OF)
    ctx.prefetch_paths(pairs[:50])
    assert [ctx.path(s, d) for s, d in pairs[:50]] == [got[p] for p in pairs[:50]]
