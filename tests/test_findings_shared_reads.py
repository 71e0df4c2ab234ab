"""What a findings run reads once and shares (queries/context.py): the shared clusters from
the context's environments, credential nodes and the blast figures' closure; the blast
figures from the context's dead credentials; the workflows' and connectors' out-edges from
one expand; the copies of a credential from the SAME_VALUE_AS edges. Each is checked
against the values worked out by hand on one small graph and against the plain analyses.
"""

from __future__ import annotations

from queries.blast_summary import read_nodes
from queries.context import Context
from queries.shared_credentials import shared_credentials
from queries.traverse import targets_of
from tests.graphs import fresh

AS_OF = "2026-06-01T00:00:00Z"

# Cluster 1: s-1 (wf-a through conn-1, wf-b directly) and s-4 (wf-b, wf-e): prod, dev (wf-b
# inherits dev from ws-d) and unknown; s-1 mixes prod and dev, s-4 does not.
# Cluster 2: s-2 (revoked) and s-5 (which logs in as id-1) in wf-c and wf-d, both dev.
# s-6 is embedded in wf-e and stored again as s-7.
GRAPH = (
    [
        ("ws-p", "Workspace", {"environment": "prod"}),
        ("ws-d", "Workspace", {"environment": "dev"}),
        ("wf-a", "Workflow", {"environment": "prod"}),
        ("wf-b", "Workflow", {"environment": "unknown"}),
        ("wf-c", "Workflow", {"environment": "dev"}),
        ("wf-d", "Workflow", {"environment": "dev"}),
        ("wf-e", "Workflow"),
        ("conn-1", "Connector", {"name": "Billing API"}),
        ("s-1", "Secret", {"name": "billing key"}),
        ("s-2", "Secret", {"status": "revoked"}),
        ("s-4", "Secret", {"name": "ops token"}),
        ("s-5", "Secret"),
        ("s-6", "Secret", {"name": "inline"}),
        ("s-7", "Secret", {"name": "inline copy"}),
        ("id-1", "Identity", {"name": "deployer"}),
        ("app", "System", {"crown_jewel": True}),
        ("app2", "System"),
        ("db", "Resource"),
    ],
    [
        ("ws-p", "CONTAINS", "wf-a"), ("ws-d", "CONTAINS", "wf-b"),
        ("wf-a", "USES", "conn-1"), ("conn-1", "AUTHENTICATES_WITH", "s-1"),
        ("wf-b", "REFERENCES", "s-1"), ("wf-b", "REFERENCES", "s-4"),
        ("wf-e", "REFERENCES", "s-4"),
        ("wf-c", "REFERENCES", "s-2"), ("wf-d", "REFERENCES", "s-2"),
        ("wf-c", "REFERENCES", "s-5"), ("wf-d", "REFERENCES", "s-5"),
        ("s-5", "AUTHENTICATES_AS", "id-1"),
        ("wf-e", "EMBEDS", "s-6"), ("s-6", "SAME_VALUE_AS", "s-7"),
        ("s-1", "CAN_ACCESS", "app", {"access": "read"}),
        ("app", "CONTAINS", "db"),
        ("s-4", "CAN_ACCESS", "app2", {"access": "write"}),
        ("s-2", "CAN_ACCESS", "app2", {"access": "admin"}),
        ("id-1", "CAN_ACCESS", "app2", {"access": "write"}),
    ],
)


def _store():
    return fresh(GRAPH)


def test_context_reads_by_hand():
    ctx = Context(_store(), as_of=AS_OF)
    assert ctx.connectors_of == {"wf-a": ["conn-1"]}
    assert ctx.connector_creds == {"conn-1": [("AUTHENTICATES_WITH", "s-1")]}
    assert ctx.direct_held == {"s-1", "s-2", "s-4", "s-5", "s-6"}
    assert ctx.embedded == {"s-6"}
    assert ctx.same_value == {"s-6": {"s-7"}, "s-7": {"s-6"}}  # stored both ways
    assert ctx.same_credential("s-7") == ["s-6", "s-7"]
    assert ctx.workflow_env == {"wf-a": "prod", "wf-b": "dev", "wf-c": "dev", "wf-d": "dev",
                                "wf-e": "unknown"}
    assert ctx.age_days({"created_at": "2026-05-30T00:00:00Z"}) == 2.0


