"""The project's one YAML loader (ingest/yaml_loader.py) and GitHub Actions workflows read
through it as GitHub reads them (tests/data/github/yaml-shapes, written from GitHub's
workflow syntax documentation): anchors and aliases, merge keys, duplicate keys noted with
their line, a cap on alias expansion counted in nodes, and ``secrets: inherit``."""

from __future__ import annotations

from pathlib import Path

import pytest

from graph.records import validate
from ingest import github
from ingest.files import Skip, parse_yaml_text
from ingest.yaml_loader import MAX_EXPANDED_NODES, YamlError, load_all_text, load_text

DATA = Path(__file__).parent / "data" / "github" / "yaml-shapes"
R = "acme/app:.github/workflows/"
W, C, S = f"workflow:github:{R}", f"connector:github:{R}", "secret:github:acme/app:"
REMOTE = "workflow:github:other-org/tools:.github/workflows/deploy.yml"


def laughs(levels: int, width: int = 9, flow: bool = False) -> str:
    """The "billion laughs" document: each level an alias list of the one below."""
    lines = ['a0: &a0 "lol"']
    for i in range(1, levels + 1):
        items = ", ".join([f"*a{i - 1}"] * width)
        lines.append(f"a{i}: &a{i} {{{', '.join(f'k{j}: *a{i - 1}' for j in range(width))}}}"
                     if flow else f"a{i}: &a{i} [{items}]")
    return "\n".join(lines) + "\n"


def test_anchors_aliases_and_merge_keys_are_read():
    doc = load_text("base: &b {x: 1, y: 2}\nuse: *b\nmerged:\n  <<: *b\n  y: 3\n")
    assert doc == {"base": {"x": 1, "y": 2}, "use": {"x": 1, "y": 2},
                   "merged": {"x": 1, "y": 3}}


def test_a_duplicate_key_is_a_note_with_its_line_and_the_later_value_wins():
    notes: list[str] = []
    doc = load_text("a: 1\nb:\n  c: 1\n  c: 2\na: 3\n", "f.yml", notes)
    assert doc == {"a": 3, "b": {"c": 2}}
    assert notes == ["f.yml: line 5: duplicate key 'a' (first at line 1); the later value "
                     "is used", "f.yml: line 4: duplicate key 'c' (first at line 3); the later "
                     "value is used"]


@pytest.mark.parametrize("flow", [False, True])
def test_billion_laughs_is_one_clear_error(flow):
    with pytest.raises(YamlError) as err:
        load_text(laughs(9, flow=flow))  # 9**9 = 387 million strings once expanded
    assert str(err.value).startswith(f"aliases expand to more than {MAX_EXPANDED_NODES:,} "
                                     "nodes (at line ")
    with pytest.raises(Skip, match="aliases expand to more than"):
        parse_yaml_text(laughs(9, flow=flow), "bomb.yml")


def test_a_few_aliases_below_the_cap_are_fine():
    doc = load_text(laughs(3))  # 9**3 = 729 strings
    assert doc["a3"] == [[["lol"] * 9] * 9] * 9


def test_recursive_alias_is_refused():
    with pytest.raises(YamlError, match="recursive alias at line 1"):
        load_text("a: &a [1, *a]\n")


def test_multi_document_stream_and_text_dates():
    assert load_all_text("a: 1\n---\n---\nb: 2020-01-01\n", dates=False) == [
        {"a": 1}, {"b": "2020-01-01"}]
    with pytest.raises(YamlError, match="expected a single document"):
        load_text("a: 1\n---\nb: 2\n")


def parse():
    b = github.parse(DATA, repo="acme/app", secrets=DATA / "secrets.json")
    validate(b)
    return b


