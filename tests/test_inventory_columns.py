"""The fresh inventory CSV ingest in columns (``ingest.inventory_columns``) writes the row
path's store byte for byte, and leaves every input it does not cover to the row path,
whose error lines stay as they are."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

import cli
import ingest.inventory_columns as columns
from graph.embedded import EmbeddedStore
from graph.fingerprint import fingerprint
from ingest.inventory_cells import joined_props, json_texts
from ingest.pipeline import ingest

GENERATION = ("nodes-1.arrow", "edges-1.arrow", "out_ptr-1.npy", "in_ptr-1.npy",
              "in_rows-1.npy")


def write(folder: Path, files: dict[str, str | bytes]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        data = text if isinstance(text, bytes) else text.encode()
        (folder / name).write_bytes(data)
    return folder


def both_ways(folder: Path, tmp_path: Path) -> tuple[Path, Path, bool]:
    """Ingest ``folder`` into a fresh store by rows and by the CLI's path; the two store
    folders and whether the columns were used."""
    rows, cols = tmp_path / "rows", tmp_path / "cols"
    ingest("inventory", folder, lambda: EmbeddedStore(rows), source="s")
    batch, result = ingest("inventory", folder, lambda: EmbeddedStore(cols), source="s",
                           columns=True)
    assert result.nodes_written == sum(EmbeddedStore(rows).counts()["nodes"].values())
    try:
        columns.read_tables(folder, "s")
    except columns.NotColumnar:
        return rows, cols, False
    assert batch.nodes == batch.edges == []  # the columns' write returns no records
    return rows, cols, True


def same_files(a: Path, b: Path) -> None:
    for name in GENERATION:
        assert (a / name).read_bytes() == (b / name).read_bytes(), name
    ma, mb = (json.loads((p / "manifest.json").read_text()) for p in (a, b))
    for m in (ma, mb):
        for run in m["runs"]:
            for k in ("run_id", "started_at", "finished_at"):
                run.pop(k)
    assert ma == mb


ODD = {
    # a BOM, CRLF ends, blank lines, a quoted comma and newline, empty cells, non-ASCII
    # and astral names, an owner column, ids with spaces around them, typed columns
    "Workflow.csv": "\ufeffid,name,environment,status,tags,created_at,description,owner\r\n"
                    "workflow:x:1,\"sync, nightly\",\" PROD \",Active,a; b;;c,2024-01-02,"
                    "\"two\r\nlines \"\"quoted\"\"\",owner:email:alice@acme.test\r\n"
                    "\r\n"
                    "  workflow:x:2 ,Zürich Ωmega 🚀,dev,,,,tab\there,\r\n"
                    "workflow:x:3,,,,,,,owner:email:alice@acme.test\r\n",
    "Owner.csv": "id,name,email\nowner:email:alice@acme.test,Alice,alice@acme.test\n",
    "Secret.csv": "id,name,value,api_token,access_key_id,status,expires_at,url,owner\n"
                  "secret:x:a,A,s3cr3t-shared,,AKIA1,active,,https://bot:pw@h.example/x?"
                  "token=abc&v=1,\n"
                  "secret:x:b,B,s3cr3t-shared,tok-b,,revoked,2030-01-01,,\n"
                  "secret:x:c,C,s3cr3t-shared,,AKIA1,active,2031-05-01,,"
                  "owner:email:alice@acme.test\n"
                  "secret:x:d,D, lonely ,,,,,,\n",
    "Connector.csv": "id,name,service,third_party\nconnector:x:1,c1,stripe,yes\n"
                     "connector:x:2,c2,slack,\n",
    "System.csv": "id,name,crown_jewel\nsystem:x:1,S1,true\n",
    "Resource.csv": "id,name,arn,crown_jewel\nresource:x:1,R1,arn:aws:s3:::b1,\n"
                    "resource:x:2,R2,,no\n",
    "edges.csv": "kind,from,to,access,reason\n"
                 "USES,workflow:x:1,connector:x:1,,first\n"
                 "AUTHENTICATES_WITH,connector:x:1,secret:x:a,,\n"
                 "CAN_ACCESS,secret:x:a,system:x:1,read,policy\n"
                 "CAN_ACCESS,secret:x:a,system:x:1,write,\n"
                 "CAN_ACCESS,secret:x:b,system:x:1,,api_key=abc123\n"
                 "CAN_ACCESS,secret:x:c,resource:x:1,admin,x\n"
                 "CAN_ACCESS,secret:x:c,resource:x:1,,\n"
                 "USES,workflow:x:1,connector:x:1,,\n"
                 "SAME_VALUE_AS,secret:x:a,secret:x:d,,seen twice\n"
                 "SAME_VALUE_AS,secret:x:d,secret:x:d,,self\n"
                 "CONTAINS,system:x:1,resource:x:1,,\n"
                 "OWNS,owner:email:alice@acme.test,workflow:x:3,,by hand\n"
                 "\n",
}


def test_odd_shapes_give_the_row_path_store(tmp_path, monkeypatch):
    monkeypatch.setenv("NHIGRAPH_FINGERPRINT_KEY", "columns-test-key")
    folder = write(tmp_path / "odd", ODD)
    rows, cols, used = both_ways(folder, tmp_path)
    assert used
    same_files(rows, cols)
    store = EmbeddedStore(cols, create=False)
    w1, w2 = store.get_node("workflow:x:1"), store.get_node("workflow:x:2")
    assert w1["name"] == "sync, nightly" and w1["environment"] == "prod"
    assert w1["status"] == "active" and w1["tags"] == ["a", "b", "c"]
    assert w1["created_at"] == "2024-01-02T00:00:00Z"
    assert w1["description"] == 'two\r\nlines "quoted"'
    assert w2["name"] == "Zürich Ωmega 🚀" and w2["description"] == "tab\there"
    assert store.get_node("workflow:x:3")["name"] == "workflow:x:3"  # no name: the id
    assert store.get_node("connector:x:1")["third_party"] is True
    assert store.get_node("resource:x:1")["arn"] == "arn:aws:s3:::b1"
    a = store.get_node("secret:x:a")
    assert a["fingerprint"] == fingerprint("s3cr3t-shared") and "value" not in a
    # userinfo cut; then the whole text reads as one ``NAME=VALUE`` with a secret-looking
    # name (``...?token``), so the value after it goes too (the row path's rule)
    assert a["url"] == "https://h.example/x?token=REDACTED"
    assert store.get_node("secret:x:b")["api_token_fingerprint"] == fingerprint("tok-b")
    assert store.get_node("secret:x:d")["fingerprint"] == fingerprint(" lonely ")
    edges = {(e.src, e.kind, e.dst): e.props for e in store.edges()}
    # duplicates: later cells win, an empty access is "unknown" on every CAN_ACCESS row
    assert edges[("secret:x:a", "CAN_ACCESS", "system:x:1")] == {"access": "write",
                                                                 "reason": "policy"}
    assert edges[("secret:x:c", "CAN_ACCESS", "resource:x:1")] == {"access": "unknown",
                                                                   "reason": "x"}
    assert edges[("secret:x:b", "CAN_ACCESS", "system:x:1")] == {
        "access": "unknown", "reason": "api_key=REDACTED"}
    assert edges[("workflow:x:1", "USES", "connector:x:1")] == {"reason": "first"}
    assert edges[("owner:email:alice@acme.test", "OWNS", "workflow:x:3")] == {
        "reason": "by hand"}
    assert edges[("owner:email:alice@acme.test", "OWNS", "secret:x:c")] == {
        "reason": "owner named in inventory"}
    # symmetric both ways; one star per shared value, centred on the copy that works
    # longest (a: active, never expires)
    assert edges[("secret:x:d", "SAME_VALUE_AS", "secret:x:a")] == {"reason": "seen twice"}
    same = sorted(k for k, p in edges.items() if p.get("reason", "").startswith("same "))
    assert same == [("secret:x:a", "SAME_VALUE_AS", "secret:x:b"),
                    ("secret:x:a", "SAME_VALUE_AS", "secret:x:c"),
                    ("secret:x:b", "SAME_VALUE_AS", "secret:x:a"),
                    ("secret:x:c", "SAME_VALUE_AS", "secret:x:a")]
    assert ("secret:x:d", "SAME_VALUE_AS", "secret:x:d") in edges
    # 12 edge rows are 9 keys, +1 SAME_VALUE_AS reversed; the owner column's 3 OWNS, one
    # of them given again by hand; 2 stitched pairs both ways
    assert len(edges) == 9 + 1 + 2 + 4
    blob = b"".join(p.read_bytes() for p in cols.rglob("*") if p.is_file())
    for secret in (b"s3cr3t-shared", b"tok-b", b"lonely", b"abc123", b":pw@"):
        assert secret not in blob


FALLBACK = {
    # accepted by the row path, not covered by the columns: same graph by rows
    "short row": {"System.csv": "id,name,crown_jewel\nsystem:x:1,S1\n"},
    "stray quote": {"System.csv": 'id,name\nsystem:x:1,ab"c\n'},
    "text after a quote": {"System.csv": 'id,name\nsystem:x:1,"ab"c\n'},
    "duplicate id": {"System.csv": "id,name\nsystem:x:1,one\nsystem:x:1,two\n"},
    "both ways": {"Secret.csv": "id\nsecret:a\nsecret:b\n",
                  "edges.csv": "kind,from,to,reason\nSAME_VALUE_AS,secret:a,secret:b,x\n"
                               "SAME_VALUE_AS,secret:b,secret:a,y\n"},
    "symmetric duplicate": {"Secret.csv": "id\nsecret:a\nsecret:b\n",
                            "edges.csv": "kind,from,to,reason\nSAME_VALUE_AS,secret:a,"
                                         "secret:b,x\nSAME_VALUE_AS,secret:a,secret:b,y\n"},
    "fingerprint name twice": {"Secret.csv": "id,token,token_fingerprint\nsecret:a,t,f\n"},
    "one id in two files": {"System.csv": "id\nsystem:a\n", "systems.csv": "id\nsystem:a\n"},
    "reserved column": {"System.csv": "id,kind\nsystem:a,Resource\n"},
}

COVERED = {
    "two files of a kind": {"System.csv": "id,name\nsystem:a,A\n",
                            "systems.csv": "id,host\nsystem:b,h.example\n"},
    "header only": {"System.csv": "id,name\n", "edges.csv": "kind,from,to\n"},
    "rows of empty cells": {"System.csv": "id,name\n,\nsystem:a,\n,\n"},
    "non-ASCII ids in code-point order": {
        "System.csv": "id,name\nsystem:z,a\nsystem:é,b\nsystem:🚀,c\nsystem:Z,d\nsystem:ｚ,e\n",
        "Resource.csv": "id\nresource:é\n",
        "edges.csv": "kind,from,to\nCONTAINS,system:🚀,resource:é\n"},
    "a typed column of one kind, text of another": {
        "Identity.csv": "id\nidentity:a\nidentity:b\n",
        "Resource.csv": "id\nresource:r\n",
        "edges.csv": "kind,from,to,access,conditional\n"
                     "CAN_ACCESS,identity:a,resource:r, Write ,yes\n"
                     "CAN_ASSUME,identity:a,identity:b, Write ,no\n"
                     "MEMBER_OF,identity:b,identity:a,,maybe\n"},
    "undeclared and numeric-looking": {"Vault.csv": "id,region,replicas\nvault:a,eu,3\n"},
}


@pytest.mark.parametrize("case", sorted(COVERED))
def test_small_shapes_in_columns(case, tmp_path):
    rows, cols, used = both_ways(write(tmp_path / "in", COVERED[case]), tmp_path)
    assert used
    same_files(rows, cols)


@pytest.mark.parametrize("case", sorted(FALLBACK))
def test_shapes_the_columns_leave_to_the_rows(case, tmp_path):
    folder = write(tmp_path / "in", FALLBACK[case])
    with pytest.raises(columns.NotColumnar):
        columns.read_tables(folder, "s")
    rows, cols, used = both_ways(folder, tmp_path)
    assert not used
    same_files(rows, cols)


BAD = {
    "bad enum": ({"Workflow.csv": "id,environment\nworkflow:a,prod\nworkflow:b,prodd\n"},
                 "Workflow.csv:3.environment: environment must be one of"),
    "missing end": ({"System.csv": "id\nsystem:a\n",
                     "edges.csv": "kind,from,to\nCONTAINS,system:a,resource:b\n"},
                    "edges.csv:2: edge refers to a missing node 'resource:b'"),
    "more cells": ({"System.csv": "id,name\nsystem:a,x,y\n"},
                   "System.csv:2: more cells than header columns"),
    "blank header line": ({"System.csv": "\nid,name\nsystem:a,x\n"},
                          "System.csv:1: missing column 'id'"),
    "unknown edge kind": ({"System.csv": "id\nsystem:a\n",
                           "edges.csv": "kind,from,to\nPWNS,system:a,system:a\n"},
                          "edges.csv:2: unknown kind 'PWNS'"),
    "empty id": ({"System.csv": "id,name\n  ,x\n"}, "System.csv:2: node without an id"),
    "bad date": ({"Secret.csv": "id,expires_at\nsecret:a,soon\n"},
                 "Secret.csv:2.expires_at: not an ISO 8601 date/time: 'soon'"),
    "wrong pair": ({"System.csv": "id\nsystem:a\n",
                    "edges.csv": "kind,from,to\nUSES,system:a,system:a\n"},
                   "edges.csv:2: USES cannot join System -> System"),
    "a cell past csv's field limit": ({"System.csv": "id,name\nsystem:a," + "x" * 131073 + "\n"},
                                      "System.csv: malformed CSV: field larger than field limit"),
    "not utf-8": ({"System.csv": b"id,name\nsystem:a,\xff\n"}, "System.csv: not UTF-8 text"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_input_gives_the_row_paths_line(case, tmp_path):
    files, expected = BAD[case]
    folder = write(tmp_path / "in", files)
    with pytest.raises(columns.NotColumnar):
        columns.read_tables(folder, "s")
    store = tmp_path / "store"
    res = CliRunner().invoke(cli.cli, ["ingest", "inventory", str(folder), "--store",
                                       str(store)])
    assert res.exit_code == 2
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and expected in lines[0], res.stderr
    assert lines[0].startswith(f"error: {folder}{'/'}")
    assert not (store / "manifest.json").exists()


def test_a_merge_takes_the_row_path(tmp_path):
    first = write(tmp_path / "one", {"System.csv": "id,name\nsystem:a,A\n"})
    second = write(tmp_path / "two", {"System.csv": "id,name\nsystem:b,B\n"})
    store = tmp_path / "store"
    batch, _ = ingest("inventory", first, lambda: EmbeddedStore(store), source="one",
                      columns=True)
    assert batch.nodes == []  # in columns
    batch, result = ingest("inventory", second, lambda: EmbeddedStore(store), source="two",
                           columns=True)
    assert [n.id for n in batch.nodes] == ["system:b"] and result.nodes_created == 1
    got = EmbeddedStore(store, create=False)
    assert got.get_node("system:a")["name"] == "A" and got.get_node("system:b")["source"] \
        == "two"


def test_json_texts_escape_as_json_dumps():
    import pyarrow as pa

    texts = ["plain", 'q"uote', "back\\slash", "nl\nx", "\x01\x1f\x7f", "é", "🚀", "",
             "~ !#[]", None]
    got = json_texts(pa.array(texts, pa.string())).to_pylist()
    assert got == [None if t is None else json.dumps(t) for t in texts]
    assert got[6] == '"\\ud83d\\ude80"'
    pieces = {"b": pa.array(['"x"', None, None]), "a": pa.array(['"y"', '"z"', None])}
    assert joined_props(pieces, 3).to_pylist() == ['{"a": "y", "b": "x"}', '{"a": "z"}',
                                                   "{}"]


def test_every_estate_shape_is_read_in_columns(tmp_path):
    """The generator's heavy-sharing estate goes the columnar way and gives the rows'
    store (the 1M comparison is in docs/performance.md)."""
    from ingest.synthetic_estate import generate

    folder = tmp_path / "estate"
    generate(3000, 7, folder, shape="heavy-sharing")
    rows, cols, used = both_ways(folder, tmp_path)
    assert used
    same_files(rows, cols)


def sample_as_csv(folder: Path) -> Path:
    """The bundled sample's inventory document as a CSV folder (lists joined by ``;``,
    booleans as ``true``/``false``), one file per kind and ``edges.csv``."""
    import csv

    import yaml

    doc = yaml.safe_load((Path(__file__).parents[1] / "sample_estate" / "inventory.yaml")
                         .read_text())

    def cell(v) -> str:
        if isinstance(v, bool):
            return "true" if v else "false"
        if isinstance(v, list):
            return ";".join(cell(x) for x in v)
        return "" if v is None else str(v)

    folder.mkdir()
    tables = [(f"{kind}.csv", ["id"], rows) for kind, rows in doc["nodes"].items()]
    tables.append(("edges.csv", ["kind", "from", "to"],
                   [{"kind": k, **r} for k, rs in doc["edges"].items() for r in rs]))
    for name, first, rows in tables:
        keys = first + sorted({k for r in rows for k in r} - set(first))
        with open(folder / name, "w", newline="", encoding="utf-8") as fh:
            w = csv.writer(fh)
            w.writerow(keys)
            w.writerows([cell(r.get(k)) for k in keys] for r in rows)
    return folder


def test_the_sample_inventory_as_csv(tmp_path):
    folder = sample_as_csv(tmp_path / "sample")
    rows, cols, used = both_ways(folder, tmp_path)
    assert used
    same_files(rows, cols)
    counts = EmbeddedStore(cols, create=False).counts()
    # the document's 10 owners, 31 secrets; its one SAME_VALUE_AS written both ways
    assert counts["nodes"]["Owner"] == 10 and counts["nodes"]["Secret"] == 31
    assert counts["edges"]["SAME_VALUE_AS"] == 2


SPECIALS = ['"', ",", "\n", "\r\n", ";", "=", "@", " ", "\t", "é", "🚀", "\ufeff", "", "x"]


def mutated(seed: int) -> dict[str, bytes]:
    """The odd-shapes folder with a few random edits: a cell-breaking character put in,
    a character cut, a line doubled or dropped."""
    import random

    rng = random.Random(seed)
    files = {name: text for name, text in ODD.items()}
    for _ in range(rng.randint(1, 3)):
        name = rng.choice(sorted(files))
        text = files[name]
        at = rng.randrange(len(text) + 1)
        what = rng.randrange(4)
        if what == 0:
            text = text[:at] + rng.choice(SPECIALS) + text[at:]
        elif what == 1:
            text = text[:at] + text[at + 1:]
        else:
            lines = text.split("\n")
            i = rng.randrange(len(lines))
            lines[i:i + 1] = [lines[i]] * (2 if what == 2 else 0)
            text = "\n".join(lines)
        files[name] = text
    return {name: text.encode("utf-8", "surrogatepass") for name, text in files.items()}


def test_random_edits_give_the_rows_answer_or_take_the_row_path(tmp_path, monkeypatch):
    """Whatever an edit does, the columns either refuse (and the row path runs) or write
    exactly the row path's store; a folder the row path refuses is never accepted."""
    from graph.errors import InputError

    monkeypatch.setenv("NHIGRAPH_FINGERPRINT_KEY", "columns-test-key")
    outcomes = {"same": 0, "rows refuse": 0, "columns refuse": 0}
    for seed in range(int(os.environ.get("COLUMNS_FUZZ_SEEDS", "120"))):
        base = tmp_path / str(seed)
        folder = write(base / "in", mutated(seed))
        try:
            ingest("inventory", folder, lambda b=base: EmbeddedStore(b / "rows"), source="s")
            refused = False
        except InputError:
            refused = True
        try:
            columns.read_tables(folder, "s")
        except columns.NotColumnar:
            outcomes["rows refuse" if refused else "columns refuse"] += 1
            continue
        assert not refused, seed
        batch, _ = ingest("inventory", folder, lambda b=base: EmbeddedStore(b / "cols"),
                          source="s", columns=True)
        assert batch.nodes == []
        same_files(base / "rows", base / "cols")
        outcomes["same"] += 1
    # not vacuous: each way is taken
    assert all(n >= 10 for n in outcomes.values()), outcomes


