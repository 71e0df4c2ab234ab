"""The Cypher the Neo4j store writes with: whitelisted names only, and a create that holds
every property in its own map gives the same nodes and edges as the embedded store."""

from __future__ import annotations

import pytest

from graph import neo4j_cypher as cy
from graph.embedded import EmbeddedStore
from graph.model import node_props
from tests import graphs


def test_split_props_keeps_only_declared_identifiers_inline():
    declared = node_props("Secret")
    assert cy.split_props({"name": "x", "status": "active"}, declared) == (("name", "status"),
                                                                          False)
    assert cy.split_props({"status": "active", "custom_flag": True}, declared) == (
        ("status",), True)
    assert cy.split_props({}, declared) == ((), False)


@pytest.mark.parametrize("key", ["custom_flag", "name`}) DETACH DELETE n //", "name\n",
                                 "seen_by", "_nhi_runs"])
def test_a_create_statement_never_takes_an_undeclared_or_internal_key(key):
    with pytest.raises(ValueError):
        cy.create_nodes("Secret", (key,))
    with pytest.raises(ValueError):
        cy.create_edges("CAN_ACCESS", "Secret", "System", (key,))
    with pytest.raises(ValueError):
        cy.create_nodes("Secret`) DETACH DELETE n //")


def test_create_statement_shape():
    q = cy.create_nodes("Secret", ("name", "status"), rest=False)
    assert q == ("UNWIND $rows AS row CREATE (n:NhiNode:Secret {`id`: row.id, "
                 "`name`: row.props.`name`, `source`: $source, `seen_by`: [$source], "
                 "`_nhi_runs`: [$tag], `status`: row.props.`status`})")
    assert cy.create_nodes("Secret", ()).endswith(" SET n += row.props")


MIXED = (
    [("a", "Secret", {"name": "Alpha", "status": "active", "custom_flag": True,
                      "tags": ["x", "y"]}),
     ("b", "Secret"),
     ("c", "Secret", {"status": "revoked", "source": "vault-export"}),
     ("sys", "System", {"environment": "prod"})],
    [("a", "CAN_ACCESS", "sys", {"access": "admin", "note": "undeclared"}),
     ("b", "CAN_ACCESS", "sys"),
     ("c", "CAN_ACCESS", "sys", {"access": "read"})],
)


def test_created_properties_match_the_embedded_store(neo4j_store, tmp_path):
    emb = graphs.load(EmbeddedStore(tmp_path / "s"), MIXED, source="inv")
    graphs.load(neo4j_store, MIXED, source="inv")
    assert sorted(neo4j_store.nodes(), key=lambda n: n["id"]) == \
        sorted(emb.nodes(), key=lambda n: n["id"])
    assert {e.key: e.props for e in neo4j_store.edges()} == {e.key: e.props for e in emb.edges()}
    # the defaults and overrides, spelled out
    got = neo4j_store.get_nodes(["a", "b", "c"])
    assert (got["a"]["name"], got["a"]["custom_flag"], got["a"]["source"]) == ("Alpha", True,
                                                                              "inv")
    assert (got["b"]["name"], got["b"]["source"]) == ("b", "inv")
    assert got["c"]["source"] == "vault-export"
    access = {e.src: e.props.get("access") for e in neo4j_store.edges("CAN_ACCESS")}
    assert access == {"a": "admin", "b": "unknown", "c": "read"}
