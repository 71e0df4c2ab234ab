"""Writes the sample estate of Acme Freight (a fictional company) as a canonical inventory.

Run ``python -m sample_estate.build`` to regenerate ``sample_estate/inventory.yaml`` and the
AWS exports under ``sample_estate/aws/`` (see :mod:`sample_estate.aws_exports`); the output
is deterministic and committed.

The AWS side (IAM users, roles, trusts, grants, access keys, and the buckets and tables the
policies name) is not written here: it is loaded first, through the ``aws-iam`` ingester,
from the exports. The inventory only adds what IAM exports do not hold (owners, environment,
crown jewels, friendly names) to those AWS nodes by id, and the edges of other platforms
that point at them (a GitHub job assuming a role, an n8n credential holding an access key). The planted problems are listed in
``sample_estate/README.md`` and asserted by ``tests/test_sample_estate.py``.

Everything not planted is meant to be clean: owned, active, used, one credential per
integration, prod and dev apart, except realistic reuse of the same credential by several
workflows of one environment (a Slack bot token used by many prod flows).
"""

from __future__ import annotations

from pathlib import Path

import yaml

ACCT = "111122223333"
DEV_ACCT = "444455556666"
N8N_PROD, N8N_DEV, N8N_MKT = "acme-prod", "acme-dev", "acme-marketing"

nodes: dict[str, list[dict]] = {k: [] for k in (
    "Owner", "Workspace", "Vault", "System", "Resource", "Identity", "Secret", "Workflow",
    "Connector")}
edges: dict[str, list[dict]] = {}


def node(kind, id, **props):
    nodes[kind].append({"id": id, **props})
    return id


def edge(kind, src, dst, **props):
    edges.setdefault(kind, []).append({"from": src, "to": dst, **props})


# AWS nodes come from the aws-iam ingester; these add only what IAM exports do not hold.
def role(name, acct=ACCT, **props):
    return node("Identity", f"identity:aws:arn:aws:iam::{acct}:role/{name}",
                environment="prod" if acct == ACCT else "dev", **props)


def user(name, acct=ACCT, **props):
    return node("Identity", f"identity:aws:arn:aws:iam::{acct}:user/{name}",
                environment="prod", **props)


def access_key(key_id, **props):
    return node("Secret", f"secret:aws:{key_id}", environment="prod", **props)


def s3(bucket, crown=False, env="prod"):
    return node("Resource", f"resource:aws:arn:aws:s3:::{bucket}", crown_jewel=crown,
                environment=env)


def grant(holder, target, access, grant_name, actions=(), reason=None):
    edge("CAN_ACCESS", holder, target, access=access, grant=grant_name,
         actions=list(actions), reason=reason or f"{grant_name} gives {access}")


