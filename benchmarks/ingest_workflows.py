"""Ingest throughput of the workflow-platform ingesters on generated folders.

Writes N n8n workflow files (mutated copies of the test fixtures: new ids, names,
credentials drawn from a pool of 60, a hard-coded token in every tenth, and about 1% broken
files of the kinds real folders hold) and M GitHub Actions workflow files into a temporary
folder, then times, for each: parse (read + transform), and the whole ingest (parse,
stitch, validate, embedded-store write). Prints files/s and what was skipped.

    python benchmarks/ingest_workflows.py [--n8n 2000] [--github 1000] [--clique]
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import random
import resource
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("NHIGRAPH_FINGERPRINT_KEY", "benchmark-key")

from graph.embedded import EmbeddedStore  # noqa: E402
from graph.stitch import stitch  # noqa: E402
from ingest import github, n8n  # noqa: E402

FIX = ROOT / "tests" / "data"
CRED_TYPES = [("slackApi", "n8n-nodes-base.slack"), ("stripeApi", "n8n-nodes-base.stripe"),
              ("jiraSoftwareCloudApi", "n8n-nodes-base.jira"), ("aws", "n8n-nodes-base.awsS3"),
              ("hubspotAppToken", "n8n-nodes-base.hubspot"), ("githubApi", "n8n-nodes-base.github")]


def n8n_templates() -> list[dict]:
    out = []
    for f in sorted((FIX / "n8n" / "acme-test").glob("*.json")):
        doc = json.loads(f.read_text())
        out += doc if isinstance(doc, list) else [doc]
    return [d for d in out if d.get("nodes")]


#: Hard-coded values in the fixtures. Kept as they are (``--clique``), every copy of a
#: template holds the same token, so stitching joins hundreds of secrets pairwise.
FIXTURE_TOKENS = ("shipbridge-fixture-token-9f8e7d", "xoxb-fixture-slack-token-0001",
                  "partnerkey12345678")


def write_n8n(folder: Path, n: int, rng: random.Random, clique: bool = False) -> None:
    templates = n8n_templates()
    for i in range(n):
        if i % 100 == 7:
            (folder / f"broken-{i}.json").write_text('{"id": "cut", "nodes": [')
            continue
        if i % 100 == 42:
            (folder / f"blob-{i}.json").write_bytes(b"\x00\x01\x02" * 100)
            continue
        wf = copy.deepcopy(templates[i % len(templates)])
        wf["id"], wf["name"] = f"bench-{i}", f"Workflow {i}"
        wf["active"] = rng.random() > 0.2
        for k in range(rng.randint(1, 6)):  # extra credentialed nodes
            ctype, ntype = rng.choice(CRED_TYPES)
            cred = rng.randrange(60)
            wf["nodes"].append({"id": f"x{k}", "name": f"Node {k}", "type": ntype,
                                "typeVersion": 1, "position": [k * 200, 300], "parameters": {},
                                "credentials": {ctype: {"id": f"cred-{cred}",
                                                        "name": f"{ctype} {cred}"}}})
        if i % 10 == 0:
            wf["nodes"].append({"id": "h", "name": "HTTP", "type": "n8n-nodes-base.httpRequest",
                                "typeVersion": 4, "position": [0, 600], "parameters": {
                                    "url": f"https://api{i % 7}.example.com/v1",
                                    "headerParameters": {"parameters": [{
                                        "name": "Authorization",
                                        "value": f"Bearer bench-token-{i % 37:04d}-abcdef"}]}}})
        text = json.dumps(wf, indent=2)
        if not clique:
            for token in FIXTURE_TOKENS:
                text = text.replace(token, f"{token}-{i}")
        (folder / f"wf-{i:05d}.json").write_text(text)


def write_github(folder: Path, n: int) -> None:
    wf_dir = folder / ".github" / "workflows"
    wf_dir.mkdir(parents=True)
    templates = sorted((FIX / "github" / "shipping-api" / ".github" / "workflows").iterdir())
    for i in range(n):
        text = templates[i % len(templates)].read_text()
        text = text.replace("NPM_TOKEN", f"NPM_TOKEN_{i % 50}")
        (wf_dir / f"wf-{i:05d}.yml").write_text(text)
    (wf_dir / "tabs.yml").write_text("on: push\njobs:\n\tx: {}\n")


def measure(label: str, parse, n_files: int, store_dir: Path) -> None:
    t0 = time.perf_counter()
    batch = parse()
    t1 = time.perf_counter()
    store = EmbeddedStore(store_dir)
    stitch(batch, store)
    result = store.write(batch, source=label)
    t2 = time.perf_counter()
    reasons = Counter(line.split(": ", 1)[1].split(" at line")[0] for line in batch.skipped)
    print(f"{label}: {n_files} files; read {result.files_read}, skipped {len(batch.skipped)} "
          f"({dict(reasons)}); {result.nodes_written} nodes, {result.edges_written} edges")
    print(f"  parse: {t1 - t0:.2f} s = {n_files / (t1 - t0):,.0f} files/s; "
          f"parse+stitch+validate+write: {t2 - t0:.2f} s = {n_files / (t2 - t0):,.0f} files/s")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n8n", type=int, default=2000)
    ap.add_argument("--github", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=5)
    ap.add_argument("--clique", action="store_true",
                    help="keep the fixtures' hard-coded tokens in every copy (worst case)")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="nhigraph-bench-") as tmp:
        tmp = Path(tmp)
        (tmp / "n8n").mkdir()
        write_n8n(tmp / "n8n", args.n8n, random.Random(args.seed), args.clique)
        write_github(tmp / "repo", args.github)
        measure("n8n", lambda: n8n.parse(tmp / "n8n", instance="bench"), args.n8n,
                tmp / "store-n8n")
        measure("github-actions", lambda: github.parse(tmp / "repo", repo="acme/bench"),
                args.github + 1, tmp / "store-gh")
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS: {rss:.0f} MiB")


if __name__ == "__main__":
    main()
