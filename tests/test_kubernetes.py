"""The kubernetes ingester on fixtures written for it (tests/data/k8s/), expected edges
worked out by hand from the manifests: payments/api reads payments' secrets (so it can
become payments/reporter, whose token is stored there) and mounts api-db-creds; ci/deployer
writes deployments and pods/exec cluster-wide and may impersonate reporter; the group
platform-admins is cluster-admin; user jane reads pods and configmaps in ci; ci/builder
edits everything in ci through the built-in edit ClusterRole; workloads.yaml
mounts secrets into the pods of payments/api and payments/default.
"""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from cli import cli
from graph.embedded import EmbeddedStore
from graph.records import validate
from ingest.kubernetes import parse, verb_level

DATA = Path(__file__).parent / "data" / "k8s"
C = "prod-eu"


def sa(ns, name):
    return f"identity:k8s:{C}:{ns}/{name}"


def res(path):
    return f"resource:k8s:{C}:{path}"


def _batch():
    b = parse(DATA, cluster=C)
    validate(b)
    return b


def test_rbac_access_levels():
    b = _batch()
    got = {(e.src, e.dst): (e.props["access"], tuple(e.props["actions"]))
           for e in b.edges if e.kind == "CAN_ACCESS"}
    assert got == {
        (sa("payments", "api"), res("payments/secrets")): ("read", ("get", "list")),
        (sa("payments", "api"), res("payments/secrets/api-db-creds")): ("read", ("mount",)),
        # workloads.yaml: the api Deployment's env, envFrom and volume secrets (not its
        # imagePullSecrets, which the pod cannot read); the CronJob runs as "default".
        (sa("payments", "api"), res("payments/secrets/api-tls")): ("read", ("mount",)),
        (sa("payments", "api"), res("payments/secrets/stripe-live")): ("read", ("mount",)),
        (sa("payments", "default"), res("payments/secrets/smtp")): ("read", ("mount",)),
        # a binding to the built-in "edit" ClusterRole, not in the files: default rules
        (sa("ci", "builder"), res("ci/*")): ("write", ("create", "delete", "deletecollection",
                                                       "get", "list", "patch", "update",
                                                       "watch")),
        (sa("ci", "deployer"), res("*/deployments")):
            ("write", ("create", "get", "patch", "update")),
        (sa("ci", "deployer"), res("*/pods/exec")): ("write", ("create",)),
        (sa("ci", "deployer"), res("*/serviceaccounts/reporter")): ("admin", ("impersonate",)),
        (f"identity:k8s:{C}:group:platform-admins", f"system:k8s:{C}"): ("admin", ("*",)),
        (f"identity:k8s:{C}:user:jane", res("ci/pods")): ("read", ("get", "list", "watch")),
        (f"identity:k8s:{C}:user:jane", res("ci/configmaps")):
            ("read", ("get", "list", "watch")),
    }


def test_tokens_and_escalation_edges():
    b = _batch()
    assert {(e.src, e.dst) for e in b.edges if e.kind == "AUTHENTICATES_AS"} == {
        (f"secret:k8s:{C}:payments/reporter-token", sa("payments", "reporter")),
        (f"secret:k8s:{C}:ci/builder-token", sa("ci", "builder")),
    }
    admins = f"identity:k8s:{C}:group:platform-admins"
    assert {(e.src, e.dst) for e in b.edges if e.kind == "CAN_ASSUME"} == {
        (sa("payments", "api"), sa("payments", "reporter")),  # reads the token secret
        (sa("ci", "deployer"), sa("payments", "reporter")),  # impersonate by name
        (admins, sa("payments", "reporter")),
        (admins, sa("ci", "builder")),
        (admins, sa("ci", "deployer")),
        (admins, sa("payments", "api")),
    }
    contains = {(e.src, e.dst) for e in b.edges if e.kind == "CONTAINS"}
    assert (res("payments/secrets"), res("payments/secrets/api-db-creds")) in contains
    assert (res("payments/secrets"), res("payments/secrets/stripe-live")) in contains
    assert {(res("ci/*"), res("ci/pods")), (res("ci/*"), res("ci/configmaps"))} <= contains
    grant = [e.props["grant"] for e in b.edges if e.kind == "CAN_ACCESS"
             and e.dst == res("payments/secrets/api-db-creds")]
    assert grant == ["listed in the secrets of ServiceAccount payments/api; "
                     "mounted by Deployment payments/api (envFrom)"]


def test_verbs():
    assert [verb_level(v) for v in ("get", "watch", "patch", "deletecollection", "escalate",
                                    "bind", "impersonate", "*", "use")] == \
        ["read", "read", "write", "write", "admin", "admin", "admin", "admin", "unknown"]


def test_bad_input_and_no_secret_data(tmp_path):
    b = _batch()
    assert len(b.skipped) == 3
    text = "\n".join(b.skipped)
    assert "broken.yaml:4:12: malformed YAML" in text
    assert "builder-list.json: document 1.items[3]: Secret without metadata.name" in text
    assert "Role does-not-exist is not in the files" in text
    store_dir = tmp_path / "store"
    EmbeddedStore(store_dir).write(b, source="k8s")
    blob = b"".join(p.read_bytes() for p in store_dir.rglob("*") if p.is_file())
    for value in (b"ZG8tbm90LXN0b3JlLW1lLTk5MQ", b"do-not-store-me", b"ZmFrZS1idWlsZGVy"):
        assert value not in blob


def test_cli(tmp_path):
    store = str(tmp_path / "store")
    r = CliRunner().invoke(cli, ["ingest", "kubernetes", str(DATA / "cluster.yaml"),
                                 "--cluster", C, "--store", store])
    assert r.exit_code == 0, r.output
    assert "1 skipped" in r.output
    strict = CliRunner().invoke(cli, ["ingest", "kubernetes", str(DATA), "--cluster", C,
                                      "--strict", "--store", store])
    assert strict.exit_code == 2
