"""``nhigraph search`` and the 'closest' line of an unknown node, on the hand-built chain
graph (tests/graphs.py CHAIN), whose scores are worked out by hand: exact 100; prefix
90 + 9*len(text)/len(value); both stores give the same matches."""

from __future__ import annotations

import json

from click.testing import CliRunner

from cli import cli
from graph.embedded import EmbeddedStore
from graph.errors import NodeNotFound
from queries.resolve import resolve_node
from queries.search import score, search
from tests import graphs

# "deploy" (exact), "deploy job"/"deploy key" (prefix, 90 + 9*6/10), "deploy-role" (9*6/11)
TOP = [("deploy", 100.0), ("deploy job", 95.4), ("deploy key", 95.4), ("deploy-role", 94.9)]


def test_scores_by_hand():
    assert score("Deploy", "deploy") == 100.0
    assert score("dep", "deploy") == 94.5          # 90 + 9*3/6
    assert score("role", "deploy-role") == 75.0 + 14.0 * 4 / 11
    assert score("", "x") == 0.0


def test_search_ranks_names(tmp_path):
    store = graphs.fresh(graphs.CHAIN, tmp_path / "s")
    rows = search(store, "deploy", limit=4).rows
    assert [(r["name"], r["score"]) for r in rows] == TOP
    assert rows[0]["id"] == "wf" and rows[0]["kind"] == "Workflow"
    secrets = search(store, "deploy", kind="Secret").rows
    assert [r["id"] for r in secrets][0] == "key"
    assert all(r["kind"] == "Secret" for r in secrets)
    assert search(store, "   ").rows == []


def test_unknown_node_names_the_closest(tmp_path):
    store = graphs.fresh(graphs.CHAIN, tmp_path / "s")
    try:
        resolve_node(store, "deplo-role")
    except NodeNotFound as exc:
        assert "closest: deploy-role (deploy-role)" in str(exc)
    else:
        raise AssertionError("an unknown name resolved")


def test_cli_search_and_unknown_node(tmp_path):
    path = tmp_path / "s"
    graphs.fresh(graphs.CHAIN, path)
    runner = CliRunner()
    out = runner.invoke(cli, ["search", "deploy", "--limit", "4", "--format", "json",
                              "--store", str(path)])
    assert out.exit_code == 0, out.output
    data = json.loads(out.output)
    assert data["query"] == "deploy"
    assert [(m["name"], m["score"]) for m in data["matches"]] == TOP
    table = runner.invoke(cli, ["search", "pii", "--store", str(path)])
    assert table.exit_code == 0 and "bucket" in table.output and "Resource" in table.output
    bad = runner.invoke(cli, ["blast-radius", "deplyo", "--store", str(path)])
    assert bad.exit_code == 2
    assert "no node with id or name 'deplyo'; closest: deploy (wf)" in bad.output


def test_search_parity(tmp_path, neo4j_store):
    emb = graphs.fresh(graphs.CHAIN, tmp_path / "s")
    graphs.load(neo4j_store, graphs.CHAIN)
    assert isinstance(emb, EmbeddedStore)
    for text, kind in (("deploy", None), ("key", "Secret"), ("aws", None), ("zzz", None)):
        assert search(emb, text, kind=kind).rows == search(neo4j_store, text, kind=kind).rows


def _every_score(store, text, kind=None):
    """The ranking by scoring every node with difflib, as it was before the rapidfuzz bounds."""
    hits = []
    for node in store.nodes(kind):
        best, key = 0.0, ""
        for k in ("name", "id", "arn"):
            if isinstance(node.get(k), str) and score(text, node[k]) > best:
                best, key = score(text, node[k]), k
        if best >= 40.0:
            hits.append({"id": node["id"], "kind": node.get("kind", ""),
                         "name": node.get("name") or "", "score": round(best, 1),
                         "matched": key})
    return sorted(hits, key=lambda h: (-h["score"], h["name"], h["id"]))


