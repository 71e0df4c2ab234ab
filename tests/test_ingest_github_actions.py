"""GitHub Actions ingester on fixtures (tests/data/github): jobs, secrets by scope,
GITHUB_TOKEN permissions, environments, unpinned third-party actions receiving secrets,
OIDC to AWS/Azure/GCP, bad files skipped."""

from __future__ import annotations

from pathlib import Path

from graph.embedded import EmbeddedStore
from graph.records import validate
from graph.stitch import stitch
from ingest import github
from queries import blast_radius, inbound

DATA = Path(__file__).parent / "data" / "github"
R = "acme/shipping-api"
WF = ".github/workflows/"
C = f"connector:github:{R}:{WF}"
S = f"secret:github:{R}:"
W = f"workflow:github:{R}:{WF}"
T = f"identity:github:{R}:{WF}"
ROLE = "identity:aws:arn:aws:iam::111122223333:role/gha-shipping-deploy"
AZURE = ("identity:azure:aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee:"
         "00000000-1111-2222-3333-444444444444")
GCP = "identity:gcp:acme-build:releaser@acme-build.iam.gserviceaccount.com"
REPO = f"resource:github:{R}"

NODES = {
    C + "ci.yml:test", C + "ci.yml:test:step:2", C + "deploy.yml:build", C + "deploy.yml:deploy",
    C + "deploy.yml:deploy:step:3", C + "release.yaml:publish", C + "release.yaml:publish:step:2",
    ROLE, AZURE, GCP,
    T + "ci.yml:GITHUB_TOKEN", T + "deploy.yml:GITHUB_TOKEN", T + "release.yaml:GITHUB_TOKEN",
    REPO,
    S + "CODECOV_TOKEN", S + "NPM_TOKEN", S + "OLD_DEPLOY_KEY", S + "PYPI_TOKEN",
    S + "env:production:SLACK_BOT_TOKEN",
    "system:github:acme", "system:saas:codecov", "system:saas:npm", "system:saas:pypi",
    "system:saas:slack",
    W + "ci.yml", W + "deploy.yml", W + "release.yaml",
    f"workspace:github:{R}",
    "actor:github:any-user", f"actor:github:{R}:writers",  # who can start them
}
EDGES = {
    (C + "ci.yml:test", "AUTHENTICATES_WITH", T + "ci.yml:GITHUB_TOKEN"),
    (C + "ci.yml:test", "REFERENCES", S + "CODECOV_TOKEN"),
    (C + "ci.yml:test:step:2", "REFERENCES", S + "CODECOV_TOKEN"),
    (C + "ci.yml:test:step:2", "TARGETS", "system:saas:codecov"),
    (C + "deploy.yml:build", "AUTHENTICATES_WITH", T + "deploy.yml:GITHUB_TOKEN"),
    (C + "deploy.yml:build", "REFERENCES", S + "NPM_TOKEN"),
    (C + "deploy.yml:deploy", "AUTHENTICATES_WITH", T + "deploy.yml:GITHUB_TOKEN"),
    (C + "deploy.yml:deploy", "CAN_ASSUME", ROLE),
    (C + "deploy.yml:deploy", "REFERENCES", S + "env:production:SLACK_BOT_TOKEN"),
    (C + "deploy.yml:deploy:step:3", "REFERENCES", S + "env:production:SLACK_BOT_TOKEN"),
    (C + "deploy.yml:deploy:step:3", "TARGETS", "system:saas:slack"),
    (C + "release.yaml:publish", "AUTHENTICATES_WITH", T + "release.yaml:GITHUB_TOKEN"),
    (C + "release.yaml:publish", "CAN_ASSUME", AZURE),
    (C + "release.yaml:publish", "CAN_ASSUME", GCP),
    (C + "release.yaml:publish", "REFERENCES", S + "PYPI_TOKEN"),
    (C + "release.yaml:publish:step:2", "REFERENCES", S + "PYPI_TOKEN"),
    (C + "release.yaml:publish:step:2", "TARGETS", "system:saas:pypi"),
    (T + "ci.yml:GITHUB_TOKEN", "CAN_ACCESS", REPO),
    (T + "deploy.yml:GITHUB_TOKEN", "CAN_ACCESS", REPO),
    (T + "release.yaml:GITHUB_TOKEN", "CAN_ACCESS", REPO),
    (S + "CODECOV_TOKEN", "CAN_ACCESS", "system:saas:codecov"),
    (S + "NPM_TOKEN", "CAN_ACCESS", "system:saas:npm"),
    (S + "PYPI_TOKEN", "CAN_ACCESS", "system:saas:pypi"),
    (S + "env:production:SLACK_BOT_TOKEN", "CAN_ACCESS", "system:saas:slack"),
    ("system:github:acme", "CONTAINS", REPO),
    (W + "ci.yml", "USES", C + "ci.yml:test"), (W + "ci.yml", "USES", C + "ci.yml:test:step:2"),
    (W + "deploy.yml", "USES", C + "deploy.yml:build"),
    (W + "deploy.yml", "USES", C + "deploy.yml:deploy"),
    (W + "deploy.yml", "USES", C + "deploy.yml:deploy:step:3"),
    (W + "release.yaml", "USES", C + "release.yaml:publish"),
    (W + "release.yaml", "USES", C + "release.yaml:publish:step:2"),
    (f"workspace:github:{R}", "CONTAINS", S + "CODECOV_TOKEN"),
    (f"workspace:github:{R}", "CONTAINS", S + "NPM_TOKEN"),
    (f"workspace:github:{R}", "CONTAINS", S + "OLD_DEPLOY_KEY"),
    (f"workspace:github:{R}", "CONTAINS", S + "PYPI_TOKEN"),
    (f"workspace:github:{R}", "CONTAINS", S + "env:production:SLACK_BOT_TOKEN"),
    (f"workspace:github:{R}", "CONTAINS", W + "ci.yml"),
    (f"workspace:github:{R}", "CONTAINS", W + "deploy.yml"),
    (f"workspace:github:{R}", "CONTAINS", W + "release.yaml"),
    # entry points: pull_request (forks, gated; and writers), push and release (writers)
    ("actor:github:any-user", "CAN_TRIGGER", W + "ci.yml"),
    (f"actor:github:{R}:writers", "CAN_TRIGGER", W + "ci.yml"),
    (f"actor:github:{R}:writers", "CAN_TRIGGER", W + "deploy.yml"),
    (f"actor:github:{R}:writers", "CAN_TRIGGER", W + "release.yaml"),
}


