"""Accountable owners (:mod:`graph.ownership`), the subjects' properties as columns
(:mod:`graph.prop_columns`) and the CSR sweeps' credential test, each against answers
worked out by hand and against the protocol's default over the same store."""

from __future__ import annotations

import pytest

from graph.embedded import EmbeddedStore
from graph.model import ACCESS_EDGES, TARGET_KINDS
from graph.prop_columns import invalid_credentials
from graph.store import Store
from graph.traversal import CREDENTIAL_KINDS, is_valid_credential
from tests.graphs import fresh

AS_OF = "2026-06-01T00:00:00Z"

# ws-root (o1) > ws-child > ws-grand > wf-a -USES-> c1 -EMBEDS-> s-deep
#                                                  c1 -AUTHENTICATES_WITH-> gh (github_token)
OWNERSHIP = (
    [
        *[(o, "Owner", {"name": o.upper(), "status": "active"}) for o in ("o1", "o2", "o3")],
        ("ws-root", "Workspace", {"name": "root"}),
        ("ws-child", "Workspace", {"name": "child"}),
        ("ws-grand", "Workspace", {"name": "grand"}),
        ("ws-x", "Workspace", {"name": "x"}),
        ("ws-c1", "Workspace", {"name": "cycle 1"}),
        ("ws-c2", "Workspace", {"name": "cycle 2"}),
        ("v", "Vault", {"name": "vault"}),
        ("v-free", "Vault", {"name": "unowned vault"}),
        ("wf-a", "Workflow", {"name": "a"}),
        ("wf-own", "Workflow", {"name": "own"}),
        ("wf-both", "Workflow", {"name": "both"}),
        ("wf-sub", "Workflow", {"name": "sub"}),
        ("wf-loop", "Workflow", {"name": "in a cycle"}),
        ("c1", "Connector", {"name": "c1"}),
        ("c-own", "Connector", {"name": "owned connector"}),
        ("s-vault", "Secret", {"name": "in vault"}),
        ("s-free", "Secret", {"name": "in unowned vault"}),
        ("s-two", "Secret", {"name": "vault and child"}),
        ("s-tie", "Secret", {"name": "vault and ws-x"}),
        ("s-near", "Secret", {"name": "embedded by wf-own, in ws-child"}),
        ("s-deep", "Secret", {"name": "five levels down"}),
        ("s-auth", "Secret", {"name": "a connector's login"}),
        ("gh", "Identity", {"name": "token", "identity_type": "github_token"}),
        ("gh2", "Identity", {"name": "token 2", "identity_type": "github_token"}),
        ("r1", "Identity", {"name": "role", "identity_type": "role"}),
    ],
    [
        ("o1", "OWNS", "ws-root"),
        ("ws-root", "CONTAINS", "ws-child"),
        ("ws-child", "CONTAINS", "ws-grand"),
        ("ws-grand", "CONTAINS", "wf-a"),
        ("wf-a", "USES", "c1"),
        ("c1", "EMBEDS", "s-deep"),
        ("c1", "AUTHENTICATES_WITH", "gh"),
        ("o2", "OWNS", "wf-own"),
        ("ws-root", "CONTAINS", "wf-own"),
        ("o1", "OWNS", "wf-both"),
        ("o2", "OWNS", "wf-both"),
        ("wf-own", "USES", "wf-sub"),
        ("o3", "OWNS", "v"),
        ("v", "STORES", "s-vault"),
        ("v-free", "STORES", "s-free"),
        ("v", "STORES", "s-two"),
        ("ws-child", "CONTAINS", "s-two"),
        ("o2", "OWNS", "ws-x"),
        ("v", "STORES", "s-tie"),
        ("ws-x", "CONTAINS", "s-tie"),
        ("wf-own", "EMBEDS", "s-near"),
        ("ws-child", "CONTAINS", "s-near"),
        ("o3", "OWNS", "c-own"),
        ("c-own", "AUTHENTICATES_WITH", "gh2"),
        ("c-own", "AUTHENTICATES_WITH", "r1"),
        ("c-own", "AUTHENTICATES_WITH", "s-auth"),
        ("ws-c1", "CONTAINS", "ws-c2"),
        ("ws-c2", "CONTAINS", "ws-c1"),
        ("ws-c2", "CONTAINS", "wf-loop"),
    ],
)