def build() -> dict:
    # --- people and teams -----------------------------------------------------------
    people = {
        "alice": ("Alice Nakamura", "active"), "bob": ("Bob Lindqvist", "departed"),
        "carol": ("Carol Okafor", "active"), "dave": ("Dave Moreau", "active"),
        "erin": ("Erin Kowalski", "active"), "frank": ("Frank Osei", "active"),
    }
    o = {}
    for handle, (name, status) in people.items():
        o[handle] = node("Owner", f"owner:acme:{handle}", name=name, owner_type="person",
                         status=status, email=f"{handle}@acme-freight.example")
    for team in ("platform", "data", "finance", "revops"):
        o[team] = node("Owner", f"owner:acme:team-{team}", name=f"team-{team}",
                       owner_type="team", status="active")

    # --- downstream systems and resources --------------------------------------------
    node("System", f"system:aws:{ACCT}", name="aws-prod", system_type="cloud_account",
               environment="prod", owner=o["platform"])
    node("System", f"system:aws:{DEV_ACCT}", name="aws-dev",
                   system_type="cloud_account", environment="dev", owner=o["platform"])
    saas = {}
    for key, name, crown in (
        ("salesforce", "Salesforce", True), ("stripe", "Stripe", True), ("slack", "Slack", False),
        ("hubspot", "HubSpot", False), ("jira", "Jira", False), ("snowflake", "Snowflake", False),
        ("netsuite", "NetSuite", True), ("datadog", "Datadog", False),
        ("clearbit", "Clearbit", False), ("gmail", "Google Workspace", False),
        ("shipbridge", "ShipBridge carrier API", False), ("codecov", "Codecov", False),
        ("pagerduty", "PagerDuty", False),
    ):
        saas[key] = node("System", f"system:saas:{key}:acme", name=name, system_type="saas",
                         crown_jewel=crown, environment="prod", owner=o["platform"])
    s3("acme-customer-pii", crown=True)
    for bucket in ("acme-invoices", "acme-build-artifacts", "acme-backups",
                   "acme-analytics-exports", "acme-shipping-labels"):
        s3(bucket)
    s3("acme-dev-scratch", env="dev")
    node("Resource", f"resource:aws:arn:aws:rds:us-east-1:{ACCT}:db:billing", name="billing-db",
         crown_jewel=True, environment="prod")
    node("Resource", f"resource:aws:arn:aws:dynamodb:us-east-1:{ACCT}:table/shipments",
         name="shipments-table", environment="prod")
    sf_objects = {}
    for obj in ("Account", "Opportunity", "Contact"):
        sf_objects[obj] = node("Resource", f"resource:salesforce:acme:{obj}", name=f"sf-{obj}",
                               resource_type="sobject", environment="prod",
                               crown_jewel=obj == "Contact")
        edge("CONTAINS", saas["salesforce"], sf_objects[obj], reason="object in the org")
    snow = {}
    for db, crown in (("ANALYTICS", False), ("FINANCE", True)):
        snow[db] = node("Resource", f"resource:snowflake:acme:{db}", name=f"snowflake-{db}",
                        resource_type="database", crown_jewel=crown, environment="prod")
        edge("CONTAINS", saas["snowflake"], snow[db], reason="database in the account")

    # --- AWS identities: from sample_estate/aws/ (the role chain to admin is there) --------
    for name in ("OrganizationAccountAccessRole", "ops-automation", "gha-deploy", "gha-plan",
                 "gha-shipping-deploy"):
        role(name, owner=o["platform"])
    role("data-pipeline", owner=o["data"])
    billing_app = role("billing-app", owner=o["finance"])
    dev_sandbox = role("dev-sandbox", acct=DEV_ACCT, owner=o["platform"])
    gha_deploy = f"identity:aws:arn:aws:iam::{ACCT}:role/gha-deploy"
    gha_plan = f"identity:aws:arn:aws:iam::{ACCT}:role/gha-plan"
    svc_n8n = user("svc-n8n", owner=o["platform"])
    svc_backup = user("svc-backup", owner=o["platform"])
    svc_airflow = user("svc-airflow", owner=o["data"])
    user("legacy-etl", owner=o["data"])
    user("svc-n8n-ops", owner=o["platform"])
    for key_id, team in (("AKIAACMEN8NDEMO00001", "platform"), ("AKIAACMEBACKUPDEMO01", "platform"),
                         ("AKIAACMEAIRFLOWDEMO1", "data"), ("AKIAACMELEGACYETL001", "data"),
                         ("AKIAACMEOPSN8NDEMO01", "platform")):
        access_key(key_id, owner=o[team])
    snow_airflow = node("Identity", "identity:snowflake:acme:SVC_AIRFLOW", name="SVC_AIRFLOW",
                        identity_type="service_account", account="acme", status="active",
                        environment="prod", owner=o["data"])
    snow_reporting = node("Identity", "identity:snowflake:acme:SVC_REPORTING",
                          name="SVC_REPORTING", identity_type="service_account", account="acme",
                          status="active", environment="prod", owner=o["data"])
    grant(snow_airflow, snow["ANALYTICS"], "write", "role LOADER")
    grant(snow_airflow, snow["FINANCE"], "read", "role FINANCE_READER")
    grant(snow_reporting, snow["ANALYTICS"], "read", "role REPORTER")

    # --- the vault -------------------------------------------------------------------
    vault = node("Vault", "vault:hashicorp:acme-prod", name="vault-prod", vault_type="hashicorp",
                 environment="prod", owner=o["erin"])

    def vault_secret(name, owner=None, **props):
        sid = node("Secret", f"secret:vault:acme-prod:{name}", name=name, store="vault",
                   environment="prod", status="active", **({"owner": owner} if owner else {}),
                   **props)
        edge("STORES", vault, sid, reason=f"kv/acme/{name}")
        return sid

    netsuite_token = vault_secret("netsuite-token", owner=o["bob"], secret_type="oauth_token",
                                  created_at="2023-02-01T00:00:00Z",
                                  last_rotated_at="2023-02-01T00:00:00Z")
    grant(netsuite_token, saas["netsuite"], "admin", "NetSuite integration role Administrator")
    datadog_old = vault_secret("datadog-api-key-old", secret_type="api_key",
                               created_at="2022-06-01T00:00:00Z")
    grant(datadog_old, saas["datadog"], "write", "Datadog API key (org-wide)")
    pagerduty = vault_secret("pagerduty-routing-key", secret_type="api_key",
                             last_rotated_at="2026-09-01T00:00:00Z")
    grant(pagerduty, saas["pagerduty"], "write", "Events API v2 routing key")

    # --- n8n instances ---------------------------------------------------------------
    node("Workspace", f"workspace:n8n:{N8N_PROD}", name="n8n acme-prod",
                   platform="n8n", environment="prod", owner=o["platform"])
    node("Workspace", f"workspace:n8n:{N8N_DEV}", name="n8n acme-dev", platform="n8n",
                  environment="dev", owner=o["platform"])
    node("Workspace", f"workspace:n8n:{N8N_MKT}", name="n8n acme-marketing",
                  platform="n8n", environment="prod")  # planted: nobody owns it

    def n8n_cred(inst, key, name, secret_type, target=None, access="unknown", grant_name=None,
                 env="prod", **props):
        sid = node("Secret", f"secret:n8n:{inst}:{key}", name=name, secret_type=secret_type,
                   store="n8n", environment=env, status=props.pop("status", "active"), **props)
        edge("CONTAINS", f"workspace:n8n:{inst}", sid, reason="credential stored in the "
             "instance")
        if target:
            grant(sid, target, access, grant_name or f"{name} ({access})")
        return sid

    c = {
        "slack": n8n_cred(N8N_PROD, "cred-slack-bot", "Slack bot (prod)", "oauth_token",
                          saas["slack"], "write", "bot scopes chat:write"),
        "salesforce": n8n_cred(N8N_PROD, "cred-salesforce-main", "Salesforce integration user",
                               "oauth_token", saas["salesforce"], "write", "profile Integration"),
        "hubspot": n8n_cred(N8N_PROD, "cred-hubspot", "HubSpot private app", "api_key",
                            saas["hubspot"]),
        "jira": n8n_cred(N8N_PROD, "cred-jira", "Jira automation", "api_key", saas["jira"],
                         "write", "project role Developers"),
        "stripe": n8n_cred(N8N_PROD, "cred-stripe-live", "Stripe live secret key", "api_key",
                           saas["stripe"], "admin", "unrestricted secret key",
                           created_at="2021-11-03T00:00:00Z"),
        "clearbit": n8n_cred(N8N_PROD, "cred-clearbit", "Clearbit", "api_key", saas["clearbit"],
                             "read", "enrichment API"),
        "aws": n8n_cred(N8N_PROD, "cred-aws-svc-n8n", "AWS svc-n8n access key", "access_key",
                        access_key_id="AKIAACMEN8NDEMO00001",
                        last_rotated_at="2023-04-12T00:00:00Z"),
        "snowflake": n8n_cred(N8N_PROD, "cred-snowflake-reporting", "Snowflake SVC_REPORTING",
                              "password"),
        "gmail": n8n_cred(N8N_PROD, "cred-gmail-ops", "Gmail ops@", "oauth_token", saas["gmail"]),
        "datadog": n8n_cred(N8N_PROD, "cred-datadog", "Datadog API", "api_key", saas["datadog"],
                            "write", "API key"),
        "sf_legacy": n8n_cred(N8N_PROD, "cred-salesforce-legacy", "Salesforce legacy export",
                              "oauth_token", saas["salesforce"], "admin",
                              "profile System Administrator",
                              created_at="2020-05-20T00:00:00Z"),
    }
    edge("AUTHENTICATES_AS", c["aws"], svc_n8n, reason="access key of IAM user svc-n8n")
    edge("AUTHENTICATES_AS", c["snowflake"], snow_reporting, reason="password of SVC_REPORTING")
    d = {
        "slack": n8n_cred(N8N_DEV, "cred-slack-dev", "Slack bot (dev)", "oauth_token",
                          saas["slack"], "write", "bot scopes chat:write", env="dev"),
        "stripe_copy": n8n_cred(N8N_DEV, "cred-stripe-live-copy", "Stripe key (copied)",
                                "api_key", saas["stripe"], "admin", "unrestricted secret key",
                                env="dev"),
        "jira": n8n_cred(N8N_DEV, "cred-jira-sandbox", "Jira sandbox", "api_key", saas["jira"],
                         "read", "sandbox project", env="dev"),
    }
    edge("SAME_VALUE_AS", d["stripe_copy"], c["stripe"],
         reason="same keyed fingerprint: the prod Stripe key was pasted into dev")
    mkt_hubspot = n8n_cred(N8N_MKT, "cred-hubspot-marketing", "HubSpot marketing app",
                           "api_key", saas["hubspot"], "write", "private app scopes contacts")

    services = {"slack": ("n8n-nodes-base.slack", "slack"),
                "salesforce": ("n8n-nodes-base.salesforce", "salesforce"),
                "hubspot": ("n8n-nodes-base.hubspot", "hubspot"),
                "jira": ("n8n-nodes-base.jira", "jira"),
                "stripe": ("n8n-nodes-base.stripe", "stripe"),
                "stripe_copy": ("n8n-nodes-base.stripe", "stripe"),
                "clearbit": ("n8n-nodes-base.clearbit", "clearbit"),
                "aws": ("n8n-nodes-base.awsS3", None),
                "snowflake": ("n8n-nodes-base.snowflake", "snowflake"),
                "gmail": ("n8n-nodes-base.gmail", "gmail"),
                "datadog": ("n8n-nodes-base.httpRequest", "datadog"),
                "sf_legacy": ("n8n-nodes-base.salesforce", "salesforce")}

    def n8n_wf(inst, slug, name, owner, creds, env, status="active", **props):
        wid = node("Workflow", f"workflow:n8n:{inst}:{slug}", name=name, platform="n8n",
                   environment=env, status=status, trigger=props.pop("trigger", "schedule"),
                   **({"owner": owner} if owner else {}), **props)
        edge("CONTAINS", f"workspace:n8n:{inst}", wid, reason="workflow in the instance")
        for key, sid in creds:
            node_type, target = services[key]
            cid = node("Connector", f"connector:n8n:{inst}:{slug}:{key}",
                       name=f"{name} / {node_type.split('.')[-1]}", service=node_type,
                       third_party=False, environment=env)
            edge("USES", wid, cid, reason="node in the workflow")
            edge("AUTHENTICATES_WITH", cid, sid, reason="node credentials block")
            if target:
                edge("TARGETS", cid, saas[target], reason=node_type)
        return wid

    P = "prod"
    prod_flows = [
        ("invoice-sync", "Invoice sync", o["dave"], ["stripe", "salesforce", "slack"]),
        ("payment-failure-alerts", "Payment failure alerts", o["dave"], ["stripe", "slack"]),
        ("refund-approvals", "Refund approvals", o["dave"], ["stripe", "jira", "slack"]),
        ("lead-enrichment", "Lead enrichment", o["frank"], ["clearbit", "salesforce"]),
        ("hubspot-to-salesforce", "HubSpot to Salesforce", o["frank"], ["hubspot", "salesforce"]),
        ("deal-won-celebration", "Deal won celebration", o["frank"], ["salesforce", "slack"]),
        ("support-ticket-triage", "Support ticket triage", o["alice"], ["jira", "slack"]),
        ("incident-paging", "Incident paging", o["alice"], ["datadog", "slack"]),
        ("nightly-invoice-archive", "Nightly invoice archive", o["dave"], ["aws", "slack"]),
        ("weekly-revenue-report", "Weekly revenue report", o["carol"], ["snowflake", "gmail"]),
        ("churn-risk-digest", "Churn risk digest", o["carol"],
         ["snowflake", "salesforce", "slack"]),
        ("new-hire-it-requests", "New hire IT requests", o["alice"], ["jira", "gmail"]),
        ("customer-feedback-router", "Customer feedback router", o["frank"], ["gmail", "jira"]),
        ("sla-breach-watch", "SLA breach watch", o["alice"], ["datadog", "jira"]),
        ("renewal-reminders", "Renewal reminders", o["frank"], ["salesforce", "gmail"]),
        ("invoice-dispute-intake", "Invoice dispute intake", o["dave"], ["gmail", "jira"]),
        ("daily-standup-digest", "Daily standup digest", o["alice"], ["jira", "slack"]),
        ("marketing-qualified-leads", "Marketing qualified leads", o["frank"], ["hubspot"]),
        ("ops-kpi-snapshot", "Ops KPI snapshot", o["carol"], ["snowflake", "slack"]),
    ]
    for slug, name, owner, keys in prod_flows:
        n8n_wf(N8N_PROD, slug, name, owner, [(k, c[k]) for k in keys], P)
    clone = n8n_wf(N8N_PROD, "lead-enrichment-copy", "Lead enrichment (copy)", o["frank"],
                   [("clearbit", c["clearbit"]), ("salesforce", c["salesforce"])], P)
    edge("CLONED_FROM", clone, f"workflow:n8n:{N8N_PROD}:lead-enrichment",
         reason="duplicated in the n8n editor")
    n8n_wf(N8N_PROD, "legacy-crm-export", "Legacy CRM export", o["frank"],
           [("sf_legacy", c["sf_legacy"])], P, status="retired",
           updated_at="2024-01-15T00:00:00Z")
    vendor = n8n_wf(N8N_PROD, "vendor-payments-sync", "Vendor payments sync", o["bob"],
                    [("slack", c["slack"])], P)
    vendor_conn = node("Connector", f"connector:n8n:{N8N_PROD}:vendor-payments-sync:netsuite",
                       name="Vendor payments sync / httpRequest",
                       service="n8n-nodes-base.httpRequest", third_party=False, environment=P)
    edge("USES", vendor, vendor_conn, reason="node in the workflow")
    edge("REFERENCES", vendor_conn, netsuite_token, reason="reads kv/acme/netsuite-token")
    edge("TARGETS", vendor_conn, saas["netsuite"], reason="NetSuite REST API")
    paging_conn = node("Connector", f"connector:n8n:{N8N_PROD}:incident-paging:pagerduty",
                       name="Incident paging / pagerDuty", service="n8n-nodes-base.pagerDuty",
                       third_party=False, environment=P)
    edge("USES", f"workflow:n8n:{N8N_PROD}:incident-paging", paging_conn,
         reason="node in the workflow")
    edge("REFERENCES", paging_conn, pagerduty, reason="reads kv/acme/pagerduty-routing-key")
    edge("TARGETS", paging_conn, saas["pagerduty"], reason="Events API v2")
    webhook = n8n_wf(N8N_PROD, "shipment-status-webhook", "Shipment status webhook", o["alice"],
                     [("slack", c["slack"])], P, trigger="webhook")
    http = node("Connector", f"connector:n8n:{N8N_PROD}:shipment-status-webhook:http",
                name="Shipment status webhook / httpRequest",
                service="n8n-nodes-base.httpRequest", third_party=True, environment=P)
    edge("USES", webhook, http, reason="node in the workflow")
    embedded = node("Secret", f"secret:n8n:{N8N_PROD}:embedded:shipment-status-webhook:http",
                    name="Authorization header in 'Call ShipBridge'", secret_type="bearer_token",
                    store="embedded", environment=P, status="active",
                    value="demo-shipbridge-token-not-real-7f3a")
    edge("EMBEDS", http, embedded, reason="parameters.headerParameters Authorization")
    grant(embedded, saas["shipbridge"], "unknown", "bearer token in header")
    edge("TARGETS", http, saas["shipbridge"], reason="https://api.shipbridge.example")

    dev_flows = [
        ("invoice-sync-dev", "Invoice sync (dev)", ["stripe_copy", "slack"]),
        ("jira-sandbox-sync", "Jira sandbox sync", ["jira", "slack"]),
        ("slack-echo-test", "Slack echo test", ["slack"]),
        ("ticket-triage-experiment", "Ticket triage experiment", ["jira"]),
    ]
    for slug, name, keys in dev_flows:
        n8n_wf(N8N_DEV, slug, name, None, [(k, d.get(k) or d[k]) for k in keys], "dev")
    n8n_wf(N8N_MKT, "webinar-leads-to-hubspot", "Webinar leads to HubSpot", None,
           [("hubspot", mkt_hubspot)], P, trigger="webhook")

    # --- GitHub Actions --------------------------------------------------------------
    def repo(name, owner, env="prod"):
        return node("Workspace", f"workspace:github:acme/{name}", name=f"acme/{name}",
                    platform="github", environment=env, owner=owner)

    def gh_secret(repo_name, name, **props):
        sid = node("Secret", f"secret:github:acme/{repo_name}:{name}", name=name,
                   store="github", scope="repository", status="active", **props)
        edge("CONTAINS", f"workspace:github:acme/{repo_name}", sid,
             reason="repository secret")
        return sid

    def gh_wf(repo_name, file, env, jobs):
        path = f".github/workflows/{file}"
        wid = node("Workflow", f"workflow:github:acme/{repo_name}:{path}", name=f"{repo_name}/{file}",
                   platform="github", path=path, environment=env, status="active",
                   trigger="push")
        edge("CONTAINS", f"workspace:github:acme/{repo_name}", wid, reason="workflow file")
        for job, refs, assume in jobs:
            cid = node("Connector", f"connector:github:acme/{repo_name}:{path}:{job}",
                       name=f"{repo_name}/{file} job {job}", service="github-actions-job",
                       environment=env)
            edge("USES", wid, cid, reason=f"jobs.{job}")
            for s in refs:
                edge("REFERENCES", cid, s, reason="${{ secrets." + s.rsplit(":", 1)[-1] + " }}")
            if assume:
                edge("CAN_ASSUME", cid, assume, reason="OIDC: id-token: write with "
                     "aws-actions/configure-aws-credentials role-to-assume")
        return wid

    repo("infra", o["platform"])
    repo("billing-service", o["finance"])
    # The shipping-api repository's workflows arrive from its own files (sample_estate/
    # github/); the inventory says who owns the repository, as a CMDB would.
    repo("shipping-api", o["platform"])
    backup_key = gh_secret("infra", "AWS_BACKUP_ACCESS_KEY", secret_type="access_key",
                           access_key_id="AKIAACMEBACKUPDEMO01", environment="prod",
                           last_rotated_at="2022-09-30T00:00:00Z")
    edge("AUTHENTICATES_AS", backup_key, svc_backup, reason="access key of IAM user svc-backup")
    gh_wf("infra", "deploy.yml", "prod", [("deploy", [], gha_deploy)])
    gh_wf("infra", "terraform-plan.yml", "prod", [("plan", [], gha_plan)])
    gh_wf("infra", "nightly-backup.yml", "prod", [("backup", [backup_key], None)])
    gh_wf("infra", "lint.yml", "prod", [("lint", [], None)])
    prod_db = gh_secret("billing-service", "PROD_DB_URL", secret_type="connection_string",
                        environment="prod")
    edge("AUTHENTICATES_AS", prod_db, billing_app, reason="database user mapped to billing-app")
    stripe_gh = gh_secret("billing-service", "STRIPE_RESTRICTED_KEY", secret_type="api_key",
                          environment="prod")
    grant(stripe_gh, saas["stripe"], "write", "restricted key: charges write")
    codecov = gh_secret("billing-service", "CODECOV_TOKEN", secret_type="api_key",
                        environment="dev")
    grant(codecov, saas["codecov"], "write", "upload token")
    gh_wf("billing-service", "deploy-prod.yml", "prod",
          [("migrate", [prod_db], None), ("deploy", [stripe_gh], None)])
    gh_wf("billing-service", "preview.yml", "dev", [("preview", [prod_db], dev_sandbox)])
    gh_wf("billing-service", "ci.yml", "dev", [("test", [codecov], None)])

    # --- Airflow ---------------------------------------------------------------------
    node("Workspace", "workspace:airflow:acme-data", name="airflow acme-data",
         platform="airflow", environment="prod", owner=o["data"])

    def conn(conn_id, secret_type, **props):
        sid = node("Secret", f"secret:airflow:acme-data:{conn_id}", name=conn_id,
                   secret_type=secret_type, store="airflow", environment="prod",
                   status="active", **props)
        edge("CONTAINS", "workspace:airflow:acme-data", sid, reason="Airflow connection")
        return sid

    snow_conn = conn("snowflake_default", "password")
    edge("AUTHENTICATES_AS", snow_conn, snow_airflow, reason="login SVC_AIRFLOW")
    aws_conn = conn("aws_default", "access_key", access_key_id="AKIAACMEAIRFLOWDEMO1",
                    last_rotated_at="2026-08-01T00:00:00Z")
    edge("AUTHENTICATES_AS", aws_conn, svc_airflow, reason="access key of IAM user svc-airflow")
    hub_conn = conn("hubspot_api", "api_key")
    grant(hub_conn, saas["hubspot"], "read", "private app scopes crm.objects.read")
    dags = [
        ("daily_finance_load", [snow_conn, aws_conn]),
        ("marketing_attribution", [snow_conn, hub_conn]),
        ("s3_customer_export", [aws_conn]),
        ("warehouse_vacuum", [snow_conn]),
        ("shipments_rollup", [snow_conn]),
    ]
    for dag, conns in dags:
        wid = node("Workflow", f"workflow:airflow:acme-data:{dag}", name=dag, platform="airflow",
                   environment="prod", status="active", trigger="schedule")
        edge("CONTAINS", "workspace:airflow:acme-data", wid, reason="DAG")
        for s in conns:
            cid = node("Connector", f"connector:airflow:acme-data:{dag}:{s.rsplit(':', 1)[-1]}",
                       name=f"{dag} / {s.rsplit(':', 1)[-1]}", service="airflow-hook",
                       environment="prod")
            edge("USES", wid, cid, reason="operator in the DAG")
            edge("AUTHENTICATES_WITH", cid, s, reason="conn_id")
    return {"nhigraph_inventory": 1, "source": "acme-freight sample estate",
            "nodes": nodes, "edges": edges}


def main() -> None:
    from .aws_exports import write as write_aws

    for path in write_aws():
        print(f"wrote {path}")
    out = Path(__file__).with_name("inventory.yaml")
    doc = build()
    header = ("# Acme Freight sample estate (fictional). Generated by sample_estate/build.py;\n"
              "# edit that file and regenerate rather than editing this one.\n")
    out.write_text(header + yaml.safe_dump(doc, sort_keys=False, width=100))
    print(f"wrote {out}: {sum(len(v) for v in nodes.values())} nodes, "
          f"{sum(len(v) for v in edges.values())} edges")


if __name__ == "__main__":
    main()
