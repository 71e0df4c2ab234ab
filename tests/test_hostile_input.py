"""Bad input of every hostile shape exits 2 with one ``error:`` line and leaves the store
unchanged, never exit 1: integers with thousands of digits, dates out of range (and
``--as-of``), wrong types in Kubernetes rules and bindings and in n8n ``tags``/``shared``,
lone surrogates in JSON strings, a folder where a file is expected, ``-o`` into a missing
folder, a damaged manifest. The parsers run with ``ingest.pipeline.RAISE_BUGS`` set, so a
shape our own code mishandles fails here as the exception it is rather than hiding behind
the input guard. Hypothesis drives the shapes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

import cli
import ingest.pipeline
from graph.errors import InputError
from graph.records import normalise_datetime
from tests.test_fuzz_ingesters import store_digest

SETTINGS = dict(max_examples=25, deadline=None, derandomize=True, database=None,
                suppress_health_check=list(HealthCheck))


@pytest.fixture(autouse=True)
def bugs_surface(monkeypatch):
    monkeypatch.setattr(ingest.pipeline, "RAISE_BUGS", True, raising=False)
    monkeypatch.setenv("NHIGRAPH_FINGERPRINT_KEY", "test-key")


def run(*args: str):
    return CliRunner().invoke(cli.cli, list(args))


def assert_refused(res, *words: str) -> str:
    assert res.exit_code == 2, (res.exit_code, res.output, res.exception)
    lines = [ln for ln in res.stderr.splitlines() if ln.startswith("error: ")]
    assert len(lines) == 1, res.stderr
    for w in words:
        assert w in lines[0], lines[0]
    return lines[0]


def inventory(tmp: Path, **secret_fields) -> Path:
    doc = {"nhigraph_inventory": 1, "nodes": {"Secret": [{"id": "secret:x", **secret_fields}]}}
    p = tmp / "inv.json"
    p.write_text(json.dumps(doc, ensure_ascii=False))
    return p


# --- numbers and dates ------------------------------------------------------------------

@settings(**SETTINGS)
@given(digits=st.integers(4301, 20000))
def test_integers_with_thousands_of_digits(tmp_path_factory, digits):
    tmp = tmp_path_factory.mktemp("big")
    p = tmp / "inv.json"
    p.write_text('{"nhigraph_inventory": 1, "nodes": {"Secret": [{"id": "secret:x", '
                 f'"port": {"9" * digits}}}]}}}}')
    assert_refused(run("ingest", "inventory", str(p), "--store", str(tmp / "s")), "inv.json")
    assert not (tmp / "s").exists()


@pytest.mark.parametrize("fmt,doc", [
    ("n8n", {"id": "w", "name": "w", "nodes": [], "connections": {},
             "updatedAt": 10**5000}),
    ("airflow", {"c": {"conn_type": "http", "host": "h", "port": 10**5000}}),
])
def test_huge_integers_in_workflow_formats(tmp_path, fmt, doc):
    p = tmp_path / "x.json"
    import sys
    sys.set_int_max_str_digits(0)
    try:
        p.write_text(json.dumps(doc))
    finally:
        sys.set_int_max_str_digits(4300)
    res = run("ingest", fmt, str(p), "--store", str(tmp_path / "s"))
    assert res.exit_code in (0, 2), (res.output, res.exception)


@settings(**SETTINGS)
@given(year=st.one_of(st.integers(1, 1969), st.integers(2201, 9999)))
def test_dates_out_of_range_are_refused(tmp_path_factory, year):
    tmp = tmp_path_factory.mktemp("date")
    p = inventory(tmp, created_at=f"{year:04d}-06-01T00:00:00Z")
    assert_refused(run("ingest", "inventory", str(p), "--store", str(tmp / "s")),
                   "out of the supported range")
    with pytest.raises(InputError, match="supported range"):
        normalise_datetime(f"{year:04d}-01-02", "x")


@pytest.mark.parametrize("value", [10**30, -10**30, 1e300, float("inf"), "0001-01-01T00:00:00Z",
                                   "9999-12-31T23:59:59+00:00", "0001-01-01T00:00:00-05:00"])
def test_normalise_datetime_refuses_what_it_cannot_hold(value):
    with pytest.raises(InputError):
        normalise_datetime(value, "x")


def test_dates_in_range_still_work():
    assert normalise_datetime("2024-05-01T10:00:00+02:00", "x") == "2024-05-01T08:00:00Z"
    assert normalise_datetime(0, "x") == "1970-01-01T00:00:00Z"
    assert normalise_datetime("2199-12-31", "x") == "2199-12-31T00:00:00Z"


@pytest.mark.parametrize("value", ["0001-01-01", "9999-01-01", "10000000000000000000000"])
def test_as_of_out_of_range(tmp_path, value):
    p = inventory(tmp_path, name="s")
    assert run("ingest", "inventory", str(p), "--store", str(tmp_path / "s")).exit_code == 0
    assert_refused(run("findings", "--as-of", value, "--store", str(tmp_path / "s")), "--as-of")


@pytest.mark.parametrize("fmt,field,where", [
    ("n8n", "createdAt", "createdAt"), ("n8n", "updatedAt", "updatedAt")])
def test_workflow_dates_out_of_range_are_notes(tmp_path, fmt, field, where):
    doc = {"id": "w1", "name": "w", "nodes": [], "connections": {}, field: "0001-01-01T00:00:00Z"}
    p = tmp_path / "w.json"
    p.write_text(json.dumps(doc))
    res = run("ingest", fmt, str(p), "--store", str(tmp_path / "s"))
    assert res.exit_code in (0, 2), (res.output, res.exception)
    if res.exit_code == 0:  # kept the workflow, dropped the date
        from graph.embedded import EmbeddedStore

        for n in EmbeddedStore(tmp_path / "s", create=False).nodes("Workflow"):
            assert not str(n.get("created_at", "2000")).startswith("0001")
            assert not str(n.get("updated_at", "2000")).startswith("0001")


# --- wrong types ------------------------------------------------------------------------

WRONG = st.one_of(st.none(), st.integers(-3, 3), st.text(max_size=5), st.booleans(),
                  st.just([]), st.just({}), st.just([1, None, "x"]), st.just([[]]),
                  st.just({"a": [1]}), st.just([{"x": 1}]))


def _k8s_docs(rules, subjects, role_ref, verbs) -> list[dict]:
    return [
        {"apiVersion": "v1", "kind": "ServiceAccount",
         "metadata": {"name": "sa", "namespace": "ns"}},
        {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role",
         "metadata": {"name": "r", "namespace": "ns"},
         "rules": rules if rules is not None else [{"apiGroups": [""], "resources": ["pods"],
                                                    "verbs": verbs}]},
        {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding",
         "metadata": {"name": "b", "namespace": "ns"}, "subjects": subjects,
         "roleRef": role_ref},
    ]


@settings(**SETTINGS)
@example(rules=[{"verbs": 5, "resources": 7, "resourceNames": 3}],
         subjects=[{"kind": "ServiceAccount", "name": {"a": 1}}, 5],
         role_ref={"kind": "Role", "name": "r"}, verbs=[])
@example(rules={"verbs": ["get"]}, subjects={"kind": "ServiceAccount", "name": "sa"},
         role_ref={"kind": "Role", "name": ["r"]}, verbs=[])
@given(rules=st.one_of(st.none(), WRONG, st.lists(WRONG, max_size=3)),
       subjects=st.one_of(WRONG, st.lists(WRONG, max_size=3)),
       role_ref=WRONG, verbs=st.one_of(WRONG, st.lists(WRONG, max_size=3)))
def test_kubernetes_rules_and_bindings_of_wrong_types(tmp_path_factory, rules, subjects,
                                                      role_ref, verbs):
    tmp = tmp_path_factory.mktemp("k8s")
    p = tmp / "rbac.yaml"
    p.write_text(yaml.safe_dump_all(_k8s_docs(rules, subjects, role_ref, verbs)))
    res = run("ingest", "kubernetes", str(p), "--store", str(tmp / "s"))
    assert res.exit_code in (0, 2), (res.output, repr(res.exception))


@settings(**SETTINGS)
@example(tags=3, shared=7, nodes=None)
@example(tags=[{"name": {"x": 1}}], shared=[{"project": {"id": ["x"]}, "role": {"a": 1}}],
         nodes=None)
@given(tags=WRONG, shared=WRONG, nodes=st.one_of(WRONG, st.lists(WRONG, max_size=2)))
def test_n8n_tags_shared_and_nodes_of_wrong_types(tmp_path_factory, tags, shared, nodes):
    tmp = tmp_path_factory.mktemp("n8n")
    doc = {"id": "w1", "name": "w", "active": True, "connections": {},
           "nodes": [{"id": "n0", "name": "ok", "type": "n8n-nodes-base.noOp", "parameters": {}},
                     *(nodes if isinstance(nodes, list) else [])],
           "tags": tags, "shared": shared}
    (tmp / "w.json").write_text(json.dumps(doc))
    res = run("ingest", "n8n", str(tmp / "w.json"), "--store", str(tmp / "s"))
    assert res.exit_code in (0, 2), (res.output, repr(res.exception))


# --- text -------------------------------------------------------------------------------

@pytest.mark.parametrize("fmt,text", [
    ("inventory", '{"nhigraph_inventory": 1, "nodes": {"Secret": [{"id": "secret:x", '
                  '"name": "QQmark \\ud800 surrogate"}]}}'),
    ("n8n", '{"id": "w1", "name": "QQmark \\udfff", "connections": {}, "nodes": [{"id": "n1", '
            '"name": "QQmark \\ud800", "type": "n8n-nodes-base.noOp", "parameters": {}}]}'),
    ("airflow", '{"c\\ud800": {"conn_type": "http", "host": "h\\udc00.example"}}'),
])
def test_lone_surrogates_in_json_strings(tmp_path, fmt, text):
    p = tmp_path / "x.json"
    p.write_text(text)
    res = run("ingest", fmt, str(p), "--store", str(tmp_path / "s"))
    assert res.exit_code == 0, (res.output, repr(res.exception))
    run("export", "--format", "json", "-o", str(tmp_path / "e.json"), "--store",
        str(tmp_path / "s"))
    exported = json.dumps(json.loads((tmp_path / "e.json").read_text(encoding="utf-8")),
                          ensure_ascii=False)
    exported.encode("utf-8")  # no lone surrogate survived (it cannot be encoded)
    assert "QQmark" not in exported or "QQmark \ufffd" in exported


# --- files and folders ------------------------------------------------------------------

@pytest.mark.parametrize("fmt", ["inventory", "n8n", "airflow", "github-actions",
                                 "kubernetes", "aws-iam"])
def test_a_folder_where_a_file_is_expected(tmp_path, fmt):
    folder = tmp_path / "export.json"
    (folder / "inner.json").mkdir(parents=True)
    res = run("ingest", fmt, str(folder), "--store", str(tmp_path / "s"))
    assert res.exit_code in (0, 2), (res.output, repr(res.exception))
    if res.exit_code == 2:
        assert_refused(res)


@pytest.mark.parametrize("args", [
    ("stats", "--format", "json"),
    ("orphans", "--format", "csv", "-o", "{missing}/o.csv"),
    ("findings", "--format", "json", "-o", "{missing}/f.json"),
    ("report", "estate", "-o", "{missing}/r.html"),
    ("export", "--format", "graphml", "-o", "{missing}/g.graphml"),
])
def test_output_into_a_missing_folder(tmp_path, args):
    p = inventory(tmp_path, name="s")
    assert run("ingest", "inventory", str(p), "--store", str(tmp_path / "s")).exit_code == 0
    args = [a.replace("{missing}", str(tmp_path / "no" / "such")) for a in args]
    res = run(*args, "--store", str(tmp_path / "s"))
    if "-o" in args:
        assert_refused(res, "no")
    else:
        assert res.exit_code == 0


@pytest.mark.parametrize("manifest", [
    b"[]", b'{"schema_version": 1}', b'{"schema_version": 1, "generation": "x", "runs": []}',
    b'{"schema_version": 1, "generation": 1, "runs": 5}', b"\xff\xfe", b""])
def test_a_damaged_manifest(tmp_path, manifest):
    p = inventory(tmp_path, name="s")
    assert run("ingest", "inventory", str(p), "--store", str(tmp_path / "s")).exit_code == 0
    (tmp_path / "s" / "manifest.json").write_bytes(manifest)
    assert_refused(run("stats", "--store", str(tmp_path / "s")), "manifest")
    before = store_digest(tmp_path / "s")
    assert_refused(run("ingest", "inventory", str(p), "--store", str(tmp_path / "s")))
    assert store_digest(tmp_path / "s") == before


def test_damaged_generation_files(tmp_path):
    p = inventory(tmp_path, name="s")
    assert run("ingest", "inventory", str(p), "--store", str(tmp_path / "s")).exit_code == 0
    (tmp_path / "s" / "nodes-1.arrow").write_bytes(b"ARROW1garbage")  # the columnar store
    assert_refused(run("stats", "--store", str(tmp_path / "s")), "generation 1")


# --- the guard --------------------------------------------------------------------------

def test_the_guard_turns_an_input_caused_crash_into_one_line(tmp_path, monkeypatch):
    from ingest.registry import Ingester

    monkeypatch.setattr(ingest.pipeline, "RAISE_BUGS", False)

    def parse(paths):
        {}["password=hunter2"]  # a KeyError quoting a secret-ish text from the input

    bad = Ingester(name="crashy", help="x", parse=parse, paths="one")
    with pytest.raises(InputError) as info:
        ingest.pipeline.ingest(bad, str(tmp_path / "in.json"), lambda: None)
    message = str(info.value)
    assert "in.json" in message and "KeyError" in message and "hunter2" not in message
    monkeypatch.setattr(ingest.pipeline, "RAISE_BUGS", True)
    with pytest.raises(KeyError):
        ingest.pipeline.ingest(bad, str(tmp_path / "in.json"), lambda: None)


# --- YAML alias bombs (the one project YAML loader is p-messy's) -------------------------

def _alias_bomb(levels: int = 11) -> str:  # 9 * 4**10 nodes: past the 1M cap
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x]"]
    for i in range(1, levels):
        lines.append(f"a{i}: &a{i} {{k: [*a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}]}}")
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("fmt", ["kubernetes", "inventory"])
def test_yaml_alias_bomb_is_refused_before_it_expands(tmp_path, fmt):
    p = tmp_path / "bomb.yaml"
    text = _alias_bomb()
    if fmt == "kubernetes":
        text = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\ndata:\n" + \
            "".join("  " + ln + "\n" for ln in text.splitlines())
    p.write_text(text)
    # Kubernetes skips a file it cannot read (one line) and keeps the others; --strict
    # makes any skip a refusal. The inventory is one document: always refused.
    strict = ["--strict"] if fmt == "kubernetes" else []
    res = run("ingest", fmt, str(p), *strict, "--store", str(tmp_path / "s"))
    assert_refused(res, "alias")
