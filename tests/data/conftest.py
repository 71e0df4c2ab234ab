"""Fixture files are data, not tests: the Airflow DAG fixtures are Python that imports
Airflow and must never be imported or run (the ingester reads them as text)."""

collect_ignore_glob = ["*"]
