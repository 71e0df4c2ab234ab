"""Outputs stay safe whatever the data held: every CSV (analyses' ``--format csv`` and
reports) neutralises spreadsheet formulas, GraphML stays valid XML with control characters
in names, every JSON output and export is strict JSON (no NaN/Infinity), and terminal
output escapes control characters (names, file and folder names with escape sequences)."""

from __future__ import annotations

import csv
import io
import json
import math
import xml.etree.ElementTree as ET

import pytest
from click.testing import CliRunner

import cli
from graph.embedded import EmbeddedStore
from graph.safe_output import csv_text, strict_json, terminal_safe, xml_safe

FORMULA = '=HYPERLINK("http://evil.example","x")'


def run(*args):
    return CliRunner().invoke(cli.cli, [str(a) for a in args])


@pytest.fixture
def hostile_store(tmp_path, monkeypatch):
    monkeypatch.setenv("NHIGRAPH_FINGERPRINT_KEY", "test-key")
    doc = {"nhigraph_inventory": 1, "nodes": {
        "Workflow": [{"id": "+wf:evil", "name": FORMULA}],
        "Secret": [{"id": "@secret:evil", "name": "bell\x07and\x01ctl", "value": "v" * 12}],
        "System": [{"id": "system:evil", "name": "-1+esc\x1b[2Jname", "crown_jewel": True}]},
        "edges": {"REFERENCES": [{"from": "+wf:evil", "to": "@secret:evil"}],
                  "CAN_ACCESS": [{"from": "@secret:evil", "to": "system:evil",
                                  "access": "admin"}]}}
    p = tmp_path / "hostile.json"
    p.write_text(json.dumps(doc))
    store = tmp_path / "s"
    res = run("ingest", "inventory", p, "--store", store)
    assert res.exit_code == 0, res.output
    return store


def _cells(text: str) -> list[str]:
    return [c for row in csv.reader(io.StringIO(text)) for c in row]


@pytest.mark.parametrize("args", [
    ("blast-radius", "+wf:evil"), ("inbound", "system:evil"), ("orphans",),
    ("blast-radius-all",), ("path", "+wf:evil", "system:evil")])
def test_analysis_csv_neutralises_formulas(hostile_store, args):
    res = run(*args, "--format", "csv", "--store", hostile_store)
    assert res.exit_code == 0, res.output
    cells = _cells(res.stdout)
    assert cells, res.stdout
    assert not [c for c in cells if c[:1] in ("=", "+", "-", "@", "\t", "\r")], cells


def test_report_csv_neutralises_formulas(hostile_store, tmp_path):
    out = tmp_path / "r.csv"
    assert run("report", "blast-radius", "+wf:evil", "-o", out, "--store",
               hostile_store).exit_code == 0
    cells = _cells(out.read_text())
    assert not [c for c in cells if c[:1] in ("=", "+", "-", "@")], cells


def test_graphml_with_control_characters_is_valid_xml(hostile_store, tmp_path):
    out = tmp_path / "g.graphml"
    res = run("export", "--format", "graphml", "-o", out, "--store", hostile_store)
    assert res.exit_code == 0, res.output
    root = ET.parse(out).getroot()  # raises on invalid XML
    texts = [e.text or "" for e in root.iter()]
    assert any("bell\ufffdand\ufffdctl" in t for t in texts)


def test_exports_and_json_are_strict_with_non_finite_numbers(hostile_store, tmp_path):
    from reports.export import export

    store = EmbeddedStore(hostile_store, create=False)
    store.graph.nodes["system:evil"]["score"] = math.inf
    store.graph.nodes["+wf:evil"]["ratio"] = math.nan
    for fmt in ("json", "opengraph"):
        (path, *_) = export(store, fmt, tmp_path / f"e-{fmt}.json")
        text = path.read_text()
        assert "Infinity" not in text and "NaN" not in text
        json.loads(text, parse_constant=lambda c: pytest.fail(f"non-strict JSON: {c}"))
    assert strict_json({"a": [math.inf, -math.inf, math.nan]}) == '{"a": [null, null, null]}'