def test_shared_clusters_by_hand_and_from_the_context(monkeypatch):
    store = _store()
    plain = shared_credentials(store, as_of=AS_OF).rows
    assert [(c["secrets"], c["identities"], c["workflows"]) for c in plain] == [
        (["s-1", "s-4"], [], ["wf-a", "wf-b", "wf-e"]),
        (["s-2", "s-5"], ["id-1"], ["wf-c", "wf-d"]),
    ]
    first, second = plain
    assert first["environments"] == ["dev", "prod", "unknown"]
    assert first["mixed_environments"] and first["mixing_credentials"] == ["s-1"]
    assert first["workspaces"] == ["ws-d", "ws-p"]
    assert [(d["id"], d["name"], d["environments"]) for d in first["credentials"]] == [
        ("s-1", "billing key", ["dev", "prod"]), ("s-4", "ops token", ["dev", "unknown"])]
    # s-1 opens app and what app contains; s-4 app2
    assert first["reaches"] == ["app", "app2", "db"]
    # the revoked s-2 is held but opens nothing; s-5 reaches app2 as id-1
    assert second["reaches"] == ["app2"]
    assert [(d["id"], d["kind"], d["name"], d["environments"], d["mixed_environments"])
            for d in second["credentials"]] == [
        ("id-1", "Identity", "deployer", ["dev"], False),
        ("s-2", "Secret", "s-2", ["dev"], False),
        ("s-5", "Secret", "s-5", ["dev"], False)]
    # Before the scorer has its closure (the store walks) and after (read off it).
    ctx = Context(store, as_of=AS_OF)
    assert ctx.shared.rows == plain
    ctx = Context(store, as_of=AS_OF)
    ctx.blast_summaries  # noqa: B018 - built as the scorer builds it
    assert ctx.shared.rows == plain
    from graph import smallgraph

    monkeypatch.setattr(smallgraph, "SMALL_CLOSURE", 0)  # a closure, as a large store's
    ctx = Context(_store(), as_of=AS_OF)  # a new store: the first keeps its sets
    assert ctx.blast_summaries.targets_of([["s-1"]]) is not None
    assert ctx.shared.rows == plain


def test_targets_off_the_closure_equal_the_walk(monkeypatch):
    from graph import smallgraph

    # the condensation's closure, which a store this small would not build (smallgraph)
    monkeypatch.setattr(smallgraph, "SMALL_CLOSURE", 0)
    store = _store()
    ctx = Context(store, as_of=AS_OF)
    sets = [["s-1"], ["s-2"], ["app"], ["s-2", "s-5"], ["no-such-node"], [], ["wf-b"],
            ["id-1", "s-4", "s-4"], ["db", "s-2"]]
    got = ctx.blast_summaries.targets_of(sets)
    assert got == targets_of(store, sets, AS_OF)
    assert got[("s-1",)] == ["app", "db"]
    assert got[("s-2",)] == []  # revoked: reached, not expanded
    assert got[("app",)] == ["app", "db"]  # a target start is one of its own targets
    assert got[("db", "s-2")] == ["db"]
    assert got[("wf-b",)] == ["app", "app2", "db"]
    assert got[()] == [] and got[("no-such-node",)] == []


def test_blast_nodes_from_the_context_dead_credentials():
    store = _store()
    ctx = Context(store, as_of=AS_OF)
    assert ctx.invalid_credentials == {"s-2"}
    given = read_nodes(store, AS_OF, ctx.by_kind, ctx.invalid_credentials)
    assert given == read_nodes(store, AS_OF, ctx.by_kind) == read_nodes(store, AS_OF)
    ids, _, crown, dead = given
    assert [ids[v] for v in dead] == ["s-2"]
    assert [i for i, c in zip(ids, crown, strict=True) if c] == ["app"]


def test_orphans_off_the_closure_equal_the_walk(monkeypatch):
    from graph import smallgraph
    from graph.model import ACCESS_EDGES
    from queries.orphans import orphaned_paths
    from tests.graphs import orphan_store

    when = "2026-01-01T00:00:00Z"
    plain = orphaned_paths(orphan_store(), as_of=when).rows  # the store's own walks
    monkeypatch.setattr(smallgraph, "SMALL_CLOSURE", 0)  # a closure, as a large store's
    store = orphan_store()
    ctx = Context(store, as_of=when)
    wfs = ["wf-clone", "wf-gone", "wf-lost", "wf-ok", "wf-orig", "wf-retired"]
    got = ctx.blast_summaries.reached([*wfs, "no-such-node"])
    # worked out from the drawing: every workflow's credentials (s-revoked reached, not
    # expanded) and the one app they open; the sources, found or not, are in
    assert got == {*wfs, "no-such-node", "app", "s-gone", "s-lost", "s-ok", "s-retired",
                   "s-revoked", "s-shared"}
    assert got == store.reached([*wfs, "no-such-node"], "out", ACCESS_EDGES, as_of=when)
    assert ctx.blast_summaries.reached([]) == set()
    assert ctx.orphans.rows == plain
    assert {(o["node"], o["reason"]) for o in plain} >= {("s-lost", "no_owner"),
                                                         ("s-old", "unused_but_valid")}
