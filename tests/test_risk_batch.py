"""The risk scorer's batch blast figures (queries/blast_summary.py, one condensation for
every subject) equal the old per-subject path (one ``blast_radius`` walk per node, kept
here as the reference), on random graphs with cycles, dead credentials, CONTAINS chains,
grants of every level and crown jewels; plus one graph whose figures are worked out by hand.
"""

from __future__ import annotations

import tempfile

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from graph.embedded import EmbeddedStore
from graph.memory import MemoryStore
from graph.model import EDGE_KINDS as MODEL_EDGES
from queries.blast_radius import blast_radius
from queries.context import Context
from queries.risk import SCORED_KINDS, Scorer, blast_score, risk_scores
from tests.graphs import chain_store, load

AS_OF = "2026-06-01T00:00:00Z"
KINDS = ["Workflow", "Connector", "Secret", "Identity", "Resource", "System", "Vault"]
EDGE_KINDS = ["USES", "AUTHENTICATES_WITH", "AUTHENTICATES_AS", "CAN_ASSUME", "CAN_ACCESS",
              "CONTAINS", "REFERENCES", "CAN_ESCALATE_TO", "STORES"]
LEVELS = ["read", "write", "admin", "unknown"]


def reference_row(ctx: Context, nid: str) -> dict:
    """The per-subject path the scorer used before: one full blast radius per node."""
    br = blast_radius(ctx.store, nid, unknown_as=ctx.unknown_as, as_of=ctx.as_of)
    return {"blast": blast_score(br.rows, ctx.unknown_as),
            "crown_jewels": br.summary["crown_jewels"],
            "admin_targets": br.summary["admin_targets"],
            "reachable": br.summary["reachable"]}


@st.composite
def graphs(draw):
    n = draw(st.integers(2, 12))
    nodes = []
    for i in range(n):
        kind = draw(st.sampled_from(KINDS))
        props = {"name": f"n{i}"}
        if draw(st.booleans()):
            props["crown_jewel"] = True
        if kind in ("Secret", "Identity") and draw(st.integers(0, 3)) == 0:
            props["status"] = "revoked"
        nodes.append((f"n{i}", kind, props))
    edges, seen = [], set()
    for _ in range(draw(st.integers(0, 3 * n))):
        a, b = draw(st.integers(0, n - 1)), draw(st.integers(0, n - 1))
        fits = [k for k in EDGE_KINDS
                if (nodes[a][1], nodes[b][1]) in MODEL_EDGES[k].allowed]
        if not fits:
            continue
        kind = draw(st.sampled_from(fits))
        if (a, kind, b) in seen:
            continue
        seen.add((a, kind, b))
        props = {"access": draw(st.sampled_from(LEVELS))} if kind == "CAN_ACCESS" else {}
        edges.append((f"n{a}", kind, f"n{b}", props))
    return nodes, edges, draw(st.sampled_from(["read", "write", "admin"]))


def _check(store, unknown_as):
    ctx = Context(store, as_of=AS_OF, unknown_as=unknown_as)
    for n in store.nodes():
        got = ctx.blast_summary(n["id"])
        assert got == reference_row(ctx, n["id"]), n["id"]
    new = Scorer(ctx)
    for kind in SCORED_KINDS:
        for n in store.nodes(kind):
            assert new.score(n["id"])["blast"] == reference_row(ctx, n["id"])["blast"]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(graphs())
def test_batch_figures_equal_one_blast_radius_per_node(spec):
    nodes, edges, unknown_as = spec
    store = load(EmbeddedStore(tempfile.mkdtemp(prefix="nhigraph-risk-")), (nodes, edges))
    _check(store, unknown_as)
    # The in-memory snapshot store (what-if copies) takes its own condensation path.
    _check(MemoryStore.copy_of(store), unknown_as)


def test_chain_figures_by_hand():
    # wf -> conn -> key -> deploy-role -> admin-role -admin-> acct -CONTAINS-> bucket,
    # deploy-role -read-> bucket: bucket admin (inherited, crown jewel 3x3=9) + acct admin
    # 3 = 12; the revoked key reaches nothing.
    store = chain_store()
    ctx = Context(store, as_of=AS_OF)
    wf = ctx.blast_summary("wf")
    assert wf["blast"] == 12.0 and wf["admin_targets"] == 2
    assert wf["crown_jewels"] == reference_row(ctx, "wf")["crown_jewels"]
    assert ctx.blast_summary("old-key") == {"blast": 0.0, "crown_jewels": [],
                                            "admin_targets": 0, "reachable": 0}
    rows = {r["id"]: r for r in risk_scores(store, as_of=AS_OF).rows}
    assert rows["wf"]["blast"] == 12.0 and rows["wf"]["reachable"] == wf["reachable"]
