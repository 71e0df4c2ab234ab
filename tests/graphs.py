"""Hand-built graphs whose answers are worked out by hand, shared by the unit tests, the
doctests and the store parity suite.

Each builder returns a list of nodes and edges (``spec``) and ``*_store()`` loads it into
a fresh embedded store in a temporary folder; ``load(store, spec)`` loads it into any store.
"""

from __future__ import annotations

import tempfile

from graph.embedded import EmbeddedStore
from graph.records import Batch, Edge, Node


def batch(nodes, edges) -> Batch:
    b = Batch()
    for nid, kind, *props in nodes:
        b.nodes.append(Node(nid, kind, dict(props[0]) if props else {}))
    for src, kind, dst, *props in edges:
        b.edges.append(Edge(src, kind, dst, dict(props[0]) if props else {}))
    return b


def load(store, spec, source="test"):
    nodes, edges = spec
    store.write(batch(nodes, edges), source=source)
    return store


def fresh(spec, path=None):
    return load(EmbeddedStore(path or tempfile.mkdtemp(prefix="nhigraph-test-")), spec)


# wf -> conn -> key -> deploy-role -> admin-role -admin-> acct -CONTAINS-> bucket
#                            \-read-> bucket
# plus a revoked key that would open the account, and an Owner (metadata only).
CHAIN = (
    [
        ("wf", "Workflow", {"name": "deploy", "environment": "prod", "status": "active"}),
        ("conn", "Connector", {"name": "deploy job"}),
        ("key", "Secret", {"name": "deploy key", "status": "active"}),
        ("deploy-role", "Identity", {"name": "deploy-role", "identity_type": "role"}),
        ("admin-role", "Identity", {"name": "admin-role", "identity_type": "role"}),
        ("acct", "System", {"name": "aws-prod"}),
        ("bucket", "Resource", {"name": "pii", "crown_jewel": True}),
        ("old-key", "Secret", {"name": "old key", "status": "revoked"}),
        ("alice", "Owner", {"name": "Alice", "status": "active"}),
    ],
    [
        ("wf", "USES", "conn"),
        ("conn", "AUTHENTICATES_WITH", "key"),
        ("conn", "AUTHENTICATES_WITH", "old-key"),
        ("key", "AUTHENTICATES_AS", "deploy-role"),
        ("deploy-role", "CAN_ASSUME", "admin-role", {"reason": "trust allows deploy-role"}),
        ("deploy-role", "CAN_ACCESS", "bucket", {"access": "read", "grant": "ReadBucket"}),
        ("admin-role", "CAN_ACCESS", "acct", {"access": "admin", "grant": "AdministratorAccess"}),
        ("old-key", "CAN_ACCESS", "acct", {"access": "admin", "grant": "root key"}),
        ("acct", "CONTAINS", "bucket"),
        ("alice", "OWNS", "wf"),
    ],
)

# Two workflows share s-shared (prod and dev); s-solo is used by one; an identity is
# reached by both only through a role chain (not "use", so not a cluster of its own).
SHARING = (
    [
        ("ws-prod", "Workspace", {"environment": "prod"}),
        ("ws-dev", "Workspace", {"environment": "dev"}),
        ("wf-a", "Workflow", {"environment": "prod"}),
        ("wf-b", "Workflow", {}),  # environment inherited from ws-dev
        ("wf-c", "Workflow", {"environment": "prod"}),
        ("c-a", "Connector"), ("c-b", "Connector"), ("c-c", "Connector"),
        ("s-shared", "Secret"), ("s-solo", "Secret"), ("s-c", "Secret"),
        ("role", "Identity"), ("admin", "Identity"),
        ("saas", "System"),
    ],
    [
        ("ws-prod", "CONTAINS", "wf-a"), ("ws-dev", "CONTAINS", "wf-b"),
        ("ws-prod", "CONTAINS", "wf-c"),
        ("wf-a", "USES", "c-a"), ("wf-b", "USES", "c-b"), ("wf-c", "USES", "c-c"),
        ("c-a", "AUTHENTICATES_WITH", "s-shared"), ("c-b", "AUTHENTICATES_WITH", "s-shared"),
        ("wf-a", "REFERENCES", "s-solo"),
        ("c-c", "AUTHENTICATES_WITH", "s-c"),
        ("s-shared", "CAN_ACCESS", "saas", {"access": "write"}),
        ("s-solo", "AUTHENTICATES_AS", "role"),
        ("s-c", "AUTHENTICATES_AS", "admin"),
        ("role", "CAN_ASSUME", "admin"),
    ],
)