def test_the_columns_import_no_pandas(tmp_path):
    """A Python scalar or list given to pyarrow imports pandas (~0.5 s and ~60 MB): the
    columnar read makes its scalars from Arrow arrays."""
    import subprocess
    import sys

    folder = write(tmp_path / "odd", ODD)
    code = ("import sys; from pathlib import Path; from ingest.inventory_columns import "
            f"read_tables; t = read_tables(Path({str(folder)!r}), 's'); "
            "print(t.nodes.num_rows, 'pandas' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=Path(__file__).parents[1], check=True,
                         env={**os.environ, "NHIGRAPH_FINGERPRINT_KEY": "k" * 32})
    assert out.stdout.split() == ["13", "False"]


def test_the_cli_reads_in_columns_only_into_a_fresh_embedded_store(tmp_path, monkeypatch):
    from graph.backends import embedded_holds_graph

    folder = write(tmp_path / "in", {"System.csv": "id,name\nsystem:a,A\n"})
    store = tmp_path / "store"
    calls = []
    real = columns.read_tables
    monkeypatch.setattr(columns, "read_tables", lambda *a: calls.append(a) or real(*a))
    monkeypatch.delenv("NEO4J_URI", raising=False)
    assert embedded_holds_graph(path=str(store)) is False
    run = ["ingest", "inventory", str(folder), "--store", str(store)]
    assert CliRunner().invoke(cli.cli, run).exit_code == 0
    assert len(calls) == 1 and embedded_holds_graph(path=str(store)) is True
    # onto a graph: the row path only, no columnar read spent first
    assert CliRunner().invoke(cli.cli, [*run, "--source", "again"]).exit_code == 0
    assert len(calls) == 1
    assert [r["source"] for r in EmbeddedStore(store, create=False).runs()] == [
        f"inventory:{folder}", "again"]
    # --replace writes the whole graph again: in columns
    assert CliRunner().invoke(cli.cli, [*run, "--replace"]).exit_code == 0
    assert len(calls) == 2
    assert embedded_holds_graph(path=str(store), neo4j_uri="bolt://127.0.0.1:1") is None
    (store / "manifest.json").write_text("{broken")
    assert embedded_holds_graph(path=str(store)) is None


def test_replace_in_columns_gives_the_row_paths_store(tmp_path, monkeypatch):
    """``--replace`` onto a graph: the columns write the whole new graph, as rows do (the
    runs list starts again, generation 2)."""
    monkeypatch.setenv("NHIGRAPH_FINGERPRINT_KEY", "columns-test-key")
    first = write(tmp_path / "one", {"System.csv": "id,name\nsystem:old,Old\n"})
    folder = write(tmp_path / "odd", ODD)
    for name, cols in (("rows", False), ("cols", True)):
        ingest("inventory", first, lambda n=name: EmbeddedStore(tmp_path / n), source="one")
        batch, result = ingest("inventory", folder, lambda n=name: EmbeddedStore(tmp_path / n),
                               source="s", replace=True, columns=cols)
        assert (batch.nodes == []) is cols and result.nodes_written == 13
    for f in GENERATION:
        f2 = f.replace("-1.", "-2.")
        assert (tmp_path / "rows" / f2).read_bytes() == (tmp_path / "cols" / f2).read_bytes()
    got = EmbeddedStore(tmp_path / "cols", create=False)
    assert got.get_node("system:old") is None and [r["source"] for r in got.runs()] == ["s"]
