from airflow import DAG

with DAG(dag_id="s3_customer_export", schedule=None) as dag:
    pass  # uses the default AWS connection through a custom operator
    from custom import Export
    Export(task_id="x", aws_conn_id="aws_default", bucket_conn_id="warehouse_s3")