def test_bounded_ranking_is_the_full_ranking(tmp_path):
    """On the sample estate, misspelt, partial and absent names: the pruned ranking gives
    exactly the rows (scores, ties by name then id) that scoring every node gives."""
    import sample_estate

    store = sample_estate.load(EmbeddedStore(tmp_path / "s"))
    texts = ("Invoce sync", "invoice", "biling-db", "stripe live", "deplyo", "salesforse",
             "gha deploy", "KEY", "s", "zzzz-nothing", "acme prod cred", "Slak bot (prod)")
    for text in texts:
        for kind in (None, "Secret"):
            full = _every_score(store, text, kind)
            assert search(store, text, kind=kind, limit=5).rows == full[:5], (text, kind)
            assert search(store, text, kind=kind, limit=1000).rows == full, (text, kind)
    assert [h["name"] for h in search(store, "Invoce sync", limit=2).rows] == \
        ["Invoice sync", "Invoice sync (dev)"]


def test_the_bounds_never_undercut_a_score():
    from queries.search import _fold, _fold_all, upper_bounds

    values = ["deploy", "deploy-role", "Invoice sync (dev)", "STRASSE", "straße", "a\x00b",
              "arn:aws:iam::111122223333:role/gha-deploy", "x", "", "---", "cred-stripe-live-copy",
              "salesforce node 12", "s3 node 1 2 3 4 5 6", "a\u2003b\x1c-c\u00a0", "\tx\n"]
    assert _fold_all(values) == [_fold(v) for v in values]  # NUL in a value included
    for text in ("deploy", "dploy rol", "invoce", "strasse", "ab", "s3 nod 12", "gha deplyo",
                 "stripe live", "q"):
        bounds = upper_bounds(text, _fold_all(values))
        for v, b in zip(values, bounds, strict=True):
            assert b >= score(text, v), (text, v)


def test_node_texts_from_columns_equal_the_protocol_default(tmp_path):
    """The embedded store reads the id, name and arn columns without decoding a node; the
    protocol's default (MemoryStore, Neo4j) reads them from ``nodes()``: the same lists in
    ``nodes()``'s order, a missing arn as None."""
    from graph.memory import MemoryStore

    spec = ([("b:1", "Secret", {"name": "beta", "arn": "arn:aws:iam::1:role/b"}),
             ("a:2", "Secret", {"name": 42}),
             ("c:3", "Workflow", {})], [])
    store = graphs.load(EmbeddedStore(tmp_path / "s"), spec)
    memory = MemoryStore(store.to_networkx())  # the protocol's default reads nodes()
    want = (["a:2", "b:1", "c:3"],
            {"name": ["42", "beta", "c:3"],  # stored as text; a node without one: its id
             "arn": [None, "arn:aws:iam::1:role/b", None]})
    assert store.node_texts() == want
    assert store.node_texts("Secret") == (["a:2", "b:1"], {"name": ["42", "beta"],
                                                           "arn": [None, "arn:aws:iam::1:role/b"]})
    got = memory.node_texts()
    order = [n["id"] for n in memory.nodes()]
    rows = sorted(zip(got[0], got[1]["name"], got[1]["arn"], strict=True))
    assert got[0] == order and rows == sorted(
        zip(want[0], want[1]["name"], want[1]["arn"], strict=True))
    assert EmbeddedStore(tmp_path / "empty").node_texts() == ([], {"name": [], "arn": []})


def _numbered_spec():
    """Generated-style names (a few shapes, many numbers), ARNs with digits, non-ASCII
    names (a fold that changes byte lengths) and a name a separator run empties."""
    nodes = []
    for i in range(120):
        nodes.append((f"connector:gen:w{i % 7}:{i}", "Connector",
                      {"name": f"{('salesforce', 'slack', 's3', 'stripe')[i % 4]} node {i}"}))
        nodes.append((f"secret:gen:w{i % 7}:{i}", "Secret",
                      {"name": f"secret {i}", "arn": f"arn:aws:secretsmanager:eu:1{i:03d}:s"}))
    nodes += [("n:ss", "Secret", {"name": "Straße 12"}), ("n:dash", "Secret", {"name": "---"}),
              ("n:uml", "Workflow", {"name": "Ünïcode_ß sync 7"}), ("x12", "Workflow", {})]
    return nodes, []


