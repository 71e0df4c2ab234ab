"""The Neo4j store against a real Bolt server: idempotent re-ingest, a second source
adding to the graph, stale cleanup, bad input leaving the database as it was, and one
clear line for every connection problem."""

from __future__ import annotations

import pytest

from graph.embedded import EmbeddedStore
from graph.errors import InputError, StoreError
from graph.neo4j_store import Neo4jStore
from graph.records import Batch, Edge, Node
from queries import resolve_node
from tests import graphs
from tests.neo4j_server import DATABASE, USER, _free_port


def _snapshot(store):
    nodes = {n["id"]: n for n in store.nodes()}
    edges = {e.key: e.props for e in store.edges()}
    return nodes, edges


def _duplicates(store) -> tuple[int, int]:
    nodes = store._read("MATCH (n:NhiNode) WITH n.id AS id, count(*) AS c WHERE c > 1 "
                        "RETURN count(*) AS n")[0]["n"]
    edges = store._read("MATCH (a:NhiNode)-[r]->(b:NhiNode) WITH a.id AS a, type(r) AS t, "
                        "b.id AS b, count(*) AS c WHERE c > 1 RETURN count(*) AS n")[0]["n"]
    return nodes, edges


def test_reingest_is_idempotent(neo4j_store):
    first = graphs.load(neo4j_store, graphs.CHAIN, source="a")
    before = _snapshot(first)
    again = neo4j_store.write(graphs.batch(*graphs.CHAIN), source="a")
    assert (again.nodes_written, again.edges_written) == (9, 10)
    assert (again.nodes_created, again.edges_created) == (0, 0)
    assert (again.nodes_removed, again.edges_removed) == (0, 0)
    assert _snapshot(neo4j_store) == before
    assert _duplicates(neo4j_store) == (0, 0)
    assert [r["source"] for r in neo4j_store.runs()] == ["a", "a"]



def test_an_edge_between_nodes_already_held_is_upserted_once(neo4j_store):
    # Both endpoints exist before the run, so the edge goes through the upsert path.
    graphs.load(neo4j_store, ([("w", "Workflow"), ("c", "Connector"), ("c2", "Connector")],
                              [("w", "USES", "c")]), source="a")
    first = neo4j_store.write(graphs.batch([], [("w", "USES", "c2"), ("w", "USES", "c")]),
                              source="b")
    assert (first.nodes_created, first.edges_created) == (0, 1)
    again = neo4j_store.write(graphs.batch([], [("w", "USES", "c2")]), source="b")
    assert again.edges_created == 0
    assert _duplicates(neo4j_store) == (0, 0)
    assert {e.key for e in neo4j_store.edges()} == {("w", "USES", "c"), ("w", "USES", "c2")}


def test_a_retry_after_an_unseen_commit_creates_nothing_twice(neo4j_store, monkeypatch):
    """The driver retries a managed transaction whose commit reply was lost: the first
    attempt of a create-only batch has committed, and the retry must not create again."""
    expected = _snapshot(graphs.load(neo4j_store, graphs.CHAIN, source="a"))
    neo4j_store._clear()
    real, retried = neo4j_store._run, []

    def commit_then_retry(write, fn, *args, **kw):
        if getattr(fn, "__name__", "") == "create_only":
            real(write, fn, *args, **kw)  # attempt 1 commits; its reply "never arrives"
            retried.append(fn)
        return real(write, fn, *args, **kw)

    monkeypatch.setattr(neo4j_store, "_run", commit_then_retry)
    neo4j_store.write(graphs.batch(*graphs.CHAIN), source="a")
    assert len(retried) >= 2  # nodes and edges both went through the create-only path
    assert _duplicates(neo4j_store) == (0, 0)
    assert _snapshot(neo4j_store) == expected


