"""GitHub Actions entry points (ingest/github/triggers.py) on workflow files written from
GitHub's documentation of workflow events: the exact CAN_TRIGGER edge of every event, the
fork pull request gate, and environments whose required reviewers gate the jobs (and
secrets) behind them; plus Airflow's schedule=None DAGs (ingest/airflow/triggers.py)."""

from __future__ import annotations

import json

import pytest
import yaml

from graph.embedded import EmbeddedStore
from ingest.pipeline import ingest
from queries.entry_points import entry_points, gated_reach

REPO = "acme/app"
W = f"workflow:github:{REPO}:.github/workflows/"
ANY, WRITERS = "actor:github:any-user", f"actor:github:{REPO}:writers"
FORK = "fork pull request: no secrets, read-only GITHUB_TOKEN"


def load(tmp_path, files: dict, **options):
    wf = tmp_path / "repo" / ".github" / "workflows"
    wf.mkdir(parents=True, exist_ok=True)
    for name, doc in files.items():
        (wf / name).write_text(yaml.safe_dump(doc) if isinstance(doc, dict) else doc)
    store = EmbeddedStore(tmp_path / "store")
    batch, _ = ingest("github-actions", tmp_path / "repo", store,
                      options={"repo": REPO, **options})
    return store, batch


def job(*secrets, env=None):
    j = {"runs-on": "ubuntu-latest",
         "steps": [{"run": "make " + " ".join(f"${{{{ secrets.{s} }}}}" for s in secrets)}]}
    if env:
        j["environment"] = env
    return j


def edges(store):
    return {(e.src, e.dst.rsplit("/", 1)[-1], e.props["authentication"], e.props.get("gate"))
            for e in store.edges("CAN_TRIGGER")}


ANY_USER = ["pull_request_target", "issue_comment", "issues", "pull_request_review",
            "pull_request_review_comment", "discussion", "discussion_comment", "workflow_run",
            "fork", "watch"]
WRITER = ["push", "workflow_dispatch", "schedule", "repository_dispatch", "release",
          "create", "delete", "merge_group"]


@pytest.mark.parametrize("event", ANY_USER)
def test_events_any_github_user_can_cause(tmp_path, event):
    store, _ = load(tmp_path, {"w.yml": f"on: {event}\njobs:\n  a:\n    runs-on: x\n"
                                        "    steps: [{run: echo}]\n"})
    assert edges(store) == {(ANY, "w.yml", "none", None)}


@pytest.mark.parametrize("event", WRITER)
def test_events_only_repository_writers_cause(tmp_path, event):
    store, _ = load(tmp_path, {"w.yml": {"on": {event: None}, "jobs": {"a": job()}}})
    assert edges(store) == {(WRITERS, "w.yml", "platform-user", None)}
    assert store.get_node(WRITERS)["actor_type"] == "repo-writers"


def test_pull_request_is_writers_ungated_and_any_user_behind_the_fork_gate(tmp_path):
    store, _ = load(tmp_path, {"ci.yml": {"on": ["pull_request", "push"], "jobs": {"t": job()}}})
    assert edges(store) == {(ANY, "ci.yml", "none", FORK),
                            (WRITERS, "ci.yml", "platform-user", None)}
    (w,) = [e for e in store.edges("CAN_TRIGGER") if e.src == WRITERS]
    assert w.props["trigger"] == "on: pull_request, on: push"


def test_workflow_call_is_not_an_entry_point(tmp_path):
    store, _ = load(tmp_path, {"lib.yml": {"on": {"workflow_call": None}, "jobs": {"a": job()}}})
    assert edges(store) == set()


ENVIRONMENTS = {"total_count": 2, "environments": [
    {"id": 1, "name": "production", "protection_rules": [
        {"id": 3, "type": "wait_timer", "wait_timer": 5},
        {"id": 4, "type": "required_reviewers", "prevent_self_review": True, "reviewers": [
            {"type": "User", "reviewer": {"login": "alice", "id": 9}},
            {"type": "Team", "reviewer": {"slug": "release", "name": "Release"}}]}],
     "deployment_branch_policy": {"protected_branches": True, "custom_branch_policies": False}},
    {"id": 2, "name": "preview", "protection_rules": [{"id": 5, "type": "branch_policy"}]},
]}
GATE = "environment production: required reviewers (alice, release)"