def parsed():
    b = github.parse(DATA / "shipping-api", repo=R,
                             secrets=DATA / "secrets" / "repo.json",
                             env_secrets={"production": DATA / "secrets" / "production.json"})
    validate(b)
    return b


def node(b, nid):
    [n] = [n for n in b.nodes if n.id == nid]
    return n.props


def edge(b, key):
    [e] = [e for e in b.edges if e.key == key]
    return e.props


def test_exact_nodes_and_edges():
    b = parsed()
    assert {n.id for n in b.nodes} == NODES
    assert {e.key for e in b.edges} == EDGES
    assert (b.files_read, b.skipped) == (5, [])  # 3 workflows + 2 secret lists
    assert b.notes == [f"{DATA / 'shipping-api' / '.github/workflows/release.yaml'}: "
                       "jobs.publish: secret PYPI_TOKEN is in none of the secret lists given "
                       "(deleted, or a scope not listed)"]


def test_unpinned_third_party_actions_receiving_secrets_are_marked():
    b = parsed()
    slack = node(b, C + "deploy.yml:deploy:step:3")
    assert (slack["third_party"], slack["pinned"], slack["version"], slack["service"]) == \
        (True, False, "v1.24.0", "slackapi/slack-github-action")
    assert (node(b, C + "ci.yml:test:step:2")["pinned"],
            node(b, C + "release.yaml:publish:step:2")["pinned"]) == (False, True)
    assert node(b, C + "deploy.yml:deploy")["unpinned_actions"] == [
        "slackapi/slack-github-action@v1.24.0"]


def test_environment_and_scopes():
    b = parsed()
    assert node(b, C + "deploy.yml:deploy")["environment"] == "prod"
    assert node(b, C + "deploy.yml:deploy")["deployment_environment"] == "production"
    assert node(b, W + "deploy.yml")["environment"] == "prod"
    assert node(b, W + "release.yaml")["environment"] == "staging"  # environment: {name: staging}
    assert "environment" not in node(b, W + "ci.yml")
    slack = node(b, S + "env:production:SLACK_BOT_TOKEN")
    assert (slack["scope"], slack["environment"], slack["last_rotated_at"]) == \
        ("environment", "prod", "2025-05-05T00:00:00Z")
    assert node(b, S + "NPM_TOKEN")["secret_type"] == "token"


def test_github_token_permissions():
    b = parsed()
    access = {t: edge(b, (T + f"{t}:GITHUB_TOKEN", "CAN_ACCESS", REPO))["access"]
              for t in ("ci.yml", "deploy.yml", "release.yaml")}
    # no permissions block: the repository default (unknown); contents: read; write-all
    assert access == {"ci.yml": "unknown", "deploy.yml": "read", "release.yaml": "write"}
    assert node(b, T + "deploy.yml:GITHUB_TOKEN")["permissions"] == ["contents:read",
                                                                     "id-token:write"]