# One of each orphan reason, plus a clean workflow that must not be reported.
ORPHANS = (
    [
        ("ws", "Workspace", {"environment": "prod"}),
        ("team", "Owner", {"status": "active"}),
        ("gone", "Owner", {"status": "departed"}),
        ("wf-ok", "Workflow", {"status": "active"}),
        ("wf-gone", "Workflow", {"status": "active"}),
        ("wf-retired", "Workflow", {"status": "retired"}),
        ("wf-orig", "Workflow", {"status": "active"}),
        ("wf-clone", "Workflow", {"status": "active"}),
        ("wf-lost", "Workflow", {"status": "active"}),
        ("s-ok", "Secret"), ("s-gone", "Secret"), ("s-retired", "Secret"),
        ("s-shared", "Secret"), ("s-lost", "Secret"),
        ("s-old", "Secret", {"status": "active"}),
        ("s-revoked", "Secret", {"status": "revoked"}),
        ("app", "System"),
    ],
    [
        ("team", "OWNS", "ws"),
        ("ws", "CONTAINS", "wf-ok"), ("ws", "CONTAINS", "wf-gone"),
        ("ws", "CONTAINS", "wf-retired"), ("ws", "CONTAINS", "wf-orig"),
        ("ws", "CONTAINS", "wf-clone"),
        ("ws", "CONTAINS", "s-ok"), ("ws", "CONTAINS", "s-gone"),
        ("ws", "CONTAINS", "s-retired"), ("ws", "CONTAINS", "s-shared"),
        ("ws", "CONTAINS", "s-old"), ("ws", "CONTAINS", "s-revoked"),
        ("gone", "OWNS", "wf-gone"),
        ("wf-ok", "REFERENCES", "s-ok"),
        ("wf-gone", "REFERENCES", "s-gone"),
        ("wf-retired", "REFERENCES", "s-retired"),
        ("wf-retired", "REFERENCES", "s-revoked"),
        ("wf-orig", "REFERENCES", "s-shared"),
        ("wf-clone", "REFERENCES", "s-shared"),
        ("wf-clone", "CLONED_FROM", "wf-orig"),
        ("wf-lost", "REFERENCES", "s-lost"),
        *[(s, "CAN_ACCESS", "app", {"access": "read"}) for s in
          ("s-ok", "s-gone", "s-retired", "s-shared", "s-lost", "s-old", "s-revoked")],
    ],
)


def chain_store(path=None):
    return fresh(CHAIN, path)


def sharing_store(path=None):
    return fresh(SHARING, path)


def orphan_store(path=None):
    return fresh(ORPHANS, path)


ALL = {"chain": CHAIN, "sharing": SHARING, "orphans": ORPHANS}


def _stitched(nodes, edges):
    """``(nodes, edges)`` with the ``SAME_VALUE_AS`` star :func:`graph.stitch.stitch` adds."""
    from graph.stitch import stitch

    b = batch(nodes, edges)
    stitch(b)
    return nodes, [(e.src, e.kind, e.dst, e.props) for e in b.edges]


# Four copies of one value (a, b, c, d share fingerprint fp1; b is revoked), one of
# another (e). Stitching gives the star b-a, c-a, d-a (a is the centre). w1 holds a, w2
# holds c: both use every copy, so they share one cluster {a, b, c, d}; b's bank is never
# reached (a revoked copy is held but opens nothing).
SAME_VALUE = _stitched(
    [
        ("w1", "Workflow", {"environment": "prod", "status": "active"}),
        ("w2", "Workflow", {"environment": "dev", "status": "active"}),
        ("w3", "Workflow", {"environment": "prod", "status": "active"}),
        *[(s, "Secret", {"fingerprint": "fp1", "name": f"copy {s}"}) for s in "acd"],
        ("b", "Secret", {"fingerprint": "fp1", "name": "copy b", "status": "revoked"}),
        ("e", "Secret", {"fingerprint": "fp2"}),
        ("i1", "Identity", {"identity_type": "role"}),
        ("r1", "Resource"), ("sys", "System"), ("bank", "System"),
    ],
    [
        ("w1", "REFERENCES", "a"), ("w2", "REFERENCES", "c"), ("w3", "REFERENCES", "e"),
        ("a", "AUTHENTICATES_AS", "i1"),
        ("i1", "CAN_ACCESS", "r1", {"access": "read"}),
        ("d", "CAN_ACCESS", "sys", {"access": "write"}),
        ("b", "CAN_ACCESS", "bank", {"access": "admin"}),
        ("e", "CAN_ACCESS", "sys", {"access": "read"}),
    ],
)


