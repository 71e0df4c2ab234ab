"""Fuzz every registered ingester through the CLI with mutated inputs.

For each ingester in the registry (:func:`ingest.registry.ingesters`) the seeds are the
files and folders under ``tests/data/<name>/`` (an ingester added later is fuzzed as soon as
it has seeds there; one without seeds fails loudly). :func:`fuzz` is the whole check for
one ingester; ``tests/test_registry.py`` runs it on a throwaway ingester. Mutations:
truncation, invalid UTF-8, huge strings, deep nesting, wrong types (a value anywhere in a JSON/YAML document replaced by another type)
and random byte edits. Each mutant goes through ``nhigraph ingest <name> PATH --store S``:
it either loads (exit 0) or prints exactly one ``error:`` line (exit 2) and leaves the
store byte-for-byte unchanged; exit 1 (a bug) or a traceback fails the test.

Derandomized and bounded (``EXAMPLES`` per format, no deadline), so CI is repeatable.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import cli
import ingest.pipeline
from ingest.registry import ingesters

DATA = Path(__file__).parent / "data"
EXAMPLES = int(os.environ.get("NHIGRAPH_FUZZ_EXAMPLES", "300"))
MUTATIONS = ("truncate", "invalid_utf8", "huge_string", "deep_nesting", "wrong_type",
             "byte_edit", "none")
WRONG_VALUES = (None, 0, -1, 10**30, 3.5, float("inf"), True, "", [], {}, [[[]]],
                {"a": {"b": [1, {"c": None}]}}, "x" * 70000, "\u0000\ud7ff\U0001f600")


#: Ingesters whose fixtures live under another folder name.
SEED_DIRS = {"github-actions": "github", "aws-iam": "aws", "kubernetes": "k8s"}


def seeds(fmt: str, data: Path = DATA) -> list[Path]:
    """The fixtures under ``data/<fmt>/`` and ``data/<fmt>_shapes/`` (published shapes)."""
    name = SEED_DIRS.get(fmt, fmt)
    return sorted(p for folder in (data / name, data / f"{name}_shapes") if folder.is_dir()
                  for p in folder.iterdir() if not p.name.startswith("."))


def files_of(seed: Path) -> list[Path]:
    return sorted(p for p in seed.rglob("*") if p.is_file()) if seed.is_dir() else [seed]


def store_digest(store: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(store.iterdir()) if p.is_file() and p.name != ".lock"}


def _replace_somewhere(doc, draw_index, value):
    """Replace one value (chosen by ``draw_index``) anywhere in a parsed document."""
    slots = []

    def walk(node):
        if isinstance(node, dict):
            for k in node:
                slots.append((node, k))
                walk(node[k])
        elif isinstance(node, list):
            for i in range(len(node)):
                slots.append((node, i))
                walk(node[i])
    walk(doc)
    if not slots:
        return value
    parent, key = slots[draw_index % len(slots)]
    parent[key] = value
    return doc


def mutate(data: bytes, suffix: str, how: str, pos: int, pick: int) -> bytes:
    pos = pos % (len(data) + 1)
    if how == "truncate":
        return data[:pos]
    if how == "invalid_utf8":
        return data[:pos] + b"\xff\xfe\xc3\x28\xa0" + data[pos:]
    if how == "huge_string":
        return data[:pos] + b"Z" * 200_000 + data[pos:]
    if how == "deep_nesting":
        depth = 2000 + pick % 60000
        return b"[" * depth + data + b"]" * depth if pick % 2 else \
            data[:pos] + b"{a: " * depth + b"1" + b"}" * depth + data[pos:]
    if how == "byte_edit":
        return data[:pos] + bytes([pick % 256]) + data[pos + 1:]
    if how == "wrong_type" and suffix in (".json", ".yaml", ".yml"):
        try:
            doc = yaml.safe_load(data)
        except yaml.YAMLError:  # a seed that is broken on purpose: edit a byte instead
            return data[:pos] + bytes([pick % 256]) + data[pos + 1:]
        doc = _replace_somewhere(doc, pick, WRONG_VALUES[pick % len(WRONG_VALUES)])
        if suffix == ".json":
            return json.dumps(doc).encode()
        return yaml.safe_dump(doc, allow_unicode=True).encode()
    if how == "wrong_type":  # CSV: a cell gets a value of the wrong shape
        lines = data.split(b"\n")
        row = 1 + pick % max(1, len(lines) - 1)
        if row < len(lines):
            cells = lines[row].split(b",")
            cells[pick % len(cells)] = [b"[1,2]", b"{}", b"", b"nan", b"\"", b"1e999",
                                        b"2024-13-45"][pick % 7]
            lines[row] = b",".join(cells)
        return b"\n".join(lines)
    return data


@pytest.fixture(scope="module")
def workspace():
    root = Path(tempfile.mkdtemp(prefix="nhigraph-fuzz-"))
    yield root
    shutil.rmtree(root, ignore_errors=True)


@pytest.mark.parametrize("fmt", sorted(ingesters()))
def test_ingester_survives_mutated_input(fmt, workspace, monkeypatch):
    # Our own bugs must surface as exit 1 here, not hide behind the pipeline's input guard.
    monkeypatch.setattr(ingest.pipeline, "RAISE_BUGS", True)
    fuzz(fmt, workspace)


def fuzz(fmt: str, workspace: Path, data: Path = DATA, examples: int = EXAMPLES) -> None:
    """Mutate the seeds of ingester ``fmt`` (under ``data``) ``examples`` times, checking
    each mutant loads or is refused with one error line and the store unchanged."""
    found = seeds(fmt, data)
    assert found, f"no fuzz seeds for ingester {fmt!r}: add files under tests/data/{fmt}/"
    runner = CliRunner()
    baseline = workspace / f"{fmt}-baseline"
    result = runner.invoke(cli.cli, ["ingest", fmt, str(found[0]), "--store", str(baseline)])
    assert result.exit_code == 0, result.output
    base_digest = store_digest(baseline)
    store = workspace / f"{fmt}-store"
    case_dir = workspace / f"{fmt}-cases"
    counter = {"loaded": 0, "refused": 0, "skipped": 0}

    @settings(max_examples=examples, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    @given(seed_i=st.integers(0, 10**6), file_i=st.integers(0, 10**6),
           how=st.sampled_from(MUTATIONS), pos=st.integers(0, 10**6),
           pick=st.integers(0, 10**6))
    def check(seed_i, file_i, how, pos, pick):
        seed = found[seed_i % len(found)]
        shutil.rmtree(case_dir, ignore_errors=True)
        case_dir.mkdir()
        target = case_dir / seed.name
        if seed.is_dir():
            shutil.copytree(seed, target)
        else:
            shutil.copy(seed, target)
        victims = files_of(target)
        victim = victims[file_i % len(victims)]
        victim.write_bytes(mutate(victim.read_bytes(), victim.suffix.lower(), how, pos, pick))
        if store.exists():
            shutil.rmtree(store)
        shutil.copytree(baseline, store)
        res = runner.invoke(cli.cli, ["ingest", fmt, str(target), "--store", str(store)])
        err = res.stderr if res.stderr_bytes is not None else res.output
        assert res.exit_code in (0, 2), f"{how} on {victim.name}: exit {res.exit_code}: " \
            f"{res.output[-500:]} {res.exception!r}"
        assert "Traceback" not in res.output
        if res.exit_code == 2:
            lines = [ln for ln in err.splitlines() if ln.strip()]
            # One error line, last; folder ingesters may first list what they skipped.
            errors = [ln for ln in lines if ln.startswith("error: ")]
            assert len(errors) == 1 and lines[-1] == errors[0], err[-500:]
            assert all(len(ln) < 2000 for ln in lines), "every line should be readable"
            assert store_digest(store) == base_digest, "a refused ingest changed the store"
            counter["refused"] += 1
        elif "skipped: " in err:
            # Folder ingesters skip a broken file with one line and load the rest.
            skips = [ln for ln in err.splitlines() if ln.startswith("skipped: ")]
            assert all(len(ln) < 2000 for ln in skips), "a skip line should be readable"
            counter["skipped"] += 1
        else:
            counter["loaded"] += 1

    check()
    # The mutations must actually exercise both outcomes: refused (exit 2, inventory) or
    # skipped with a line (folder ingesters), and loaded.
    rejected = counter["refused"] + counter["skipped"]
    assert rejected > examples // 10 and counter["loaded"] > 0, counter
