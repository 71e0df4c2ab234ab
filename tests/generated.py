"""A deterministic generated estate of any size, for the store parity suite, the fault
test and the benchmarks.

``estate(n, seed)`` returns ``(nodes, edges)`` in the format of :mod:`tests.graphs`, about
``n`` nodes of every kind joined by every edge kind the model allows: workspaces of
workflows whose connectors share secrets from a common pool (so shared-credential clusters
form), secrets that authenticate as identities that assume each other (role chains and
cycles), grants of every access level on systems and their resources, owners (some
departed), vaults, clones, revoked and expired credentials, retired workflows.
"""

from __future__ import annotations

import random

from graph.model import ACCESS_LEVELS

ENVS = ("prod", "staging", "dev", "test", "unknown")


def estate(n: int = 3000, seed: int = 7):
    rnd = random.Random(seed)
    nodes: list[tuple] = []
    edges: list[tuple] = []
    k = max(1, n // 100)  # scale unit
    owners = [f"owner:{i}" for i in range(2 * k)]
    for i, o in enumerate(owners):
        nodes.append((o, "Owner", {"name": f"team {i}",
                                   "status": "departed" if i % 7 == 3 else "active"}))
    systems = [f"system:{i}" for i in range(k)]
    resources: list[str] = []
    for i, s in enumerate(systems):
        nodes.append((s, "System", {"name": f"system {i}", "crown_jewel": i % 5 == 0}))
        for j in range(4):
            r = f"resource:{i}:{j}"
            resources.append(r)
            nodes.append((r, "Resource", {"name": f"res {i}/{j}", "crown_jewel": j == 0 and i % 3 == 0}))
            edges.append((s, "CONTAINS", r))
    vaults = [f"vault:{i}" for i in range(max(1, k // 4))]
    for v in vaults:
        nodes.append((v, "Vault", {"name": v}))
    identities = [f"identity:{i}" for i in range(4 * k)]
    for i, ident in enumerate(identities):
        props = {"name": f"role {i}", "identity_type": "group" if i % 13 == 0 else "role"}
        if i % 17 == 5:
            props["status"] = "disabled"
        nodes.append((ident, "Identity", props))
    for i, ident in enumerate(identities):
        for _ in range(rnd.randint(0, 2)):
            other = rnd.choice(identities)
            if other != ident:
                kind = "MEMBER_OF" if other.endswith(("0", "13")) else "CAN_ASSUME"
                edges.append((ident, kind, other, {"reason": f"trust {i}"}))
        for _ in range(rnd.randint(0, 2)):
            target = rnd.choice(resources + systems)
            edges.append((ident, "CAN_ACCESS", target,
                          {"access": rnd.choice(ACCESS_LEVELS), "grant": f"policy-{i}"}))
    secrets = [f"secret:{i}" for i in range(10 * k)]
    for i, s in enumerate(secrets):
        props = {"name": f"key {i}", "secret_type": "api_key"}
        if i % 19 == 4:
            props["status"] = "revoked"
        elif i % 23 == 6:
            props["expires_at"] = "2020-01-01T00:00:00Z"
        if i % 31 == 0:
            props["fingerprint"] = f"fp-{i % 3}"
        nodes.append((s, "Secret", props))
        if rnd.random() < 0.5:
            edges.append((s, "AUTHENTICATES_AS", rnd.choice(identities)))
        if rnd.random() < 0.4:
            edges.append((s, "CAN_ACCESS", rnd.choice(systems + resources),
                          {"access": rnd.choice(ACCESS_LEVELS)}))
        if rnd.random() < 0.3:
            edges.append((rnd.choice(vaults), "STORES", s))
        if rnd.random() < 0.02:
            edges.append((s, "SAME_VALUE_AS", rnd.choice(secrets)))
    workspaces = [f"workspace:{i}" for i in range(2 * k)]
    for i, ws in enumerate(workspaces):
        nodes.append((ws, "Workspace", {"name": f"space {i}", "environment": ENVS[i % 5]}))
        if i % 3:
            edges.append((rnd.choice(owners), "OWNS", ws))
        if i and i % 4 == 0:
            edges.append((workspaces[i - 1], "CONTAINS", ws))
    workflows: list[str] = []
    while len(nodes) < n:
        w = f"workflow:{len(workflows)}"
        workflows.append(w)
        status = "retired" if len(workflows) % 11 == 0 else "active"
        nodes.append((w, "Workflow", {"name": f"flow {len(workflows)}", "status": status,
                                      "environment": rnd.choice(ENVS)}))
        edges.append((rnd.choice(workspaces), "CONTAINS", w))
        if rnd.random() < 0.3:
            edges.append((rnd.choice(owners), "OWNS", w))
        for c in range(rnd.randint(1, 3)):
            conn = f"{w}:c{c}"
            nodes.append((conn, "Connector", {"name": f"step {c}", "service": "http"}))
            edges.append((w, "USES", conn))
            edges.append((conn, "AUTHENTICATES_WITH", rnd.choice(secrets)))
            edges.append((conn, "TARGETS", rnd.choice(systems)))
        if rnd.random() < 0.2:
            edges.append((w, "REFERENCES", rnd.choice(secrets)))
        if rnd.random() < 0.05:
            edges.append((w, "EMBEDS", rnd.choice(secrets)))
        if rnd.random() < 0.05:
            edges.append((w, "CAN_ASSUME", rnd.choice(identities)))
        if len(workflows) > 1 and rnd.random() < 0.05:
            edges.append((w, "CLONED_FROM", rnd.choice(workflows[:-1])))
    for s in rnd.sample(secrets, len(secrets) // 5):
        edges.append((rnd.choice(workspaces), "CONTAINS", s))
    for x in rnd.sample(secrets + identities, len(secrets) // 4):
        edges.append((rnd.choice(owners), "OWNS", x))
    return nodes, edges
