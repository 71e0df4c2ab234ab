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

import fnmatch
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from graph.errors import InputError
from graph.records import Batch, Edge, Node

SOURCE = "kubernetes"
READ_VERBS = frozenset({"get", "list", "watch"})
WRITE_VERBS = frozenset({"create", "update", "patch", "delete", "deletecollection"})
ADMIN_VERBS = frozenset({"*", "escalate", "bind", "impersonate"})
_RANK = {"read": 1, "unknown": 2, "write": 3, "admin": 4}
TOKEN_TYPE = "kubernetes.io/service-account-token"


def verb_level(verb: str) -> str:
    v = verb.lower()
    if v in ADMIN_VERBS:
        return "admin"
    if v in WRITE_VERBS:
        return "write"
    if v in READ_VERBS:
        return "read"
    return "unknown"


@dataclass
class _Access:
    verbs: set[str] = field(default_factory=set)
    grants: list[str] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)


@dataclass
class _State:
    cluster: str
    batch: Batch
    roles: dict[tuple[str, str], tuple[list, str]] = field(default_factory=dict)
    bindings: list[tuple[dict, str]] = field(default_factory=list)
    #: (namespace, service account, secret, how it is mounted, where)
    sa_secrets: list[tuple[str, str, str, str, str]] = field(default_factory=list)
    tokens: dict[str, list[tuple[str, str]]] = field(default_factory=dict)  # ns -> (secret, sa)
    sas: set[str] = field(default_factory=set)


def _files(path) -> list[Path]:
    items = path if isinstance(path, (list, tuple)) else [path]
    out = []
    for item in items:
        p = Path(item)
        if p.is_dir():
            found = sorted(f for f in p.rglob("*")
                           if f.suffix.lower() in (".yaml", ".yml", ".json"))
            if not found:
                raise InputError("no .yaml, .yml or .json files in the folder", str(p))
            out.extend(found)
        elif p.exists():
            out.append(p)
        else:
            raise InputError("no such file or folder", str(p))
    return out


def _documents(p: Path) -> list[Any]:
    try:
        text = p.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise InputError("not UTF-8 text", str(p)) from None
    if p.suffix.lower() == ".json":
        try:
            return [json.loads(text)]
        except json.JSONDecodeError as exc:
            raise InputError(f"malformed JSON: {exc.msg}",
                             f"{p}:{exc.lineno}:{exc.colno}") from None
    try:
        return [d for d in yaml.safe_load_all(text) if d is not None]
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{p}:{mark.line + 1}:{mark.column + 1}" if mark else str(p)
        raise InputError(f"malformed YAML: {getattr(exc, 'problem', None) or exc}",
                         where) from None


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
    st = _State(cluster or "default", batch)
    for p in _files(path):
        try:
            docs = _documents(p)
        except InputError as exc:
            batch.skipped.append(f"{exc}; file skipped")
            continue
        batch.files_read += 1
        for d, doc in enumerate(docs):
            for obj, where in _objects(doc, f"{p}: document {d + 1}"):
                try:
                    _object(obj, where, st)
                except InputError as exc:
                    batch.skipped.append(f"{exc}; object skipped")
    _bindings(st)
    _mounted(st)
    _pattern_contains(st)
    return batch


def _meta(obj: dict, where: str, namespaced: bool) -> tuple[str, str]:
    meta = obj.get("metadata")
    if not isinstance(meta, dict) or not isinstance(meta.get("name"), str) \
            or not meta["name"]:
        raise InputError(f"{obj.get('kind')} without metadata.name", where)
    ns = str(meta.get("namespace") or ("default" if namespaced else ""))
    return meta["name"], ns


def _sa_id(st: _State, ns: str, name: str) -> str:
    return f"identity:k8s:{st.cluster}:{ns}/{name}"


