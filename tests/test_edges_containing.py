"""``Store.edges_containing``: the embedded store's substring match over the properties
column gives the edges the protocol's default (every edge of the kind) filtered by the same
test, worked out by hand."""

from __future__ import annotations

from graph.store import Store
from tests.graphs import fresh

GRAPH = (
    [("a", "Identity"), ("b", "Identity"), ("r1", "Resource"), ("r2", "Resource"),
     ("r3", "Resource"), ("r4", "Resource")],
    [
        ("a", "CAN_ACCESS", "r1", {"access": "admin"}),
        ("a", "CAN_ACCESS", "r2", {"access": "read", "actions": ["s3:GetObject"]}),
        ("b", "CAN_ACCESS", "r3", {"access": "write", "actions": ["s3:*", "kms:Decrypt"]}),
        ("b", "CAN_ACCESS", "r4", {"access": "read", "grant": "readers (not admins)"}),
        ("b", "CAN_ACCESS", "r1"),
        ("a", "MEMBER_OF", "b", {"note": "admin"}),
    ],
)


def ends(edges):
    return sorted((e.src, e.dst) for e in edges)


def test_edges_containing_by_hand():
    store = fresh(GRAPH)
    got = list(store.edges_containing("CAN_ACCESS", ("admin", "*")))
    # r4's grant names admins: more than the caller wants, never less
    assert ends(got) == [("a", "r1"), ("b", "r3"), ("b", "r4")]
    assert {(e.dst, e.props.get("access")) for e in got} == \
        {("r1", "admin"), ("r3", "write"), ("r4", "read")}
    assert ends(store.edges_containing("CAN_ACCESS", ("kms:",))) == [("b", "r3")]
    assert list(store.edges_containing("CAN_ACCESS", ())) == []
    assert list(store.edges_containing("NO_SUCH_KIND", ("admin",))) == []
    # a text JSON would escape is not matched on the stored text: every edge of the kind
    assert len(list(store.edges_containing("CAN_ACCESS", ('"admin"',)))) == 5
    assert len(list(store.edges_containing("CAN_ACCESS", ("é",)))) == 5


def test_the_default_is_every_edge_of_the_kind():
    store = fresh(GRAPH)
    assert ends(Store.edges_containing(store, "CAN_ACCESS", ("admin",))) == \
        ends(store.edges("CAN_ACCESS"))
