"""A synthetic enterprise estate in the canonical inventory format, for scale tests.

``generate(n_nodes, seed, out_dir)`` writes a CSV inventory folder (one file per node kind
plus ``edges.csv``, see :mod:`ingest.inventory`) with about three edges per node and the
shape real estates have:

- workspaces of very different sizes (Pareto-distributed: a few hold thousands of
  workflows, most hold a handful), each prod, staging or dev;
- heavy-tailed credential sharing: most connectors use a secret of their own workspace,
  but a small pool of "hot" secrets (Zipf-ranked) is used by hundreds of workflows across
  workspaces and environments (a prod credential in a dev flow);
- role chains (identities assume higher-ranked roles) with a few back edges, so
  assume-role cycles exist; a handful of admin roles at the top of the chains;
- secrets stored in vaults, duplicated values (``SAME_VALUE_AS``), cloned workflows;
- a few percent retired workflows, revoked/expired secrets, departed owners and nodes with
  no owner at all;
- crown jewels: a few resources (and one system in fifty) marked ``crown_jewel``.

``shape="heavy-sharing"`` adds, after the same rows, a hub secret used by 10,000
workflows and a cluster of 1,000 workflows joined by shared secrets (at 100,000 nodes;
scaled in proportion below), the estate on which every analysis must stay near-linear.

Rows are written as they are generated (nothing is held twice); only small per-kind
counters and the hot pools live in memory, so 1M nodes need a few hundred MB at most.
The same ``seed`` gives byte-identical files. No secret values are written: the estate
carries no ``value`` fields, only ids and metadata.
"""

from __future__ import annotations

import csv
import random
from pathlib import Path

#: Share of the estate per node kind (the rest are workflows).
SHARES = {
    "Owner": 0.01, "Workspace": 0.002, "System": 0.003, "Vault": 0.0005,
    "Resource": 0.07, "Identity": 0.10, "Secret": 0.19, "Connector": 0.35,
}
ENVS = ("prod", "prod", "staging", "dev", "dev")
NODE_COLUMNS = {
    "Owner": ("id", "name", "owner_type", "status"),
    "Workspace": ("id", "name", "platform", "environment", "owner"),
    "Workflow": ("id", "name", "platform", "environment", "status", "owner"),
    "Connector": ("id", "name", "service"),
    "Secret": ("id", "name", "secret_type", "store", "environment", "status", "expires_at",
               "owner"),
    "Identity": ("id", "name", "identity_type", "account", "status", "owner"),
    "Resource": ("id", "name", "resource_type", "crown_jewel"),
    "System": ("id", "name", "system_type", "crown_jewel"),
    "Vault": ("id", "name", "vault_type", "owner"),
}
EDGE_COLUMNS = ("kind", "from", "to", "access", "reason")
SERVICES = ("http", "slack", "stripe", "postgres", "s3", "salesforce", "github", "snowflake")


def _counts(n: int) -> dict[str, int]:
    counts = {k: max(2, int(n * share)) for k, share in SHARES.items()}
    counts["Workflow"] = max(2, n - sum(counts.values()))
    return counts


def _pareto_sizes(rng: random.Random, total: int, parts: int, alpha: float = 1.2) -> list[int]:
    """Split ``total`` into ``parts`` heavy-tailed sizes (each at least 1 where possible)."""
    weights = [rng.paretovariate(alpha) for _ in range(parts)]
    scale = max(0, total - parts) / sum(weights)
    sizes = [1 + int(w * scale) for w in weights]
    short = total - sum(sizes)
    i = 0
    while short != 0:  # fix rounding so the sizes add up exactly
        step = 1 if short > 0 else -1
        if sizes[i % parts] + step >= 1:
            sizes[i % parts] += step
            short -= step
        i += 1
    return sizes


SHAPES = ("default", "heavy-sharing")
#: The heavy-sharing shape at 100,000 nodes (scaled in proportion to ``n_nodes``): one hub
#: secret used by this many workflows, and a cluster of this many workflows chained
#: together by secrets each pair of neighbours shares.
HUB_WORKFLOWS = 10_000
CLUSTER_WORKFLOWS = 1_000


def generate(n_nodes: int, seed: int, out_dir: str | Path, progress=None,
             shape: str = "default") -> dict[str, int]:
    """Write an estate of ``n_nodes`` nodes to ``out_dir`` (a CSV inventory folder).

    Returns the number of rows written per node kind and ``edges`` (the edge rows, not
    counting the ``owner`` column shortcut, which adds one ``OWNS`` edge per owned row).

    Examples
    --------
    >>> import tempfile
    >>> out = generate(2000, 7, tempfile.mkdtemp())
    >>> sum(v for k, v in out.items() if k not in ("edges", "owned"))
    2000
    """
    if n_nodes < 100:
        raise ValueError("generate at least 100 nodes")
    if shape not in SHAPES:
        raise ValueError(f"unknown shape {shape!r} (one of {', '.join(SHAPES)})")
    rng = random.Random(seed)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    counts = _counts(n_nodes)
    files = {k: open(out / f"{k}.csv", "w", newline="", encoding="utf-8") for k in NODE_COLUMNS}
    efile = open(out / "edges.csv", "w", newline="", encoding="utf-8")
    try:
        writers = {k: csv.writer(fh, lineterminator="\n") for k, fh in files.items()}
        for k, w in writers.items():
            w.writerow(NODE_COLUMNS[k])
        ew = csv.writer(efile, lineterminator="\n")
        ew.writerow(EDGE_COLUMNS)
        keep: dict[str, list[str]] | None = \
            {"Workflow": [], "Secret": []} if shape == "heavy-sharing" else None
        written = _write_estate(rng, counts, writers, ew.writerow, progress, keep)
        if keep is not None:
            written["edges"] += _heavy_sharing(rng, n_nodes, keep, ew.writerow)
    finally:
        for fh in files.values():
            fh.close()
        efile.close()
    return written