def _object(obj: Any, where: str, st: _State) -> None:
    if not isinstance(obj, dict):
        raise InputError("not a Kubernetes object (a mapping with kind)", where)
    kind = obj.get("kind")
    b, c = st.batch, st.cluster
    if kind == "ServiceAccount":
        name, ns = _meta(obj, where, True)
        sid = _sa_id(st, ns, name)
        st.sas.add(sid)
        b.nodes.append(Node(sid, "Identity", {
            "name": f"{ns}/{name}", "identity_type": "service_account", "account": c,
            "status": "active", "source": SOURCE,
            "automount_token": obj.get("automountServiceAccountToken", True) is not False},
            where))
        for ref in obj.get("secrets") or []:
            if isinstance(ref, dict) and ref.get("name"):
                st.sa_secrets.append((ns, name, str(ref["name"]),
                                      f"listed in the secrets of ServiceAccount {ns}/{name}",
                                      where))
    elif kind == "Secret":
        name, ns = _meta(obj, where, True)
        stype = str(obj.get("type") or "Opaque")
        sid = f"secret:k8s:{c}:{ns}/{name}"
        ws = f"workspace:k8s:{c}:{ns}"
        b.nodes.append(Node(ws, "Workspace", {"name": f"{c}/{ns}", "platform": "kubernetes"},
                            where))
        props = {"name": f"{ns}/{name}", "store": "kubernetes", "scope": "namespace",
                 "secret_type": "service_account_token" if stype == TOKEN_TYPE else
                 stype.rsplit("/", 1)[-1].lower(), "k8s_secret_type": stype,
                 "source": SOURCE}
        b.nodes.append(Node(sid, "Secret", props, where))
        b.edges.append(Edge(ws, "CONTAINS", sid, {"reason": f"secret in namespace {ns}",
                                                  "source": SOURCE}, where))
        sa = ((obj.get("metadata") or {}).get("annotations") or {}).get(
            "kubernetes.io/service-account.name")
        if stype == TOKEN_TYPE and sa:
            said = _sa_id(st, ns, str(sa))
            b.nodes.append(Node(said, "Identity", {"name": f"{ns}/{sa}"}, where))
            b.edges.append(Edge(sid, "AUTHENTICATES_AS", said, {
                "reason": f"service-account token of {ns}/{sa}", "source": SOURCE}, where))
            st.tokens.setdefault(ns, []).append((name, said))
    elif kind in ("Role", "ClusterRole"):
        name, ns = _meta(obj, where, kind == "Role")
        rules = obj.get("rules") or []
        if not isinstance(rules, list):
            raise InputError("rules must be a list", where)
        st.roles[(kind, f"{ns}/{name}" if kind == "Role" else name)] = (rules, where)
    elif kind in ("RoleBinding", "ClusterRoleBinding"):
        _meta(obj, where, kind == "RoleBinding")
        ref = obj.get("roleRef")
        if not isinstance(ref, dict) or ref.get("kind") not in ("Role", "ClusterRole") \
                or not ref.get("name"):
            raise InputError("roleRef must name a Role or ClusterRole", where)
        st.bindings.append((obj, where))
    elif kind in _WORKLOADS:
        _workload(obj, kind, where, st)
    # Other kinds (Services, ConfigMaps...) carry no RBAC: ignored on purpose.


#: Kinds that run pods, and the path to their pod spec.
_POD = ("spec", "template", "spec")
_WORKLOADS = {"Pod": ("spec",), "Deployment": _POD, "StatefulSet": _POD, "DaemonSet": _POD,
              "ReplicaSet": _POD, "Job": _POD,
              "CronJob": ("spec", "jobTemplate", "spec", "template", "spec")}


def _workload(obj: dict, kind: str, where: str, st: _State) -> None:
    """Secrets a workload's pods mount (secret and projected volumes, env, envFrom) are
    readable by whoever holds the service account the pods run as."""
    name, ns = _meta(obj, where, True)
    spec: Any = obj
    for key in _WORKLOADS[kind]:
        spec = spec.get(key) if isinstance(spec, dict) else None
    if not isinstance(spec, dict):
        return
    sa = str(spec.get("serviceAccountName") or spec.get("serviceAccount") or "default")
    what = f"{kind} {ns}/{name}"
    found: dict[str, str] = {}
    for vol in spec.get("volumes") or []:
        if not isinstance(vol, dict):
            continue
        if isinstance(vol.get("secret"), dict) and vol["secret"].get("secretName"):
            found.setdefault(str(vol["secret"]["secretName"]), f"volume {vol.get('name')}")
        for src in (vol.get("projected") or {}).get("sources") or []:
            if isinstance(src, dict) and isinstance(src.get("secret"), dict) \
                    and src["secret"].get("name"):
                found.setdefault(str(src["secret"]["name"]), f"volume {vol.get('name')}")
    for c in (spec.get("containers") or []) + (spec.get("initContainers") or []):
        if not isinstance(c, dict):
            continue
        for env in c.get("env") or []:
            ref = ((env or {}).get("valueFrom") or {}).get("secretKeyRef") or {}
            if ref.get("name"):
                found.setdefault(str(ref["name"]), f"env {env.get('name')}")
        for env in c.get("envFrom") or []:
            ref = (env or {}).get("secretRef") or {}
            if ref.get("name"):
                found.setdefault(str(ref["name"]), "envFrom")
    # imagePullSecrets are used by the kubelet, not mounted: the pod cannot read them.
    for secret, how in sorted(found.items()):
        st.sa_secrets.append((ns, sa, secret, f"mounted by {what} ({how})", where))