def pwn(tmp_path, environments=True):
    doc = {"on": {"pull_request_target": {"types": ["opened"]}},
           "jobs": {"preview": job("PREVIEW_TOKEN", env="preview"),
                    "promote": job("PROD_DEPLOY_KEY", env="production")}}
    opts = {}
    if environments:
        (tmp_path / "envs.json").write_text(json.dumps(ENVIRONMENTS))
        opts["environments"] = str(tmp_path / "envs.json")
    (tmp_path / "prod.json").write_text(json.dumps([{"name": "PROD_DEPLOY_KEY",
                                                     "updatedAt": "2026-01-01T00:00:00Z"}]))
    opts["env_secrets"] = [f"production={tmp_path / 'prod.json'}"]
    return load(tmp_path, {"preview.yml": doc}, **opts)


def test_required_reviewers_gate_the_job_and_its_environment_secret(tmp_path):
    store, _ = pwn(tmp_path)
    uses = {e.dst.rsplit(":", 1)[-1]: e.props.get("gate") for e in store.edges("USES")}
    assert uses == {"preview": None, "promote": GATE}
    reach = gated_reach(store, [W + "preview.yml"])
    assert reach[f"secret:github:{REPO}:PREVIEW_TOKEN"] is None
    assert reach[f"secret:github:{REPO}:env:production:PROD_DEPLOY_KEY"] == GATE
    (row,) = entry_points(store).rows
    assert (row["actor"], row["gate"], row["secrets"]) == (
        ANY, None, [f"secret:github:{REPO}:PREVIEW_TOKEN"])
    assert f"secret:github:{REPO}:env:production:PROD_DEPLOY_KEY [{GATE}]" in \
        row["gated_targets"]


def test_without_the_environments_export_the_path_is_ungated(tmp_path):
    store, _ = pwn(tmp_path, environments=False)
    assert all(not e.props.get("gate") for e in store.edges("USES"))
    reach = gated_reach(store, [W + "preview.yml"])
    assert reach[f"secret:github:{REPO}:env:production:PROD_DEPLOY_KEY"] is None


def test_an_environments_file_of_the_wrong_shape_is_skipped(tmp_path):
    (tmp_path / "bad.json").write_text(json.dumps([{"name": "production"}]))
    _, batch = load(tmp_path, {"w.yml": {"on": "push", "jobs": {"a": job()}}},
                    environments=str(tmp_path / "bad.json"))
    assert batch.skipped == [f"{tmp_path / 'bad.json'}: not `gh api repos/OWNER/REPO/"
                             "environments` output (no 'environments' list)"]


def test_airflow_schedule_none_dag_is_triggered_by_api_credential_holders(tmp_path):
    dags = tmp_path / "dags"
    dags.mkdir()
    (dags / "backfill.py").write_text(
        'from airflow import DAG\nwith DAG(dag_id="backfill", schedule=None) as dag:\n'
        '    PostgresOperator(task_id="t", postgres_conn_id="billing_db")\n')
    (dags / "nightly.py").write_text(
        'with DAG("nightly", schedule="@daily") as dag:\n    pass\n')
    (dags / "legacy.py").write_text(
        'dag = DAG("legacy", schedule_interval=None)\n')
    store = EmbeddedStore(tmp_path / "store")
    ingest("airflow", dags, store, options={"deployment": "d"})
    got = {(e.src, e.dst, e.props["authentication"]) for e in store.edges("CAN_TRIGGER")}
    assert got == {("actor:airflow:d:api-users", "workflow:airflow:d:backfill", "platform-user"),
                   ("actor:airflow:d:api-users", "workflow:airflow:d:legacy", "platform-user")}
    assert store.get_node("workflow:airflow:d:backfill")["trigger"] == "manual"
    assert store.get_node("workflow:airflow:d:nightly")["trigger"] == "schedule"
