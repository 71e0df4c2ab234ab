"""`nhigraph collect n8n` against a real n8n server on loopback (tests/n8n_server.py).

The instance is seeded with n8n's own CLI (tests/data/n8n_live/): five credentials, three
workflows (two activated, one of them run once through its webhook), the owner, and an
invited user who never signed up and owns one credential. n8n's security audit
(``POST /api/v1/audit``) and nhigraph must then name the same unused credentials.
"""

from __future__ import annotations

import http.server
import json
import threading
import time
import urllib.request
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli import cli
from graph import open_store
from graph.errors import InputError
from ingest.collect import n8n_api
from tests.n8n_server import N8nServer

DATA = Path(__file__).parent / "data" / "n8n_live"
INVITEE = "invitee@acme.test"


@pytest.fixture(scope="session")
def n8n(tmp_path_factory):
    """The seeded n8n server for the session; it must start (never skipped)."""
    server = N8nServer(tmp_path_factory.mktemp("n8n"))
    t0 = time.monotonic()
    server.cli("import:credentials", f"--input={DATA / 'credentials.json'}")
    server.cli("import:workflow", f"--input={DATA / 'workflows.json'}")
    server.seed_seconds = time.monotonic() - t0
    server.start()
    try:
        server.setup_owner()
        invited = server.rest("POST", "/users", [{"email": INVITEE, "role": "global:member"}],
                              api=True)
        uid = invited[0]["user"]["id"]
        server.cli("import:credentials", f"--input={DATA / 'invitee-credentials.json'}",
                   f"--userId={uid}")
        for wid in ("wfSlackAlerts001", "wfNotionSync0001"):
            server.rest("POST", f"/workflows/{wid}/activate", api=True)
        with urllib.request.urlopen(server.url + "/webhook/nhigraph-alerts", timeout=60) as r:
            assert r.status == 200
        deadline = time.monotonic() + 60
        while not server.rest("GET", "/executions?workflowId=wfSlackAlerts001",
                              api=True)["data"]:
            assert time.monotonic() < deadline, "the webhook run was not recorded"
            time.sleep(0.5)
    except BaseException:
        print(server.log_tail())
        server.stop()
        raise
    yield server
    server.stop()


@pytest.fixture
def api_key(n8n, monkeypatch):
    monkeypatch.setenv("N8N_API_KEY", n8n.api_key)
    return n8n.api_key


def _collect(n8n, store, *extra):
    return CliRunner().invoke(cli, ["collect", "n8n", "--url", n8n.url, "--instance", "acme",
                                    "--store", str(store), *extra])


def _sid(cid: str) -> str:
    return f"secret:n8n:acme:{cid}"


def test_collect_reads_workflows_credentials_owners_and_last_runs(n8n, api_key, tmp_path):
    res = _collect(n8n, tmp_path / "s")
    assert res.exit_code == 0, res.output
    assert api_key not in res.output
    store = open_store(tmp_path / "s")
    secrets = {n["id"]: n for n in store.nodes("Secret")}
    assert set(secrets) == {_sid(c) for c in ("slackProdCred001", "githubDeploy0001",
                                              "stripeLive000001", "notionWiki000001",
                                              "openAiInvitee001")}
    assert secrets[_sid("slackProdCred001")]["credential_type"] == "slackApi"
    assert not any("fingerprint" in s for s in secrets.values())  # the API gives no data
    workflows = {n["id"]: n for n in store.nodes("Workflow")}
    status = {w.rsplit(":", 1)[1]: n["status"] for w, n in workflows.items()}
    assert status == {"wfSlackAlerts001": "active", "wfNotionSync0001": "active",
                      "wfGithubRelease1": "inactive"}
    ran = workflows["workflow:n8n:acme:wfSlackAlerts001"]["last_used_at"]
    assert ran == secrets[_sid("slackProdCred001")]["last_used_at"]
    assert "last_used_at" not in workflows["workflow:n8n:acme:wfNotionSync0001"]
    by_secret = {}
    for e in store.edges("OWNS"):
        by_secret.setdefault(e.dst, set()).add(e.src)
    assert by_secret[_sid("openAiInvitee001")] == {f"owner:email:{INVITEE}"}
    assert by_secret[_sid("slackProdCred001")] == {"owner:email:owner@acme.test"}
    assert by_secret["workflow:n8n:acme:wfSlackAlerts001"] == {"owner:email:owner@acme.test"}
    invitee = store.get_node(f"owner:email:{INVITEE}")
    assert invitee["status"] == "inactive"
    assert store.get_node("owner:email:owner@acme.test")["status"] == "active"
    assert "projects are not licensed" in res.output  # the 403, said once
    assert res.output.count("projects are not licensed") == 1
    assert "n8n: " in res.output and "API calls" in res.output

    from queries import orphaned_paths

    departed = {o["node"] for o in orphaned_paths(store).rows if o["reason"] == "departed_owner"}
    assert departed == {_sid("openAiInvitee001")}


