"""What the explorer draws: the builders on hand-built graphs, and the bound that keeps any
drawing under the element budget, with answers worked out by hand."""

from __future__ import annotations

from explorer.subgraph import (
    MAX_ELEMENTS,
    blast_radius_drawing,
    bound,
    cluster_drawing,
    inbound_drawing,
    most_shared,
    paths_drawing,
)
from queries import blast_radius, inbound, shared_credentials, shortest_paths
from tests.graphs import chain_store, fresh, sharing_store


def edge_set(d):
    return {(e.src, e.kind, e.dst) for e in d.edges}


def test_blast_radius_drawing_of_the_chain():
    store = chain_store()
    d = blast_radius_drawing(store, blast_radius(store, "wf"))
    # The revoked old-key is reached (and drawn) but opens nothing; alice only OWNS wf.
    assert set(d.nodes) == {"wf", "conn", "key", "old-key", "deploy-role", "admin-role",
                            "acct", "bucket"}
    assert d.focus == ["wf"]
    assert d.parent == {"conn": "wf", "key": "conn", "old-key": "conn", "deploy-role": "key",
                        "admin-role": "deploy-role", "bucket": "deploy-role",
                        "acct": "admin-role"}
    assert edge_set(d) == {
        ("wf", "USES", "conn"), ("conn", "AUTHENTICATES_WITH", "key"),
        ("conn", "AUTHENTICATES_WITH", "old-key"), ("key", "AUTHENTICATES_AS", "deploy-role"),
        ("deploy-role", "CAN_ASSUME", "admin-role"), ("deploy-role", "CAN_ACCESS", "bucket"),
        ("admin-role", "CAN_ACCESS", "acct"), ("old-key", "CAN_ACCESS", "acct"),
        ("acct", "CONTAINS", "bucket"),
    }
    assert d.nodes["old-key"]["valid"] is False
    assert d.nodes["bucket"]["access"] == "admin" and d.nodes["bucket"]["crown_jewel"] is True
    assert bound(d).notes == []  # 17 elements: nothing to simplify


def test_inbound_drawing_of_the_bucket():
    store = chain_store()
    d = inbound_drawing(store, inbound(store, "bucket"))
    # old-key is revoked, so it cannot reach the bucket and is not drawn.
    assert set(d.nodes) == {"bucket", "acct", "deploy-role", "admin-role", "key", "conn", "wf"}
    assert d.focus == ["bucket"]
    assert d.parent == {"acct": "bucket", "deploy-role": "bucket", "admin-role": "acct",
                        "key": "deploy-role", "conn": "key", "wf": "conn"}
    assert len(d.edges) == 7


def test_paths_drawing_skips_the_revoked_shortcut():
    store = chain_store()
    d = paths_drawing(store, shortest_paths(store, "wf", "acct"))
    assert set(d.nodes) == {"wf", "conn", "key", "deploy-role", "admin-role", "acct"}
    assert d.focus == ["wf", "acct"]
    assert [(e.src, e.dst) for e in d.edges] == [
        ("wf", "conn"), ("conn", "key"), ("key", "deploy-role"), ("deploy-role", "admin-role"),
        ("admin-role", "acct")]
    assert d.edges[-1].props == {"access": "admin", "reason": "AdministratorAccess"}


def test_cluster_drawing():
    store = sharing_store()
    (cluster,) = shared_credentials(store).rows
    d = cluster_drawing(store, cluster)
    assert d.focus == ["s-shared"]
    assert set(d.nodes) == {"s-shared", "wf-a", "wf-b", "c-a", "c-b", "saas"}
    assert d.parent == {"saas": "s-shared", "c-a": "s-shared", "c-b": "s-shared",
                        "wf-a": "c-a", "wf-b": "c-b"}
    assert edge_set(d) == {("wf-a", "USES", "c-a"), ("wf-b", "USES", "c-b"),
                           ("c-a", "AUTHENTICATES_WITH", "s-shared"),
                           ("c-b", "AUTHENTICATES_WITH", "s-shared"),
                           ("s-shared", "CAN_ACCESS", "saas")}


# --- bounding ------------------------------------------------------------------------------

def wide_estate(n_resources: int, crown=(7,), cross_links: int = 0):
    """wf -> conn -> key -> role -admin-> sys -CONTAINS-> r0..r{n-1}; role may also hold
    a direct read grant on the first ``cross_links`` resources."""
    nodes = [("wf", "Workflow"), ("conn", "Connector"), ("key", "Secret"),
             ("role", "Identity"), ("sys", "System", {"name": "aws-prod"})]
    edges = [("wf", "USES", "conn"), ("conn", "AUTHENTICATES_WITH", "key"),
             ("key", "AUTHENTICATES_AS", "role"),
             ("role", "CAN_ACCESS", "sys", {"access": "admin"})]
    for i in range(n_resources):
        nodes.append((f"r{i:04d}", "Resource", {"crown_jewel": i in crown}))
        edges.append(("sys", "CONTAINS", f"r{i:04d}"))
    for i in range(cross_links):
        edges.append(("role", "CAN_ACCESS", f"r{i:04d}", {"access": "read"}))
    return fresh((nodes, edges))