#: Worked out by hand from the rules of graph.ownership.INHERIT (levels 0..4).
EXPECTED = {
    "ws-root": ["o1"],
    "ws-child": ["o1"],  # its parent
    "wf-a": ["o1"],  # workspace, its parent, their parent: level 3
    "c1": ["o1"],  # its workflow, then three workspaces: level 4, the last looked at
    "s-deep": [],  # one level further: past the depth limit
    "gh": [],  # a github_token inherits through c1: level 5 too
    "gh2": ["o3"],  # a github_token inherits from the connector logging in with it
    "r1": [],  # another identity type inherits nothing
    "s-auth": [],  # a secret does not inherit through AUTHENTICATES_WITH
    "wf-own": ["o2"],  # its own owner, not its workspace's
    "wf-both": ["o1", "o2"],  # all of its own, sorted
    "wf-sub": [],  # a workflow inherits only from a workspace, not a caller
    "s-vault": ["o3"],
    "s-free": [],  # an unowned vault has nothing to pass on
    "s-two": ["o3"],  # level 1: the vault's owner; ws-child's comes at level 2, unused
    "s-tie": ["o2", "o3"],  # level 1 holds two owners: both, sorted
    "s-near": ["o2"],  # the embedding workflow's owner at level 1 beats ws-child's
    "ws-c1": [],  # a cycle of unowned workspaces: nothing within the depth limit
    "wf-loop": [],
    "v": ["o3"],
    "o1": [],  # an owner owns, nobody owns it
    "no-such-node": [],
}


@pytest.fixture(scope="module")
def owned(tmp_path_factory):
    return fresh(OWNERSHIP, tmp_path_factory.mktemp("owners"))


def test_owners_worked_by_hand(owned):
    ids = list(EXPECTED)
    assert owned.accountable_owners(ids) == EXPECTED
    assert Store.accountable_owners(owned, ids) == EXPECTED  # the protocol's default


def test_owners_of_a_few_and_of_none(owned):
    assert owned.accountable_owners(["s-tie", "s-tie"]) == {"s-tie": ["o2", "o3"]}
    assert owned.accountable_owners([]) == {}
    assert Store.accountable_owners(owned, []) == {}


def test_owners_on_an_empty_store(tmp_path):
    empty = EmbeddedStore(tmp_path / "empty")
    assert empty.accountable_owners(["x"]) == {"x": []}


def _every_kind(store):
    return list({n["kind"] for n in store.nodes()})


@pytest.mark.parametrize("name", ["owned", "sample"])
def test_owners_agree_with_the_default_everywhere(owned, sample_store, name):
    store = owned if name == "owned" else sample_store
    ids = sorted(n["id"] for n in store.nodes())
    assert store.accountable_owners(ids) == Store.accountable_owners(store, ids)


@pytest.fixture(scope="module")
def sample_store(tmp_path_factory):
    import sample_estate

    return sample_estate.load(EmbeddedStore(tmp_path_factory.mktemp("sample")))


ODD = (
    [
        ("w1", "Workflow", {"name": "caf\u00e9 \"quoted\" \\ back", "environment": "prod",
                            "status": "active"}),
        ("w2", "Workflow", {"status": "retired"}),  # no environment (the store names it)
        ("s1", "Secret", {"name": "emoji \U0001f511", "status": "revoked",
                          "expires_at": "2026-01-01T00:00:00Z"}),
        ("s2", "Secret", {"name": "s2", "expires_at": "2027-01-01T00:00:00Z"}),
        ("i1", "Identity", {"name": "i1", "identity_type": "github_token"}),
        ("c1", "Connector", {"name": "not asked"}),
    ],
    [],
)

