"""Canary test: plant 100 unique secret values across every input format that carries
values, run every command and export, then search the store folder, standard output and
error, and every written report byte-for-byte (and the loaded graph, in case a compressed
Parquet page would hide a value from a byte search): zero hits.

Data-driven: ``CANARY_CASES`` maps an ingester name to builders that write an input
carrying the given secret values. An ingester merged later adds its builders here (n8n
decrypted credentials, GitHub Actions env values, Airflow passwords...) or names itself in
``NO_SECRET_VALUES``; an ingester in neither fails the test loudly.
"""

from __future__ import annotations

import csv
import hashlib
import json
from pathlib import Path

import yaml
from click.testing import CliRunner

import cli
from graph.embedded import EmbeddedStore
from ingest import INGESTERS

FIELDS = ("value", "password", "token", "api_key", "client_secret")
#: Ingesters whose inputs never hold a secret value.
NO_SECRET_VALUES: set[str] = set()


def canaries(n: int = 100) -> list[str]:
    return [f"CANARY{i:03d}x{hashlib.sha256(str(i).encode()).hexdigest()[:20]}"
            for i in range(n)]


def _inventory_doc(values: list[str], tag: str) -> dict:
    secrets, edges = [], []
    for i, v in enumerate(values):
        sid = f"secret:canary:{tag}:{i}"
        secrets.append({"id": sid, "name": f"{tag} secret {i}", FIELDS[i % len(FIELDS)]: v,
                        "environment": "prod" if i % 2 else "dev"})
        edges.append({"from": "workflow:canary:wf", "to": sid})
    return {
        "nhigraph_inventory": 1,
        "nodes": {
            "Workspace": [{"id": "workspace:canary:ws", "environment": "prod"}],
            "Workflow": [{"id": "workflow:canary:wf"}, {"id": "workflow:canary:wf2"}],
            "Secret": secrets,
            "System": [{"id": "system:canary:sys", "crown_jewel": True}],
        },
        "edges": {
            "CONTAINS": [{"from": "workspace:canary:ws", "to": "workflow:canary:wf"}],
            "REFERENCES": edges + [{"from": "workflow:canary:wf2", "to": secrets[0]["id"]}],
            "CAN_ACCESS": [{"from": s["id"], "to": "system:canary:sys", "access": "admin"}
                           for s in secrets],
        },
    }


def inventory_yaml(folder: Path, values: list[str]) -> Path:
    p = folder / "canary.yaml"
    p.write_text(yaml.safe_dump(_inventory_doc(values, "yaml")))
    return p


def inventory_json(folder: Path, values: list[str]) -> Path:
    p = folder / "canary.json"
    p.write_text(json.dumps(_inventory_doc(values, "json")))
    return p


def inventory_csv(folder: Path, values: list[str]) -> Path:
    d = folder / "canary-csv"
    d.mkdir()
    with open(d / "Secret.csv", "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(("id", "name", *FIELDS))
        for i, v in enumerate(values):
            cells = [""] * len(FIELDS)
            cells[i % len(FIELDS)] = v
            w.writerow((f"secret:canary:csv:{i}", f"csv secret {i}", *cells))
    with open(d / "System.csv", "w", newline="") as fh:
        fh.write("id,name\nsystem:canary:csvsys,csv system\n")
    with open(d / "edges.csv", "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(("kind", "from", "to", "access"))
        for i in range(len(values)):
            w.writerow(("CAN_ACCESS", f"secret:canary:csv:{i}", "system:canary:csvsys", "read"))
    return d


def inventory_bad(folder: Path, values: list[str]) -> Path:
    """A refused input: the secret field holds a mapping and the error must not echo it."""
    doc = _inventory_doc(values, "bad")
    doc["nodes"]["Secret"][0]["value"] = {"nested": values[0], "more": values[1:]}
    p = folder / "canary-bad.yaml"
    p.write_text(yaml.safe_dump(doc))
    return p


CANARY_CASES = {
    "inventory": (inventory_yaml, inventory_json, inventory_csv, inventory_bad),
}

# Every command that reads the store, with the exports each can write.
FORMATS = ("table", "json", "csv")


def test_every_ingester_has_canary_cases():
    missing = set(INGESTERS) - set(CANARY_CASES) - NO_SECRET_VALUES
    assert not missing, f"add canary builders for {sorted(missing)} in tests/test_canary.py"


def test_no_secret_value_leaks_anywhere(tmp_path):
    values = canaries(100)
    inputs = tmp_path / "inputs"
    inputs.mkdir()
    store = tmp_path / "store"
    out = tmp_path / "out"
    out.mkdir()
    builders = [(fmt, b) for fmt, bs in sorted(CANARY_CASES.items()) for b in bs]
    share = -(-len(values) // len(builders))
    runner = CliRunner()
    streams: list[bytes] = []

    def run(*args: str) -> int:
        res = runner.invoke(cli.cli, [*args, "--store", str(store)])
        streams.append(res.stdout_bytes or b"")
        streams.append(res.stderr_bytes or b"")
        assert res.exit_code in (0, 2), (args, res.output)
        return res.exit_code

    refused = 0
    for i, (fmt, build) in enumerate(builders):
        path = build(inputs, values[i * share:(i + 1) * share])
        refused += run("ingest", fmt, str(path), "--source", f"canary-{i}") == 2
    assert refused == 1  # only the deliberately bad input
    g = EmbeddedStore(store, create=False).graph
    secrets = sorted(n for n, k in g.nodes(data="kind") if k == "Secret")
    assert len(secrets) >= 75
    assert all(str(g.nodes[s].get("fingerprint", g.nodes[s].get("password_fingerprint", "")))
               .startswith("hmac-sha256:") or any(k.endswith("_fingerprint")
                                                  for k in g.nodes[s]) for s in secrets)

    run("stats")
    run("stats", "--format", "json")
    for fmt in FORMATS:
        for s in secrets[::10]:
            run("blast-radius", s, "--format", fmt, "-o", str(out / f"br-{s[-6:]}.{fmt}"))
            run("blast-radius", s, "--format", fmt)
        run("inbound", "system:canary:sys", "--format", fmt, "-o", str(out / f"in.{fmt}"))
        run("path", "workflow:canary:wf", "system:canary:sys", "--format", fmt,
            "-o", str(out / f"path.{fmt}"))
        run("shared-credentials", "--format", fmt, "-o", str(out / f"shared.{fmt}"))
        run("shared-credentials", "--format", fmt)
        run("orphans", "--format", fmt, "-o", str(out / f"orphans.{fmt}"))
        run("orphans", "--format", fmt)
        run("blast-radius-all", "--format", fmt, "-o", str(out / f"all.{fmt}"))

    blobs = [p.read_bytes() for d in (store, out) for p in d.rglob("*") if p.is_file()]
    blobs += streams
    blobs.append(repr(list(g.nodes(data=True))).encode())
    blobs.append(repr(list(g.edges(keys=True, data=True))).encode())
    assert len(blobs) > 30
    hits = [v for v in values for b in blobs if v.encode() in b]
    assert hits == []
    # The search is not vacuous: non-secret ids of the same inputs are found.
    assert any(b"secret:canary:csv:0" in b for b in streams + blobs)