def test_oidc_role_is_a_stub_and_reaches_through_it(tmp_path):
    b = parsed()
    assert node(b, ROLE) == {"name": "gha-shipping-deploy",
                             "arn": "arn:aws:iam::111122223333:role/gha-shipping-deploy"}
    assert "OIDC" in edge(b, (C + "deploy.yml:deploy", "CAN_ASSUME", ROLE))["reason"]
    store = EmbeddedStore(tmp_path / "s")
    stitch(b, store)
    store.write(b, source="gh")
    reached = {r["id"] for r in blast_radius(store, W + "deploy.yml").rows}
    assert {ROLE, S + "env:production:SLACK_BOT_TOKEN", "system:saas:slack", REPO} <= reached
    who = {r["id"] for r in inbound(store, ROLE).rows}
    assert {W + "deploy.yml", C + "deploy.yml:deploy"} <= who


def test_bad_workflow_files_are_skipped():
    folder = DATA / "broken-repo"
    b = github.parse(folder)
    wf = folder / ".github" / "workflows"
    assert b.files_read == 2  # lint.yml, anchors.yml (read; its merge key is a note)
    assert f"{wf}/anchors.yml: line 7: merge key '<<': GitHub Actions does not support merge " \
        "keys (GitHub rejects the file); read merged" in b.notes
    assert b.skipped == [
        f"{wf}/binary.yml: binary file",
        f"{wf}/list.yml: not a GitHub Actions workflow (not a mapping)",
        f"{wf}/nojobs.yml: not a GitHub Actions workflow (no 'jobs' mapping)",
        f"{wf}/tabs.yml: invalid YAML at line 4 column 1: a tab character where YAML needs "
        "spaces",
    ]
    # permissions: {} gives the token no repository access at all
    assert not [e for e in b.edges if e.kind == "CAN_ACCESS" and "lint.yml" in e.src]
    assert b.notes[0].endswith("repository named 'broken-repo' after the folder; pass --repo "
                               "OWNER/NAME to join other sources")


def test_repository_name_from_git_remote(tmp_path):
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "config").write_text(
        '[core]\n\tbare = false\n[remote "origin"]\n\turl = git@github.com:acme/infra.git\n'
        '\tfetch = +refs/heads/*:refs/remotes/origin/*\n')
    (tmp_path / ".github" / "workflows").mkdir(parents=True)
    (tmp_path / ".github" / "workflows" / "x.yml").write_text(
        "on: push\njobs:\n  a:\n    runs-on: x\n    steps: [{run: echo}]\n")
    b = github.parse(tmp_path)
    assert "workflow:github:acme/infra:.github/workflows/x.yml" in {n.id for n in b.nodes}
    assert b.notes == []


def test_reusable_workflows_and_org_secrets(tmp_path):
    wf = tmp_path / ".github" / "workflows"
    wf.mkdir(parents=True)
    (wf / "caller.yml").write_text(
        "on: push\njobs:\n  call:\n    uses: ./.github/workflows/shared.yml\n"
        "    secrets: inherit\n"
        "  external:\n    uses: other-org/pipelines/.github/workflows/build.yml@main\n"
        "    secrets:\n      token: ${{ secrets.ORG_DEPLOY_TOKEN }}\n")
    (wf / "shared.yml").write_text(
        "on: workflow_call\njobs:\n  run:\n    runs-on: x\n    steps: [{run: 'echo ${{ "
        "secrets.ORG_DEPLOY_TOKEN }}'}]\n")
    org = tmp_path / "org.json"
    org.write_text('[{"name": "ORG_DEPLOY_TOKEN", "updatedAt": "2025-01-01T00:00:00Z"}]')
    b = github.parse(tmp_path, repo="acme/app", org_secrets=org)
    validate(b)
    keys = {e.key for e in b.edges}
    caller = "workflow:github:acme/app:.github/workflows/caller.yml"
    assert (caller, "USES", "workflow:github:acme/app:.github/workflows/shared.yml") in keys
    step = "connector:github:acme/app:.github/workflows/caller.yml:external:step:uses"
    assert (step, "REFERENCES", "secret:github:acme:org:ORG_DEPLOY_TOKEN") in keys
    assert ("workspace:github:acme", "CONTAINS", "secret:github:acme:org:ORG_DEPLOY_TOKEN") in keys
    assert ("workspace:github:acme", "CONTAINS", "workspace:github:acme/app") in keys
    assert node(b, step)["pinned"] is False and node(b, step)["version"] == "main"
    # secrets: inherit: the called workflow reads every secret the caller can
    shared = "workflow:github:acme/app:.github/workflows/shared.yml"
    inherited = {e.dst: e.props["reason"] for e in b.edges if e.src == shared and e.kind == "REFERENCES"}
    assert inherited["secret:github:acme:org:ORG_DEPLOY_TOKEN"].startswith(
        "inherited from .github/workflows/caller.yml jobs.")
