"""Airflow: ``airflow connections export`` files and DAG files -> canonical records.

Connections: the JSON, YAML and env files ``airflow connections export`` writes (JSON/YAML:
a mapping of ``conn_id`` to ``conn_type``, ``host``, ``login``, ``password``, ``schema``,
``port``, ``extra``; env: ``conn_id=<URI>`` or ``conn_id=<JSON>`` per line). Each becomes a
Secret ``secret:airflow:<deployment>:<conn_id>`` (the password fingerprinted, ``extra``
split into identifiers and a fingerprint, never stored), CONTAINed by the deployment's
Workspace, with ``CAN_ACCESS access=unknown`` to the System its ``conn_type`` and host name
(docs/ids.md). An AWS connection keeps its access key id (joins the AWS side) and a
``role_arn`` in its extra makes it AUTHENTICATES_AS that role (stub Identity).

DAGs: Python files are read as text, never imported or run. A regex finds DAG ids
(``DAG("id"``, ``DAG(dag_id="id"``, ``@dag(dag_id=...)``, else the ``@dag`` function's
name) and connection ids (``*_conn_id="x"``, ``conn_id="x"``, ``get_connection("x")``,
``{{ conn.x }}``). Limits: ids built at run time (variables, f-strings, defaults of
custom operators, Variables) are not seen; a file with several DAGs gives every DAG every
connection the file names. Each DAG is a Workflow that USES a Connector per connection,
which AUTHENTICATES_WITH the connection's Secret. :mod:`.read` reads and decodes the
files, :mod:`.transform` turns them into records.
"""

from __future__ import annotations

from pathlib import Path

from graph.records import Batch, normalise_environment

from ..files import DEFAULT_MAX_BYTES
from ..registry import Option, workflow_platform
from .read import default_name, read_files
from .transform import transform
from .triggers import add_entry_points, manual_dags


def parse(path, deployment: str | None = None, dags=None, environment: str | None = None,
          saas_tenant: str | None = None, max_bytes: int = DEFAULT_MAX_BYTES) -> Batch:
    """Parse connection exports and DAG files (``.py`` among the paths, or ``dags``)."""
    roots = [path] if isinstance(path, (str, Path)) else list(path)
    if dags:
        roots += [dags] if isinstance(dags, (str, Path)) else list(dags)
    dep = deployment or default_name(Path(roots[0]))
    env = normalise_environment(environment) if environment else None
    batch = Batch()
    conns, dag_conns = read_files(roots, max_bytes, batch)
    transform(dep, env, saas_tenant, conns, dag_conns, batch)
    add_entry_points(batch, dep, manual_dags(dag_conns, max_bytes, batch))
    return batch


INGESTER = workflow_platform(
    "airflow",
    "Ingest `airflow connections export` files (JSON/YAML/env) and DAG files.",
    parse,
    Option("--deployment", "Deployment name (default: the folder's name)."),
    Option("--dags", "DAG files or folders (repeatable; .py files among PATHS count too).",
           type="path", multiple=True),
)