def test_github_workflows_with_anchors_duplicates_and_inherit_are_all_read():
    b = parse()
    assert (b.files_read, b.skipped) == (5, [])  # 4 workflows + the secret list
    assert b.notes == [f"{DATA}/.github/workflows/dupes.yml: line 12: duplicate key 'env' "
                       "(first at line 10); the later value is used"]
    refs = {(e.src, e.dst) for e in b.edges if e.kind == "REFERENCES"}
    assert refs == {
        # the alias gives the release job the same env as build
        (C + "anchors.yml:build", S + "DEPLOY_TOKEN"),
        (C + "anchors.yml:release", S + "DEPLOY_TOKEN"),
        # the later env wins: OLD_TOKEN is not read
        (C + "dupes.yml:publish", S + "NPM_TOKEN"),
        # secrets: inherit: each callee reads every secret the caller can
        (W + "shared.yml", S + "DEPLOY_TOKEN"), (W + "shared.yml", S + "NPM_TOKEN"),
        (REMOTE, S + "DEPLOY_TOKEN"), (REMOTE, S + "NPM_TOKEN"),
    }
    reason = {(e.src, e.dst): e.props["reason"] for e in b.edges if e.kind == "REFERENCES"}
    assert reason[(REMOTE, S + "NPM_TOKEN")] == (
        "inherited from .github/workflows/call.yml jobs.remote (secrets: inherit to "
        "other-org/tools/.github/workflows/deploy.yml@v1)")
    assert {n.id for n in b.nodes if n.kind == "Workflow"} == {
        W + "anchors.yml", W + "call.yml", W + "dupes.yml", W + "shared.yml", REMOTE}
    props = {n.id: n.props for n in b.nodes}
    assert (props[C + "call.yml:local"]["inherits_external"],
            props[C + "call.yml:local"]["inherits_pinned"]) == (False, True)
    assert (props[C + "call.yml:remote"]["inherits_external"],
            props[C + "call.yml:remote"]["inherits_pinned"]) == (True, False)


def test_a_merge_key_in_a_github_workflow_is_read_and_noted(tmp_path):
    wf = tmp_path / ".github" / "workflows"
    wf.mkdir(parents=True)
    (wf / "m.yml").write_text("on: push\nx: &d\n  runs-on: ubuntu-latest\njobs:\n  a:\n"
                              "    <<: *d\n    steps: [{run: echo}, oops]\n  b: not-a-job\n")
    b = github.parse(tmp_path, repo="acme/m")
    assert (b.files_read, b.skipped) == (1, [])
    assert b.notes[-3:] == [
        f"{wf}/m.yml: line 6: merge key '<<': GitHub Actions does not support merge keys "
        "(GitHub rejects the file); read merged",
        f"{wf}/m.yml: jobs.a.steps[1] is a str, not a step; left out",
        f"{wf}/m.yml: jobs.b is a str, not a mapping; job left out"]
    job = next(n for n in b.nodes if n.id == "connector:github:acme/m:.github/workflows/m.yml:a")
    assert job.props["runs_on"] == "ubuntu-latest"


def test_kubernetes_and_inventory_read_through_the_same_loader(tmp_path):
    from ingest import inventory, kubernetes

    k = tmp_path / "sa.yaml"
    k.write_text("apiVersion: v1\nkind: ServiceAccount\nmetadata: &m\n  name: ci\n"
                 "  namespace: build\n  name: ci-bot\n")
    b = kubernetes.parse(k)
    assert b.notes == [f"{k}: line 6: duplicate key 'name' (first at line 4); the later value "
                       "is used"]
    assert [n.id for n in b.nodes if n.kind == "Identity"] == [
        "identity:k8s:default:build/ci-bot"]
    bomb = tmp_path / "inv.yaml"
    bomb.write_text(laughs(9))
    with pytest.raises(Exception, match="aliases expand to more than"):
        inventory.parse(bomb)


def test_key_lines_only_when_asked():
    from ingest.yaml_loader import load_text

    text = "a: 1\nb:\n  # note\n  c: [x, y]\n  d:\n    - e: 1\n    -\n      f: 2\n"
    lines: dict = {}
    assert load_text(text, lines=lines) == {"a": 1, "b": {"c": ["x", "y"],
                                                          "d": [{"e": 1}, {"f": 2}]}}
    assert lines == {("a",): 1, ("b",): 2, ("b", "c"): 4, ("b", "c", 0): 4,
                     ("b", "c", 1): 4, ("b", "d"): 5, ("b", "d", 0): 6, ("b", "d", 0, "e"): 6,
                     ("b", "d", 1): 8, ("b", "d", 1, "f"): 8}
