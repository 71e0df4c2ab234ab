"""The sample estate's two quarters (sample_estate/quarters.py): the planted drift D1-D3 of
sample_estate/README.md is exactly what ``diff`` reports for workflows, and both quarters
are saved as snapshots that diff back to the same answer."""

from __future__ import annotations

import sample_estate
from graph.embedded import EmbeddedStore
from graph.snapshot import Shelf
from queries.drift import diff
from sample_estate.quarters import NAMES, last_quarter, save_quarters

AS_OF = "2026-11-24T00:00:00Z"
DEPLOY = "workflow:github:acme/infra:.github/workflows/deploy.yml"
BILLING = "resource:aws:arn:aws:rds:us-east-1:111122223333:db:billing"
PII = "resource:aws:arn:aws:s3:::acme-customer-pii"
STRIPE = "system:saas:stripe:acme"


def test_planted_drift_is_found(tmp_path):
    store = sample_estate.load(EmbeddedStore(tmp_path / "s"))
    r = diff(last_quarter(store), store, as_of=AS_OF)
    wf_gained = [(x["subject"], x["target"], x["access"]) for x in r.rows
                 if x["change"] == "jewel-path-gained" and x["subject"].startswith("workflow:")]
    assert wf_gained == [(DEPLOY, BILLING, "admin"), (DEPLOY, PII, "admin"),
                         ("workflow:n8n:acme-dev:invoice-sync-dev", STRIPE, "admin")]
    deploy_path = next(x["path"] for x in r.rows if x["subject"] == DEPLOY
                       and x["target"] == PII)
    assert "identity:aws:arn:aws:iam::111122223333:role/ops-automation" in deploy_path
    lost = [(x["subject"], x["target"]) for x in r.rows if x["change"] == "jewel-path-lost"]
    assert lost == [("identity:aws:arn:aws:iam::111122223333:user/legacy-etl", BILLING),
                    ("secret:aws:AKIAACMELEGACYETL001", BILLING)]
    assert sorted(x["subject"] for x in r.rows if x["change"] == "env-mixing-added") == [
        "secret:n8n:acme-dev:cred-stripe-live-copy", "secret:n8n:acme-prod:cred-stripe-live"]
    assert "prod-credential-in-non-prod" in {x["rule"] for x in r.rows
                                             if x["change"] == "finding-opened"}
    save_quarters(store)
    shelf = Shelf(store)
    assert {m["name"] for m in shelf.list()} >= set(NAMES)
    _, a = shelf.resolve(NAMES[0])
    _, b = shelf.resolve(NAMES[1])
    assert diff(a, b, as_of=AS_OF).rows == r.rows


def test_strongest_path_is_the_blast_radius_access_path(tmp_path):
    """The delta's path walk (kept to what can reach the jewel) gives, for every source and
    crown jewel of the sample estate, the blast radius's own strongest-access path, or
    None when the source does not reach the jewel (on the store and on a memory copy)."""
    from graph.memory import MemoryStore
    from queries.blast_radius import blast_radius
    from queries.posture import PATH_SOURCES, Posture, crown_jewels, strongest_path

    store = sample_estate.load(EmbeddedStore(tmp_path / "s"))
    jewels = crown_jewels(store)
    sources = sorted(n["id"] for n in store.nodes() if n["kind"] in PATH_SOURCES)
    assert len(jewels) >= 5 and len(sources) > 100
    for s in (store, MemoryStore.copy_of(store)):
        p = Posture(s, AS_OF, "write")
        reached = 0
        for src in sources:
            rows = {r["id"]: r for r in blast_radius(s, src, as_of=AS_OF).rows}
            for j in jewels:
                want = (rows[j].get("access_path") or rows[j]["path"]) if j in rows else None
                assert strongest_path(p, src, j) == want, (src, j)
                reached += want is not None
        assert reached >= 100  # the comparison covered real paths, not just Nones