def _heavy_sharing(rng, n_nodes: int, keep: dict[str, list[str]], edge) -> int:
    """Edges of the heavy-sharing shape, added once the estate is written (so the same
    seed still gives the default estate's rows first): the hub secret referenced by
    ``HUB_WORKFLOWS`` workflows, and ``CLUSTER_WORKFLOWS`` other workflows in a chain,
    workflow ``j`` referencing secrets ``j`` and ``j + 1`` of the cluster's own pool."""
    scale = n_nodes / 100_000
    wfs, secrets = keep["Workflow"], keep["Secret"]
    n_hub = min(len(wfs) // 2, max(2, int(HUB_WORKFLOWS * scale)))
    n_cluster = min(len(wfs) - n_hub, len(secrets) - 2, max(2, int(CLUSTER_WORKFLOWS * scale)))
    chosen = rng.sample(wfs, n_hub + n_cluster)
    hub, pool = secrets[0], rng.sample(secrets[1:], n_cluster + 1)
    n = 0
    for w in chosen[:n_hub]:
        edge(("REFERENCES", w, hub, "", "heavy sharing: the hub credential"))
        n += 1
    for j, w in enumerate(chosen[n_hub:]):
        edge(("REFERENCES", w, pool[j], "", "heavy sharing: cluster"))
        edge(("REFERENCES", w, pool[j + 1], "", "heavy sharing: cluster"))
        n += 2
    return n


def _write_estate(rng, counts, writers, edge, progress, keep=None) -> dict[str, int]:
    r = rng.random
    n_edges = 0
    owned = 0

    def e(kind, a, b, access="", reason=""):
        nonlocal n_edges
        n_edges += 1
        edge((kind, a, b, access, reason))

    # Owners: ~6% departed.
    owners = [f"owner:gen:u{i}" for i in range(counts["Owner"])]
    for i, o in enumerate(owners):
        writers["Owner"].writerow((o, f"user {i}", "team" if i % 10 == 0 else "person",
                                   "departed" if r() < 0.06 else "active"))

    def owner() -> str:
        nonlocal owned
        if r() < 0.04:  # nobody accountable
            return ""
        owned += 1
        return owners[int(len(owners) * r() ** 2)]  # some owners own much more

    # Systems (AWS accounts and SaaS tenants) and their resources.
    systems = [f"system:gen:s{i}" for i in range(counts["System"])]
    for i, s in enumerate(systems):
        writers["System"].writerow((s, f"system {i}", "cloud_account" if i % 3 else "saas",
                                    "true" if i % 50 == 0 else ""))
    n_res = counts["Resource"]
    for i in range(n_res):
        rid = f"resource:gen:r{i}"
        writers["Resource"].writerow((rid, f"resource {i}", "bucket" if i % 2 else "table",
                                      "true" if r() < 0.005 else ""))
        e("CONTAINS", systems[int(len(systems) * r() ** 1.5)], rid)

    # Identities: roles ranked 0..n; a role may assume higher-ranked roles (chains towards
    # the admin roles at the top) and, rarely, a lower one (assume-role cycles).
    n_id = counts["Identity"]
    n_admin = max(1, n_id // 2000)
    groups = max(1, n_id // 200)
    for i in range(n_id):
        iid = f"identity:gen:i{i}"
        admin = i >= n_id - n_admin
        kind = "group" if i < groups else ("role" if r() < 0.7 else "service_account")
        status = "disabled" if r() < 0.02 else "active"
        writers["Identity"].writerow((iid, f"{'admin-' if admin else ''}identity {i}", kind,
                                      f"acct{i % 97}", status, owner()))
        if kind == "group":
            continue
        if admin:
            e("CAN_ACCESS", iid, systems[int(len(systems) * r())], "admin", "AdministratorAccess")
            continue
        for _ in range(4):
            res = int(n_res * r())
            e("CAN_ACCESS", iid, f"resource:gen:r{res}", "read" if r() < 0.6 else "write",
              "policy grant")
        if r() < 0.35:  # a role chain one step up, now and then to an admin role
            hi = n_id - 1 - int(n_admin * r()) if r() < 0.03 else \
                min(n_id - 1, i + 1 + int(50 * r()))
            if hi != i:
                e("CAN_ASSUME", iid, f"identity:gen:i{hi}", "", "trust policy")
        if r() < 0.015 and i + 2 < n_id - n_admin:  # assume-role cycles of two and three
            ring = [i, i + 1] if r() < 0.7 else [i, i + 1, i + 2]
            for a, b in zip(ring, ring[1:] + ring[:1], strict=True):
                e("CAN_ASSUME", f"identity:gen:i{a}", f"identity:gen:i{b}", "",
                  "mutual trust")
        if r() < 0.1:
            e("MEMBER_OF", iid, f"identity:gen:i{int(groups * r())}")

    vaults = [f"vault:gen:v{i}" for i in range(counts["Vault"])]
    for i, v in enumerate(vaults):
        writers["Vault"].writerow((v, f"vault {i}", "hashicorp", owner()))

    # Workspaces of Pareto sizes; each gets its share of workflows, connectors, secrets.
    n_ws = counts["Workspace"]
    wf_sizes = _pareto_sizes(rng, counts["Workflow"], n_ws)
    conn_sizes = _split_like(wf_sizes, counts["Connector"])
    sec_sizes = _split_like(wf_sizes, counts["Secret"])
    # Hot secrets: the first secret of the largest workspaces, ranked by Zipf weight.
    hot: list[str] = []
    wf_i = conn_i = sec_i = 0
    done = 0
    total = sum(counts.values())
    for w in range(n_ws):
        ws = f"workspace:gen:w{w}"
        env = ENVS[int(len(ENVS) * r())]
        writers["Workspace"].writerow((ws, f"workspace {w}", "n8n" if w % 2 else "github",
                                       env, owner()))
        secrets = []
        for _ in range(sec_sizes[w]):
            sid = f"secret:gen:w{w}:{sec_i}"
            status = "revoked" if r() < 0.03 else "active"
            expires = "2020-01-01T00:00:00Z" if r() < 0.01 else ""
            in_vault = r() < 0.3
            writers["Secret"].writerow((sid, f"secret {sec_i}", "api_key",
                                        "vault" if in_vault else "platform", env, status,
                                        expires, "" if r() < 0.5 else owner()))
            e("CONTAINS", ws, sid)
            if in_vault:
                e("STORES", vaults[int(len(vaults) * r())], sid)
            if r() < 0.45:
                e("AUTHENTICATES_AS", sid, f"identity:gen:i{groups + int((n_id - groups) * r())}")
            if r() < 0.5:
                e("CAN_ACCESS", sid, systems[int(len(systems) * r())], "unknown",
                  "credential for this service")
            if secrets and r() < 0.004:  # the same value stored twice
                e("SAME_VALUE_AS", sid, secrets[-1], "", "same fingerprint")
            secrets.append(sid)
            if keep is not None:
                keep["Secret"].append(sid)
            sec_i += 1
        if secrets and (len(hot) < 200) and r() < 0.5:
            hot.append(secrets[0])
        wfs = []
        for _ in range(wf_sizes[w]):
            fid = f"workflow:gen:w{w}:{wf_i}"
            status = "retired" if r() < 0.04 else "active"
            writers["Workflow"].writerow((fid, f"workflow {wf_i}", "n8n" if w % 2 else "github",
                                          env if r() < 0.9 else "", status, owner()))
            e("CONTAINS", ws, fid)
            if wfs and r() < 0.02:
                e("CLONED_FROM", fid, wfs[int(len(wfs) * r())])
            if secrets and r() < 0.7:
                e("REFERENCES", fid, secrets[int(len(secrets) * r())])
            wfs.append(fid)
            if keep is not None:
                keep["Workflow"].append(fid)
            wf_i += 1
        for _ in range(conn_sizes[w]):
            cid = f"connector:gen:w{w}:{conn_i}"
            svc = SERVICES[int(len(SERVICES) * r())]
            writers["Connector"].writerow((cid, f"{svc} node {conn_i}", svc))
            e("USES", wfs[int(len(wfs) * r())] if wfs else f"workflow:gen:w{w}:0", cid)
            if hot and r() < 0.08:  # Zipf: hot[0] is used most
                cred = hot[min(len(hot) - 1, int(1 / (r() + 1e-9)) - 1)]
            elif secrets:
                cred = secrets[int(len(secrets) * r())]
            else:
                cred = None
            if cred:
                e("AUTHENTICATES_WITH", cid, cred)
            if secrets and r() < 0.1:
                e("REFERENCES", cid, secrets[int(len(secrets) * r())])
            if r() < 0.9:
                e("TARGETS", cid, systems[int(len(systems) * r())])
            conn_i += 1
        done += sec_sizes[w] + wf_sizes[w] + conn_sizes[w] + 1
        if progress and w % 50 == 0:
            progress(done, total)
    written = dict(counts)
    written["edges"] = n_edges
    written["owned"] = owned
    return written


def _split_like(sizes: list[int], total: int) -> list[int]:
    """Split ``total`` in proportion to ``sizes`` (exactly, largest remainders first)."""
    base = sum(sizes)
    parts = [s * total // base for s in sizes]
    rest = total - sum(parts)
    order = sorted(range(len(sizes)), key=lambda i: -(sizes[i] * total % base))
    for i in order[:rest]:
        parts[i] += 1
    return parts
