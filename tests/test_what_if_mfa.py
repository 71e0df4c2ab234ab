"""``what-if --add-mfa`` on a hand-built graph whose answers are worked out by hand.

    ws-repo (GitHub OIDC) -CAN_ASSUME-> role-deploy -admin-> db (crown jewel)
    wf-job -REFERENCES-> key-bot -AUTHENTICATES_AS-> user-bot -CAN_ASSUME-> role-deploy
                                                      user-bot -read-> logs
    svc-lambda (an AWS service) -CAN_ASSUME-> role-deploy
    actor:anyone (no authentication) and writers -CAN_TRIGGER-> wf-hook -REFERENCES->
    key-hook -write-> crm (crown jewel)

user-bot can also sign in to the console (``interactive_login``), so it is the one caller of
role-deploy a person stands behind; everything else reaches it as a machine.
"""

from __future__ import annotations

import pytest

from graph.embedded import EmbeddedStore
from graph.errors import InputError
from queries.plan import MFA_GATE
from queries.what_if import Plan, what_if
from tests.graphs import load

AS_OF = "2026-06-01T00:00:00Z"
ROLE, USER, HOOK = "role-deploy", "user-bot", "wf-hook"
MFA = (
    [
        ("ws-repo", "Workspace", {"name": "acme/app", "platform": "github"}),
        ("wf-ci", "Workflow", {"name": "ci", "status": "active"}),
        ("wf-job", "Workflow", {"name": "nightly job", "status": "active"}),
        ("wf-hook", "Workflow", {"name": "hook", "status": "active"}),
        ("key-bot", "Secret", {"name": "bot key", "status": "active",
                               "secret_type": "access_key", "access_key_id": "AKIAEXAMPLE"}),
        ("key-hook", "Secret", {"name": "crm token", "status": "active"}),
        (USER, "Identity", {"name": "bot", "identity_type": "user", "status": "active",
                            "interactive_login": True, "mfa_active": False}),
        (ROLE, "Identity", {"name": "deploy", "identity_type": "role"}),
        ("svc-lambda", "Identity", {"name": "lambda.amazonaws.com",
                                    "identity_type": "aws_service"}),
        ("actor:anyone", "Actor", {"name": "anyone on the internet", "actor_type": "anyone"}),
        ("writers", "Actor", {"name": "writers of acme/app", "actor_type": "repo-writers"}),
        ("db", "Resource", {"name": "payments", "crown_jewel": True}),
        ("logs", "Resource", {"name": "logs"}),
        ("crm", "Resource", {"name": "crm", "crown_jewel": True}),
    ],
    [
        ("ws-repo", "CONTAINS", "wf-ci"),
        ("ws-repo", "CAN_ASSUME", ROLE, {"reason": "OIDC trust of repo:acme/app"}),
        ("wf-job", "REFERENCES", "key-bot"),
        ("key-bot", "AUTHENTICATES_AS", USER),
        (USER, "CAN_ASSUME", ROLE),
        (USER, "CAN_ACCESS", "logs", {"access": "read"}),
        ("svc-lambda", "CAN_ASSUME", ROLE),
        (ROLE, "CAN_ACCESS", "db", {"access": "admin"}),
        ("actor:anyone", "CAN_TRIGGER", HOOK, {"trigger": "Webhook", "authentication": "none"}),
        ("writers", "CAN_TRIGGER", HOOK, {"trigger": "workflow_dispatch",
                                          "authentication": "platform-user"}),
        (HOOK, "REFERENCES", "key-hook"),
        ("key-hook", "CAN_ACCESS", "crm", {"access": "write"}),
    ],
)


def _of(r, change):
    return [(x["subject"], x["target"]) for x in r.rows if x["change"] == change]


def _state(store):
    return sorted(n["id"] for n in store.nodes()), sorted(e.key for e in store.edges())


