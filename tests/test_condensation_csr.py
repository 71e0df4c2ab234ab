"""The vectorised engines of the embedded store (issue #17): the condensation's sparse
closure, the joint sweeps over the CSR arrays, credential use by array joins, and the fast
indented JSON, each against answers worked out by hand and against the reference path."""

import json

import numpy as np
import pytest

from graph.condensation import Closure, csr_of_pairs, distinct, edge_rows
from graph.credential_use import credential_use as reference_use
from graph.credential_use import credential_users as reference_users
from graph.safe_output import strict_json
from queries.traverse import targets_of
from tests.graphs import CHAIN, SHARING, chain_store, fresh, sharing_store


def test_closure_by_hand():
    # 0 -> 1 -> 2 <-> 3 -> 4, and 5 -> 5 (a self-loop), 6 alone
    src = [0, 1, 2, 3, 3, 5]
    dst = [1, 2, 3, 2, 4, 5]
    c = Closure(csr_of_pairs(np.array(src), np.array(dst), 7))
    comp = c.label.tolist()
    assert comp[2] == comp[3] and len(set(comp)) == 6
    sets = {v: c[comp[v]] for v in range(7)}
    assert sets == {0: {1, 2, 3, 4}, 1: {2, 3, 4}, 2: {2, 3, 4}, 3: {2, 3, 4}, 4: set(),
                    5: {5}, 6: set()}
    feat = np.array([[1, 0], [0, 1], [1, 1], [0, 0], [1, 0], [0, 1], [1, 1]])
    sizes, totals, cyclic = c.sums(feat)
    assert sizes[comp[0]] == 4 and totals[comp[0]].tolist() == [2, 2]  # 1, 2, 3, 4
    assert sizes[comp[2]] == 3 and totals[comp[2]].tolist() == [2, 1]  # 2, 3, 4
    assert sizes[comp[4]] == 0 and totals[comp[4]].tolist() == [0, 0]
    assert cyclic[comp[5]] and cyclic[comp[2]] and not cyclic[comp[0]]


def test_empty_closure():
    c = Closure(csr_of_pairs(np.zeros(0, int), np.zeros(0, int), 0))
    assert len(c) == 0


def test_array_helpers():
    assert distinct(np.array([3, 1, 3, 2, 1])).tolist() == [1, 2, 3]
    assert distinct(np.zeros(0, int)).tolist() == []
    ptr = np.array([0, 2, 2, 5])
    assert edge_rows(ptr, [2, 0, 1]).tolist() == [2, 3, 4, 0, 1]


def test_reach_sets_match_the_walks_on_the_chain():
    store = chain_store()
    ids, comp, reach = store.reachable_sets({"USES", "AUTHENTICATES_WITH", "AUTHENTICATES_AS",
                                             "CAN_ASSUME", "CAN_ACCESS", "CONTAINS"},
                                            {"old-key"})
    got = {ids[v]: sorted(ids[x] for x in reach[comp[v]]) for v in range(len(ids))}
    assert got["wf"] == ["acct", "admin-role", "bucket", "conn", "deploy-role", "key",
                         "old-key"]
    assert got["old-key"] == []  # revoked: reached, never expanded
    assert got["deploy-role"] == ["acct", "admin-role", "bucket"]
    # the same through the joint sweep (targets only, 64+ sets and 1 set)
    assert targets_of(store, [["wf"]], as_of="2026-01-01T00:00:00Z") == {
        ("wf",): ["acct", "bucket"]}
    assert targets_of(store, [["old-key"], ["key"], ["acct"], ["nope"]],
                      as_of="2026-01-01T00:00:00Z") == {
        ("acct",): ["acct", "bucket"], ("key",): ["acct", "bucket"], ("nope",): [],
        ("old-key",): []}
    assert store.reached(["conn"], as_of="2026-01-01T00:00:00Z") == {
        "conn", "key", "old-key", "deploy-role", "admin-role", "bucket", "acct"}
    assert store.reached(["bucket"], "in", as_of="2026-01-01T00:00:00Z") == {
        "bucket", "acct", "deploy-role", "key", "conn", "wf", "old-key", "admin-role"}


class _ByExpand:
    """A store seen only through the protocol's reads (the reference rules' path)."""

    def __init__(self, store):
        self._store = store

    def __getattr__(self, name):
        if name == "credential_use":
            raise AttributeError(name)
        return getattr(self._store, name)


def test_credential_use_by_hand_and_as_the_reference():
    store = sharing_store()
    uses, nodes = store.credential_use(["wf-a", "wf-b", "wf-c", "missing"])
    assert uses == {"wf-a": {"s-shared", "s-solo", "role"}, "wf-b": {"s-shared"},
                    "wf-c": {"s-c", "admin"}}
    assert sorted(nodes) == ["admin", "role", "s-c", "s-shared", "s-solo"]
    assert store.credential_users(2) == {"s-shared": {"wf-a", "wf-b"}}
    assert reference_use(_ByExpand(store), ["wf-a", "wf-b", "wf-c"]) == (uses, nodes)
    for m in (1, 2, 3):
        assert store.credential_users(m) == reference_users(_ByExpand(store), m)


def test_same_value_copies_join_like_the_reference():
    nodes, edges = SHARING
    spec = (nodes + [("s-copy", "Secret"), ("s-copy2", "Secret")],
            edges + [("s-copy", "SAME_VALUE_AS", "s-shared"),
                     ("s-copy", "SAME_VALUE_AS", "s-copy2"),
                     ("s-solo", "SAME_VALUE_AS", "s-copy")])
    store = fresh(spec)
    uses, _ = store.credential_use(["wf-a", "wf-b", "wf-c"])
    # s-solo reaches s-copy, whose edges join s-shared and s-copy2: one set of four
    assert uses["wf-a"] == {"s-shared", "s-solo", "role", "s-copy", "s-copy2"}
    assert uses["wf-b"] == {"s-shared", "s-copy", "s-copy2", "s-solo"}
    assert (uses, _) == reference_use(_ByExpand(store), ["wf-a", "wf-b", "wf-c"])


def test_chain_credential_use():
    store = fresh(CHAIN)
    uses, nodes = store.credential_use(["wf"])
    assert uses == {"wf": {"key", "old-key", "deploy-role"}}
    assert sorted(nodes) == ["deploy-role", "key", "old-key"]


@pytest.mark.parametrize("value", [
    {}, [], {"a": []}, [[]], {"a": {}}, 1, "x", None, [1.5, True, None, "é\u2028"],
    {"rows": [{"a": 1, "b": "},\n  {"}, {"c": None}], "summary": {"n": 2}},
    {"rows": [{"a": 1}, {}], "x": [{"a": [1]}, 2]},
    [{"a": {"b": [{"c": 1}, {"d": [1, 2]}]}}],
    {"k": (1, 2), "when": object},
])
@pytest.mark.parametrize("indent", [0, 1, 2])
def test_indented_json_is_the_standard_text(value, indent):
    assert strict_json(value, indent=indent, default=str) == json.dumps(
        value, indent=indent, default=str, allow_nan=False)


def test_indented_json_keeps_its_fallbacks():
    assert strict_json({"a": [float("nan")]}, indent=2) == '{\n  "a": [\n    null\n  ]\n}'
    assert strict_json({1: [2]}, indent=2) == json.dumps({1: [2]}, indent=2)
