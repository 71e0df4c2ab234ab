"""`nhigraph ingest n8n|github-actions|airflow` end to end: summary line, one line per
skipped file, notes, and --strict failing with the store exactly as it was."""

from __future__ import annotations

import shutil
from pathlib import Path

from click.testing import CliRunner

from cli import cli

DATA = Path(__file__).parent / "data"


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


def test_ingest_n8n_prints_skips_and_summary(tmp_path):
    store = tmp_path / "store"
    r = run("ingest", "n8n", DATA / "n8n" / "broken", "--instance", "t", "--store", store)
    assert r.exit_code == 0, r.output
    skipped = [line for line in r.stderr.splitlines() if line.startswith("skipped: ")]
    assert len(skipped) == 4  # a bad credential reference is a note, not a skip
    assert f"skipped: {DATA / 'n8n' / 'broken' / 'empty.json'}: workflow without nodes" in skipped
    assert "3 file(s) read, 4 skipped; 9 nodes (9 new), 12 edges (12 new)" in r.stdout


def test_strict_fails_and_leaves_the_store_unchanged(tmp_path):
    store = tmp_path / "store"
    assert run("ingest", "n8n", DATA / "n8n" / "acme-test", "--instance", "acme-test",
               "--store", store).exit_code == 0
    before = {p.name: p.read_bytes() for p in store.iterdir() if p.is_file()}
    r = run("ingest", "n8n", DATA / "n8n" / "acme-test", DATA / "n8n" / "broken",
            "--instance", "acme-test", "--store", store, "--strict")
    assert r.exit_code == 2
    assert r.stderr.strip().splitlines()[-1].startswith("error: 4 input(s) skipped under "
                                                       "--strict; first: ")
    assert sum(1 for line in r.stderr.splitlines() if line.startswith("skipped: ")) == 4
    after = {p.name: p.read_bytes() for p in store.iterdir() if p.is_file()}
    assert after == before


def test_three_platforms_into_one_store(tmp_path):
    store = tmp_path / "store"
    repo = tmp_path / "shipping-api"
    shutil.copytree(DATA / "github" / "shipping-api", repo)
    for args in (("n8n", DATA / "n8n" / "acme-test", "--instance", "acme-test"),
                 ("airflow", DATA / "airflow" / "acme-data", "--deployment", "acme-data"),
                 ("github-actions", repo, "--repo", "acme/shipping-api",
                  "--env-secrets", f"production={DATA / 'github' / 'secrets' / 'production.json'}")):
        r = run("ingest", *args, "--store", store)
        assert r.exit_code == 0, r.output
    r = run("blast-radius", "workflow:n8n:acme-test:wf2", "--store", store, "--format", "json")
    assert '"identity:aws:arn:aws:iam::111122223333:role/data-pipeline"' in r.stdout


def test_env_secrets_needs_env_equals_file(tmp_path):
    r = run("ingest", "github-actions", DATA / "github" / "shipping-api", "--env-secrets",
            "production", "--store", tmp_path / "s")
    assert r.exit_code == 2
    assert "error: --env-secrets wants ENV=FILE, not 'production'" in r.stderr
