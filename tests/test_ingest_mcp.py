"""MCP client configurations: exact nodes and edges on the fixtures of tests/data/mcp/
(Claude Desktop, Cursor, VS Code with JSONC and inputs, Windsurf), skipping, no value kept,
and one token shared by an MCP config and an n8n workflow joining the two."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

import cli
from graph.embedded import EmbeddedStore
from graph.fingerprint import fingerprint
from graph.records import validate
from ingest.mcp import parse
from ingest.mcp.read import strip_jsonc
from ingest.pipeline import ingest
from queries import blast_radius, shared_credentials
from tests.planting import graph_of, plant

DATA = Path(__file__).parent / "data" / "mcp"


def token(i: int) -> str:
    """A GitHub-format token nobody holds (``ghp_`` and 36 characters)."""
    return "ghp_" + hashlib.sha256(f"mcp-test-{i}".encode()).hexdigest()[:36]


def planted(tmp_path: Path, sub: str) -> tuple[Path, list[str]]:
    """The fixture ``sub`` copied with each CANARY_VALUE replaced by its own token."""
    return tmp_path / sub, plant(DATA / sub, tmp_path / sub, token)


def test_claude_desktop_exact(tmp_path):
    path, values = planted(tmp_path, "claude")
    batch = parse(path, machine="laptop")
    nodes, edges = graph_of(batch)
    w = "workflow:mcp:laptop:claude_desktop_config.json"
    a = "agent:mcp:laptop:claude_desktop_config.json"
    c = "connector:mcp:laptop:claude_desktop_config.json:"
    s = "secret:mcp:laptop:claude_desktop_config.json:"
    assert nodes == {
        ("Workspace", "workspace:mcp:laptop"), ("Workflow", w), ("Agent", a),
        ("Connector", c + "github"), ("Connector", c + "postgres"),
        ("Connector", c + "filesystem"),
        ("Secret", s + "github:env.GITHUB_PERSONAL_ACCESS_TOKEN"),
        ("Secret", s + "postgres:args[2]"),
        ("System", "system:saas:github"), ("System", "system:postgres:db.internal"),
    }
    assert edges == {
        ("workspace:mcp:laptop", "CONTAINS", w), (w, "USES", a),
        *((w, "USES", c + x) for x in ("github", "postgres", "filesystem")),
        *((a, "CAN_INVOKE", c + x) for x in ("github", "postgres", "filesystem")),
        (c + "github", "TARGETS", "system:saas:github"),
        (c + "github", "EMBEDS", s + "github:env.GITHUB_PERSONAL_ACCESS_TOKEN"),
        (s + "github:env.GITHUB_PERSONAL_ACCESS_TOKEN", "CAN_ACCESS", "system:saas:github"),
        (c + "postgres", "TARGETS", "system:postgres:db.internal"),
        (c + "postgres", "EMBEDS", s + "postgres:args[2]"),
        (s + "postgres:args[2]", "CAN_ACCESS", "system:postgres:db.internal"),
    }
    by_id = {n.id: n.props for n in batch.nodes}
    assert by_id[a]["node_type"] == "claude-desktop"
    assert by_id[a]["tools"] == ["filesystem", "github", "postgres"]
    assert by_id[c + "github"]["package"] == "@modelcontextprotocol/server-github"
    assert by_id[c + "github"]["pinned"] is False
    assert (by_id[c + "postgres"]["version"], by_id[c + "postgres"]["pinned"]) == ("0.6.2", True)
    gh = by_id[s + "github:env.GITHUB_PERSONAL_ACCESS_TOKEN"]
    assert (gh["fingerprint"], gh["detector"], gh["store"]) == \
        (fingerprint(values[0]), "github-token", "embedded")
    pg = by_id[s + "postgres:args[2]"]
    assert (pg["fingerprint"], pg["detector"], pg["secret_type"]) == \
        (fingerprint(values[1]), "url-password", "password")
    assert not any(v in repr(batch) for v in values)
    validate(batch)


def test_cursor_exact(tmp_path):
    path, values = planted(tmp_path, "cursor")
    nodes, edges = graph_of(parse(path, machine="laptop"))
    c = "connector:mcp:laptop:.cursor/mcp.json:"
    s = "secret:mcp:laptop:.cursor/mcp.json:"
    secrets = {i for k, i in nodes if k == "Secret"}
    assert secrets == {s + "slack:env.SLACK_BOT_TOKEN", s + "internal-api:headers.Authorization",
                       s + "stripe:args[3]", "secret:mcp:laptop:env:SENTRY_TOKEN"}
    assert {i for k, i in nodes if k == "System"} == {
        "system:saas:slack", "system:http:mcp.linear.app", "system:http:mcp.acme.example",
        "system:saas:stripe", "system:saas:sentry"}
    assert {(x, k, y) for x, k, y in edges if k in ("EMBEDS", "REFERENCES", "CAN_ACCESS")} == {
        (c + "slack", "EMBEDS", s + "slack:env.SLACK_BOT_TOKEN"),
        (s + "slack:env.SLACK_BOT_TOKEN", "CAN_ACCESS", "system:saas:slack"),
        (c + "internal-api", "EMBEDS", s + "internal-api:headers.Authorization"),
        (s + "internal-api:headers.Authorization", "CAN_ACCESS", "system:http:mcp.acme.example"),
        (c + "stripe", "EMBEDS", s + "stripe:args[3]"),
        (s + "stripe:args[3]", "CAN_ACCESS", "system:saas:stripe"),
        (c + "sentry", "REFERENCES", "secret:mcp:laptop:env:SENTRY_TOKEN"),
        ("secret:mcp:laptop:env:SENTRY_TOKEN", "CAN_ACCESS", "system:saas:sentry"),
    }
    # The remote server with no credential still reaches its system; the Slack team id
    # (a non-secret identifier) and the `-y` flag's package are no secrets.
    assert (c + "linear", "TARGETS", "system:http:mcp.linear.app") in edges
    assert len(edges) == 1 + 1 + 5 * 2 + 5 + 8 + 1  # CONTAINS x2, USES, CAN_INVOKE, TARGETS


def test_vscode_jsonc_inputs_exact(tmp_path):
    path, values = planted(tmp_path, "vscode")
    batch = parse(path, machine="ide")
    nodes, edges = graph_of(batch)
    c = "connector:mcp:ide:.vscode/mcp.json:"
    s = "secret:mcp:ide:.vscode/mcp.json:"
    assert {i for k, i in nodes if k == "Secret"} == {
        s + "input:github-token", s + "input:perplexity-key", s + "fetch:env.OPENAI_API_KEY"}
    assert {i for k, i in nodes if k == "Connector"} == {
        c + x for x in ("github", "perplexity", "fetch", "scratch")}
    assert {(x, k, y) for x, k, y in edges if k in ("EMBEDS", "REFERENCES", "CAN_ACCESS",
                                                    "TARGETS")} == {
        (c + "github", "TARGETS", "system:http:api.githubcopilot.com"),
        (c + "github", "REFERENCES", s + "input:github-token"),
        (s + "input:github-token", "CAN_ACCESS", "system:http:api.githubcopilot.com"),
        (c + "perplexity", "REFERENCES", s + "input:perplexity-key"),
        (c + "fetch", "TARGETS", "system:saas:openai"),
        (c + "fetch", "EMBEDS", s + "fetch:env.OPENAI_API_KEY"),
        (s + "fetch:env.OPENAI_API_KEY", "CAN_ACCESS", "system:saas:openai"),
    }
    props = {n.id: n.props for n in batch.nodes}
    assert props[s + "input:github-token"]["name"] == "GitHub personal access token"
    assert props[s + "input:github-token"]["store"] == "client-prompt"
    assert "fingerprint" not in props[s + "input:github-token"]
    assert props[c + "perplexity"]["package"] == "mcp/perplexity-ask"
    assert props[c + "perplexity"]["registry"] == "docker"
    assert props["agent:mcp:ide:.vscode/mcp.json"]["node_type"] == "vscode"
    assert batch.skipped == [] and batch.notes == []


def test_windsurf_env_refs_disabled_and_bad_server():
    batch = parse(DATA / "windsurf", machine="m")
    nodes, edges = graph_of(batch)
    assert {i for k, i in nodes if k == "Secret"} == {"secret:mcp:m:env:NOTION_TOKEN",
                                                      "secret:mcp:m:env:GITLAB_TOKEN"}
    props = {n.id: n.props for n in batch.nodes}
    assert props["connector:mcp:m:mcp_config.json:gitlab"]["status"] == "disabled"
    assert props["agent:mcp:m:mcp_config.json"]["tools"] == ["gitlab", "notion"]
    assert batch.notes == [f"{DATA / 'windsurf' / 'mcp_config.json'}: servers.broken: a JSON "
                           "str, not a server object; skipped"]
    assert ("connector:mcp:m:mcp_config.json:notion", "TARGETS",
            "system:http:mcp.notion.com") in edges


def test_one_env_variable_is_one_secret_per_machine(tmp_path):
    for name in ("a", "b"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "mcp.json").write_text(json.dumps({"mcpServers": {"gh": {
            "command": "npx", "args": ["-y", "@modelcontextprotocol/server-github"],
            "env": {"GITHUB_PERSONAL_ACCESS_TOKEN": "${GITHUB_TOKEN}"}}}}))
    nodes, edges = graph_of(parse(tmp_path, machine="box"))
    assert {i for k, i in nodes if k == "Secret"} == {"secret:mcp:box:env:GITHUB_TOKEN"}
    assert {x for x, k, y in edges if k == "REFERENCES"} == {
        "connector:mcp:box:a/mcp.json:gh", "connector:mcp:box:b/mcp.json:gh"}


def test_jsonc_strip_keeps_strings():
    text = '{"a": "http://x//y", /* c */ "b": [1, 2,], // end\n}'
    assert json.loads(strip_jsonc(text)) == {"a": "http://x//y", "b": [1, 2]}


@pytest.mark.parametrize("body, reason", [
    ("[1, 2]", "not an MCP client configuration (a JSON list"),
    ('{"name": "x"}', "no mcpServers, servers or mcp.servers"),
    ('{"mcpServers": [1]}', "mcpServers is a JSON list"),
    ('{"mcpServers": ', "invalid JSON at line 1"),
])
def test_bad_file_is_skipped_with_its_reason(tmp_path, body, reason):
    (tmp_path / "bad.json").write_text(body)
    (tmp_path / "ok.json").write_text('{"mcp": {"servers": {"s": {"command": "node"}}}}')
    batch = parse(tmp_path, machine="m")
    assert len(batch.skipped) == 1 and reason in batch.skipped[0]
    assert batch.skipped[0].startswith(str(tmp_path / "bad.json"))
    assert ("Connector", "connector:mcp:m:ok.json:s") in graph_of(batch)[0]


def test_cli_bad_input_exit_2_store_unchanged(tmp_path):
    store = tmp_path / "store"
    bad = tmp_path / "bad.json"
    bad.write_text('{"servers": 3}')
    res = CliRunner().invoke(cli.cli, ["ingest", "mcp", str(bad), "--strict",
                                       "--store", str(store)])
    assert res.exit_code == 2 and str(bad) in res.output
    empty = tmp_path / "empty"
    empty.mkdir()
    res = CliRunner().invoke(cli.cli, ["ingest", "mcp", str(empty), "--store", str(store)])
    assert res.exit_code == 2 and "no .json files" in res.output


N8N = {"id": "wf1", "name": "Sync issues", "active": True, "connections": {}, "nodes": [
    {"id": "n1", "name": "Call GitHub", "type": "n8n-nodes-base.httpRequest", "typeVersion": 4,
     "position": [0, 0], "parameters": {
         "url": "https://api.github.com/repos/acme/app/issues", "sendHeaders": True,
         "headerParameters": {"parameters": [{"name": "Authorization",
                                              "value": "Bearer TOKEN"}]}}}]}


def test_mcp_and_n8n_join_through_one_token(tmp_path):
    shared = token(99)
    (tmp_path / "n8n").mkdir()
    (tmp_path / "n8n" / "wf.json").write_text(json.dumps(N8N).replace("TOKEN", shared))
    (tmp_path / "mcp").mkdir()
    (tmp_path / "mcp" / "claude_desktop_config.json").write_text(json.dumps({"mcpServers": {
        "github": {"command": "npx", "args": ["-y", "@modelcontextprotocol/server-github"],
                   "env": {"GITHUB_PERSONAL_ACCESS_TOKEN": shared}}}}))
    store = EmbeddedStore(tmp_path / "store", create=True)
    ingest("n8n", [tmp_path / "n8n"], store, source="n8n")
    ingest("mcp", [tmp_path / "mcp"], store, source="mcp", options={"machine": "laptop"})
    g = store.graph
    mcp_secret = "secret:mcp:laptop:claude_desktop_config.json:github:env." \
        "GITHUB_PERSONAL_ACCESS_TOKEN"
    n8n_secrets = [n for n, k in g.nodes(data="kind") if k == "Secret" and n.startswith(
        "secret:n8n:")]
    assert len(n8n_secrets) == 1
    same = {frozenset((a, b)) for a, b, k in g.edges(keys=True) if k == "SAME_VALUE_AS"}
    assert same == {frozenset((mcp_secret, n8n_secrets[0]))}
    # The desktop agent reaches the n8n workflow's credential and GitHub through the token.
    reach = {r["id"] for r in blast_radius(store, "agent:mcp:laptop:claude_desktop_config."
                                                  "json").rows}
    assert {mcp_secret, n8n_secrets[0], "system:saas:github"} <= reach
    rows = shared_credentials(store).rows
    assert any({"workflow:mcp:laptop:claude_desktop_config.json"} <= set(r["workflows"]) and
               any(w.startswith("workflow:n8n:") for w in r["workflows"]) for r in rows)
    assert not any(shared.encode() in p.read_bytes()
                   for p in (tmp_path / "store").rglob("*") if p.is_file())


def test_bare_env_args_env_file_and_predefined_variables(tmp_path):
    (tmp_path / "mcp.json").write_text(json.dumps({"servers": {"db": {
        "type": "stdio", "command": "npx", "envFile": "${workspaceFolder}/.env",
        "args": ["envmcp", "my-db-server", "$DATABASE_URL", "${workspaceFolder}/data"]}}}))
    nodes, edges = graph_of(parse(tmp_path, machine="m"))
    assert {i for k, i in nodes if k == "Secret"} == {
        "secret:mcp:m:env:DATABASE_URL", "secret:mcp:m:env-file:${workspaceFolder}/.env"}
    assert {(x, k, y) for x, k, y in edges if k == "REFERENCES"} == {
        ("connector:mcp:m:mcp.json:db", "REFERENCES", "secret:mcp:m:env:DATABASE_URL"),
        ("connector:mcp:m:mcp.json:db", "REFERENCES",
         "secret:mcp:m:env-file:${workspaceFolder}/.env")}


def test_a_url_urllib_refuses_keeps_the_server_without_a_system(tmp_path):
    """Found by `make fuzz`: "https://mcp.not]on.com" made urlsplit raise (an invalid IPv6
    host) and the whole file was lost; a bad port did the same. The server stays, with no
    system, and the rest of the file is read."""
    (tmp_path / "mcp_config.json").write_text(json.dumps({"mcpServers": {
        "notion": {"serverUrl": "https://mcp.not]on.com/mcp"},
        "db": {"command": "pg", "args": ["postgres://u@db.internal:notaport/x"]},
        "gitlab": {"serverUrl": "https://gitlab.example/mcp"}}}))
    nodes, edges = graph_of(parse(tmp_path / "mcp_config.json", machine="m"))
    connectors = {i for k, i in nodes if k == "Connector"}
    assert connectors == {f"connector:mcp:m:mcp_config.json:{s}" for s in ("notion", "db",
                                                                         "gitlab")}
    targets = {(s, d) for s, k, d in edges if k == "TARGETS"}
    assert targets == {("connector:mcp:m:mcp_config.json:gitlab", "system:http:gitlab.example")}
