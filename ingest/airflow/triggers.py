"""Airflow entry points: DAGs that run only when someone triggers them.

A DAG whose file sets ``schedule=None`` (or ``schedule_interval=None``) runs only when it is
triggered: from the UI, the CLI, another DAG, or the stable REST API
(``POST /api/v1/dags/{dag_id}/dagRuns``, with a ``conf`` the tasks may read). Whoever holds
an Airflow API or UI credential with trigger permission on it can start it:
``actor:airflow:<deployment>:api-users`` CAN_TRIGGER the Workflow (authentication
``platform-user``). Not knowable from the files: who holds such credentials (Airflow users,
roles and API auth backends live in its metadata database and config), whether the API is
reachable from outside, and whether a scheduled DAG is also triggered by hand (any unpaused
DAG can be); a file with several DAGs and one ``schedule=None`` is attributed to none
(a note says so).
"""

from __future__ import annotations

import re
from pathlib import Path

from graph.records import Batch

from ..actors import actor, can_trigger
from ..files import Skip, read_text
from ..workflow_records import RecordBuilder

_NO_SCHEDULE = re.compile(r"\bschedule(?:_interval)?\s*=\s*None\b")


def manual_dags(dag_conns: list[tuple[Path, list[str], list[str]]], max_bytes: int,
                batch: Batch) -> list[tuple[Path, str]]:
    """(file, DAG id) of every DAG whose file sets ``schedule=None``."""
    out = []
    for f, dag_ids, _ in dag_conns:
        try:
            text = read_text(f, max_bytes)
        except Skip:
            continue
        if not _NO_SCHEDULE.search(text):
            continue
        if len(dag_ids) == 1:
            out.append((f, dag_ids[0]))
        else:
            batch.notes.append(f"{f}: schedule=None in a file of {len(dag_ids)} DAGs; "
                               "not attributed to any of them")
    return out


def add_entry_points(batch: Batch, dep: str, manual: list[tuple[Path, str]]) -> None:
    """``actor:airflow:<dep>:api-users CAN_TRIGGER`` each manually triggered DAG."""
    b = RecordBuilder("airflow", batch)
    for f, dag_id in manual:
        where = f"{f}: {dag_id}"
        a = actor(b, f"actor:airflow:{dep}:api-users", where,
                  name=f"holders of an Airflow {dep} API/UI credential",
                  actor_type="api-users", platform="airflow")
        can_trigger(b, a, f"workflow:airflow:{dep}:{dag_id}", "schedule=None (REST API "
                    "dagRuns)", "platform-user", "the DAG runs only when triggered: whoever "
                    "holds an Airflow API or UI credential with trigger permission", where)
        for n in batch.nodes:
            if n.id == f"workflow:airflow:{dep}:{dag_id}":
                n.props["trigger"] = "manual"