def test_agrees_with_n8ns_security_audit(n8n, api_key, tmp_path):
    """n8n's three lists of unused credentials, and nhigraph's, are the same sets."""
    from queries import orphaned_paths
    from queries.unused_credentials import unused_credentials

    audit = n8n.rest("POST", "/audit", {"additionalOptions": {
        "categories": ["credentials"], "daysAbandonedWorkflow": 90}}, api=True)
    lists = {}
    for section in audit["Credentials Risk Report"]["sections"]:
        ids = {_sid(loc["id"]) for loc in section["location"]}
        for key, words in (("no_workflow", "not used in any workflow"),
                           ("no_active_workflow", "not used in active workflows"),
                           ("not_run_recently", "not used in recently executed workflows")):
            if words in section["description"]:
                lists[key] = ids
    assert set(lists) == {"no_workflow", "no_active_workflow", "not_run_recently"}
    # the seed makes each list different, so agreement means something
    assert lists["no_workflow"] == {_sid("stripeLive000001"), _sid("openAiInvitee001")}
    assert lists["no_active_workflow"] == lists["no_workflow"] | {_sid("githubDeploy0001")}
    assert lists["not_run_recently"] == lists["no_active_workflow"] | {_sid("notionWiki000001")}

    assert _collect(n8n, tmp_path / "s").exit_code == 0
    store = open_store(tmp_path / "s")
    ours = unused_credentials(store, days=90, platform="n8n")
    for reason, expected in lists.items():
        assert {r["node"] for r in ours.rows if reason in r["reasons"]} == expected, reason
    orphans = {o["node"] for o in orphaned_paths(store).rows
               if o["reason"] == "unused_but_valid" and o["kind"] == "Secret"}
    assert orphans == lists["no_active_workflow"]


def test_collect_matches_the_file_ingester_on_the_instances_exports(n8n, api_key, tmp_path):
    """One transform, two readers: `n8n export:*` files and the API give the same graph,
    less what only the API knows (owners, last runs)."""
    out = tmp_path / "export"
    out.mkdir()
    n8n.cli("export:workflow", "--all", f"--output={out / 'workflows.json'}")
    n8n.cli("export:credentials", "--all", f"--output={out / 'credentials.json'}")
    runner = CliRunner()
    files = runner.invoke(cli, ["ingest", "n8n", str(out), "--instance", "acme",
                                "--store", str(tmp_path / "f")])
    assert files.exit_code == 0, files.output
    assert _collect(n8n, tmp_path / "l").exit_code == 0
    f, live = open_store(tmp_path / "f"), open_store(tmp_path / "l")
    f_edges = {e.key for e in f.edges()}
    l_edges = {e.key for e in live.edges()}
    # only the API says who owns a credential (an export's credentials carry no sharing)
    assert {k for k in l_edges - f_edges} == {
        (o, "OWNS", _sid(c)) for o, c in (("owner:email:owner@acme.test", "slackProdCred001"),
                                          ("owner:email:owner@acme.test", "githubDeploy0001"),
                                          ("owner:email:owner@acme.test", "stripeLive000001"),
                                          ("owner:email:owner@acme.test", "notionWiki000001"),
                                          (f"owner:email:{INVITEE}", "openAiInvitee001"))}
    assert f_edges <= l_edges
    f_nodes = {n["id"] for n in f.nodes()}
    l_nodes = {n["id"] for n in live.nodes()}
    assert l_nodes - f_nodes == {f"owner:email:{INVITEE}"} and f_nodes <= l_nodes
    for n in f.nodes("Workflow"):
        ln = live.get_node(n["id"])
        for key in ("name", "status", "trigger", "node_count", "created_at"):
            assert ln.get(key) == n.get(key), (n["id"], key)


