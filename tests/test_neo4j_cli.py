"""The command line on a Neo4j target: ``demo`` loads the sample estate (and refuses a
database holding other data unless --replace), analyses run against it, and connection
problems are one line and exit 2 with the password nowhere in the output."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from cli import cli
from tests.neo4j_server import DATABASE, USER, _free_port


@pytest.fixture
def env(bolt_server, neo4j_store):
    return {"NEO4J_USER": USER, "NEO4J_PASSWORD": bolt_server.password,
            "NEO4J_DATABASE": DATABASE, "NEO4J_URI": bolt_server.uri}


def _run(args, env):
    return CliRunner().invoke(cli, args, env=env, catch_exceptions=False)


def test_demo_loads_the_sample_estate_like_the_embedded_store(env, tmp_path):
    out = _run(["demo"], env)
    assert out.exit_code == 0, out.output
    assert f"loaded into {env['NEO4J_URI']} (database g)" in out.output
    again = _run(["demo"], env)  # its own sources: allowed, and converges
    assert again.exit_code == 0, again.output
    emb = _run(["demo", "--store", str(tmp_path / "e")], {})
    assert emb.exit_code == 0
    # the summary lines after the load are the same on both stores
    tail = lambda text: text.split("\n\n", 1)[1].split("\n", 1)[1]  # noqa: E731
    assert tail(again.output) == tail(emb.output)
    neo = json.loads(_run(["stats", "--format", "json"], env).output)
    ref = json.loads(_run(["stats", "--format", "json", "--store", str(tmp_path / "e")],
                          {}).output)
    assert (neo["nodes_by_kind"], neo["edges_by_kind"]) == (ref["nodes_by_kind"],
                                                             ref["edges_by_kind"])
    assert neo["backend"] == "neo4j" and neo["nodes"] == ref["nodes"] > 100
    assert neo["sources"] == ref["sources"]
    br = _run(["blast-radius", "--format", "json",
               "workflow:github:acme/infra:.github/workflows/deploy.yml"], env)
    assert br.exit_code == 0 and json.loads(br.output)["summary"]["reachable"] > 0


def test_demo_refuses_a_database_with_other_data(env, neo4j_store):
    neo4j_store._write("CREATE (:Movie {title: 'Heat'})")
    try:
        refused = _run(["demo"], env)
        assert refused.exit_code == 2
        assert refused.output.startswith("error: the database at ") and \
            "holds data nhigraph did not write (a Movie node)" in refused.output
        assert neo4j_store.is_empty()
        replaced = _run(["demo", "--replace"], env)
        assert replaced.exit_code == 0, replaced.output
        # --replace replaces nhigraph's data; what others keep there stays
        assert neo4j_store._read("MATCH (m:Movie) RETURN m.title AS t") == [{"t": "Heat"}]
    finally:
        neo4j_store._write("MATCH (m:Movie) DETACH DELETE m")


@pytest.mark.parametrize("case", ["password", "down", "database", "uri"])
def test_connection_problems_are_one_line_exit_2(case, env, bolt_server):
    env = dict(env)
    if case == "password":
        env["NEO4J_PASSWORD"] = "s3cret-but-wrong"
        expected = "wrong user or password"
    elif case == "down":
        env["NEO4J_URI"] = f"bolt://127.0.0.1:{_free_port()}"
        expected = "cannot reach Neo4j at bolt://127.0.0.1:"
    elif case == "database":
        env["NEO4J_DATABASE"] = "nope"
        expected = "there is no database 'nope'"
    else:
        env["NEO4J_URI"] = "http://127.0.0.1:1"
        expected = "not a usable Neo4j URI"
    out = _run(["stats"], env)
    assert out.exit_code == 2
    lines = out.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and expected in lines[0]
    assert env["NEO4J_PASSWORD"] not in out.output and "Traceback" not in out.output


def test_flags_override_env(env, bolt_server):
    env = dict(env, NEO4J_URI=f"bolt://127.0.0.1:{_free_port()}", NEO4J_DATABASE="nope")
    out = _run(["stats", "--neo4j", bolt_server.uri, "--neo4j-database", DATABASE], env)
    assert out.exit_code == 0, out.output
    assert f"store: neo4j at {bolt_server.uri} (database g)" in out.output