def test_non_finite_numbers_are_dropped_at_ingest(tmp_path, monkeypatch):
    monkeypatch.setenv("NHIGRAPH_FINGERPRINT_KEY", "test-key")
    p = tmp_path / "inf.json"
    p.write_text('{"nhigraph_inventory": 1, "nodes": {"System": [{"id": "s", '
                 '"score": 1e999, "weights": [1.5, -1e999]}]}}')
    assert run("ingest", "inventory", p, "--store", tmp_path / "s").exit_code == 0
    node = EmbeddedStore(tmp_path / "s", create=False).get_node("s")
    assert "score" not in node and node["weights"] == [1.5]
    res = run("blast-radius", "s", "--format", "json", "--store", tmp_path / "s")
    json.loads(res.stdout, parse_constant=lambda c: pytest.fail(c))


def test_terminal_output_escapes_control_characters(hostile_store, tmp_path, monkeypatch):
    monkeypatch.setenv("NHIGRAPH_FINGERPRINT_KEY", "test-key")
    res = run("blast-radius", "+wf:evil", "--store", hostile_store)
    assert res.exit_code == 0 and "\x1b" not in res.output and "\x07" not in res.output
    assert "esc\\x1b[2Jname" in res.output
    folder = tmp_path / "evil\x1b]0;title\x07dir"
    folder.mkdir()
    (folder / "inv.json").write_text('{"nhigraph_inventory": 1, "nodes": {}}')
    for args in (("ingest", "inventory", folder / "inv.json"), ("stats",),
                 ("ingest", "inventory", folder / "missing.json")):
        res = run(*args, "--store", tmp_path / "s2")
        assert "\x1b" not in res.output and "\x07" not in res.output, res.output
        assert "\x1b" not in (res.stderr or "")


def test_units():
    assert csv_text(["a"], [["=1+1"], ["-2"], [3], [None], [["x"]]]) == \
        "a\n'=1+1\n'-2\n3\n\"\"\n\"[\"\"x\"\"]\"\n"
    assert xml_safe("a\x00b\x1fc\td") == "a\ufffdb\ufffdc\td"
    assert terminal_safe("a\x1b[31mb\u202ec") == "a\\x1b[31mb\\u202ec"


def test_indented_json_is_json_dumps_byte_for_byte_whichever_writer_runs():
    # strict_json(indent=2) goes through orjson when it writes json.dumps's exact bytes,
    # and through json otherwise; either way the text is json.dumps's.
    import dataclasses
    import datetime

    from graph.safe_output import _orjson_indent2

    @dataclasses.dataclass
    class Row:
        x: int = 1

    class Text(str):
        def __str__(self):
            return "other"

    values = [
        {"name": "Bearer 你的飞书应用Token", "emoji": "\U0001f600", "del": "a\x7fb",
         "ctl": "\x00\x1f\n\t", "quote": '"\\/', "empty": [], "none": {}},
        [0.1, 2.5, -0.0, 1e15, 1e16, 1e-05, 0.0001, 123456789.125, 5e-324, 1.5e300],
        {"risk": [54.0, 0.0, float("nan"), float("inf")], "n": [2**63, -(2**63), True, None]},
        {"when": datetime.datetime(2026, 6, 1), "row": Row(), "set": {"a"}},
        {"big": 2**70, "sub": Text("t"), 3: "int key"},
    ]
    for value in values:
        for sort_keys in (False, True):
            if sort_keys and 3 in value:
                continue  # json cannot sort mixed keys either
            expected = json.dumps(value, indent=2, default=str, sort_keys=sort_keys)
            expected = expected.replace("NaN", "null").replace("Infinity", "null")
            assert strict_json(value, indent=2, default=str, sort_keys=sort_keys) == expected
    assert _orjson_indent2(values[0], False) is not None  # the fast writer ran
    assert _orjson_indent2([1e-05], False) is None  # Python writes 1e-05, orjson 0.00001
    assert _orjson_indent2([2**70], False) is None and _orjson_indent2([Row()], False) is None
    assert _orjson_indent2([Text("t")], False) is None  # json writes the text, str() not
