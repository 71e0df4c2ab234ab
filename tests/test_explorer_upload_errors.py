"""The explorer's upload goes through exactly the CLI's path (``ingest.pipeline`` with its
input guard, ``--strict``) and messages: a truncated or malformed file of any format is one
error (no traceback, no secret), never a success, and the store is unchanged."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from explorer.views.data import ingest_upload
from graph.embedded import EmbeddedStore
from graph.errors import NhiGraphError
from tests.test_fuzz_ingesters import store_digest

ROOT = Path(__file__).resolve().parent.parent
WORKFLOW = json.dumps({"id": "w1", "name": "flow", "active": True, "connections": {},
                       "nodes": [{"id": "n", "name": "n", "type": "n8n-nodes-base.noOp",
                                  "parameters": {}}]}).encode()
SECRET = "PLANTED-UPLOAD-SECRET-77"


@pytest.fixture
def store(tmp_path, monkeypatch):
    monkeypatch.setenv("NHIGRAPH_FINGERPRINT_KEY", "test-key")
    monkeypatch.delenv("NEO4J_URI", raising=False)
    path = tmp_path / "store"
    monkeypatch.setenv("NHIGRAPH_STORE", str(path))
    ingest_upload("flow.json", WORKFLOW, "n8n")
    return path


@pytest.mark.parametrize("kind,name,content,words", [
    ("n8n", "flow.json", WORKFLOW[: len(WORKFLOW) // 2], "invalid JSON"),
    ("airflow", "conns.json", b'{"c": {"conn_type": "http", "host": "h"', "invalid JSON"),
    ("kubernetes", "k.json", b'{"apiVersion": "v1", "kind": "Secret"', "malformed JSON"),
    ("inventory", "i.json", b'{"nhigraph_inventory": 1, "nodes": {"Secret": [', "malformed"),
    ("aws-iam", "a.json", b'{"UserDetailList": [', "JSON"),
    # (a credentials block given as text is only noted now: the workflow is kept; a
    # workflow whose nodes are text cannot be read at all)
    ("n8n", "flow.json", b'{"id": "w", "nodes": "' + SECRET.encode()
     + b'", "connections": {}}', "flow.json"),
    ("inventory", "i.json", json.dumps({"nhigraph_inventory": 1, "nodes": {"System": [
        {"id": "s", "tags": {"token": SECRET}}]}}).encode(), "tags"),
])
def test_bad_upload_is_one_error_store_unchanged(store, kind, name, content, words):
    before = store_digest(store)
    with pytest.raises(NhiGraphError) as info:
        ingest_upload(name, content, kind)
    message = str(info.value)
    assert words in message and SECRET not in message and "nhigraph-upload-" not in message
    assert store_digest(store) == before


def test_the_page_shows_one_error_and_no_traceback(store):
    before = store_digest(store)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    at.switch_page("explorer/views/data.py").run()
    at.selectbox(key="upload-kind").set_value("n8n").run()
    at.file_uploader(key="upload-file").set_value(
        ("flow.json", WORKFLOW[:40], "application/json")).run()
    assert not at.exception
    (error,) = at.error
    text = error.value.replace("\\", "")
    assert "flow.json: invalid JSON" in text and "\n" not in text
    assert not at.success
    assert store_digest(store) == before
    assert EmbeddedStore(store, create=False).counts()["nodes"]["Workflow"] == 1
