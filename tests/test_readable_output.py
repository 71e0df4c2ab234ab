"""``blast-radius --paths``: each path to a system or resource one hop per line, grouped by
the system reached, names by default and ids with ``--ids`` (worked out by hand on the chain
graph); JSON is the same with or without it. And no command's table output on the sample
estate holds a Python dict or list repr."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

import sample_estate
from cli import cli
from graph.embedded import EmbeddedStore
from tests import graphs

CHAIN_TREE = """\
Blast radius of deploy (wf): 2 system(s)/resource(s) reached
aws-prod (acct) [System]
  aws-prod (acct): admin
    deploy (wf)
      --USES--> deploy job (conn)
      --AUTHENTICATES_WITH--> deploy key (key)
      --AUTHENTICATES_AS--> deploy-role
      --CAN_ASSUME [trust allows deploy-role]--> admin-role
      --CAN_ACCESS [admin AdministratorAccess]--> aws-prod (acct)
  pii (bucket): admin, crown jewel
    deploy (wf)
      --USES--> deploy job (conn)
      --AUTHENTICATES_WITH--> deploy key (key)
      --AUTHENTICATES_AS--> deploy-role
      --CAN_ASSUME [trust allows deploy-role]--> admin-role
      --CAN_ACCESS [admin AdministratorAccess]--> aws-prod (acct)
      --CONTAINS--> pii (bucket)
also reached on the way: 1 Connector, 2 Identity, 2 Secret
"""
DEPLOY = "workflow:github:acme/infra:.github/workflows/deploy.yml"


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


@pytest.fixture
def chain(tmp_path):
    path = tmp_path / "s"
    graphs.fresh(graphs.CHAIN, path)
    return path


def test_blast_radius_paths_grouped_by_system(chain):
    r = run("blast-radius", "wf", "--paths", "--store", chain)
    assert r.exit_code == 0, r.output
    assert r.output == CHAIN_TREE


def test_blast_radius_paths_with_ids(chain):
    r = run("blast-radius", "deploy", "--paths", "--ids", "--store", chain)
    lines = r.output.splitlines()
    assert lines[:4] == ["Blast radius of wf: 2 system(s)/resource(s) reached",
                         "acct [System]", "  acct: admin", "    wf"]
    assert "      --CONTAINS--> bucket" in lines
    assert "(" not in "".join(lines[1:-1])  # no "name (id)" labels


def test_paths_leave_json_unchanged(chain):
    plain = run("blast-radius", "wf", "--format", "json", "--store", chain)
    with_paths = run("blast-radius", "wf", "--paths", "--format", "json", "--store", chain)
    assert json.loads(plain.output) == json.loads(with_paths.output)
    assert [r["id"] for r in json.loads(plain.output)["reachable"]][:2] == ["bucket", "acct"]


def test_no_dict_or_list_repr_on_the_sample_estate(tmp_path):
    store = tmp_path / "estate"
    sample_estate.load(EmbeddedStore(store))
    commands = [["stats"], ["blast-radius", DEPLOY], ["blast-radius", DEPLOY, "--paths"],
                ["inbound", "resource:aws:arn:aws:s3:::acme-customer-pii"],
                ["path", DEPLOY, "resource:aws:arn:aws:s3:::acme-customer-pii"],
                ["blast-radius-all"], ["shared-credentials"], ["orphans"], ["entry-points"],
                ["findings"], ["search", "deploy"], ["explain", DEPLOY]]
    for words in commands:
        r = run(*words, "--store", store)
        assert r.exit_code == 0, (words, r.output)
        assert "{'" not in r.output and "['" not in r.output, words
    tree = run("blast-radius", DEPLOY, "--paths", "--store", store).output
    assert "--CAN_ACCESS" in tree and "[System]" in tree


def _table(*args):
    r = run(*args)
    assert r.exit_code == 0, r.output
    return r.output.splitlines()


def test_tables_show_names_and_ids_on_request(chain):
    lines = _table("blast-radius", "wf", "--store", chain)
    assert lines[0] == "Blast radius of deploy (wf)"
    assert lines[1].split()[:2] == ["kind", "name"]  # the id column gives way to the name
    assert lines[3].split()[:3] == ["Resource", "pii", "admin"]
    lines = _table("blast-radius", "wf", "--ids", "--store", chain)
    assert lines[0] == "Blast radius of wf"
    assert lines[3].split()[:3] == ["bucket", "Resource", "pii"]
    lines = _table("inbound", "bucket", "--store", chain)
    assert lines[0] == "Who can reach pii (bucket)"
    assert _table("inbound", "bucket", "--ids", "--store", chain)[0] == "Who can reach bucket"


def test_orphans_reaches_named_and_csv_keeps_ids(chain):
    named = "\n".join(_table("orphans", "--store", chain))
    ids = "\n".join(_table("orphans", "--ids", "--store", chain))
    # deploy-role has no owner and reaches the account and the bucket
    assert "aws-prod, pii" in named and "acct, bucket" not in named
    assert "acct, bucket" in ids
    csv_text = run("orphans", "--format", "csv", "--store", chain).output
    assert "acct, bucket" in csv_text and "deploy-role" in csv_text