def _subject_id(st: _State, subj: Any, ns: str, where: str) -> str | None:
    if not isinstance(subj, dict) or not subj.get("name"):
        st.batch.skipped.append(f"{where}: subject without a name; ignored")
        return None
    kind, name = subj.get("kind"), str(subj["name"])
    if kind == "ServiceAccount":
        sns = str(subj.get("namespace") or ns or "default")
        sid = _sa_id(st, sns, name)
        st.batch.nodes.append(Node(sid, "Identity", {"name": f"{sns}/{name}"}, where))
        return sid
    if kind in ("User", "Group"):
        sid = f"identity:k8s:{st.cluster}:{kind.lower()}:{name}"
        st.batch.nodes.append(Node(sid, "Identity", {
            "name": name, "identity_type": kind.lower(), "account": st.cluster}, where))
        return sid
    st.batch.skipped.append(f"{where}: unknown subject kind {kind!r}; ignored")
    return None


def _bindings(st: _State) -> None:
    access: dict[tuple[str, str], _Access] = {}
    assume: dict[tuple[str, str], str] = {}
    for obj, where in st.bindings:
        kind = obj["kind"]
        name, ns = _meta(obj, where, kind == "RoleBinding")
        ref = obj["roleRef"]
        key = (ref["kind"], f"{ns}/{ref['name']}" if ref["kind"] == "Role" else ref["name"])
        if key not in st.roles:
            st.batch.skipped.append(f"{where}: {ref['kind']} {ref['name']} is not in the "
                                    "files; binding ignored")
            continue
        rules, _ = st.roles[key]
        scope = ns if kind == "RoleBinding" else "*"
        grant = f"{kind} {name if scope == '*' else ns + '/' + name} -> {ref['kind']} " \
            f"{ref['name']}"
        subjects = [s for s in (_subject_id(st, subj, ns, where)
                                for subj in obj.get("subjects") or []) if s]
        for rule in rules:
            if not isinstance(rule, dict):
                continue
            verbs = [str(v) for v in rule.get("verbs") or []]
            names = [str(n) for n in rule.get("resourceNames") or []]
            for res in [str(r) for r in rule.get("resources") or []]:
                for target in _targets(st, scope, res, names):
                    for s in subjects:
                        a = access.setdefault((s, target), _Access())
                        a.verbs.update(verbs)
                        if grant not in a.grants:
                            a.grants.append(grant)
                        a.reasons.append(f"{grant} allows {','.join(verbs)} on {res}"
                                         + (f" {','.join(names)}" if names else "")
                                         + ("" if scope == "*" else f" in {ns}"))
                    _escalations(st, scope, res, names, verbs, subjects, grant, assume)
    for (s, target), a in sorted(access.items()):
        level = max((verb_level(v) for v in a.verbs), key=_RANK.__getitem__)
        st.batch.edges.append(Edge(s, "CAN_ACCESS", target, {
            "access": level, "actions": sorted(a.verbs), "grant": "; ".join(a.grants),
            "reason": "; ".join(dict.fromkeys(a.reasons)), "conditional": False,
            "source": SOURCE}))
    for (s, sa), reason in sorted(assume.items()):
        if s != sa:
            st.batch.edges.append(Edge(s, "CAN_ASSUME", sa, {"reason": reason,
                                                             "source": SOURCE}))


