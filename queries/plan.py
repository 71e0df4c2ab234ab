"""Plan changes applied to an in-memory copy of a graph (:class:`~graph.memory.MemoryStore`),
never to a store: the edits behind :mod:`queries.what_if` and :mod:`queries.cut`.

* ``revoke`` a secret: its status becomes ``revoked``, so it opens nothing;
* ``rotate`` a secret: it keeps working for its users, but copies holding the old value
  (``SAME_VALUE_AS``) and hard-coded copies (``EMBEDS``) stop working;
* ``split`` a secret: each workflow that holds it gets its own copy (and its own copy of a
  connector it shares with other workflows), so no two workflows share that credential;
* ``remove_grant``: remove access edges ``SRC->DST`` (every access kind between them) or
  ``SRC-KIND->DST``;
* ``retire`` a workflow: the workflow and its edges are removed;
* ``add_mfa`` to a way in (:func:`add_mfa`): only a person signing in with MFA can still use
  it, so every non-human caller loses it (docs/drift.md says exactly which edges go).
"""

from __future__ import annotations

import re

from graph.errors import InputError
from graph.memory import MemoryStore
from graph.model import ACCESS_EDGES

from .credential_use import credential_use
from .entry_points import OUTSIDE_ACTORS
from .resolve import resolve_node

_EDGE = re.compile(r"^(?P<src>.+?)-(?:(?P<kind>[A-Z_]+)-)?>(?P<dst>.+)$")


def parse_edge(plan: MemoryStore, text: str) -> list[tuple[str, str, str]]:
    """``SRC->DST`` or ``SRC-KIND->DST`` as the access edges it names."""
    m = _EDGE.match(text.strip())
    if not m:
        raise InputError(f"--remove-grant {text!r}: write SRC->DST or SRC-KIND->DST")
    src, dst = resolve_node(plan, m["src"].strip()), resolve_node(plan, m["dst"].strip())
    kinds = {m["kind"]} if m["kind"] else ACCESS_EDGES
    found = [(src, k, dst) for k in sorted(kinds) if plan.graph.has_edge(src, dst, k)]
    if not found:
        raise InputError(f"--remove-grant {text!r}: no access edge from {src} to {dst}")
    return found


def _secret(plan: MemoryStore, name: str, option: str) -> str:
    sid = resolve_node(plan, name)
    kind = plan.graph.nodes[sid].get("kind")
    if kind not in ("Secret", "Identity"):
        raise InputError(f"{option} {name!r}: {sid} is a {kind}, not a secret or identity")
    return sid


def revoke(plan: MemoryStore, name: str) -> str:
    sid = _secret(plan, name, "--revoke")
    plan.set_props(sid, status="revoked")
    return sid


def rotate(plan: MemoryStore, name: str, when: str) -> str:
    sid = _secret(plan, name, "--rotate")
    plan.set_props(sid, last_rotated_at=when)
    g = plan.graph
    for a, b, k in list(g.in_edges(sid, keys=True)) + list(g.out_edges(sid, keys=True)):
        if k == "SAME_VALUE_AS":
            other = b if a == sid else a
            g.remove_edge(a, b, k)
            if g.nodes[other].get("kind") == "Secret":
                g.nodes[other]["status"] = "revoked"  # the old value no longer works
    for a, _, k in list(g.in_edges(sid, keys=True)):
        if k == "EMBEDS":  # a hard-coded copy of the old value
            g.remove_edge(a, sid, k)
    return sid


def split(plan: MemoryStore, name: str) -> list[str]:
    """Give each workflow holding the secret its own copy; returns the copies' ids."""
    sid = _secret(plan, name, "--split")
    g = plan.graph
    workflows = sorted(n["id"] for n in plan.nodes("Workflow"))
    uses, _ = credential_use(plan, workflows)
    users = [w for w in workflows if sid in uses.get(w, ())]
    attrs = dict(g.nodes[sid])
    outs = [(b, k, dict(d)) for _, b, k, d in g.out_edges(sid, keys=True, data=True)
            if k != "SAME_VALUE_AS"]
    ins = [(a, k, dict(d)) for a, _, k, d in g.in_edges(sid, keys=True, data=True)]
    copies = []
    for w in users:
        copy = f"{sid}#split:{w}"
        copies.append(copy)
        g.add_node(copy, **{**attrs, "name": f"{attrs.get('name', sid)} ({w})",
                            "fingerprint": f"split:{copy}"})
        for b, k, d in outs:
            g.add_edge(copy, b, k, **d)
        for a, k, d in ins:
            if a == w or g.nodes[a].get("kind") == "Vault":
                g.add_edge(a, copy, k, **d)
            elif g.nodes[a].get("kind") == "Connector" and g.has_edge(w, a, "USES"):
                conn = a if len([x for x in g.predecessors(a) if g.has_edge(x, a, "USES")]) \
                    == 1 else f"{a}#split:{w}"
                if conn != a:
                    g.add_node(conn, **g.nodes[a])
                    for _, cb, ck, cd in list(g.out_edges(a, keys=True, data=True)):
                        if cb != sid:
                            g.add_edge(conn, cb, ck, **cd)
                    g.add_edge(w, conn, "USES", **g.edges[w, a, "USES"])
                    g.remove_edge(w, a, "USES")
                g.add_edge(conn, copy, k, **d)
    if users:
        g.remove_node(sid)
    for n in [n for n in g.nodes if g.nodes[n].get("kind") == "Connector"
              and "#split:" not in n and g.in_degree(n) == 0 and g.has_node(n)
              and any(k == "AUTHENTICATES_WITH" for _, _, k in g.out_edges(n, keys=True))
              and _was_split(n, g)]:
        g.remove_node(n)
    return copies


