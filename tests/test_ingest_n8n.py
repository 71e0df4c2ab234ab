"""n8n ingester on fixtures written for it (tests/data/n8n): exact nodes and edges, the odd
shapes real exports have, bad files skipped one line each, and the findings it feeds."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from graph.embedded import EmbeddedStore
from graph.fingerprint import fingerprint
from graph.records import validate
from graph.stitch import stitch
from ingest import n8n
from queries import blast_radius, orphaned_paths, shared_credentials

DATA = Path(__file__).parent / "data" / "n8n"
C, S = "connector:n8n:acme-test:", "secret:n8n:acme-test:"
W, WS = "workflow:n8n:acme-test:", "workspace:n8n:acme-test"
AS_OF = "2026-11-24T00:00:00Z"
#: Every secret value in the fixtures: none may appear anywhere in what the ingester makes.
SECRET_VALUES = ("sbk_7Hq2Lx9Pz4Vn8Rt3Wm6Yc1Kd5Fg0Js", "xoxb-2847561930-5938271046-q8w3e7r2t6y1u9i4o0p5a3s7",
                 "pk4Q9zX2mV7bN1cR8tY5wL3e", "fixture/secret+access+key+not+real+000000",
                 "fixture-pg-password", "U2FsdGVkX1+fixtureEncryptedBlobNotARealSecret==")

NODES = {
    C + "7:Jira", C + "7:Slack", C + "file:copy-a:c1", C + "file:no-id:HubSpot",
    C + "wf1:n2", C + "wf1:n3", C + "wf1:n4", C + "wf2:m2", C + "wf2:m3", C + "wf3:a1",
    C + "wf4:b1", C + "wf4:b2",
    "owner:email:dana@acme.example",
    S + "cred-aws", S + "cred-hubspot", S + "cred-pg", S + "cred-slack", S + "cred-stripe",
    S + "wf3:jiraSoftwareCloudApi:Jira account", S + "jiraSoftwareCloudApi:Jira old",
    S + "slackApi:Slack account", S + "wf4:slackApi:Slack template",
    S + "wf1:embedded:n4:headerParameters.Authorization",
    S + "wf4:embedded:b2:headerParameters.Authorization", S + "wf4:embedded:b2:url?api_key",
    "system:http:api.shipbridge.example", "system:http:hooks.partner.example",
    "system:postgres:db.acme.internal", "system:saas:hubspot", "system:saas:jira",
    "system:saas:slack", "system:saas:stripe",
    W + "7", W + "file:copy-a", W + "file:copy-b", W + "file:no-id", W + "wf1", W + "wf2",
    W + "wf3", W + "wf4",
    WS, WS + ":project:p1",
    "actor:anyone",  # payment-alerts.json's Webhook has no authentication
}
EDGES = {
    (C + "7:Jira", "AUTHENTICATES_WITH", S + "jiraSoftwareCloudApi:Jira old"),
    (C + "7:Jira", "TARGETS", "system:saas:jira"),
    (C + "7:Slack", "AUTHENTICATES_WITH", S + "slackApi:Slack account"),
    (C + "7:Slack", "TARGETS", "system:saas:slack"),
    (C + "file:copy-a:c1", "AUTHENTICATES_WITH", S + "cred-stripe"),
    (C + "file:copy-a:c1", "TARGETS", "system:saas:stripe"),
    (C + "file:no-id:HubSpot", "AUTHENTICATES_WITH", S + "cred-hubspot"),
    (C + "file:no-id:HubSpot", "TARGETS", "system:saas:hubspot"),
    (C + "wf1:n2", "AUTHENTICATES_WITH", S + "cred-stripe"),
    (C + "wf1:n2", "TARGETS", "system:saas:stripe"),
    (C + "wf1:n3", "AUTHENTICATES_WITH", S + "cred-slack"),
    (C + "wf1:n3", "TARGETS", "system:saas:slack"),
    (C + "wf1:n4", "EMBEDS", S + "wf1:embedded:n4:headerParameters.Authorization"),
    (C + "wf1:n4", "TARGETS", "system:http:api.shipbridge.example"),
    (C + "wf2:m2", "AUTHENTICATES_WITH", S + "cred-slack"),
    (C + "wf2:m2", "TARGETS", "system:saas:slack"),
    (C + "wf2:m3", "AUTHENTICATES_WITH", S + "cred-aws"),
    (C + "wf3:a1", "AUTHENTICATES_WITH", S + "wf3:jiraSoftwareCloudApi:Jira account"),
    (C + "wf3:a1", "TARGETS", "system:saas:jira"),
    (C + "wf4:b1", "AUTHENTICATES_WITH", S + "wf4:slackApi:Slack template"),
    (C + "wf4:b1", "TARGETS", "system:saas:slack"),
    (C + "wf4:b2", "EMBEDS", S + "wf4:embedded:b2:headerParameters.Authorization"),
    (C + "wf4:b2", "EMBEDS", S + "wf4:embedded:b2:url?api_key"),
    (C + "wf4:b2", "TARGETS", "system:http:hooks.partner.example"),
    ("owner:email:dana@acme.example", "OWNS", W + "wf1"),
    (S + "cred-hubspot", "CAN_ACCESS", "system:saas:hubspot"),
    (S + "cred-pg", "CAN_ACCESS", "system:postgres:db.acme.internal"),
    (S + "cred-slack", "CAN_ACCESS", "system:saas:slack"),
    (S + "cred-stripe", "CAN_ACCESS", "system:saas:stripe"),
    (S + "wf3:jiraSoftwareCloudApi:Jira account", "CAN_ACCESS", "system:saas:jira"),
    (S + "jiraSoftwareCloudApi:Jira old", "CAN_ACCESS", "system:saas:jira"),
    (S + "slackApi:Slack account", "CAN_ACCESS", "system:saas:slack"),
    (S + "wf4:slackApi:Slack template", "CAN_ACCESS", "system:saas:slack"),
    (S + "wf1:embedded:n4:headerParameters.Authorization", "CAN_ACCESS",
     "system:http:api.shipbridge.example"),
    (S + "wf4:embedded:b2:headerParameters.Authorization", "CAN_ACCESS",
     "system:http:hooks.partner.example"),
    (S + "wf4:embedded:b2:url?api_key", "CAN_ACCESS", "system:http:hooks.partner.example"),
    (W + "7", "USES", C + "7:Jira"), (W + "7", "USES", C + "7:Slack"),
    (W + "7", "USES", W + "wf2"),  # executeWorkflow node calls wf2
    (W + "file:copy-a", "USES", C + "file:copy-a:c1"),
    (W + "file:no-id", "USES", C + "file:no-id:HubSpot"),
    (W + "wf1", "USES", C + "wf1:n2"), (W + "wf1", "USES", C + "wf1:n3"),
    (W + "wf1", "USES", C + "wf1:n4"),
    (W + "wf2", "USES", C + "wf2:m2"), (W + "wf2", "USES", C + "wf2:m3"),
    (W + "wf3", "USES", C + "wf3:a1"),
    (W + "wf4", "USES", C + "wf4:b1"), (W + "wf4", "USES", C + "wf4:b2"),
    (WS, "CONTAINS", S + "cred-aws"), (WS, "CONTAINS", S + "cred-hubspot"),
    (WS, "CONTAINS", S + "cred-pg"), (WS, "CONTAINS", S + "cred-slack"),
    (WS, "CONTAINS", S + "cred-stripe"), (WS, "CONTAINS", S + "wf3:jiraSoftwareCloudApi:Jira account"),
    (WS, "CONTAINS", S + "jiraSoftwareCloudApi:Jira old"),
    (WS, "CONTAINS", S + "slackApi:Slack account"), (WS, "CONTAINS", S + "wf4:slackApi:Slack template"),
    (WS, "CONTAINS", W + "7"), (WS, "CONTAINS", W + "file:copy-a"),
    (WS, "CONTAINS", W + "file:copy-b"), (WS, "CONTAINS", W + "file:no-id"),
    (WS, "CONTAINS", W + "wf2"), (WS, "CONTAINS", W + "wf3"), (WS, "CONTAINS", W + "wf4"),
    (WS, "CONTAINS", WS + ":project:p1"), (WS + ":project:p1", "CONTAINS", W + "wf1"),
    ("actor:anyone", "CAN_TRIGGER", W + "wf2"),  # gated: wf2 is inactive
}


@pytest.fixture(scope="module")
def batch():
    b = n8n.parse(DATA / "acme-test", instance="acme-test", environment="prod")
    validate(b)
    return b


@pytest.fixture(scope="module")
def store(batch, tmp_path_factory):
    b = n8n.parse(DATA / "acme-test", instance="acme-test", environment="prod")
    st = EmbeddedStore(tmp_path_factory.mktemp("n8n"))
    stitch(b, st)
    st.write(b, source="n8n:acme-test")
    return st


def props(batch, nid):
    [n] = [n for n in batch.nodes if n.id == nid]
    return n.props


def test_exact_nodes_and_edges(batch):
    assert {n.id for n in batch.nodes} == NODES
    assert {e.key for e in batch.edges} == EDGES
    assert batch.files_read == 8 and batch.skipped == []


def test_inactive_webhook_is_an_entry_point_behind_a_gate(batch):
    (e,) = [e for e in batch.edges if e.kind == "CAN_TRIGGER"]
    assert (e.props["authentication"], e.props["gate"]) == (
        "none", "workflow inactive: the production URL is not registered")


def test_ids_from_file_path_for_missing_and_repeated_ids_are_reported(batch):
    assert batch.notes == [
        f"{DATA / 'acme-test' / 'copy-a.json'}: workflow id 'dup' appears in 2 workflows; "
        "using 'file:copy-a'",
        f"{DATA / 'acme-test' / 'copy-b.json'}: workflow id 'dup' appears in 2 workflows; "
        "using 'file:copy-b'",
        f"{DATA / 'acme-test' / 'no-id.json'}: workflow has no id; using 'file:no-id'",
    ]


def test_workflow_properties(batch):
    wf1 = props(batch, W + "wf1")
    assert (wf1["status"], wf1["tags"], wf1["has_pin_data"], wf1["trigger"]) == \
        ("active", ["finance"], True, "schedule")
    assert (wf1["created_at"], wf1["updated_at"]) == ("2025-01-10T09:00:00Z",
                                                      "2025-06-01T12:30:00Z")
    assert props(batch, W + "wf2")["status"] == "inactive"  # active: false
    assert props(batch, W + "wf3")["status"] == "archived"  # isArchived wins
    assert props(batch, W + "file:no-id")["status"] == "unknown"  # no `active` at all
    assert props(batch, W + "7")["n8n_id"] == "7"  # older export: numeric id


def test_placeholder_ids_do_not_merge_unrelated_credentials(batch):
    # Both template credentials carry id "credential-id": a secret each, within its workflow
    # (a placeholder id joins nothing).
    assert props(batch, S + "wf4:slackApi:Slack template")["name"] == "Slack template"
    assert props(batch, S + "wf3:jiraSoftwareCloudApi:Jira account")["name"] == "Jira account"
    assert S + "credential-id" not in {n.id for n in batch.nodes}


def test_decrypted_credentials_keep_identifiers_and_fingerprints_only(batch):
    aws = props(batch, S + "cred-aws")
    assert aws["access_key_id"] == "AKIAFIXTURE000000001"
    assert aws["region"] == "us-east-1"
    assert aws["fingerprint"] == fingerprint("fixture/secret+access+key+not+real+000000")
    assert aws["secret_fields"] == ["secretaccesskey"]
    pg = props(batch, S + "cred-pg")
    assert (pg["host"], pg["user"], pg["database"]) == ("db.acme.internal", "etl", "dwh")
    assert props(batch, S + "cred-stripe")["encrypted"] is True
    assert "fingerprint" not in props(batch, S + "cred-stripe")


def test_embedded_secret_is_fingerprinted_without_its_scheme(batch):
    header = props(batch, S + "wf4:embedded:b2:headerParameters.Authorization")
    assert header["store"] == "embedded" and header["secret_type"] == "bearer_token"
    # the Slack token pasted into a header is the decrypted Slack credential's value
    assert header["fingerprint"] == props(batch, S + "cred-slack")["fingerprint"]


def test_no_secret_value_anywhere(batch):
    text = json.dumps([[n.id, n.props] for n in batch.nodes] +
                      [[e.key, e.props] for e in batch.edges])
    for value in SECRET_VALUES:
        assert value not in text


def test_shared_credential_cluster_across_workflows(store):
    [cluster] = shared_credentials(store).rows
    assert cluster["workflows"] == [W + "file:copy-a", W + "wf1", W + "wf2", W + "wf4"]
    assert cluster["secrets"] == [S + "cred-slack", S + "cred-stripe",
                                  S + "wf4:embedded:b2:headerParameters.Authorization"]
    details = {d["id"]: d["workflows"] for d in cluster["credentials"]}
    assert details[S + "cred-slack"] == [W + "wf1", W + "wf2", W + "wf4"]
    assert details[S + "cred-stripe"] == [W + "file:copy-a", W + "wf1"]


def test_blast_radius_through_an_embedded_copy_of_a_credential(store):
    rows = {r["id"]: (r["access"], r["distance"])
            for r in blast_radius(store, W + "wf4").rows}
    # wf4 -> node -> hard-coded token -SAME_VALUE_AS-> Slack credential -> Slack
    assert rows == {
        C + "wf4:b1": ("control", 1), C + "wf4:b2": ("control", 1),
        S + "wf4:slackApi:Slack template": ("control", 2),
        S + "wf4:embedded:b2:headerParameters.Authorization": ("control", 2),
        S + "wf4:embedded:b2:url?api_key": ("control", 2),
        S + "cred-slack": ("control", 3),
        "system:saas:slack": ("unknown", 3), "system:http:hooks.partner.example": ("unknown", 3),
    }


def test_orphans_inactive_archived_and_unused(store):
    rows = {(o["node"], o["reason"]) for o in orphaned_paths(store, as_of=AS_OF).rows
            if o["reason"] != "no_owner"}
    assert rows == {
        (W + "wf2", "retired_but_valid"),   # active: false, Slack credential still works
        (W + "wf3", "retired_but_valid"),   # archived
        (S + "cred-pg", "unused_but_valid"),  # in the credentials export, used by nothing
        (S + "wf3:jiraSoftwareCloudApi:Jira account", "unused_but_valid"),  # only wf3 used it
    }


def test_broken_files_are_skipped_one_line_each(tmp_path):
    folder = tmp_path / "broken"
    shutil.copytree(DATA / "broken", folder)
    (folder / "image.json").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    (folder / "huge.json").write_text(json.dumps({"id": "h", "nodes": [], "pad": "x" * 5000}))
    b = n8n.parse(folder, instance="t", max_bytes=4096)
    assert b.files_read == 3  # good.json, and the two with a bad credential reference
    assert b.skipped == [
        f"{folder}/agent-config.json: not an n8n workflow export (no 'nodes')",
        f"{folder}/empty.json: workflow without nodes",
        f"{folder}/huge.json: file too large (5,035 bytes; limit 4,096)",
        f"{folder}/image.json: binary file",
        f"{folder}/numbers.json: a JSON array, but not of n8n workflows",
        f"{folder}/truncated.json: invalid JSON at line 2 column 1: Expecting value",
    ]
    # a bad credential reference leaves out the reference, not the workflow
    assert {n.id for n in b.nodes if n.kind == "Workflow"} == {
        "workflow:n8n:t:g1", "workflow:n8n:t:o1", "workflow:n8n:t:r1"}


def test_array_with_one_bad_item_keeps_the_good_ones(tmp_path):
    good = json.loads((DATA / "broken" / "good.json").read_text())
    (tmp_path / "all.json").write_text(json.dumps([good, {"name": "no nodes"}]))
    b = n8n.parse(tmp_path, instance="t")
    assert b.skipped == [f"{tmp_path}/all.json[1]: not an n8n workflow (no 'nodes')"]
    assert b.files_read == 1
    assert "workflow:n8n:t:g1" in {n.id for n in b.nodes}


def test_an_odd_timestamp_is_noted_not_fatal(tmp_path):
    doc = json.loads((DATA / "broken" / "good.json").read_text())
    doc["createdAt"] = "last tuesday"
    (tmp_path / "odd-date.json").write_text(json.dumps(doc))
    b = n8n.parse(tmp_path, instance="t")
    validate(b)
    assert b.skipped == []
    assert b.notes == [f"{tmp_path}/odd-date.json: createdAt: not a date/time "
                       "('last tuesday'); ignored"]
    assert "created_at" not in props(b, "workflow:n8n:t:g1")