def test_nodes_created_by_another_writer_after_the_lookup(neo4j_store, monkeypatch):
    """The lookup saw none of the batch's nodes, but they exist by the time it is written
    (another writer): the uniqueness constraint stops the create, the batch is upserted,
    and the edges touching those nodes are upserted too instead of duplicated."""
    before = _snapshot(graphs.load(neo4j_store, graphs.CHAIN, source="a"))
    monkeypatch.setattr(neo4j_store, "_existing_kinds", lambda ids: {})
    again = neo4j_store.write(graphs.batch(*graphs.CHAIN), source="a")
    assert (again.nodes_created, again.edges_created) == (0, 0)
    assert _duplicates(neo4j_store) == (0, 0)
    assert _snapshot(neo4j_store) == before

A1 = ([("w", "Workflow", {"name": "W", "environment": "prod"}), ("c", "Connector"),
       ("s", "Secret"), ("sys", "System")],
      [("w", "USES", "c"), ("c", "AUTHENTICATES_WITH", "s"),
       ("s", "CAN_ACCESS", "sys", {"access": "read"})])
B = ([("s", "Secret", {"store": "vault"}), ("v", "Vault")],
     [("v", "STORES", "s"), ("s", "CAN_ACCESS", "sys", {"access": "admin"})])
A2 = ([("w", "Workflow", {"name": "W", "environment": "prod"}), ("c", "Connector")],
      [("w", "USES", "c")])


@pytest.mark.parametrize("backend", ["embedded", "neo4j"])
def test_second_source_then_stale_cleanup(backend, neo4j_store, tmp_path):
    store = neo4j_store if backend == "neo4j" else EmbeddedStore(tmp_path / "s")
    graphs.load(store, A1, source="a")
    added = store.write(graphs.batch(*B), source="b")
    assert (added.nodes_created, added.edges_created) == (1, 1)  # v, and v-STORES->s
    assert store.get_node("s") == {"id": "s", "kind": "Secret", "name": "s", "source": "a",
                                   "store": "vault"}
    assert dict(_snapshot(store)[1])[("s", "CAN_ACCESS", "sys")] == {"access": "admin"}

    stale = store.write(graphs.batch(*A2), source="a")
    # sys only had a's word; c-AUTHENTICATES_WITH->s too; s-CAN_ACCESS->sys (a and b)
    # goes with sys. s stays because b still vouches for it.
    assert (stale.nodes_removed, stale.edges_removed) == (1, 2)
    nodes, edges = _snapshot(store)
    assert {i: n["kind"] for i, n in nodes.items()} == {
        "w": "Workflow", "c": "Connector", "s": "Secret", "v": "Vault"}
    assert set(edges) == {("w", "USES", "c"), ("v", "STORES", "s")}
    assert nodes["w"] == {"id": "w", "kind": "Workflow", "name": "W", "source": "a",
                          "environment": "prod"}
    # b's next run without s removes it: nobody vouches for it any more
    gone = store.write(graphs.batch([("v", "Vault")], []), source="b")
    assert (gone.nodes_removed, gone.edges_removed) == (1, 1)
    assert set(_snapshot(store)[0]) == {"w", "c", "v"}


def test_bad_input_leaves_database_unchanged(neo4j_store):
    graphs.load(neo4j_store, graphs.CHAIN, source="a")
    before, runs = _snapshot(neo4j_store), neo4j_store.runs()
    missing = Batch(nodes=[Node("new", "Secret")],
                    edges=[Edge("new", "CAN_ACCESS", "nowhere", {}, where="f.yaml:edges[3]")])
    with pytest.raises(InputError, match=r"f.yaml:edges\[3\]: edge refers to a missing node"):
        neo4j_store.write(missing, source="a")
    conflict = Batch(nodes=[Node("new", "Secret"), Node("wf", "Secret", where="g.csv:2")])
    with pytest.raises(InputError, match="g.csv:2: id 'wf' is a Secret here but already a "
                                         "Workflow"):
        neo4j_store.write(conflict, source="b")
    assert _snapshot(neo4j_store) == before
    assert neo4j_store.runs() == runs


