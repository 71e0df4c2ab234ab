"""Airflow ingester on fixtures (tests/data/airflow): connection exports in JSON, YAML and
env formats, DAG files read by regex, bad files skipped, and a blast radius that crosses
from n8n to Airflow through a shared AWS access key id."""

from __future__ import annotations

import json
from pathlib import Path

from graph.embedded import EmbeddedStore
from graph.fingerprint import fingerprint
from graph.records import validate
from graph.stitch import stitch
from ingest import airflow, n8n
from queries import blast_radius

DATA = Path(__file__).parent / "data"
C, S = "connector:airflow:acme-data:", "secret:airflow:acme-data:"
W, WS = "workflow:airflow:acme-data:", "workspace:airflow:acme-data"
ROLE = "identity:aws:arn:aws:iam::111122223333:role/data-pipeline"
SNOW = "identity:snowflake:acme:SVC_AIRFLOW"

NODES = {
    C + "daily_finance_load:aws_default", C + "daily_finance_load:billing_db",
    C + "daily_finance_load:snowflake_default", C + "marketing_attribution:hubspot_api",
    C + "marketing_attribution:slack_alerts", C + "s3_customer_export:aws_default",
    C + "s3_customer_export:warehouse_s3",
    ROLE, SNOW,
    S + "aws_default", S + "billing_db", S + "hubspot_api", S + "legacy_sftp",
    S + "slack_alerts", S + "snowflake_default", S + "warehouse_s3",
    "system:postgres:billing-db.acme.internal", "system:saas:hubspot", "system:saas:slack",
    "system:saas:snowflake:acme", "system:sftp:files.partner.example",
    W + "daily_finance_load", W + "marketing_attribution", W + "s3_customer_export", WS,
    "actor:airflow:acme-data:api-users",  # exports.py: schedule=None
}
EDGES = {
    (C + "daily_finance_load:aws_default", "AUTHENTICATES_WITH", S + "aws_default"),
    (C + "daily_finance_load:billing_db", "AUTHENTICATES_WITH", S + "billing_db"),
    (C + "daily_finance_load:snowflake_default", "AUTHENTICATES_WITH", S + "snowflake_default"),
    (C + "marketing_attribution:hubspot_api", "AUTHENTICATES_WITH", S + "hubspot_api"),
    (C + "marketing_attribution:slack_alerts", "AUTHENTICATES_WITH", S + "slack_alerts"),
    (C + "s3_customer_export:aws_default", "AUTHENTICATES_WITH", S + "aws_default"),
    (C + "s3_customer_export:warehouse_s3", "AUTHENTICATES_WITH", S + "warehouse_s3"),
    (S + "aws_default", "AUTHENTICATES_AS", ROLE),
    (S + "billing_db", "CAN_ACCESS", "system:postgres:billing-db.acme.internal"),
    (S + "hubspot_api", "CAN_ACCESS", "system:saas:hubspot"),
    (S + "legacy_sftp", "CAN_ACCESS", "system:sftp:files.partner.example"),
    (S + "slack_alerts", "CAN_ACCESS", "system:saas:slack"),
    (S + "snowflake_default", "AUTHENTICATES_AS", SNOW),
    (S + "snowflake_default", "CAN_ACCESS", "system:saas:snowflake:acme"),
    (W + "daily_finance_load", "USES", C + "daily_finance_load:aws_default"),
    (W + "daily_finance_load", "USES", C + "daily_finance_load:billing_db"),
    (W + "daily_finance_load", "USES", C + "daily_finance_load:snowflake_default"),
    (W + "marketing_attribution", "USES", C + "marketing_attribution:hubspot_api"),
    (W + "marketing_attribution", "USES", C + "marketing_attribution:slack_alerts"),
    (W + "s3_customer_export", "USES", C + "s3_customer_export:aws_default"),
    (W + "s3_customer_export", "USES", C + "s3_customer_export:warehouse_s3"),
    (WS, "CONTAINS", S + "aws_default"), (WS, "CONTAINS", S + "billing_db"),
    (WS, "CONTAINS", S + "hubspot_api"), (WS, "CONTAINS", S + "legacy_sftp"),
    (WS, "CONTAINS", S + "slack_alerts"), (WS, "CONTAINS", S + "snowflake_default"),
    (WS, "CONTAINS", S + "warehouse_s3"),
    (WS, "CONTAINS", W + "daily_finance_load"), (WS, "CONTAINS", W + "marketing_attribution"),
    (WS, "CONTAINS", W + "s3_customer_export"),
    ("actor:airflow:acme-data:api-users", "CAN_TRIGGER", W + "s3_customer_export"),
}
SECRET_VALUES = ("fixture-snowflake-password", "fixture/secret+access+key+not+real+000000",
                 "fixture-pg-password", "fixture-hubspot-private-app-token",
                 "fixture-slack-webhook-secret", "fixture-sftp-pw")


