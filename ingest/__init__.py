"""Ingesters: one module per source format, each turning files into canonical records
(:class:`graph.records.Batch`). No store code here: the caller writes the batch.

``INGESTERS`` maps the name used on the command line (``nhigraph ingest NAME PATH``) to the
module that parses it; each module has ``parse(path, **options) -> Batch``.
"""

INGESTERS = {
    "inventory": "ingest.inventory",
    "aws-iam": "ingest.aws",
    "kubernetes": "ingest.kubernetes",
    "n8n": "ingest.n8n",
    "github-actions": "ingest.github",
    "airflow": "ingest.airflow",
}
