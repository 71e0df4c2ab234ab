"""The What-if view on the sample estate, driven by AppTest: the numbers and "what would
break" worked out by hand from sample_estate/n8n_instances.py and the planted drift
(sample_estate/quarters.py), and the store left as it was."""

from __future__ import annotations

import pytest

from graph.embedded import EmbeddedStore
from sample_estate.quarters import D1_SECRET
from tests.test_explorer_app import app, page, sample_dir  # noqa: F401 (fixtures)

SLACK_BOT = "secret:n8n:acme-prod:cred-slack-bot"
# The prod n8n workflows with a Slack node (all on the one prod Slack bot credential).
SLACK_FLOWS = ["churn-risk-digest", "daily-standup-digest", "deal-won-celebration",
               "incident-paging", "invoice-sync", "nightly-invoice-archive", "ops-kpi-snapshot",
               "payment-failure-alerts", "refund-approvals", "shipment-status-webhook",
               "support-ticket-triage", "vendor-payments-sync"]


@pytest.fixture
def what_if(app):  # noqa: F811
    return page(app, "what_if")


def metrics(at) -> dict[str, tuple[str, str]]:
    return {m.label: (m.value, m.delta) for m in at.metric}


def test_opens_on_revoking_the_most_shared_secret(what_if):
    at = what_if
    assert at.title[0].value == "What if"
    assert at.multiselect(key="whatif-revoke").value == [SLACK_BOT]
    m = metrics(at)
    # Slack is no crown jewel: the 128 crown-jewel paths stay; the 12 workflows on the bot
    # token each lose Slack, and nothing else (their other nodes have their own credentials).
    assert m["Crown-jewel paths"] == ("128", "0")
    assert m["Crown-jewel paths lost"][0] == "0"
    assert m["Callers that would break"][0] == "12"
    breaks = at.dataframe[0].value
    assert breaks["subject"].tolist() == [f"workflow:n8n:acme-prod:{w}" for w in SLACK_FLOWS]
    assert set(breaks["target"]) == {"system:saas:slack:acme"}
    assert set(breaks["loses access to"]) == {"Slack"}
    assert "Invoice sync" in set(breaks["caller"])


def test_revoking_the_pasted_stripe_key(what_if, sample_dir):  # noqa: F811
    at = what_if
    at.multiselect(key="whatif-revoke").set_value([D1_SECRET]).run()
    assert not at.exception
    m = metrics(at)
    # D1: the Stripe live key pasted into dev opened 4 crown-jewel paths; revoking it
    # closes exactly those, and breaks the one dev workflow that uses it.
    assert m["Crown-jewel paths"] == ("124", "-4")
    assert m["Crown-jewel paths lost"][0] == "4"
    assert m["Callers that would break"][0] == "1"
    breaks = at.dataframe[0].value
    assert breaks[["subject", "target"]].values.tolist() == [
        ["workflow:n8n:acme-dev:invoice-sync-dev", "system:saas:stripe:acme"]]
    changes = at.dataframe[1].value
    lost = changes[changes["change"] == "jewel-path-lost"]
    # workspace -> key, key, the workflow's connector and the workflow, each to Stripe.
    assert sorted(lost["subject"]) == [
        "connector:n8n:acme-dev:invoice-sync-dev:stripe_copy", D1_SECRET,
        "workflow:n8n:acme-dev:invoice-sync-dev", "workspace:n8n:acme-dev"]
    # Never applied: the store still holds the key, not revoked.
    node = EmbeddedStore(sample_dir).get_node(D1_SECRET)
    assert node is not None and node.get("status") != "revoked"


def test_a_retired_workflow_is_not_what_breaks(what_if):
    at = what_if
    at.multiselect(key="whatif-revoke").set_value([]).run()
    assert [i.value for i in at.info] == ["Choose at least one change above."]
    at.multiselect(key="whatif-retire").set_value(
        ["workflow:n8n:acme-dev:invoice-sync-dev"]).run()
    assert not at.exception
    m = metrics(at)
    assert m["Callers that would break"][0] == "0"
    # Only the workflow's own path to Stripe goes: the key, its connector and the
    # workspace holding the key still reach Stripe.
    assert m["Crown-jewel paths"] == ("127", "-1")
    assert [s.value for s in at.success] == ["No remaining workflow loses access it has today."]


def test_a_bad_grant_is_one_error_line(what_if):
    at = what_if
    at.text_area(key="whatif-grants").set_value("nope->x").run()
    assert not at.exception
    assert len(at.error) == 1 and "nope" in at.error[0].value


GHA_DEPLOY = "identity:aws:arn:aws:iam::111122223333:role/gha-deploy"
INFRA_DEPLOY = "workflow:github:acme/infra:.github/workflows/deploy.yml"
DEPLOY_JOB = "connector:github:acme/infra:.github/workflows/deploy.yml:deploy"


def test_requiring_mfa_on_the_deploy_role(what_if):
    at = what_if
    at.multiselect(key="whatif-revoke").set_value([]).run()
    at.multiselect(key="whatif-mfa").set_value([GHA_DEPLOY]).run()
    assert not at.exception
    m = metrics(at)
    # gha-deploy is trusted only by GitHub OIDC from acme/infra (the repository workspace,
    # and deploy.yml's deploy job): both trust edges go, and deploy.yml loses all it reached
    # through the role, among them the two crown jewels billing and customer-pii.
    assert m["Crown-jewel paths"] == ("124", "-4")
    assert m["Crown-jewel paths lost"][0] == "4"
    assert m["Callers that would break"][0] == "3"
    breaks = at.dataframe[0].value
    assert sorted(set(breaks["subject"])) == sorted(
        [DEPLOY_JOB, INFRA_DEPLOY, "workspace:github:acme/infra"])
    callers = breaks[breaks["target"] == GHA_DEPLOY]["subject"].tolist()
    assert callers == [DEPLOY_JOB, "workspace:github:acme/infra"]
