"""Analyses' candidate selection and aggregation run in the database (Neo4j store).

An analysis that needs a few rows out of a whole-graph question asks the store for those
rows; the Neo4j store answers with one Cypher query that matches and aggregates in the
database and returns only the result rows, instead of paging whole node kinds across
the wire. The embedded store answers the same methods with the default implementations
in :class:`graph.store.Store` (the same rules over its own ``expand``); the parity tests
(tests/test_parity.py) hold the two to the same answers.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from .credential_use import DIRECT, VIA_CONNECTOR, same_value_sets
from .neo4j_cypher import NODE_LABEL, rel_types

if TYPE_CHECKING:
    from .records import Edge

#: Credential -> the workflows using it (the rules of graph/credential_use.py): a
#: workflow's direct credentials (REFERENCES, EMBEDS, CAN_ASSUME, and what a Connector it
#: USES holds), plus the identity each such secret AUTHENTICATES_AS; aggregated per
#: credential in the database. Rows: the credentials at least ``$min`` workflows use, and
#: every used secret with a SAME_VALUE_AS copy (its copies are used wherever it is, which
#: the store adds after the query: a same-value set is a star, walked by expand).
CREDENTIAL_USERS = f"""
MATCH (w:Workflow)-[r:{rel_types(DIRECT)}]->(x:{NODE_LABEL})
WHERE w:{NODE_LABEL}
OPTIONAL MATCH (x)-[:{rel_types(VIA_CONNECTOR)}]->(y:{NODE_LABEL})
  WHERE type(r) = 'USES' AND x:Connector
WITH w, CASE WHEN type(r) = 'USES' THEN y ELSE x END AS c
WHERE c IS NOT NULL
WITH DISTINCT w, c
OPTIONAL MATCH (c)-[:AUTHENTICATES_AS]->(i:{NODE_LABEL}) WHERE c:Secret
WITH w, c, collect(DISTINCT i) AS via
UNWIND [c] + via AS u
WITH u, collect(DISTINCT w.id) AS ws
WITH u, ws, u:Secret AND size([(u)-[:SAME_VALUE_AS]->(o) | o.id]) > 0 AS copies
WHERE size(ws) >= $min OR copies
RETURN u.id AS id, ws AS workflows, copies
"""


class AggregateReads:
    """The Neo4j store's answers to the aggregate reads of :class:`graph.store.Store`."""

    if TYPE_CHECKING:  # provided by Neo4jStore
        def _read(self, query: str, **params: Any) -> list[dict]: ...

        def expand(self, ids: Iterable[str], direction: str,
                   kinds: Iterable[str]) -> list[Edge]: ...

    def credential_users(self, min_workflows: int = 1) -> dict[str, set[str]]:
        users: dict[str, set[str]] = {}
        direct: dict[str, set[str]] = {}
        with_copies = []
        for rec in self._read(CREDENTIAL_USERS, min=max(1, min_workflows)):
            users[rec["id"]] = set(rec["workflows"])
            if rec["copies"]:
                with_copies.append(rec["id"])
                direct[rec["id"]] = set(rec["workflows"])
        # A secret's copies are used by every workflow that uses it (not transitively:
        # by the workflows using it directly, as in graph/credential_use.py).
        for s, copies in same_value_sets(self, with_copies).items():  # type: ignore[arg-type]
            for o in copies:
                users.setdefault(o, set()).update(direct[s])
        return {c: ws for c, ws in users.items() if len(ws) >= min_workflows}