def _was_split(conn: str, g) -> bool:
    return any(m.startswith(f"{conn}#split:") for m in g.nodes)


def retire(plan: MemoryStore, name: str) -> str:
    wid = resolve_node(plan, name)
    if plan.graph.nodes[wid].get("kind") != "Workflow":
        raise InputError(f"--retire {name!r}: {wid} is a {plan.graph.nodes[wid].get('kind')}, "
                         "not a workflow")
    plan.remove_node(wid)
    return wid


#: Actors who are people signing in to the platform: with MFA required they keep the trigger,
#: behind an MFA sign-in gate. Every other caller (outsiders, API and token callers,
#: credentials) cannot present MFA and loses it.
PEOPLE_ACTORS = frozenset({"repo-writers", "platform-users"})
MFA_GATE = "MFA sign-in required (what-if)"


def _aws_kind(node: dict) -> str | None:
    arn = str(node.get("arn") or node.get("id") or "")
    kind = node.get("identity_type")
    if kind == "role" or (kind is None and ":role/" in arn):
        return "role"
    if kind == "user" or (kind is None and ":user/" in arn):
        return "user"
    return None


def add_mfa(plan: MemoryStore, name: str) -> dict:
    """Require MFA on one way in; returns what was cut, kept and changed.

    * an AWS **role**: its trust gets ``aws:MultiFactorAuthPresent``; every ``CAN_ASSUME``
      edge into it goes (every principal of this graph reaches the role as a machine: a
      workflow's access key, a service, a federated CI or Kubernetes identity, an account
      root standing for its users and roles); console users (``interactive_login``) among
      the callers are named in ``people`` (a person can still assume it with MFA);
    * an IAM **user**: its access keys act only after ``sts:GetSessionToken`` with an MFA
      code, so every ``AUTHENTICATES_AS`` edge from a credential into it goes; the user gets
      ``mfa_active: true`` (console access stays, for a person with the device);
    * a **workflow** (an entry point): every ``CAN_TRIGGER`` into it from an outside actor,
      an API or token caller or a credential goes; people signing in to the platform
      (``PEOPLE_ACTORS``) keep theirs, with authentication ``platform-user`` and the gate
      :data:`MFA_GATE`.

    Escalation edges (``CAN_ESCALATE_TO``) stay: whoever may edit IAM may also remove the
    condition.
    """
    nid = resolve_node(plan, name)
    g = plan.graph
    node = {"id": nid, **g.nodes[nid]}
    kind, aws = node.get("kind"), _aws_kind(node)
    if kind == "Identity" and aws == "role":
        edge_kind = "CAN_ASSUME"
    elif kind == "Identity" and aws == "user":
        edge_kind = "AUTHENTICATES_AS"
    elif kind == "Workflow":
        edge_kind = "CAN_TRIGGER"
    else:
        raise InputError(f"--add-mfa {name!r}: {nid} is a {kind}"
                         + (f" ({node.get('identity_type')})" if node.get("identity_type")
                            else "") + "; MFA can be required on an AWS role, an IAM user or "
                         "a workflow's triggers")
    cut: list[list[str]] = []
    people: list[str] = []
    for src, _, k in sorted(g.in_edges(nid, keys=True)):
        if k != edge_kind:
            continue
        caller = g.nodes[src]
        if kind == "Workflow" and caller.get("kind") == "Actor" and \
                caller.get("actor_type") in PEOPLE_ACTORS:
            g.edges[src, nid, k].update(authentication="platform-user", gate=MFA_GATE)
            people.append(src)
            continue
        if kind == "Identity" and aws == "role" and caller.get("interactive_login") is True:
            people.append(src)
        g.remove_edge(src, nid, k)
        cut.append([src, k, nid])
    if aws == "user":
        plan.set_props(nid, mfa_active=True)
    return {"change": "add-mfa", "node": nid, "cut": cut, "people": people}


def mfa_breaks(plan: MemoryStore, done: list[dict]) -> list[dict]:
    """One would-break row per caller an ``add-mfa`` change cut off."""
    rows = []
    verb = {"CAN_ASSUME": "can no longer assume", "AUTHENTICATES_AS":
            "can no longer act as", "CAN_TRIGGER": "can no longer trigger"}
    for d in done:
        for src, kind, dst in d.get("cut", ()) if d["change"] == "add-mfa" else ():
            caller = plan.graph.nodes[src] if plan.graph.has_node(src) else {}
            outside = caller.get("actor_type") in OUTSIDE_ACTORS
            rows.append({"change": "would-break", "severity": "high", "subject": src,
                         "target": dst, "path": [src, dst],
                         "detail": f"{verb[kind]} {dst} without MFA"
                         + (" (an outside caller)" if outside else "")})
    return rows
