"""RBAC evaluation: Roles, ClusterRoles and their bindings -> CAN_ACCESS with access levels
from verbs, and the CAN_ASSUME escalations (reading token secrets, impersonation)."""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass, field
from typing import Any

from graph.records import Edge, Node

from .objects import SOURCE, State, meta, sa_id

READ_VERBS = frozenset({"get", "list", "watch"})
WRITE_VERBS = frozenset({"create", "update", "patch", "delete", "deletecollection"})
ADMIN_VERBS = frozenset({"*", "escalate", "bind", "impersonate"})
_RANK = {"read": 1, "unknown": 2, "write": 3, "admin": 4}
_READ = ["get", "list", "watch"]
#: The default user-facing ClusterRoles every cluster has, used when a binding names one
#: the files do not define. Approximations of Kubernetes' defaults: admin and edit cover
#: every namespaced resource (edit can read secrets), view every common one except secrets.
BUILTIN_CLUSTER_ROLES = {
    "cluster-admin": [{"apiGroups": ["*"], "resources": ["*"], "verbs": ["*"]}],
    "admin": [{"resources": ["*"], "verbs": ["*"]}],
    "edit": [{"resources": ["*"], "verbs": _READ + ["create", "update", "patch", "delete",
                                                    "deletecollection"]}],
    "view": [{"resources": ["pods", "pods/log", "services", "endpoints", "configmaps",
                            "persistentvolumeclaims", "serviceaccounts", "deployments",
                            "replicasets", "statefulsets", "daemonsets", "jobs", "cronjobs",
                            "ingresses", "events"], "verbs": _READ}],
}


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


def _subject_id(st: State, subj: Any, ns: str, where: str) -> str | None:
    if not isinstance(subj, dict) or not subj.get("name"):
        st.batch.skipped.append(f"{where}: subject without a name; ignored")
        return None
    kind, name = subj.get("kind"), str(subj["name"])
    if kind == "ServiceAccount":
        sns = str(subj.get("namespace") or ns or "default")
        sid = sa_id(st, sns, name)
        st.batch.nodes.append(Node(sid, "Identity", {"name": f"{sns}/{name}"}, where))
        return sid
    if kind in ("User", "Group"):
        sid = f"identity:k8s:{st.cluster}:{kind.lower()}:{name}"
        st.batch.nodes.append(Node(sid, "Identity", {
            "name": name, "identity_type": kind.lower(), "account": st.cluster}, where))
        return sid
    st.batch.skipped.append(f"{where}: unknown subject kind {kind!r}; ignored")
    return None


def _items(value) -> list:
    """A list from the file, or nothing: a mapping or a number where a list belongs holds
    no rules, subjects or verbs (the wrong shape is not guessed at)."""
    return value if isinstance(value, list) else []


def _texts(value) -> list[str]:
    return [str(v) for v in _items(value) if isinstance(v, (str, int, float))]


def write_bindings(st: State) -> None:
    access: dict[tuple[str, str], _Access] = {}
    assume: dict[tuple[str, str], str] = {}
    for obj, where in st.bindings:
        kind = obj["kind"]
        name, ns = meta(obj, where, kind == "RoleBinding")
        ref = obj["roleRef"]
        key = (ref["kind"], f"{ns}/{ref['name']}" if ref["kind"] == "Role" else ref["name"])
        builtin = key not in st.roles and ref["kind"] == "ClusterRole" and \
            ref["name"] in BUILTIN_CLUSTER_ROLES
        if key not in st.roles and not builtin:
            st.batch.skipped.append(f"{where}: {ref['kind']} {ref['name']} is not in the "
                                    "files; binding ignored")
            continue
        rules = BUILTIN_CLUSTER_ROLES[ref["name"]] if builtin else st.roles[key][0]
        scope = ns if kind == "RoleBinding" else "*"
        grant = f"{kind} {name if scope == '*' else ns + '/' + name} -> {ref['kind']} " \
            f"{ref['name']}" + (" (built-in; default rules assumed)" if builtin else "")
        subjects = [s for s in (_subject_id(st, subj, ns, where)
                                for subj in _items(obj.get("subjects"))) if s]
        for rule in _items(rules):
            if not isinstance(rule, dict):
                continue
            verbs = _texts(rule.get("verbs"))
            names = _texts(rule.get("resourceNames"))
            for res in _texts(rule.get("resources")):
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


def _targets(st: State, scope: str, res: str, names: list[str]) -> list[str]:
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


def write_containment(st: State) -> None:
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
