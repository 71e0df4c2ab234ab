"""Acme Freight itself in the sample estate: people and teams, the SaaS systems and AWS
resources (crown jewels marked), the AWS and Snowflake identities, and the HashiCorp Vault.

:func:`company` writes them into the inventory (:mod:`sample_estate.inventory_records`) and
returns the ids the platform parts (:mod:`sample_estate.n8n_instances`,
:mod:`sample_estate.ci_and_airflow`) point at.
"""

from __future__ import annotations

from .inventory_records import ACCT, DEV_ACCT, access_key, edge, grant, node, role, s3, user


def company() -> dict:
    """Write the company's owners, systems, identities and vault; return their ids."""
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
    return {"o": o, "saas": saas, "snow_airflow": snow_airflow,
            "snow_reporting": snow_reporting, "billing_app": billing_app,
            "dev_sandbox": dev_sandbox, "gha_deploy": gha_deploy, "gha_plan": gha_plan,
            "svc_n8n": svc_n8n, "svc_backup": svc_backup, "svc_airflow": svc_airflow,
            "netsuite_token": netsuite_token, "pagerduty": pagerduty}
