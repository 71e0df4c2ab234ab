"""Reading Airflow files from disk: the only I/O of the Airflow ingester.

Collects the connection exports (``airflow connections export`` JSON, YAML and env files)
and the DAG files (``.py``) under the paths given, reads each within the size limit, and
decodes them: a connection file into ``conn_id -> fields`` (URIs split into fields), a DAG
file, read as text and never imported or run, into its DAG ids and the connection ids it
names (regexes; see :mod:`ingest.airflow` for what they miss). A file of an unexpected
shape is a skip with its reason.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import parse_qsl, unquote, urlsplit

from graph.records import Batch

from ..files import Skip, collect, json_loads, load_json, parse_yaml_text, progress, read_text

_DAG_ID = re.compile(r"""\b(?:DAG|dag)\s*\(\s*(?:dag_id\s*=\s*)?['"]([^'"]+)['"]""")
_DAG_FN = re.compile(r"@dag\b[^\n]*\n(?:\s*@[^\n]*\n)*\s*def\s+(\w+)")
_CONN = re.compile(r"""\b\w*conn(?:ection)?_id\s*=\s*['"]([^'"]+)['"]""")
_GET_CONN = re.compile(r"""get_connection(?:_from_secrets)?\s*\(\s*['"]([^'"]+)['"]""")
_JINJA_CONN = re.compile(r"\{\{[^}]*\bconn\.(\w+)")


def read_files(roots: list, max_bytes: int, batch: Batch
               ) -> tuple[list[tuple[Path, str, dict]], list[tuple[Path, list[str], list[str]]]]:
    """(file, conn_id, fields) of every exported connection and (file, DAG ids, connection
    ids) of every DAG file; skips and the count of files read go to ``batch``."""
    conns: list[tuple[Path, str, dict]] = []
    dag_conns: list[tuple[Path, list[str], list[str]]] = []
    for f in progress(collect(roots, (".json", ".yaml", ".yml", ".env", ".py")),
                      "airflow files"):
        try:
            text = read_text(f, max_bytes)
            if f.suffix.lower() == ".py":
                dag_ids = _dag_ids(text)
                if dag_ids:  # helper modules beside the DAGs are normal, not broken
                    dag_conns.append((f, dag_ids, _conn_ids(text)))
            else:
                conns += [(f, conn_id, fields)
                          for conn_id, fields in _connections(f, text, max_bytes,
                                                             batch.notes).items()]
        except Skip as exc:
            batch.skipped.append(f"{f}: {exc}")
            continue
        batch.files_read += 1
    return conns, dag_conns


def default_name(p: Path) -> str:
    p = p.resolve()
    return (p if p.is_dir() else p.parent).name or "airflow"


def _connections(f: Path, text: str, max_bytes: int, notes: list[str] | None = None
                 ) -> dict[str, dict]:
    suffix = f.suffix.lower()
    if suffix == ".env":
        return _env_connections(text, f, notes)
    doc = load_json(f, max_bytes) if suffix == ".json" else parse_yaml_text(text, str(f), notes)
    if not isinstance(doc, dict) or not doc:
        raise Skip("not an `airflow connections export` file (expected a mapping of "
                   "conn_id to connection)")
    out: dict[str, dict] = {}
    bad: list[str] = []
    for conn_id, fields in doc.items():
        try:
            if isinstance(fields, str):
                out[conn_id] = _uri_fields(fields, conn_id)
            elif not isinstance(fields, dict) or not (set(fields) & {"conn_type", "host"}):
                raise Skip(f"connection {conn_id!r} has an unexpected shape (needs "
                           "conn_type or host)")
            else:
                out[conn_id] = fields
        except Skip as exc:  # one bad connection: that one left out, the file kept
            bad.append(str(exc))
    if not out or notes is None:
        raise Skip(bad[0] if bad else "no connection in the file")
    notes.extend(f"{f}: {problem}; left out" for problem in bad)
    return out


def _env_connections(text: str, f: Path | None = None, notes: list[str] | None = None
                     ) -> dict[str, dict]:
    out: dict[str, dict] = {}
    bad: list[str] = []
    for n, line in enumerate(text.splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        try:
            if "=" not in line:
                raise Skip(f"line {n} is not conn_id=URI")
            conn_id, value = (x.strip() for x in line.split("=", 1))
            out[conn_id] = _env_fields(value, n)
        except Skip as exc:  # one bad line: that connection left out, the file kept
            bad.append(str(exc))
    if not out or notes is None:
        if bad:
            raise Skip(bad[0])
        return out
    notes.extend(f"{f}: {problem}; left out" for problem in bad)
    return out


def _env_fields(value: str, n: int) -> dict:
    if not value.startswith("{"):
        return _uri_fields(value, f"line {n}")
    try:
        fields = json_loads(value)
    except json.JSONDecodeError:
        raise Skip(f"line {n}: invalid JSON connection") from None
    if not isinstance(fields, dict):
        raise Skip(f"line {n}: JSON connection is not a mapping")
    return fields


def _uri_fields(uri: str, where: str) -> dict:
    """Fields of an Airflow connection URI ``type://login:password@host:port/schema?extra``."""
    try:
        parts = urlsplit(uri)
        port = parts.port
    except ValueError:
        raise Skip(f"{where}: not a connection URI") from None
    if not parts.scheme:
        raise Skip(f"{where}: not a connection URI (no conn_type://)")
    extra = dict(parse_qsl(parts.query))
    if "__extra__" in extra:
        try:
            extra = json_loads(extra["__extra__"])
        except json.JSONDecodeError:
            extra = {}
    return {"conn_type": parts.scheme.replace("-", "_"),
            "host": unquote(parts.hostname or "") or None,
            "login": unquote(parts.username) if parts.username else None,
            "password": unquote(parts.password) if parts.password else None,
            "port": port, "schema": unquote(parts.path.lstrip("/")) or None, "extra": extra}


def _dag_ids(text: str) -> list[str]:
    ids = list(dict.fromkeys(_DAG_ID.findall(text)))
    if not ids:
        ids = list(dict.fromkeys(_DAG_FN.findall(text)))
    return ids


def _conn_ids(text: str) -> list[str]:
    found = _CONN.findall(text) + _GET_CONN.findall(text) + _JINJA_CONN.findall(text)
    return sorted(set(found))