def test_pagination_follows_next_cursor(n8n, api_key):
    calls = []
    client = n8n_api.Client(n8n.url, api_key, page_size=1, on_call=calls.append)
    snap = n8n_api.fetch(client)
    assert len(snap.workflows) == 3 and len(snap.credentials) == 5
    assert calls.count("/workflows") == 3 and calls.count("/credentials") == 5


def test_wrong_key_is_one_line_exit_2_and_the_store_unchanged(n8n, api_key, tmp_path,
                                                              monkeypatch):
    store = tmp_path / "s"
    assert _collect(n8n, store).exit_code == 0
    before = sorted(n["id"] for n in open_store(store).nodes())
    monkeypatch.setenv("N8N_API_KEY", "not-the-key")
    res = _collect(n8n, store)
    assert res.exit_code == 2
    assert res.output.strip().splitlines() == [
        f"error: n8n at {n8n.url} refused the API key (HTTP 401 on /workflows); "
        "check N8N_API_KEY"]
    assert "not-the-key" not in res.output
    assert sorted(n["id"] for n in open_store(store).nodes()) == before
    monkeypatch.delenv("N8N_API_KEY")
    res = _collect(n8n, store)
    assert res.exit_code == 2 and "N8N_API_KEY is not set" in res.output


def test_unreachable_url_is_one_line(tmp_path, monkeypatch):
    monkeypatch.setenv("N8N_API_KEY", "k")
    res = CliRunner().invoke(cli, ["collect", "n8n", "--url", "http://127.0.0.1:9",
                                   "--store", str(tmp_path / "s")])
    assert res.exit_code == 2
    assert res.output.startswith("error: cannot reach n8n at http://127.0.0.1:9")
    assert not (tmp_path / "s").exists()


class _Flaky(http.server.BaseHTTPRequestHandler):
    """Answers 429 twice, then a page: what a rate-limited n8n does."""

    hits = 0

    def do_GET(self):  # noqa: N802 (the http.server name)
        type(self).hits += 1
        if type(self).hits <= 2:
            self.send_response(429)
            self.send_header("Retry-After", "0")
            self.end_headers()
            return
        body = json.dumps({"data": [{"id": "1"}], "nextCursor": None}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def flaky():
    _Flaky.hits = 0
    httpd = http.server.HTTPServer(("127.0.0.1", 0), _Flaky)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_port}"
    httpd.shutdown()


def test_rate_limit_is_retried_with_backoff_then_gives_up(flaky):
    waits = []
    client = n8n_api.Client(flaky, "k", sleep=waits.append)
    assert client.pages("/workflows") == [{"id": "1"}]
    assert waits == [0.0, 0.0] and _Flaky.hits == 3
    _Flaky.hits = -10  # always 429 from here on
    client = n8n_api.Client(flaky, "k", sleep=waits.append, attempts=3)
    with pytest.raises(InputError, match="HTTP 429 on /workflows after retries"):
        client.pages("/workflows")


def test_departed_owner_from_a_user_no_longer_listed():
    snap = n8n_api.Snapshot("http://n8n.test", users=[], credentials=[
        {"id": "c1", "name": "Old key", "type": "slackApi",
         "shared": [{"id": "p1", "name": "Gone Person <gone@acme.test>",
                     "role": "credential:owner"}]}])
    batch = n8n_api.transform(snap, instance="t")
    owner = [n for n in batch.nodes if n.kind == "Owner"]
    assert [(o.id, o.props["status"]) for o in owner] == [("owner:email:gone@acme.test",
                                                            "departed")]
    assert any(e.kind == "OWNS" and e.dst == "secret:n8n:t:c1" for e in batch.edges)


def test_interrupted_collect_leaves_the_store_as_it_was(tmp_path, monkeypatch):
    """Ctrl+C while reading: nothing was written, the last good graph stays."""
    from tests import graphs

    store_dir = tmp_path / "s"
    graphs.load(open_store(store_dir, create=True), graphs.CHAIN, source="before")
    before = sorted(n["id"] for n in open_store(store_dir).nodes())

    def interrupted(client):
        client.on_call("/workflows")
        raise KeyboardInterrupt

    monkeypatch.setattr(n8n_api, "fetch", interrupted)
    monkeypatch.setenv("N8N_API_KEY", "k")
    res = CliRunner().invoke(cli, ["collect", "n8n", "--url", "http://127.0.0.1:9",
                                   "--store", str(store_dir)])
    assert res.exit_code == 130
    assert "interrupted; the store is unchanged" in res.output
    assert sorted(n["id"] for n in open_store(store_dir).nodes()) == before