def _targets(st: _State, scope: str, res: str, names: list[str]) -> list[str]:
    c = st.cluster
    system = f"system:k8s:{c}"
    st.batch.nodes.append(Node(system, "System", {"name": c, "system_type": "cluster"}))
    if scope == "*" and res == "*" and not names:
        return [system]
    out = []
    for n in names or [None]:
        rid = f"resource:k8s:{c}:{scope}/{res}" + (f"/{n}" if n else "")
        st.batch.nodes.append(Node(rid, "Resource", {
            "name": rid.split(":", 3)[3], "resource_type": f"k8s_{res}".replace("/", "_")}))
        st.batch.edges.append(Edge(system, "CONTAINS", rid, {"reason": f"in cluster {c}"}))
        out.append(rid)
    return out


def _escalations(st, scope, res, names, verbs, subjects, grant, assume) -> None:
    """Reading token secrets or impersonating service accounts makes you those accounts."""
    vs = {v.lower() for v in verbs}
    if res in ("secrets", "*") and vs & {"get", "list", "watch", "*"}:
        for ns, tokens in st.tokens.items():
            if scope not in ("*", ns):
                continue
            for secret, sa in tokens:
                if not names or secret in names:
                    for s in subjects:
                        assume.setdefault((s, sa), f"{grant} can read the service-account "
                                          f"token secret {ns}/{secret}")
    if res in ("serviceaccounts", "*") and vs & {"impersonate", "*"}:
        for sa in sorted(st.sas):
            ns, name = sa.split(":", 3)[3].split("/", 1)
            if scope in ("*", ns) and (not names or name in names):
                for s in subjects:
                    assume.setdefault((s, sa), f"{grant} can impersonate {ns}/{name}")


def _mounted(st: _State) -> None:
    c = st.cluster
    mounts: dict[tuple[str, str], list[str]] = {}
    wheres: dict[tuple[str, str], str] = {}
    for ns, sa, secret, how, where in st.sa_secrets:
        key = (_sa_id(st, ns, sa), f"resource:k8s:{c}:{ns}/secrets/{secret}")
        mounts.setdefault(key, []).append(how)
        wheres.setdefault(key, where)
        st.batch.nodes.append(Node(key[0], "Identity", {"name": f"{ns}/{sa}"}, where))
    for (said, rid), hows in sorted(mounts.items()):
        where = wheres[(said, rid)]
        name = rid.split(":", 3)[3]
        system = f"system:k8s:{c}"
        st.batch.nodes.append(Node(system, "System", {"name": c, "system_type": "cluster"}))
        st.batch.nodes.append(Node(rid, "Resource", {"name": name,
                                                     "resource_type": "k8s_secrets"}))
        st.batch.edges.append(Edge(system, "CONTAINS", rid, {"reason": f"in cluster {c}"}))
        st.batch.edges.append(Edge(said, "CAN_ACCESS", rid, {
            "access": "read", "actions": ["mount"], "grant": "; ".join(dict.fromkeys(hows)),
            "reason": f"secret {name.replace('/secrets/', '/')} is readable by pods running as "
                      f"{said.split(':', 3)[3]}: " + "; ".join(dict.fromkeys(hows)),
            "conditional": False, "source": SOURCE}, where))


def _pattern_contains(st: _State) -> None:
    """``*/secrets`` and ``ns/*`` CONTAIN the concrete resources of the run they match."""
    ids = sorted({n.id for n in st.batch.nodes if n.kind == "Resource"})
    patterns = [i for i in ids if "*" in i]
    for pat in patterns:
        for rid in ids:
            if rid != pat and "*" not in rid and (fnmatch.fnmatchcase(rid, pat) or
                                                  fnmatch.fnmatchcase(rid, pat + "/*")):
                st.batch.edges.append(Edge(pat, "CONTAINS", rid,
                                           {"reason": f"{rid} falls under {pat}"}))
    # A namespace's collection (ns/secrets) CONTAINS its named objects (ns/secrets/x).
    present = set(ids)
    for rid in ids:
        parent, _, name = rid.rpartition("/")
        if "*" not in rid and parent in present and parent.count("/") == 1 and name:
            st.batch.edges.append(Edge(parent, "CONTAINS", rid,
                                       {"reason": f"{name} is one of {parent.split(':', 3)[3]}"}))
