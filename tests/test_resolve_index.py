"""queries.resolve answers a name from the built name index exactly as its scans of the
store do: the same node, the same ambiguity, the same 'no node' (with the same
suggestions), for exact ARNs and names, names differing only in case, and names past ASCII
whose lower case Arrow judges (the Kelvin sign, a dotted capital I, a sharp s)."""

from __future__ import annotations

import pytest

from graph.embedded import EmbeddedStore
from graph.errors import AmbiguousNode, NodeNotFound
from graph.records import Batch, Node
from queries import resolve

NODES = [
    Node("w1", "Workflow", {"name": "Invoice sync"}),
    Node("w2", "Workflow", {"name": "invoice-sync"}),       # same fold, not the same name
    Node("w3", "Workflow", {"name": "Payroll"}),
    Node("w4", "Workflow", {"name": "PAYROLL"}),             # ambiguous ignoring case
    Node("w5", "Workflow", {"name": "Straße"}),
    Node("w6", "Workflow", {"name": "\u212Aey rotation"}),   # Kelvin sign K
    Node("w7", "Workflow", {"name": "\u0130stanbul"}),       # I with a dot above
    Node("w8", "Workflow", {"name": "Deploy"}),
    Node("r1", "Identity", {"name": "deploy role",
                        "arn": "arn:aws:iam::111122223333:role/deploy"}),
    Node("s1", "Secret", {"name": 42}),                      # made the text "42"
]
TEXTS = ["Invoice sync", "invoice sync", "INVOICE SYNC", "invoice-sync", "payroll",
         "Payroll", "straße", "STRASSE", "key rotation", "KEY ROTATION", "istanbul",
         "İstanbul", "deploy", "DEPLOY", "arn:aws:iam::111122223333:role/deploy",
         "ARN:AWS:IAM::111122223333:ROLE/DEPLOY", "deploy role", "42", "nothing like it",
         "w1", "Deploy "]


def outcome(store, text):
    try:
        return "id", resolve.resolve_node(store, text)
    except (AmbiguousNode, NodeNotFound) as err:
        return type(err).__name__, str(err)


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    s = EmbeddedStore(tmp_path_factory.mktemp("s"))
    s.write(Batch(nodes=NODES, edges=[]), source="t")
    return s


def test_index_and_scan_resolve_alike(store, monkeypatch, tmp_path):
    monkeypatch.setenv("NHIGRAPH_CACHE_DIR", str(tmp_path))
    assert store.text_index(build=False) == (None, None)  # nothing built yet: scans
    scanned = {t: outcome(store, t) for t in TEXTS}
    store.text_index()  # built (the suggestions of an unknown node build it)
    used = []
    real = resolve._lookups_by_index
    monkeypatch.setattr(resolve, "_lookups_by_index",
                        lambda s, t: used.append(t) or real(s, t))
    assert {t: outcome(store, t) for t in TEXTS} == scanned
    assert "payroll" in used and "w1" not in used  # an id never needs the lookups
    assert scanned["INVOICE SYNC"] == ("id", "w1")
    assert scanned["invoice-sync"] == ("id", "w2")
    assert scanned["payroll"][0] == "AmbiguousNode"
    assert scanned["KEY ROTATION"] == ("id", "w6")
    assert scanned["deploy"] == ("id", "w8")
    assert scanned["ARN:AWS:IAM::111122223333:ROLE/DEPLOY"][0] == "NodeNotFound"
    assert scanned["42"] == ("id", "s1")


def test_too_many_candidates_scan_instead(store, monkeypatch, tmp_path):
    monkeypatch.setenv("NHIGRAPH_CACHE_DIR", str(tmp_path))
    store.text_index()
    assert resolve._lookups_by_index(store, "payroll") is not None
    monkeypatch.setattr(resolve, "CANDIDATES", 2)  # 2 payrolls + 3 names past ASCII
    assert resolve._lookups_by_index(store, "payroll") is None
    assert outcome(store, "Straße") == ("id", "w5")
