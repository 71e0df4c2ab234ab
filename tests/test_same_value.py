"""Same-value sets are stars, not all pairs (graph/stitch.py), and every analysis gives what
the all-pairs version gave: by hand on a small graph, and old against new on a generated
one with sets of up to 120 copies (and a 1,000-copy set for the edge count)."""

from __future__ import annotations

import random

from graph.records import Batch, Edge, Node
from graph.stitch import STITCH_KEYS, stitch
from queries import blast_radius, inbound, orphaned_paths, shared_credentials
from tests import graphs

AS_OF = "2026-06-01T00:00:00Z"


def all_pairs(batch: Batch) -> None:
    """The stitching this replaced: every pair of same-value secrets, kept here as the
    reference the star must agree with."""
    for key in STITCH_KEYS:
        groups: dict[str, list[str]] = {}
        for n in batch.nodes:
            if n.kind == "Secret" and n.props.get(key):
                groups.setdefault(n.props[key], []).append(n.id)
        for ids in groups.values():
            ids = sorted(ids)
            for i, a in enumerate(ids):
                for b in ids[i + 1:]:
                    batch.edges.append(Edge(a, "SAME_VALUE_AS", b, {"reason": "same value"}))


def pairs(store) -> set[frozenset]:
    return {frozenset((e.src, e.dst)) for e in store.edges("SAME_VALUE_AS")}


# --- by hand -------------------------------------------------------------------------


def test_star_by_hand():
    store = graphs.same_value_store()
    assert pairs(store) == {frozenset(p) for p in (("a", "b"), ("a", "c"), ("a", "d"))}
    br = blast_radius(store, "w1", as_of=AS_OF)
    assert {r["id"] for r in br.rows} == {"a", "b", "c", "d", "i1", "r1", "sys"}
    by_id = {r["id"]: r for r in blast_radius(store, "w2", as_of=AS_OF).rows}
    assert set(by_id) == {"a", "b", "c", "d", "i1", "r1", "sys"}  # never bank: b is revoked
    assert by_id["sys"]["path"] == ["w2", "c", "a", "d", "sys"]
    assert by_id["sys"]["access"] == "write"
    assert sorted(r["id"] for r in inbound(store, "sys", as_of=AS_OF).rows) == \
        ["a", "c", "d", "e", "w1", "w2", "w3"]
    [cluster] = shared_credentials(store, as_of=AS_OF).rows
    assert cluster["workflows"] == ["w1", "w2"]
    assert cluster["secrets"] == ["a", "b", "c", "d"]
    assert cluster["mixed_environments"] is True
    assert cluster["reaches"] == ["r1", "sys"]


def test_path_explains_the_hop():
    r = graphs.same_value_store().reach(["w2"], as_of=AS_OF)
    hops = [(e.src, e.kind, e.dst, e.props.get("reason")) for e in r.hops("sys")]
    assert hops[1:3] == [("c", "SAME_VALUE_AS", "a", "same fingerprint"),
                         ("a", "SAME_VALUE_AS", "d", "same fingerprint")]


def test_centre_is_the_copy_that_works_longest():
    b = Batch(nodes=[Node("a", "Secret", {"fingerprint": "f", "status": "revoked"}),
                     Node("b", "Secret", {"fingerprint": "f", "expires_at": "2030-01-01"}),
                     Node("c", "Secret", {"fingerprint": "f", "expires_at": "2031-01-01"}),
                     Node("d", "Secret", {"fingerprint": "f", "expires_at": "2029-01-01"})])
    stitch(b)
    assert sorted((e.src, e.dst) for e in b.edges) == [("a", "c"), ("b", "c"), ("d", "c")]
    b.nodes.append(Node("e", "Secret", {"fingerprint": "f"}))
    b.edges.clear()
    stitch(b)
    assert {e.dst for e in b.edges} == {"e"}  # never expires: the centre


# --- linear --------------------------------------------------------------------------


def _copies(n: int, value: str = "fp", prefix: str = "s") -> list[Node]:
    return [Node(f"{prefix}{i:04d}", "Secret", {"fingerprint": value}) for i in range(n)]


def test_thousand_copies_are_linear(tmp_path):
    b = Batch(nodes=_copies(1000))
    assert stitch(b) == 999
    store = graphs.EmbeddedStore(tmp_path)
    store.write(b, source="one")
    assert len(pairs(store)) == 999  # all pairs would be 499,500
    assert store.counts()["edges"]["SAME_VALUE_AS"] <= 2000  # both ways


