"""The one redaction rule (graph/redact.py): the name classifier on names found in real
exports, URL redaction, message scrubbing, and the rule applied at the ingest boundary of
every ingester (secret-looking names fingerprinted, URL userinfo and query secrets gone
from ids and properties)."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

import cli
from graph.embedded import EmbeddedStore
from graph.records import Batch, Edge, Node
from graph.redact import (
    REDACTED,
    is_secret_name,
    redact_batch,
    redact_pairs,
    redact_url_text,
    scrub,
)

SECRET_NAMES = ("api_token", "auth_token", "db_password", "secret_key", "credential",
                "credentials", "connection_string", "connectionString", "apiKey", "API_KEY",
                "AWS_SECRET_ACCESS_KEY", "client_secret", "private_key", "privateKeyPem",
                "refresh_token", "sessionToken", "passwd", "pwd", "Authorization",
                "X-Amz-Signature", "x-amz-security-token", "sig", "sas", "value", "key",
                "webhookSecret", "sharedKey", "access_key", "oauthTokenData", "bearer",
                "jwt", "passphrase", "storageAccountKey", "dsn")
PLAIN_NAMES = ("name", "id", "host", "url", "email", "tags", "description", "secret_type",
               "fingerprint", "password_fingerprint", "access_key_id", "accessKeyId",
               "token_url", "tokenUrl", "key_id", "keyName", "public_key", "crown_jewel",
               "last_rotated_at", "expires_at", "secret_name", "credential_type",
               "credentials_id", "authentication", "sendHeaders", "environment", "account",
               "arn", "region", "sslmode", "team", "port", "schema", "login",
               "has_pin_data", "secret_fields", "node_count", "n8n_id")


@pytest.mark.parametrize("name", SECRET_NAMES)
def test_secret_looking_names(name):
    assert is_secret_name(name)


@pytest.mark.parametrize("name", PLAIN_NAMES)
def test_names_about_secrets_are_not_secrets(name):
    assert not is_secret_name(name)


@pytest.mark.parametrize("text,expected", [
    ("postgres://svc:hunter2@db.example:5432/app", "postgres://db.example:5432/app"),
    ("https://u:p@ss@h.example/x", "https://h.example/x"),  # an unencoded @ in the password
    ("docker://bot:pw@ghcr.io/acme/tool:1", "docker://ghcr.io/acme/tool:1"),
    ("svc:hunter2@db.example:5432", "db.example:5432"),
    ("https://h/x?a=1&access_token=t0k&sig=s1g&key=k3y",
     f"https://h/x?a=1&access_token={REDACTED}&sig={REDACTED}&key={REDACTED}"),
    ("https://h/?X-Amz-Signature=abc&X-Amz-Date=2024", f"https://h/?X-Amz-Signature={REDACTED}"
                                                        "&X-Amz-Date=2024"),
    ("mail bob@example.com", "mail bob@example.com"),
    ("https://h.example/path", "https://h.example/path"),
])
def test_url_redaction(text, expected):
    assert redact_url_text(text) == expected


def test_pairs_and_messages():
    assert redact_pairs("api_token=abc") == f"api_token={REDACTED}"
    assert redact_pairs("team=data") == "team=data"
    msg = scrub("nodes.Secret[0]: {'token': 'abc123', \"db_password\": \"p w\", 'id': 'x'} "
                "is not valid; api_key: zz9 secret=qq8")
    for value in ("abc123", "p w", "zz9", "qq8"):
        assert value not in msg
    assert "'id': 'x'" in msg


def test_messages_keep_file_names_and_flags_keep_their_value():
    assert scrub("credential-report.csv: row 3: bad; /x/token.json: y") == \
        "credential-report.csv: row 3: bad; /x/token.json: y"
    assert scrub("Authorization: Bearer abc123, next") == f"Authorization: {REDACTED}, next"
    from graph.redact import redact_props

    assert redact_props({"has_auth": True, "auth": "basic-xyz"})["has_auth"] is True
    assert "auth" not in redact_props({"auth": "basic-xyz"})


def test_batch_boundary_fingerprints_names_and_redacts_ids(monkeypatch):
    monkeypatch.setenv("NHIGRAPH_FINGERPRINT_KEY", "test-key")
    batch = Batch(nodes=[
        Node("system:https://svc:hunter2@api.example.test/?token=t0k", "System",
             {"url": "https://bot:pw9@h.example/?sig=zz", "auth_token": "a7",
              "tags": ["team=data", "api_token=tt1"], "name": "bad\ud800name"}),
    ], notes=["connection postgres://a:pw8@db failed; password=pw7"])
    redact_batch(batch)
    node = batch.nodes[0]
    blob = json.dumps([node.id, node.props, batch.notes], ensure_ascii=False)
    for value in ("hunter2", "t0k", "pw9", "zz", "a7", "tt1", "pw8", "pw7"):
        assert value not in blob, value
    assert node.id == f"system:https://api.example.test/?token={REDACTED}"
    assert node.props["auth_token_fingerprint"].startswith("hmac-sha256:")
    assert "auth_token" not in node.props
    assert node.props["tags"] == ["team=data", f"api_token={REDACTED}"]
    assert node.props["name"] == "bad\ufffdname"


def test_validate_refuses_a_secret_looking_name_that_skipped_the_boundary():
    from graph.errors import InputError
    from graph.records import validate

    with pytest.raises(InputError, match="secret-looking property 'db_password'"):
        validate(Batch(nodes=[Node("s", "Secret", {"db_password": "x"})]))


def test_airflow_url_secrets_never_reach_the_store(tmp_path, monkeypatch):
    monkeypatch.setenv("NHIGRAPH_FINGERPRINT_KEY", "test-key")
    conns = {"api": {"conn_type": "http", "login": None, "password": None,
                     "host": "https://svc:PW111@api.example.test/v1?access_token=TK222",
                     "extra": json.dumps({"endpoint": "https://e.example.test/?key=KY333"})}}
    (tmp_path / "c.json").write_text(json.dumps(conns))
    res = CliRunner().invoke(cli.cli, ["ingest", "airflow", str(tmp_path / "c.json"),
                                       "--store", str(tmp_path / "s")])
    assert res.exit_code == 0, res.output
    g = EmbeddedStore(tmp_path / "s", create=False).graph
    blob = repr(list(g.nodes(data=True))) + repr(list(g.edges(data=True)))
    assert "api.example.test" in blob
    for value in ("PW111", "TK222", "KY333", "pw111", "tk222", "ky333"):
        assert value not in blob and value not in res.output


@pytest.mark.parametrize("where", [
    "/data/inventory/edges.csv:12", "edges.csv:007", "edges.csv:", "/x/password:12",
    "/tmp/a b token: 3", "/tmp/a b token:3", "/x/api_key=1/f.csv:7", "/x/'token': 9",
    "/x/Authorization: Bearer 12", "dir/token:5:6", "/p/secret:", "/p/x?sig=1:4",
    "/u/bot:pw@host/f.csv:9", "/d/caf\u00e9/f.csv:3", "/d/\ud800/f.csv:3",
    "run 'password': 1", "x.json: nodes.Secret[3]", "a token:12 b", "password:1"])
def test_row_places_are_scrubbed_as_one_at_a_time(where):
    """The per-batch scrub of ``file:line`` places (worked out once per prefix) gives
    what the whole rule gives for each text."""
    from graph.redact import _where_scrubber, clean_text

    one = _where_scrubber()
    assert one(where) == scrub(clean_text(where))
    assert one(where) == scrub(clean_text(where))  # the second time from what it learned
    if where[-1:].isdigit():
        longer = where + "9801"
        assert one(longer) == scrub(clean_text(longer))


def test_row_places_with_a_secret_looking_prefix_are_scrubbed():
    batch = Batch(nodes=[Node(f"n{i}", "System", {}, f"/in/x password:{i}") for i in (1, 22)],
                  edges=[Edge("n1", "USES", "n22", {"api_token": "zz", "team": "a"},
                              "/in/ok.csv:4")])
    redact_batch(batch)
    assert [n.where for n in batch.nodes] == [f"/in/x password:{REDACTED}"] * 2
    assert batch.edges[0].where == "/in/ok.csv:4"
    assert "api_token" not in batch.edges[0].props
    assert batch.edges[0].props["team"] == "a"
