"""graph.smallgraph answers exactly what the SciPy paths answer: the same component labels
as ``connected_components(directed=False)``, the same reachable sets as the condensation's
closure, the same rows as ``joint_reach_csr``'s sparse product; on hand-built graphs whose
answers are worked out below, and on random graphs against SciPy itself."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import connected_components

from graph import smallgraph
from graph.condensation import csr_of_pairs
from graph.condensation import reachable_sets as closure_sets


def scipy_labels(n, a, b):
    m = csr_matrix((np.ones(len(a), dtype=bool), (a, b)), shape=(n, n))
    return connected_components(m, directed=False)


def test_components_of_a_hand_built_graph():
    # 0-3, 3-5 | 1 alone | 2-4 | 6-6 (a self-loop): numbered by lowest node, in order
    count, labels = smallgraph.components_undirected(7, [3, 5, 4, 6], [0, 3, 2, 6])
    assert count == 4
    assert labels.tolist() == [0, 1, 2, 0, 2, 0, 3]
    assert labels.dtype == np.int32


def test_components_of_no_edges_and_no_nodes():
    assert smallgraph.components_undirected(3, [], [])[1].tolist() == [0, 1, 2]
    count, labels = smallgraph.components_undirected(0, [], [])
    assert (count, labels.tolist()) == (0, [])


def test_a_long_chain_given_backwards_is_one_component():
    n = 500
    a = np.arange(n - 1, 0, -1)
    count, labels = smallgraph.components_undirected(n, a, a - 1)
    assert count == 1 and not labels.any()


def test_reachable_sets_of_a_hand_built_graph():
    # 0 -> 1 -> 2 -> 1 (1, 2 a cycle), 2 -> 3, 4 -> 4 (self-loop), 5 alone, 6 -> 0
    comp, reach = smallgraph.reachable_sets(7, [0, 1, 2, 2, 4, 6], [1, 2, 1, 3, 4, 0])
    assert comp[1] == comp[2] and len(set(comp)) == 6
    assert reach[comp[0]] == {1, 2, 3}
    assert reach[comp[1]] == {1, 2, 3}  # on a cycle: itself included
    assert reach[comp[3]] == set()
    assert reach[comp[4]] == {4}
    assert reach[comp[5]] == set()
    assert reach[comp[6]] == {0, 1, 2, 3}
    assert len(reach) == 6


def test_reach_rows_of_a_hand_built_graph():
    # 0 -> 1 -> 2, 3 -> 3; rows: {0}, {1, 3}, {} and a start set that reaches nothing new
    rows = smallgraph.reach_rows(4, [0, 1, 3], [1, 2, 3], [[0], [1, 3], [], [2]])
    assert rows.indptr.tolist() == [0, 3, 6, 6, 7]
    assert rows.indices.tolist() == [0, 1, 2, 1, 2, 3, 2]


def test_reach_rows_gives_way_past_its_budget(monkeypatch):
    monkeypatch.setattr(smallgraph, "REACH_BUDGET", 5)
    assert smallgraph.reach_rows(3, [0], [1], [[0], [1]]) is None  # 2 starts x 3 nodes


def test_reach_rows_gives_way_past_its_work(monkeypatch):
    monkeypatch.setattr(smallgraph, "REACH_WORK", 2)  # 0 -> 1 -> 2 -> 3: three edges
    assert smallgraph.reach_rows(4, [0, 1, 2], [1, 2, 3], [[0]]) is None
    assert smallgraph.reach_rows(4, [0, 1, 2], [1, 2, 3], [[1]]).indices.tolist() == [1, 2, 3]


graphs = st.integers(1, 40).flatmap(lambda n: st.tuples(
    st.just(n), st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)),
                         max_size=3 * n)))


def _ends(graph):
    """(n, from array, to array) of a drawn graph."""
    n, edges = graph
    return (n, np.asarray([e[0] for e in edges], dtype=np.int64),
            np.asarray([e[1] for e in edges], dtype=np.int64))


@settings(max_examples=300, deadline=None)
@given(graphs)
def test_components_equal_scipys_labels(graph):
    n, a, b = _ends(graph)
    count, labels = smallgraph.components_undirected(n, a, b)
    want_count, want = scipy_labels(n, a, b)
    assert count == want_count
    assert labels.tolist() == want.tolist()


@settings(max_examples=300, deadline=None)
@given(graphs)
def test_reachable_sets_equal_the_closure(graph):
    n, a, b = _ends(graph)
    comp, reach = smallgraph.reachable_sets(n, a, b)
    want_comp, want = closure_sets(csr_of_pairs(a, b, n))
    assert [reach[comp[v]] for v in range(n)] == [want[want_comp[v]] for v in range(n)]
    # the same partition into components, numbered differently
    assert len(set(comp)) == len(set(want_comp)) == len(reach)
    assert len({(c, w) for c, w in zip(comp, want_comp, strict=True)}) == len(reach)


@settings(max_examples=200, deadline=None)
@given(graphs, st.data())
def test_reach_rows_equal_the_closure_rows(graph, data):
    n, a, b = _ends(graph)
    keys = data.draw(st.lists(st.lists(st.integers(0, n - 1), max_size=4), max_size=6))
    rows = smallgraph.reach_rows(n, a, b, keys)
    comp, want = closure_sets(csr_of_pairs(a, b, n))
    for r, key in enumerate(keys):
        expect = set(key).union(*(want[comp[s]] for s in key))
        assert rows.indices[rows.indptr[r]:rows.indptr[r + 1]].tolist() == sorted(expect)


@pytest.mark.parametrize("size", [smallgraph.SMALL, smallgraph.SMALL + 1])
def test_the_size_limit(size):
    assert smallgraph.is_small(size - 10, 10) == (size <= smallgraph.SMALL)


@pytest.fixture(scope="module")
def sample_dir(tmp_path_factory):
    import sample_estate
    from graph.embedded import EmbeddedStore

    path = tmp_path_factory.mktemp("sample")
    sample_estate.load(EmbeddedStore(path))
    return path


SAMPLE_COMMANDS = [
    ["findings", "--as-of", "2026-12-01T00:00:00Z"],
    ["orphans"], ["shared-credentials"], ["blast-radius-all"],
    ["unused-credentials", "--as-of", "2026-12-01T00:00:00Z"],
    ["explain", "workflow:n8n:acme-prod:invoice-sync", "--as-of", "2026-12-01T00:00:00Z"],
    ["what-if", "--revoke", "secret:n8n:acme-prod:cred-stripe-live",
     "--as-of", "2026-12-01T00:00:00Z"],
]


@pytest.mark.parametrize("args", SAMPLE_COMMANDS, ids=lambda a: a[0])
def test_sample_commands_answer_the_same_on_both_paths(sample_dir, monkeypatch, args):
    """Each command's JSON on the sample store (276 nodes: the small paths) is the JSON of
    the SciPy paths, forced by setting every limit below the sample's size."""
    from click.testing import CliRunner

    from cli import cli

    def run():
        got = CliRunner().invoke(cli, [*args, "--format", "json", "--store", str(sample_dir)],
                                 catch_exceptions=False)
        assert got.exit_code == 0, got.output
        return got.output

    small = run()
    monkeypatch.setattr(smallgraph, "SMALL", 0)
    monkeypatch.setattr(smallgraph, "SMALL_CLOSURE", 0)
    big = run()
    assert small == big
    assert len(small) > 1000  # a real answer, not an empty list


READ_COMMANDS = SAMPLE_COMMANDS + [
    ["diff", "--as-of", "2026-12-01T00:00:00Z"],
    ["inbound", "system:saas:stripe:acme"],
    ["search", "stripe", "--kind", "Secret"],
]


@pytest.mark.parametrize("args", READ_COMMANDS, ids=lambda a: a[0])
def test_small_reads_answer_as_arrow_does(sample_dir, monkeypatch, args):
    """At most ``FEW_ROWS`` rows are read in Python (property and edge columns, edges
    containing a text, a kind's texts, by kind), more through pyarrow.compute: the sample
    store gives the same JSON both ways."""
    from click.testing import CliRunner

    from cli import cli
    from graph import columnar

    def run():
        got = CliRunner().invoke(cli, [*args, "--format", "json", "--store", str(sample_dir)],
                                 catch_exceptions=False)
        assert got.exit_code == 0, got.output
        return got.output

    monkeypatch.setenv("NHIGRAPH_CACHE_DIR", "off")
    few = run()
    monkeypatch.setattr(columnar, "FEW_ROWS", 0)
    assert run() == few
    assert len(few) > 500