def test_replace_keeps_only_the_new_source(neo4j_store):
    graphs.load(neo4j_store, graphs.CHAIN, source="a")
    neo4j_store.write(graphs.batch(*graphs.SHARING), source="b", replace=True)
    assert neo4j_store.counts() == graphs.sharing_store().counts()
    assert [r["source"] for r in neo4j_store.runs()] == ["b"]
    assert neo4j_store.sources() == {"b"}


def test_case_insensitive_names_are_matched_literally(neo4j_store, tmp_path):
    spec = ([("a", "Secret", {"name": "Deploy (prod).*"}), ("b", "Secret", {"name": "aXb"}),
             ("c", "Secret", {"name": "Ünïcode Key"})], [])
    emb = graphs.fresh(spec, tmp_path / "e")
    graphs.load(neo4j_store, spec)
    for store in (emb, neo4j_store):
        assert resolve_node(store, "deploy (PROD).*") == "a"
        assert resolve_node(store, "ünïcode key") == "c"
        assert store.find_nodes("name", "a.b", case_insensitive=True) == []
        assert [n["id"] for n in store.find_nodes("name", "AXB", case_insensitive=True)] == ["b"]
        assert store.find_nodes("name", "axb") == []


def test_wrong_password_is_one_line_without_the_password(bolt_server):
    with pytest.raises(StoreError) as err:
        Neo4jStore(bolt_server.uri, user=USER, password="hunter2-wrong", database=DATABASE)
    text = str(err.value)
    assert "wrong user or password" in text and "\n" not in text
    assert "hunter2" not in text


def test_unreachable_server_and_bad_uri():
    port = _free_port()  # nothing listens there
    with pytest.raises(StoreError, match=f"cannot reach Neo4j at bolt://127.0.0.1:{port}"):
        Neo4jStore(f"bolt://127.0.0.1:{port}", password="pw", retry_seconds=1)
    with pytest.raises(StoreError, match="not a usable Neo4j URI"):
        Neo4jStore("nonsense://127.0.0.1:1", password="pw")


def test_missing_database_and_no_password_in_location(bolt_server):
    with pytest.raises(StoreError, match="there is no database 'nope'"):
        Neo4jStore(bolt_server.uri, user=USER, password=bolt_server.password, database="nope")
    store = Neo4jStore(bolt_server.uri, user=USER, password=bolt_server.password,
                       database=DATABASE)
    assert store.location == f"{bolt_server.uri} (database {DATABASE})"
    assert bolt_server.password not in store.location
    store.close()


def test_a_password_in_the_uri_is_never_echoed():
    with pytest.raises(StoreError) as err:
        Neo4jStore("bolt://neo4j:topsecret99@127.0.0.1:7687", password="x")
    assert "topsecret99" not in str(err.value) and "NEO4J_PASSWORD" in str(err.value)
    assert "bolt://127.0.0.1:7687" in str(err.value)


def test_reads_page_and_chunk(neo4j_store, monkeypatch):
    """Pages of all nodes and chunks of ids give the same answers as one big query."""
    import graph.neo4j_store as mod

    graphs.load(neo4j_store, graphs.CHAIN)
    whole = {n["id"]: n for n in neo4j_store.nodes()}
    out = sorted(e.key for e in neo4j_store.expand(sorted(whole), "out", ["CAN_ACCESS"]))
    monkeypatch.setattr(mod, "READ_CHUNK", 2)
    assert {n["id"]: n for n in neo4j_store.nodes()} == whole
    assert sorted(n["id"] for n in neo4j_store.nodes("Secret")) == ["key", "old-key"]
    assert neo4j_store.get_nodes(sorted(whole)) == whole
    assert sorted(e.key for e in neo4j_store.expand(sorted(whole), "out", ["CAN_ACCESS"])) \
        == out == [("admin-role", "CAN_ACCESS", "acct"), ("deploy-role", "CAN_ACCESS", "bucket"),
                   ("old-key", "CAN_ACCESS", "acct")]
    assert list(neo4j_store.nodes("NotAKind")) == []
    assert neo4j_store.expand(["wf"], "out", ["DROP_TABLES"]) == []
