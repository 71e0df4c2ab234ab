"""Kubernetes RBAC, offline: manifests or ``kubectl get ... -o json|yaml`` output
(objects, ``kind: List`` with ``items``, multi-document YAML) of ServiceAccounts, Secrets,
Roles, ClusterRoles, RoleBindings and ClusterRoleBindings -> identities and access levels.

What becomes what (ids in docs/ids.md; ``<c>`` is the cluster name, option ``cluster``):

- ServiceAccount -> Identity ``identity:k8s:<c>:<ns>/<name>``; User and Group subjects ->
  ``identity:k8s:<c>:user:<name>`` / ``identity:k8s:<c>:group:<name>``.
- Secret -> Secret ``secret:k8s:<c>:<ns>/<name>``, CONTAINED by the namespace Workspace
  ``workspace:k8s:<c>:<ns>``. Its ``data`` is never read. A
  ``kubernetes.io/service-account-token`` secret AUTHENTICATES_AS its service account.
- A service account's ``secrets:`` list (secrets mounted into its pods) -> CAN_ACCESS read
  to the secret object ``resource:k8s:<c>:<ns>/secrets/<name>``.
- Bindings -> CAN_ACCESS from each subject to ``resource:k8s:<c>:<ns>/<resource>`` (or
  ``/<resource>/<name>`` for resourceNames; ``*/<resource>`` for cluster-wide grants);
  ``*`` on ``*`` cluster-wide is the cluster System ``system:k8s:<c>``. Access from verbs:
  get/list/watch read; create/update/patch/delete/deletecollection write; ``*``, escalate,
  bind, impersonate admin; other verbs (use, approve, sign...) unknown.
- Reading a namespace's secrets gives the service-account tokens stored there, and
  ``impersonate`` on serviceaccounts gives those accounts: both become CAN_ASSUME edges to
  the service accounts concerned (loaded in the same run).

Bad files (malformed YAML/JSON) and bad objects are reported one line each in
``Batch.skipped``; empty YAML documents are ignored; the rest is ingested.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from graph.errors import InputError
from graph.records import Batch
from ingest.files import collect_some, json_loads
from ingest.registry import RUN_OPTIONS, Ingester, Option, strict_option
from ingest.yaml_loader import YamlError, load_all_text

from .objects import State, read_object, write_mounts
from .rbac import verb_level as verb_level
from .rbac import write_bindings, write_containment


def _files(path) -> list[Path]:
    return collect_some(path, (".yaml", ".yml", ".json"))


def _documents(p: Path, notes: list[str]) -> list[Any]:
    try:
        text = p.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise InputError("not UTF-8 text", str(p)) from None
    if p.suffix.lower() == ".json":
        try:
            return [json_loads(text)]
        except json.JSONDecodeError as exc:
            raise InputError(f"malformed JSON: {exc.msg}",
                             f"{p}:{exc.lineno}:{exc.colno}") from None
    try:
        return load_all_text(text, str(p), notes)
    except YamlError as exc:
        where = f"{p}:{exc.line}:{exc.column}" if exc.line else str(p)
        raise InputError(f"malformed YAML: {exc.problem}", where) from None


def _objects(doc: Any, where: str):
    if isinstance(doc, dict) and str(doc.get("kind", "")).endswith("List") \
            and isinstance(doc.get("items"), list):
        for i, item in enumerate(doc["items"]):
            yield item, f"{where}.items[{i}]"
    else:
        yield doc, where


def parse(path, cluster: str | None = None, **_options) -> Batch:
    """Parse Kubernetes files or folders (see the module docstring) into one batch."""
    batch = Batch()
    st = State(cluster or "default", batch)
    for p in _files(path):
        try:
            docs = _documents(p, batch.notes)
        except InputError as exc:
            batch.skipped.append(f"{exc}; file skipped")
            continue
        batch.files_read += 1
        for d, doc in enumerate(docs):
            for obj, where in _objects(doc, f"{p}: document {d + 1}"):
                try:
                    read_object(obj, where, st)
                except InputError as exc:
                    batch.skipped.append(f"{exc}; object skipped")
                except (AttributeError, TypeError, KeyError, ValueError) as exc:
                    # a value of a type no Kubernetes object has (a mapping for a name...)
                    batch.skipped.append(f"{where}: unexpected shape ({type(exc).__name__}); "
                                         "object skipped")
    write_bindings(st)
    write_mounts(st)
    write_containment(st)
    return batch




INGESTER = Ingester(
    name="kubernetes",
    help="Ingest Kubernetes RBAC: manifests or `kubectl get -o json/yaml` lists of\n"
         "ServiceAccounts, Secrets (never their data), Roles, ClusterRoles and bindings.",
    parse=parse,
    source_from="all",
    strict=strict_option("any file, entry or action was"),
    options=(
        RUN_OPTIONS,
        Option("--cluster", "Cluster name used in ids (default: 'default')."),
    ),
)
