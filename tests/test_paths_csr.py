"""``graph.paths_csr.first_paths_csr``, the vectorised joint walk, on a graph small enough
to work out by hand: which of two parents at one depth wins, what a dead credential stops,
and that every pair gets its own source's walk."""

from __future__ import annotations

from graph.model import ACCESS_EDGES
from graph.paths_csr import first_paths_csr
from queries.joint_paths import first_paths
from tests.graphs import fresh

AS_OF = "2026-06-01T00:00:00Z"

#   w -USES-> c2 -AUTHENTICATES_WITH-> k -AUTHENTICATES_AS-> role -CAN_ACCESS-> r
#   w -USES-> c1 -AUTHENTICATES_WITH-> k          (c1 < c2: k's parent is c1)
#   w -REFERENCES-> dead (revoked) -AUTHENTICATES_AS-> role2 -CAN_ACCESS-> r2
#   c2 -AUTHENTICATES_WITH-> k2 -AUTHENTICATES_AS-> role2
GRAPH = (
    [
        ("w", "Workflow"), ("c1", "Connector"), ("c2", "Connector"),
        ("k", "Secret"), ("k2", "Secret"), ("dead", "Secret", {"status": "revoked"}),
        ("role", "Identity"), ("role2", "Identity"), ("r", "Resource"), ("r2", "Resource"),
    ],
    [
        ("w", "USES", "c2"), ("c2", "AUTHENTICATES_WITH", "k"), ("w", "USES", "c1"),
        ("c1", "AUTHENTICATES_WITH", "k"), ("k", "AUTHENTICATES_AS", "role"),
        ("role", "CAN_ACCESS", "r", {"access": "read"}), ("w", "REFERENCES", "dead"),
        ("dead", "AUTHENTICATES_AS", "role2"), ("role2", "CAN_ACCESS", "r2", {"access": "read"}),
        ("c2", "AUTHENTICATES_WITH", "k2"), ("k2", "AUTHENTICATES_AS", "role2"),
    ],
)


def test_first_paths_csr_by_hand():
    store = fresh(GRAPH)
    pairs = [("w", "r"), ("w", "k"), ("w", "r2"), ("dead", "r2"), ("c1", "r2"), ("w", "w"),
             ("r", "w"), ("w", "ghost"), ("k", "r"), ("w", "r")]
    got = first_paths_csr(store.generation(), pairs, ACCESS_EDGES, {"dead"})
    assert got == {
        ("w", "r"): ["w", "c1", "k", "role", "r"],  # c1 and c2 both reach k: c1 first
        ("w", "k"): ["w", "c1", "k"],
        # not through the revoked key (reached, never expanded) but through c2's k2
        ("w", "r2"): ["w", "c2", "k2", "role2", "r2"],
        ("dead", "r2"): ["dead", "role2", "r2"],  # a dead source is still expanded
        ("c1", "r2"): ["c1", "r2"],  # no path
        ("w", "w"): ["w"],
        ("r", "w"): ["r", "w"],
        ("w", "ghost"): ["w", "ghost"],  # no such node
        ("k", "r"): ["k", "role", "r"],
    }
    # the same answer through any store (one expand per hop)
    assert first_paths(store, pairs, as_of=AS_OF) == got


def test_first_paths_csr_without_pairs_to_walk():
    store = fresh(GRAPH)
    assert first_paths_csr(store.generation(), [], ACCESS_EDGES, set()) == {}
    assert first_paths_csr(store.generation(), [("w", "w"), ("x", "w")], ACCESS_EDGES,
                           set()) == {("w", "w"): ["w"], ("x", "w"): ["x", "w"]}
