"""Shared helpers: no DAG here."""
RETRIES = 3
