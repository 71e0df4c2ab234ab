"""Daily finance load (fixture, never executed)."""
from datetime import datetime

from airflow import DAG
from airflow.providers.amazon.aws.transfers.s3_to_snowflake import S3ToSnowflakeOperator
from airflow.providers.postgres.operators.postgres import PostgresOperator

with DAG("daily_finance_load", start_date=datetime(2024, 1, 1), schedule="@daily") as dag:
    load = S3ToSnowflakeOperator(task_id="load", snowflake_conn_id="snowflake_default",
                                 aws_conn_id='aws_default', s3_keys=["x.csv"], table="T")
    check = PostgresOperator(task_id="check", postgres_conn_id="billing_db", sql="select 1")
