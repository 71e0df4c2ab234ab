"""Result.to_networkx() on the hand-built CHAIN graph: the hops along the rows' paths."""

from __future__ import annotations

from queries import blast_radius
from tests.graphs import CHAIN, fresh


def test_blast_radius_as_networkx_has_the_hops_of_every_path():
    g = blast_radius(fresh(CHAIN), "wf").to_networkx()
    # worked out by hand from the rows' path and access_path (see test_queries.py)
    assert sorted(g.edges) == [("acct", "bucket"), ("admin-role", "acct"), ("conn", "key"),
                               ("conn", "old-key"), ("deploy-role", "admin-role"),
                               ("deploy-role", "bucket"), ("key", "deploy-role"),
                               ("wf", "conn")]
    assert g.nodes["wf"] == {"name": "deploy"}  # the source: on every path, no row
    bucket = g.nodes["bucket"]
    assert (bucket["name"], bucket["kind"], bucket["access"], bucket["distance"]) == \
        ("pii", "Resource", "admin", 4)
    assert g.nodes["old-key"]["valid"] is False
    assert "alice" not in g  # owning is not access
