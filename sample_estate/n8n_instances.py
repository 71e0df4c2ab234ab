"""The sample estate's three hand-written n8n instances: prod, dev and a marketing one
nobody owns, with their credentials and workflows (the planted P1, P2, P3, P4, P7, P8 and
P9 of ``sample_estate/README.md``). The fourth instance, acme-ops, is a real export under
``sample_estate/n8n/`` and is not written here.
"""

from __future__ import annotations

from .inventory_records import edge, grant, node

N8N_PROD, N8N_DEV, N8N_MKT = "acme-prod", "acme-dev", "acme-marketing"


def n8n_instances(e: dict) -> None:
    """Write the instances; ``e`` holds the ids :func:`sample_estate.company.company` made."""
    o, saas = e["o"], e["saas"]
    svc_n8n, snow_reporting = e["svc_n8n"], e["snow_reporting"]
    netsuite_token, pagerduty = e["netsuite_token"], e["pagerduty"]
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