def test_siblings_of_one_kind_collapse_into_a_counted_group():
    store = wide_estate(500)
    d = blast_radius_drawing(store, blast_radius(store, "wf"))
    assert (len(d.nodes), len(d.edges)) == (505, 504)
    bound(d)
    # Everything under sys but the crown jewel r0007 becomes one group of 499.
    assert set(d.nodes) == {"wf", "conn", "key", "role", "sys", "r0007", "group:sys:Resource"}
    group = d.nodes["group:sys:Resource"]
    assert (group["count"], group["counts"], group["access"]) == (499, {"Resource": 499},
                                                                  "admin")
    assert group["name"] == "499 Resources"
    assert edge_set(d) == {("wf", "USES", "conn"), ("conn", "AUTHENTICATES_WITH", "key"),
                           ("key", "AUTHENTICATES_AS", "role"), ("role", "CAN_ACCESS", "sys"),
                           ("sys", "CONTAINS", "r0007"), ("sys", "CONTAINS", "group:sys:Resource")}
    assert d.notes == ["499 Resources reached through aws-prod are collapsed into one node"]
    assert d.hidden == 499


def test_links_off_the_shortest_paths_are_hidden_first():
    # role reads r0000..r0009 directly (distance 4), so sys CONTAINS r0000..r0009 are
    # links off the shortest-path tree; with 150 resources the drawing needs no grouping
    # once those 10 links are gone: 155 nodes + 154 tree edges = 309... plus 10 = 319.
    store = wide_estate(150, crown=(), cross_links=10)
    d = blast_radius_drawing(store, blast_radius(store, "wf"))
    assert (len(d.nodes), len(d.edges)) == (155, 164)
    bound(d, max_elements=310)
    assert len(d.nodes) == 155 and len(d.edges) == 154
    assert d.notes == ["10 link(s) not on a shortest path are hidden"]


def test_crown_jewels_are_collapsed_only_when_nothing_else_can_go():
    store = wide_estate(450, crown=range(450))
    d = bound(blast_radius_drawing(store, blast_radius(store, "wf")))
    assert set(d.nodes) == {"wf", "conn", "key", "role", "sys", "group:sys:Resource"}
    assert d.nodes["group:sys:Resource"]["count"] == 450
    assert d.notes == ["crown jewels had to be collapsed too",
                       "450 Resources reached through aws-prod are collapsed into one node"]


def test_a_long_chain_is_cut_at_the_far_end():
    n = 300
    nodes = [(f"id{i:03d}", "Identity") for i in range(n)]
    edges = [(f"id{i:03d}", "CAN_ASSUME", f"id{i + 1:03d}") for i in range(n - 1)]
    store = fresh((nodes, edges))
    d = bound(blast_radius_drawing(store, blast_radius(store, "id000")))
    # 200 nodes + 199 edges = 399 <= 400; the 100 farthest are left out.
    assert set(d.nodes) == {f"id{i:03d}" for i in range(200)}
    assert len(d.edges) == 199
    assert d.notes == ["100 of the farthest node(s) are not drawn (too many to show)"]


def test_bound_holds_on_a_bushy_tree():
    # 3 levels of fan-out: 1 role assumes 30 roles, each reads 40 resources.
    nodes = [("root", "Identity")]
    edges = []
    for i in range(30):
        nodes.append((f"role{i}", "Identity"))
        edges.append(("root", "CAN_ASSUME", f"role{i}"))
        for j in range(40):
            nodes.append((f"res{i}-{j}", "Resource"))
            edges.append((f"role{i}", "CAN_ACCESS", f"res{i}-{j}", {"access": "read"}))
    store = fresh((nodes, edges))
    d = blast_radius_drawing(store, blast_radius(store, "root"))
    assert d.elements == 1231 + 1230
    bound(d)
    assert d.elements <= MAX_ELEMENTS
    groups = [n for n, a in d.nodes.items() if a["kind"] == "Group"]
    drawn = sum(d.nodes[g]["counts"].get("Resource", 0) for g in groups)
    plain = sum(1 for a in d.nodes.values() if a["kind"] == "Resource")
    assert drawn + plain == 1200  # every resource is drawn or counted in a group
    # The edges of collapsed nodes went with them: a tree, one edge into each drawn node
    # but the root, each between drawn nodes.
    assert all(e.src in d.nodes and e.dst in d.nodes for e in d.edges)
    assert sorted(e.dst for e in d.edges) == sorted(n for n in d.nodes if n != "root")


def test_a_cluster_of_many_credentials_is_drawn_with_its_most_shared():
    def cred(cid, *workflows):
        kind = "Identity" if cid.startswith("id-") else "Secret"
        return {"id": cid, "kind": kind, "workflows": list(workflows)}

    cluster = {
        "secrets": ["s-hub", "s-mix", "s-pair", "s-small"], "identities": ["id-role"],
        "workflows": ["w1", "w2", "w3", "w4", "w5", "w6"],
        "mixing_credentials": ["s-mix"],
        "credentials": [cred("s-hub", "w1", "w2", "w3", "w4"), cred("s-mix", "w5", "w6"),
                        cred("s-pair", "w1", "w6"), cred("s-small", "w2", "w3"),
                        cred("id-role", "w1", "w2", "w3")],
    }
    cut, note = most_shared(cluster, limit=3)
    # s-mix mixes environments so it comes first; then the most shared: s-hub (4
    # workflows), id-role (3); s-pair and s-small (2 each) are left out.
    assert [c["id"] for c in cut["credentials"]] == ["s-mix", "s-hub", "id-role"]
    assert cut["secrets"] == ["s-hub", "s-mix"] and cut["identities"] == ["id-role"]
    assert cut["workflows"] == ["w1", "w2", "w3", "w4", "w5", "w6"]
    assert note == ("only the 3 most shared of its 5 credentials are drawn, with the 6 of 6 "
                    "workflows using them (the table below lists every credential)")
    cut, note = most_shared(cluster, limit=1)
    assert cut["secrets"] == ["s-mix"] and cut["identities"] == []
    assert cut["workflows"] == ["w5", "w6"] and "the 2 of 6 workflows" in note
    assert most_shared(cluster, limit=5) == (cluster, None)
