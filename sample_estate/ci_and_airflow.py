"""The sample estate's GitHub repositories (infra, billing-service, and the owner of
shipping-api, whose workflows arrive from real files under ``sample_estate/github/``) and
its Airflow deployment with the DAGs and connections (planted P1b, P5, P9 of
``sample_estate/README.md``).
"""

from __future__ import annotations

from .inventory_records import edge, grant, node


def github_repositories(e: dict) -> None:
    """Write the repositories; ``e`` holds the ids :func:`sample_estate.company.company` made."""
    o, saas, svc_backup = e["o"], e["saas"], e["svc_backup"]
    gha_deploy, gha_plan = e["gha_deploy"], e["gha_plan"]
    billing_app, dev_sandbox = e["billing_app"], e["dev_sandbox"]

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


def airflow_deployment(e: dict) -> None:
    """Write the Airflow deployment acme-data, its connections and DAGs."""
    o, saas = e["o"], e["saas"]
    snow_airflow, svc_airflow = e["snow_airflow"], e["svc_airflow"]

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