# Entry points (queries/entry_points.py, the exposure findings):
#   anyone -CAN_TRIGGER(none)-> wf-hook -USES-> c-crm -> s-crm -admin-> crm (crown jewel)
#                                       \-USES-> agent -CAN_INVOKE-> c-crm, c-llm -> s-llm -> llm
#   any-user -CAN_TRIGGER(pull_request_target)-> wf-pr -USES-> c-preview -> s-deploy -write-> cdn
#                                  \-USES[gate: production reviewers]-> c-prod -> s-prod -admin-> cloud (crown)
#   writers -CAN_TRIGGER(push)-> wf-pr;  s-hook-basic -CAN_TRIGGER(basic)-> wf-basic -> c-x -> s-x -read-> cdn
#   any-user -CAN_TRIGGER[gate: fork]-> wf-ci -> c-ci -> s-codecov -write-> codecov
PROD_GATE = "environment production: required reviewers (alice)"
FORK = "fork pull request: no secrets, read-only GITHUB_TOKEN"
ENTRY = (
    [
        ("actor:anyone", "Actor", {"name": "anyone on the internet", "actor_type": "anyone"}),
        ("actor:github:any-user", "Actor", {"name": "any GitHub user",
                                            "actor_type": "github-user"}),
        ("actor:github:acme/app:writers", "Actor", {"name": "writers of acme/app",
                                                    "actor_type": "repo-writers"}),
        ("wf-hook", "Workflow", {"name": "order hook", "platform": "n8n", "environment": "prod"}),
        ("wf-pr", "Workflow", {"name": "preview", "platform": "github", "environment": "prod"}),
        ("wf-basic", "Workflow", {"name": "basic hook", "platform": "n8n"}),
        ("wf-ci", "Workflow", {"name": "ci", "platform": "github"}),
        ("agent", "Agent", {"name": "order hook / AI Agent"}),
        ("c-crm", "Connector", {"name": "CRM tool"}),
        ("c-llm", "Connector", {"name": "OpenAI model"}),
        ("c-preview", "Connector", {"name": "preview job"}),
        ("c-prod", "Connector", {"name": "promote job"}),
        ("c-x", "Connector", {"name": "x"}),
        ("c-ci", "Connector", {"name": "test job"}),
        ("s-crm", "Secret", {"name": "crm token", "secret_type": "api_key"}),
        ("s-llm", "Secret", {"name": "openai key", "secret_type": "api_key"}),
        ("s-deploy", "Secret", {"name": "DEPLOY_TOKEN"}),
        ("s-prod", "Secret", {"name": "PROD_KEY"}),
        ("s-hook-basic", "Secret", {"name": "hook basic auth", "secret_type": "basic_auth"}),
        ("s-x", "Secret", {"name": "x key"}),
        ("s-codecov", "Secret", {"name": "CODECOV_TOKEN"}),
        ("crm", "System", {"name": "CRM", "crown_jewel": True}),
        ("llm", "System", {"name": "OpenAI"}),
        ("cdn", "System", {"name": "CDN"}),
        ("cloud", "System", {"name": "cloud", "crown_jewel": True}),
        ("codecov", "System", {"name": "Codecov"}),
    ],
    [
        ("actor:anyone", "CAN_TRIGGER", "wf-hook", {"trigger": "Webhook (webhook)",
                                                    "authentication": "none"}),
        ("actor:github:any-user", "CAN_TRIGGER", "wf-pr", {"trigger": "on: pull_request_target",
                                                           "authentication": "none"}),
        ("actor:github:acme/app:writers", "CAN_TRIGGER", "wf-pr",
         {"trigger": "on: push", "authentication": "platform-user"}),
        ("s-hook-basic", "CAN_TRIGGER", "wf-basic", {"trigger": "Webhook (webhook)",
                                                     "authentication": "basic"}),
        ("actor:github:any-user", "CAN_TRIGGER", "wf-ci", {"trigger": "on: pull_request",
                                                           "authentication": "none",
                                                           "gate": FORK}),
        ("wf-hook", "USES", "c-crm"), ("wf-hook", "USES", "c-llm"), ("wf-hook", "USES", "agent"),
        ("agent", "CAN_INVOKE", "c-crm", {"reason": "prompt-controlled: tool 'CRM'"}),
        ("agent", "CAN_INVOKE", "c-llm", {"reason": "prompt-controlled: language model"}),
        ("c-crm", "AUTHENTICATES_WITH", "s-crm"), ("c-llm", "AUTHENTICATES_WITH", "s-llm"),
        ("s-crm", "CAN_ACCESS", "crm", {"access": "admin"}),
        ("s-llm", "CAN_ACCESS", "llm", {"access": "write"}),
        ("wf-pr", "USES", "c-preview"),
        ("wf-pr", "USES", "c-prod", {"gate": PROD_GATE}),
        ("c-preview", "REFERENCES", "s-deploy"), ("c-prod", "REFERENCES", "s-prod"),
        ("s-deploy", "CAN_ACCESS", "cdn", {"access": "write"}),
        ("s-prod", "CAN_ACCESS", "cloud", {"access": "admin"}),
        ("wf-basic", "USES", "c-x"), ("c-x", "AUTHENTICATES_WITH", "s-x"),
        ("s-x", "CAN_ACCESS", "cdn", {"access": "read"}),
        ("wf-ci", "USES", "c-ci"), ("c-ci", "REFERENCES", "s-codecov"),
        ("s-codecov", "CAN_ACCESS", "codecov", {"access": "write"}),
    ],
)


def same_value_store(path=None):
    return fresh(SAME_VALUE, path)


ALL["same_value"] = SAME_VALUE


def entry_store(path=None):
    return fresh(ENTRY, path)


ALL["entry"] = ENTRY