def check_add_mfa(store):
    before = _state(store)
    # (a) the role: all three trust edges go (one of them from a console user, who as a
    # person keeps it with MFA); wf-job loses db through the bot's key, and each cut caller
    # is listed.
    r = what_if(store, Plan(add_mfa=[ROLE]), as_of=AS_OF)
    [done] = r.header["plan"]
    assert done["cut"] == [["svc-lambda", "CAN_ASSUME", ROLE], [USER, "CAN_ASSUME", ROLE],
                           ["ws-repo", "CAN_ASSUME", ROLE]]
    assert done["people"] == [USER]
    assert _of(r, "edge-removed") == [("svc-lambda", ROLE), (USER, ROLE), ("ws-repo", ROLE)]
    assert _of(r, "would-break") == [("wf-job", "db"), ("svc-lambda", ROLE), (USER, ROLE),
                                     ("ws-repo", ROLE)]
    assert r.summary["would_break"] == 4
    assert _of(r, "jewel-path-lost") == [
        ("key-bot", "db"), ("svc-lambda", "db"), (USER, "db"), ("wf-job", "db"),
        ("ws-repo", "db")]
    radius = {x["subject"]: (x["grew"], x["crown_jewels_grew"]) for x in r.rows
              if x["change"] == "blast-radius-shrank"}
    # ws-repo: wf-ci, role-deploy, db -> wf-ci; wf-job: key-bot, bot, logs, role, db ->
    # key-bot, bot, logs; key-bot and bot likewise lose the role and db; lambda loses both.
    assert radius == {"ws-repo": (-2, -1), "wf-job": (-2, -1), "key-bot": (-2, -1),
                      USER: (-2, -1), "svc-lambda": (-2, -1)}
    # (b) the user: its key no longer acts as it; wf-job loses logs and db; console stays.
    r = what_if(store, Plan(add_mfa=[USER]), as_of=AS_OF)
    [done] = r.header["plan"]
    assert done["cut"] == [["key-bot", "AUTHENTICATES_AS", USER]] and done["people"] == []
    assert _of(r, "would-break") == [("wf-job", "db"), ("wf-job", "logs"), ("key-bot", USER)]
    assert _of(r, "jewel-path-lost") == [("key-bot", "db"), ("wf-job", "db")]
    assert _of(r, "edge-removed") == [("key-bot", USER)]
    closed = {x["rule"] for x in r.rows if x["change"] == "finding-closed"}
    assert "human-use" in closed  # no machine logs in as the console user any more
    # (c) the webhook: anyone loses it, the repository's writers keep it behind MFA.
    r = what_if(store, Plan(add_mfa=[HOOK]), as_of=AS_OF)
    [done] = r.header["plan"]
    assert done["cut"] == [["actor:anyone", "CAN_TRIGGER", HOOK]]
    assert done["people"] == ["writers"]
    assert _of(r, "would-break") == [("actor:anyone", HOOK)]
    assert _of(r, "jewel-path-lost") == [("actor:anyone", "crm")]
    assert {x["rule"] for x in r.rows if x["change"] == "finding-closed"} >= \
        {"unauthenticated-trigger"}
    # all three at once: the breaks add up, nothing counted twice
    r = what_if(store, Plan(add_mfa=[ROLE, USER, HOOK]), as_of=AS_OF)
    assert r.summary["would_break"] == 6  # wf-job, lambda, bot, ws-repo, key-bot, anyone
    assert _state(store) == before  # never written


def test_add_mfa(tmp_path):
    check_add_mfa(load(EmbeddedStore(tmp_path / "s"), MFA))


def test_writers_keep_the_trigger_behind_an_mfa_gate(tmp_path):
    from graph.memory import MemoryStore
    from queries import plan

    copy = MemoryStore.copy_of(load(EmbeddedStore(tmp_path / "s"), MFA))
    plan.add_mfa(copy, HOOK)
    assert copy.graph.edges["writers", HOOK, "CAN_TRIGGER"]["gate"] == MFA_GATE
    assert copy.graph.edges["writers", HOOK, "CAN_TRIGGER"]["authentication"] == \
        "platform-user"
    plan.add_mfa(copy, USER)
    assert copy.get_node(USER)["mfa_active"] is True


@pytest.mark.parametrize("target", ["db", "key-bot", "svc-lambda"])
def test_add_mfa_on_something_else_is_one_error(tmp_path, target):
    store = load(EmbeddedStore(tmp_path / "s"), MFA)
    with pytest.raises(InputError, match="MFA can be required on an AWS role, an IAM user"):
        what_if(store, Plan(add_mfa=[target]), as_of=AS_OF)


def test_cli_add_mfa(tmp_path):
    import json

    from click.testing import CliRunner

    from cli import cli

    load(EmbeddedStore(tmp_path / "s"), MFA)
    run = CliRunner().invoke(cli, ["what-if", "--add-mfa", ROLE, "--as-of", AS_OF,
                                   "--format", "json", "--store", str(tmp_path / "s")])
    assert run.exit_code == 0, run.output
    rows = json.loads(run.output)["changes"]
    assert [(x["subject"], x["target"]) for x in rows if x["change"] == "would-break"] == \
        [("wf-job", "db"), ("svc-lambda", ROLE), (USER, ROLE), ("ws-repo", ROLE)]
    bad = CliRunner().invoke(cli, ["what-if", "--add-mfa", "db", "--store",
                                   str(tmp_path / "s")])
    assert bad.exit_code != 0 and len(bad.output.strip().splitlines()) == 1


def test_parity_on_neo4j(neo4j_store, tmp_path):
    load(neo4j_store, MFA)
    check_add_mfa(neo4j_store)
    emb = load(EmbeddedStore(tmp_path / "s"), MFA)
    plan = Plan(add_mfa=[ROLE, USER, HOOK])
    assert what_if(neo4j_store, plan, as_of=AS_OF).rows == what_if(emb, plan, as_of=AS_OF).rows