def test_stored_copy_joins_linearly_and_idempotently(tmp_path):
    store = graphs.EmbeddedStore(tmp_path)
    first = Batch(nodes=_copies(300))
    stitch(first, store)
    store.write(first, source="one")
    extra = [Node("x-new", "Secret", {"fingerprint": "fp"}),
             Node("x-cap", "Identity", {"identity_type": "role"})]
    more = Batch(nodes=list(extra), edges=[Edge("x-new", "AUTHENTICATES_AS", "x-cap")])
    assert stitch(more, store) == 300  # the new copy, once to each stored copy
    store.write(more, source="two")
    before = pairs(store)
    assert len(before) == 599
    for _ in range(2):  # re-ingesting both sources changes nothing
        for src, nodes in (("one", _copies(300)), ("two", list(extra))):
            b = Batch(nodes=nodes, edges=[Edge("x-new", "AUTHENTICATES_AS", "x-cap")]
                      if src == "two" else [])
            stitch(b, store)
            store.write(b, source=src)
        assert pairs(store) == before
    reached = set(store.reach(["s0123"]).dist)
    assert {f"s{i:04d}" for i in range(300)} | {"x-new", "x-cap"} <= reached
    # source one drops the copy that was its centre: the rest stays one set
    b = Batch(nodes=_copies(300)[1:])
    stitch(b, store)
    store.write(b, source="one")
    assert "s0000" not in set(store.reach(["s0005"]).dist)
    assert {"x-new", "x-cap", "s0299"} <= set(store.reach(["s0005"]).dist)


# --- old against new -----------------------------------------------------------------


def generated(seed: int = 5):
    """Workflows holding copies of a few values (one of 120 copies), identities,
    resources and systems; some copies revoked, some workflows retired."""
    rnd = random.Random(seed)
    nodes, edges = [], []
    sizes = [120, 40, 7, 3, 2, 1, 1]
    secrets = []
    for v, size in enumerate(sizes):
        for i in range(size):
            sid = f"sec:{v}:{i:04d}"
            status = "revoked" if rnd.random() < 0.05 else "active"
            props = {"fingerprint": f"value-{v}", "status": status}
            if v == 1 and i % 3 == 0:
                props["access_key_id"] = "AKIA-SHARED"  # a second key, across values
            nodes.append(Node(sid, "Secret", props))
            secrets.append(sid)
    ids = [f"id:{i}" for i in range(30)]
    targets = [f"res:{i}" for i in range(20)] + [f"sys:{i}" for i in range(5)]
    nodes += [Node(i, "Identity", {"identity_type": "role"}) for i in ids]
    nodes += [Node(t, "Resource" if t.startswith("res") else "System") for t in targets]
    for s in secrets:
        if rnd.random() < 0.02:
            edges.append(Edge(s, "AUTHENTICATES_AS", rnd.choice(ids)))
        if rnd.random() < 0.01:
            edges.append(Edge(s, "CAN_ACCESS", rnd.choice(targets), {"access": "read"}))
    for i in ids:
        edges.append(Edge(i, "CAN_ACCESS", rnd.choice(targets), {"access": "write"}))
        if rnd.random() < 0.2:
            edges.append(Edge(i, "CAN_ASSUME", rnd.choice(ids)))
    for w in range(120):
        wid = f"wf:{w:03d}"
        env = rnd.choice(("prod", "dev", "staging"))
        status = "retired" if rnd.random() < 0.1 else "active"
        nodes.append(Node(wid, "Workflow", {"environment": env, "status": status}))
        for _ in range(2 if rnd.random() < 0.05 else 1):
            v = rnd.randrange(len(sizes))
            edges.append(Edge(wid, "REFERENCES", f"sec:{v}:{rnd.randrange(sizes[v]):04d}"))
        if w and rnd.random() < 0.1:
            edges.append(Edge(wid, "CLONED_FROM", f"wf:{w - 1:03d}"))
    return nodes, edges


def _store(tmp_path, name, link):
    nodes, edges = generated()
    b = Batch(nodes=list(nodes), edges=list(edges))
    link(b)
    store = graphs.EmbeddedStore(tmp_path / name)
    store.write(b, source="gen")
    return store


def _clusters(store):
    return sorted((c["workflows"], c["secrets"], c["identities"], c["reaches"],
                   c["mixed_environments"]) for c in shared_credentials(store, as_of=AS_OF).rows)


def test_star_answers_what_all_pairs_answered(tmp_path):
    old = _store(tmp_path, "old", all_pairs)
    new = _store(tmp_path, "new", stitch)
    assert len(pairs(old)) > 7_140 and len(pairs(new)) < 180
    assert _clusters(old) == _clusters(new)
    assert len(_clusters(new)) > 1
    assert orphaned_paths(old, as_of=AS_OF).rows == orphaned_paths(new, as_of=AS_OF).rows
    rnd = random.Random(1)
    every = sorted(n["id"] for n in new.nodes())
    for node in rnd.sample(every, 15) + ["sec:0:0000", "sec:0:0119", "wf:000"]:
        a, b = old.reach([node], as_of=AS_OF), new.reach([node], as_of=AS_OF)
        assert set(a.dist) == set(b.dist), node
        ra = blast_radius(old, node, as_of=AS_OF).rows
        rb = blast_radius(new, node, as_of=AS_OF).rows
        assert {(r["id"], r["access"]) for r in ra} == {(r["id"], r["access"]) for r in rb}
        if node.startswith(("res", "sys")):
            assert {r["id"] for r in inbound(old, node, as_of=AS_OF).rows} == \
                {r["id"] for r in inbound(new, node, as_of=AS_OF).rows}
