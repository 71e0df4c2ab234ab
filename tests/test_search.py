"""Fuzzy node search (queries/search.py) on the hand-built CHAIN graph, on both stores."""

from __future__ import annotations

import pytest

from queries.search import search
from tests.graphs import CHAIN, fresh, load


@pytest.fixture(scope="module")
def chain():
    return fresh(CHAIN)


def test_exact_name_first_then_prefixes_by_id(chain):
    rows = search(chain, "deploy")
    # "deploy" is wf's exact name (100); three labels start with it (95), ordered by id
    assert rows[:4] == [
        (100.0, "wf", "deploy", "Workflow"),
        (95.0, "conn", "deploy job", "Connector"),
        (95.0, "deploy-role", "deploy-role", "Identity"),
        (95.0, "key", "deploy key", "Secret"),
    ]
    assert all(score < 95.0 for score, *_ in rows[4:])


def test_typo_and_case_still_find_the_node(chain):
    assert search(chain, "DEPLYO-ROLE")[0][1] == "deploy-role"
    assert search(chain, "aws prod")[0][1:] == ("acct", "aws-prod", "System")


def test_kind_limit_and_empty(chain):
    rows = search(chain, "key", kind="Secret")
    assert [r[1] for r in rows] == ["key", "old-key"]
    assert {r[3] for r in rows} == {"Secret"}
    assert len(search(chain, "deploy", limit=2)) == 2
    assert search(chain, "") == [] and search(chain, "   ") == []
    assert search(chain, "zzzzqqqq") == []


def test_both_stores_give_the_same_rows(chain, neo4j_store):
    load(neo4j_store, CHAIN)
    for text, kind in (("deploy", None), ("key", "Secret"), ("admn-role", None)):
        assert search(neo4j_store, text, kind=kind) == search(chain, text, kind=kind)
