"""Two quarters of the sample estate, for drift: ``this-quarter`` is the estate as loaded;
``last-quarter`` is the same estate as it was three months earlier, derived from it by
undoing the drift planted since (README.md, "Planted drift"):

* D1 the Stripe live key was pasted into the dev n8n instance this quarter (P1), so last
  quarter had no ``cred-stripe-live-copy``;
* D2 the trust letting ``gha-deploy`` assume ``ops-automation`` is new (P5's chain), so
  last quarter the infra deploy workflow stopped at ``gha-deploy``;
* D3 fixed this quarter: last quarter the ``legacy-etl`` IAM user still held admin on the
  billing database.

:func:`save_quarters` writes both as snapshots of a store's shelf (``nhigraph diff --from
sample-last-quarter --to sample-this-quarter``); ``nhigraph demo`` calls it.
"""

from __future__ import annotations

from graph.memory import MemoryStore
from graph.snapshot import Shelf

ACCT = "identity:aws:arn:aws:iam::111122223333"
D1_SECRET = "secret:n8n:acme-dev:cred-stripe-live-copy"
D2_TRUST = (f"{ACCT}:role/gha-deploy", "CAN_ASSUME", f"{ACCT}:role/ops-automation")
D3_GRANT = (f"{ACCT}:user/legacy-etl", "CAN_ACCESS",
            "resource:aws:arn:aws:rds:us-east-1:111122223333:db:billing")
NAMES = ("sample-last-quarter", "sample-this-quarter")


def last_quarter(store) -> MemoryStore:
    """The estate of ``store`` with this quarter's drift undone (in memory)."""
    old = MemoryStore.copy_of(store)
    old.remove_node(D1_SECRET)
    old.remove_edge(*D2_TRUST)
    src, kind, dst = D3_GRANT
    if old.get_node(src) and old.get_node(dst):
        old.add_edge(src, kind, dst, access="admin", grant="LegacyEtlAdmin",
                     reason="policy attached to legacy-etl (removed this quarter)")
    return old


def save_quarters(store) -> list[dict]:
    """Save both quarters as snapshots on ``store``'s shelf; returns their metadata."""
    shelf = Shelf(store)
    return [shelf.save(NAMES[0], of=last_quarter(store)), shelf.save(NAMES[1])]
