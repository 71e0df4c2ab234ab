"""Kubernetes objects -> records: ServiceAccounts, Secrets (never their data), and the
secrets that service accounts and workloads' pods mount. Roles and bindings are only
collected here; :mod:`.rbac` evaluates them once every file is read."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from graph.errors import InputError
from graph.records import Batch, Edge, Node

SOURCE = "kubernetes"
TOKEN_TYPE = "kubernetes.io/service-account-token"


@dataclass
class State:
    """What one parse run has read so far (bindings are evaluated after every file)."""

    cluster: str
    batch: Batch
    roles: dict[tuple[str, str], tuple[list, str]] = field(default_factory=dict)
    bindings: list[tuple[dict, str]] = field(default_factory=list)
    #: (namespace, service account, secret, how it is mounted, where)
    sa_secrets: list[tuple[str, str, str, str, str]] = field(default_factory=list)
    tokens: dict[str, list[tuple[str, str]]] = field(default_factory=dict)  # ns -> (secret, sa)
    sas: set[str] = field(default_factory=set)


def meta(obj: dict, where: str, namespaced: bool) -> tuple[str, str]:
    """(name, namespace) of an object; namespaced objects default to ``default``."""
    m = obj.get("metadata")
    if not isinstance(m, dict) or not isinstance(m.get("name"), str) or not m["name"]:
        raise InputError(f"{obj.get('kind')} without metadata.name", where)
    ns = str(m.get("namespace") or ("default" if namespaced else ""))
    return m["name"], ns


def sa_id(st: State, ns: str, name: str) -> str:
    return f"identity:k8s:{st.cluster}:{ns}/{name}"


def read_object(obj: Any, where: str, st: State) -> None:
    if not isinstance(obj, dict):
        raise InputError("not a Kubernetes object (a mapping with kind)", where)
    kind = obj.get("kind")
    b, c = st.batch, st.cluster
    if kind == "ServiceAccount":
        name, ns = meta(obj, where, True)
        sid = sa_id(st, ns, name)
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
        name, ns = meta(obj, where, True)
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
            said = sa_id(st, ns, str(sa))
            b.nodes.append(Node(said, "Identity", {"name": f"{ns}/{sa}"}, where))
            b.edges.append(Edge(sid, "AUTHENTICATES_AS", said, {
                "reason": f"service-account token of {ns}/{sa}", "source": SOURCE}, where))
            st.tokens.setdefault(ns, []).append((name, said))
    elif kind in ("Role", "ClusterRole"):
        name, ns = meta(obj, where, kind == "Role")
        rules = obj.get("rules") or []
        if not isinstance(rules, list):
            raise InputError("rules must be a list", where)
        st.roles[(kind, f"{ns}/{name}" if kind == "Role" else name)] = (rules, where)
    elif kind in ("RoleBinding", "ClusterRoleBinding"):
        meta(obj, where, kind == "RoleBinding")
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


def _workload(obj: dict, kind: str, where: str, st: State) -> None:
    """Secrets a workload's pods mount (secret and projected volumes, env, envFrom) are
    readable by whoever holds the service account the pods run as."""
    name, ns = meta(obj, where, True)
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


def write_mounts(st: State) -> None:
    c = st.cluster
    mounts: dict[tuple[str, str], list[str]] = {}
    wheres: dict[tuple[str, str], str] = {}
    for ns, sa, secret, how, where in st.sa_secrets:
        key = (sa_id(st, ns, sa), f"resource:k8s:{c}:{ns}/secrets/{secret}")
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