def parsed():
    b = airflow.parse(DATA / "airflow" / "acme-data", deployment="acme-data")
    validate(b)
    return b


def props(b, nid):
    [n] = [n for n in b.nodes if n.id == nid]
    return n.props


def test_exact_nodes_and_edges():
    b = parsed()
    assert {n.id for n in b.nodes} == NODES
    assert {e.key for e in b.edges} == EDGES
    # 3 connection files + 4 Python files (helpers.py has no DAG: read, not a workflow)
    assert (b.files_read, b.skipped) == (7, [])


def test_connections_keep_identifiers_and_fingerprints_only():
    b = parsed()
    aws = props(b, S + "aws_default")
    assert (aws["access_key_id"], aws["secret_type"], aws["region"]) == \
        ("AKIAFIXTURE000000001", "access_key", "us-east-1")
    assert aws["fingerprint"] == fingerprint("fixture/secret+access+key+not+real+000000")
    hub = props(b, S + "hubspot_api")  # YAML export: secret in `extra`
    assert hub["fingerprint"] == fingerprint("fixture-hubspot-private-app-token")
    assert hub["secret_fields"] == ["token"]
    sftp = props(b, S + "legacy_sftp")  # env export: URI
    assert (sftp["host"], sftp["user"], sftp["port"], sftp["schema"]) == \
        ("files.partner.example", "etl", 22, "upload")
    assert "conn_type" not in props(b, S + "warehouse_s3")  # referenced only: a stub
    text = json.dumps([[n.id, n.props] for n in b.nodes] + [[e.key, e.props] for e in b.edges])
    for value in SECRET_VALUES:
        assert value not in text


def test_blast_radius_crosses_from_n8n_to_airflow(tmp_path):
    store = EmbeddedStore(tmp_path / "s")
    for b, source in ((airflow.parse(DATA / "airflow" / "acme-data", deployment="acme-data"),
                       "airflow"),
                      (n8n.parse(DATA / "n8n" / "acme-test", instance="acme-test"), "n8n")):
        stitch(b, store)
        store.write(b, source=source)
    rows = {r["id"]: r["distance"] for r in
            blast_radius(store, "workflow:n8n:acme-test:wf2").rows}
    # wf2 -> S3 node -> n8n AWS credential -SAME_VALUE_AS (access key id)-> aws_default -> role
    assert rows[S + "aws_default"] == 3
    assert rows[ROLE] == 4


def test_bad_files_are_skipped(tmp_path):
    (tmp_path / "tabs.yaml").write_text("a:\n\tconn_type: http\n")
    (tmp_path / "anchors.yaml").write_text("base: &b {conn_type: http, host: x}\nc: *b\n")
    (tmp_path / "odd.json").write_text(json.dumps({"c1": [1, 2]}))
    (tmp_path / "bad.env").write_text("just text without an equals sign\n")
    (tmp_path / "ok.env").write_text("pg=postgres://u:p@db.example:5432/x\n")
    (tmp_path / "blob.py").write_bytes(b"\x00\x01DAG('x')")
    b = airflow.parse(tmp_path, deployment="d")
    assert b.files_read == 2  # ok.env, and anchors.yaml: aliases are YAML
    assert b.skipped == [
        f"{tmp_path}/bad.env: line 1 is not conn_id=URI",
        f"{tmp_path}/blob.py: binary file",
        f"{tmp_path}/odd.json: connection 'c1' has an unexpected shape (needs conn_type or host)",
        f"{tmp_path}/tabs.yaml: invalid YAML at line 2 column 1: a tab character where "
        "YAML needs spaces",
    ]
    assert "system:postgres:db.example" in {n.id for n in b.nodes}


def test_a_bad_connection_leaves_out_only_itself(tmp_path):
    (tmp_path / "conns.json").write_text(json.dumps({
        "good": {"conn_type": "postgres", "host": "db.example", "login": "etl"},
        "odd": [1, 2]}))
    (tmp_path / "conns.env").write_text("pg2=postgres://u@db2.example:5432/x\nnot a line\n"
                                        "bad={not json\n")
    b = airflow.parse(tmp_path, deployment="d")
    assert (b.files_read, b.skipped) == (2, [])
    assert b.notes == [
        f"{tmp_path}/conns.env: line 2 is not conn_id=URI; left out",
        f"{tmp_path}/conns.env: line 3: invalid JSON connection; left out",
        f"{tmp_path}/conns.json: connection 'odd' has an unexpected shape (needs conn_type or "
        "host); left out"]
    assert {n.id for n in b.nodes if n.kind == "Secret"} == {
        "secret:airflow:d:good", "secret:airflow:d:pg2"}