def test_index_ranking_is_the_full_ranking(tmp_path):
    """Texts with and without digits against many numbered names of a few shapes (the
    skeleton bound with its digit allowance), in both stores' ways (the embedded store's
    kept index; a MemoryStore's index built from node_texts): the rows of scoring every
    node."""
    from graph.memory import MemoryStore

    store = graphs.load(EmbeddedStore(tmp_path / "s"), _numbered_spec())
    memory = MemoryStore(store.to_networkx())
    texts = ("salesforse node 12", "no-such-node", "node 1", "secret 10", "strasse 12", "cred",
             "unicode ss", "ünïcode", "arn aws 1007", "w3 11", "x1", "---", "sl 4")
    for text in texts:
        for kind in (None, "Secret"):
            full = _every_score(store, text, kind)
            for limit in (1, 5, 1000):
                assert search(store, text, kind=kind, limit=limit).rows == full[:limit], \
                    (text, kind, limit)
                assert search(memory, text, kind=kind, limit=limit).rows == full[:limit]


def test_text_index_is_kept_per_generation(tmp_path, monkeypatch):
    """The first search writes the generation's index into the cache folder, never into
    the store (a read leaves the store's files as they were); a later process reads it (a
    file whose node count no longer matches is rebuilt); the next ingest's generation gets
    its own; with caching off, or a folder that cannot be written, search still answers."""
    import os

    import pyarrow as pa

    from graph import textindex

    cache = tmp_path / "cache"
    monkeypatch.setenv("NHIGRAPH_CACHE_DIR", str(cache))
    path = tmp_path / "s"
    store = graphs.load(EmbeddedStore(path), _numbered_spec())
    files = sorted(os.listdir(path))
    want = search(store, "salesforse node 12", limit=5).rows
    assert sorted(os.listdir(path)) == files  # nothing written into the store
    written = sorted(cache.glob("textindex-*.arrow"))
    assert len(written) == 1 and (written[0].stat().st_mode & 0o777) == 0o600
    again = EmbeddedStore(path)
    index, _ = again.text_index()
    assert index.size == 244 + 244 + 120  # ids, names (a node without one: its id), ARNs
    assert search(again, "salesforse node 12", limit=5).rows == want
    meta = {b"version": b"0", b"nodes": b"1", b"nodes_file": b"1"}
    stale = textindex.build_table(["a"], {"name": [None], "arn": [None]}
                                  ).replace_schema_metadata(meta)
    with pa.OSFile(str(written[0]), "wb") as sink, pa.ipc.new_file(sink, stale.schema) as w:
        w.write_table(stale)
    assert search(EmbeddedStore(path), "salesforse node 12", limit=5).rows == want
    graphs.load(store, ([("extra", "Secret", {"name": "salesforse node 12"})], []),
                source="other")
    assert search(store, "salesforse node 12", limit=1).rows[0]["id"] == "extra"
    assert len(list(cache.glob("textindex-*.arrow"))) == 2  # one per generation
    assert not [f for f in os.listdir(path) if f.startswith("text")]
    monkeypatch.setenv("NHIGRAPH_CACHE_DIR", "off")
    assert search(EmbeddedStore(path), "salesforse node 12", limit=1).rows[0]["id"] == "extra"
    monkeypatch.setenv("NHIGRAPH_CACHE_DIR", str(tmp_path / "ro"))
    os.makedirs(tmp_path / "ro")
    os.chmod(tmp_path / "ro", 0o555)
    try:
        if not os.access(tmp_path / "ro", os.W_OK):  # root writes anyway
            assert search(EmbeddedStore(path), "salesforse node 12", limit=1).rows[0][
                "id"] == "extra"
            assert not os.listdir(tmp_path / "ro")
    finally:
        os.chmod(tmp_path / "ro", 0o755)


def test_containing_skips_matches_across_values():
    from graph.textindex import TextIndex

    index = TextIndex.build(["ab", "cd", "xabc"], {"name": [None, "Ünïcode", None],
                                                   "arn": [None, None, None]})
    rows, at = index.containing("bc")  # "ab|cd" holds "bc" only across two values
    assert rows.tolist() == [2] and at.tolist() == [2]
    rows, at = index.containing("nï")  # bytes of "ünïcode": ü and ï take two each
    assert rows.tolist() == [3] and at.tolist() == [2]
    assert index.length[rows].tolist() == [7]
