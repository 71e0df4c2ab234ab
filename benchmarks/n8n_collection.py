"""Findings on a generated collection of n8n workflow exports shaped like the public
template collections (``/work/shared/samples/n8n-templates``): many workflows of tens of
nodes, few credentials shared between them, placeholders in HTTP header parameters.

Run: ``python benchmarks/n8n_collection.py [--workflows 1500] [--nhigraph PATH]``. Writes
the files (no real secret in them: placeholder text only), ingests them with
``nhigraph ingest n8n`` into a fresh embedded store and times ``nhigraph findings`` as its
own process (wall, CPU, peak RSS). ``--nhigraph`` picks the executable, so the same files
measure another checkout (docs/performance.md).
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
from pathlib import Path

from heavy_sharing import timed

TYPES = ("slack", "googleSheets", "airtable", "openAi", "notion", "gmail", "telegram",
         "postgres", "github", "hubspot")
CRED = {"slack": "slackApi", "googleSheets": "googleSheetsOAuth2Api",
        "airtable": "airtableTokenApi", "openAi": "openAiApi", "notion": "notionApi",
        "gmail": "gmailOAuth2", "telegram": "telegramApi", "postgres": "postgres",
        "github": "githubApi", "hubspot": "hubspotApi"}
#: Header values seen in template collections: placeholders, in several languages.
PLACEHOLDERS = ("Bearer YOUR_TOKEN_HERE", "Bearer 你的飞书应用Token", "Bearer <api-key>",
                "Bearer ВАШ_ТОКЕН", "Bearer TU_TOKEN_AQUI", "={{ $env.API_TOKEN }}")


def workflow(rnd: random.Random, i: int, shared: list[dict]) -> dict:
    nodes = [{"id": f"n{i}-0", "name": "Webhook", "type": "n8n-nodes-base.webhook",
              "typeVersion": 1, "position": [0, 0], "parameters": {"path": f"hook-{i}"}}]
    for j in range(1, rnd.randint(8, 90)):
        kind = rnd.random()
        node = {"id": f"n{i}-{j}", "name": f"Step {j}", "typeVersion": 1,
                "position": [j * 200, 0], "parameters": {}}
        if kind < 0.25:
            t = rnd.choice(TYPES)
            node["type"] = f"n8n-nodes-base.{t}"
            ref = rnd.choice(shared) if rnd.random() < 0.1 else \
                {"id": f"c{i}{t}{j % 3}", "name": f"{t} account"}
            node["credentials"] = {CRED[t]: ref}
        elif kind < 0.35:
            node["type"] = "n8n-nodes-base.httpRequest"
            node["parameters"] = {"url": "https://api.example.com/v1/items",
                                  "sendHeaders": True, "headerParameters": {"parameters": [
                                      {"name": "Authorization",
                                       "value": rnd.choice(PLACEHOLDERS)}]}}
        else:
            node["type"] = rnd.choice(("n8n-nodes-base.set", "n8n-nodes-base.if",
                                       "n8n-nodes-base.code", "n8n-nodes-base.stickyNote"))
            node["parameters"] = {"content": f"step {j} of workflow {i}"}
        nodes.append(node)
    connections = {nodes[k]["name"]: {"main": [[{"node": nodes[k + 1]["name"], "type": "main",
                                                  "index": 0}]]} for k in range(len(nodes) - 1)}
    return {"id": f"wf{i:05d}", "name": f"Template workflow {i}", "active": rnd.random() < 0.3,
            "nodes": nodes, "connections": connections, "settings": {}}


def write_collection(out: Path, n: int, seed: int = 0) -> None:
    rnd = random.Random(seed)
    shared = [{"id": f"shared{k}", "name": f"{rnd.choice(TYPES)} team account"}
              for k in range(12)]
    out.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        (out / f"workflow_{i:05d}.json").write_text(json.dumps(workflow(rnd, i, shared)))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--workflows", type=int, default=1500)
    ap.add_argument("--nhigraph", default=str(Path(sys.executable).parent / "nhigraph"))
    ap.add_argument("--work", default=None)
    args = ap.parse_args()
    import os

    work = Path(args.work or tempfile.mkdtemp(prefix="nhigraph-n8n-"))
    env = {**os.environ, "NHIGRAPH_FINGERPRINT_KEY": "bench"}
    files, store = work / "files", work / "store"
    if not files.exists():
        write_collection(files, args.workflows)
    wall, cpu, rss, rc = timed([args.nhigraph, "ingest", "n8n", str(files), "--store",
                                str(store), "--replace"], env)
    print(f"{'ingest n8n':20} wall {wall:6.1f} s  cpu {cpu:6.1f} s  peak {rss:6.0f} MB  rc {rc}")
    wall, cpu, rss, rc = timed([args.nhigraph, "findings", "--store", str(store)], env)
    print(f"{'findings':20} wall {wall:6.1f} s  cpu {cpu:6.1f} s  peak {rss:6.0f} MB  rc {rc}")


if __name__ == "__main__":
    main()