KEYS = {"kind": None, "status": None, "name": "MISSING", "environment": "unknown",
        "expires_at": None, "identity_type": None}


def _by_default(store, kinds, defaults):
    return Store.node_values(store, kinds, defaults)


def test_node_values_equal_the_nodes_read_whole(tmp_path, sample_store):
    odd = fresh(ODD, tmp_path / "odd")
    for store in (odd, sample_store):
        for kinds in (("Workflow", "Secret", "Identity"), ("Secret",), ("Vault",), ()):
            assert store.node_values(kinds, KEYS) == _by_default(store, kinds, KEYS)
    ids, values = odd.node_values(("Workflow", "Secret", "Identity"), KEYS)
    assert ids == ["i1", "s1", "s2", "w1", "w2"]
    assert values["name"] == ["i1", "emoji \U0001f511", "s2", "caf\u00e9 \"quoted\" \\ back",
                              "w2"]
    assert values["environment"] == ["unknown", "unknown", "unknown", "prod", "unknown"]
    assert odd.node_values(("Workflow",), {"id": None, "status": 0}) == (
        ["w1", "w2"], {"id": ["w1", "w2"], "status": ["active", "retired"]})


def test_node_values_tell_a_null_from_a_missing_key_and_read_any_type(tmp_path):
    """A value that is not a text (here a number and a list, as the default gives them
    from ``nodes()``) sends the read to Python; a null is not the default."""
    store = fresh(ODD, tmp_path / "odd")
    gen = store.generation()
    from graph import prop_columns

    texts = ['{"a": null, "b": "x"}', '{"b": "y"}', '{"a": 3}', '{"a": [1], "b": "z"}']

    class Fake:
        """Just what _rows_values reads of a generation: props texts and kinds."""
        n = len(texts)

        def __init__(self):
            import pyarrow as pa

            from graph.columnar import _strings

            self.nodes = pa.table({"props": _strings(texts)})
            self.node_kinds = (["K"], __import__("numpy").zeros(self.n, dtype="int32"))

        def kind_mask(self, kinds):
            import numpy as np

            return np.full(self.n, "K" in set(kinds))

    from graph import columnar

    for few in (columnar.FEW_ROWS, 0):  # read in Python (few rows), then by Arrow's reader
        columnar.FEW_ROWS, old = few, columnar.FEW_ROWS
        try:
            _, got = prop_columns._rows_values(Fake(), ["K"], {"a": "D", "b": "D"})
            assert got == {"a": [None, "D", 3, [1]], "b": ["x", "y", "D", "z"]}
            _, got = prop_columns._rows_values(Fake(), ["K"], {"b": "D"})
            assert got == {"b": ["x", "y", "D", "z"]}
        finally:
            columnar.FEW_ROWS = old
    assert gen.n  # the store itself was read above


def test_invalid_credentials_as_one_node_at_a_time(tmp_path, sample_store):
    odd = fresh(ODD, tmp_path / "odd")
    for store in (odd, sample_store):
        gen = store.generation()
        for now in (AS_OF, "2026-12-31T00:00:00Z", "2030-01-01T00:00:00Z"):
            bad = invalid_credentials(gen, CREDENTIAL_KINDS, now)
            nodes = gen.public(range(gen.n))
            assert bad.tolist() == [not is_valid_credential(n, now) for n in nodes]


def test_reach_many_kinds_equal_the_default(sample_store):
    ids = sorted(n["id"] for n in sample_store.nodes())
    sets = [[i] for i in ids] + [ids[::3], ids[1::4] + ["no-such-node"], [], ["no-such-node"]]
    got = sample_store.reach_many_kinds(sets, TARGET_KINDS, AS_OF)
    assert got == Store.reach_many_kinds(sample_store, sets, TARGET_KINDS, AS_OF)
    assert any(got.values())
    assert ACCESS_EDGES  # the default walks the access edges, as the store's does
