"""Orphaned paths: access that nobody accountable would notice losing, or that outlived
the workflow that needed it.

Reasons, one row per node and reason, each with what the node still grants downstream:

- ``no_owner``: a workflow, secret or identity with no accountable owner. A workflow
  inherits its workspace's owner; a secret its vault's or workspace's.
- ``departed_owner``: the accountable owner has left (status departed/inactive/disabled).
- ``retired_but_valid``: a retired, inactive, archived or disabled workflow whose
  credentials still work.
- ``unused_but_valid``: a secret or identity that still works but that no active workflow
  can reach.
- ``cloned_inherited``: a workflow cloned from another that still shares its credentials.

Only nodes that still grant access to some resource, system or vault are reported: an
orphan that opens nothing is hygiene, not an access path.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import defaultdict
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from graph.gc_pause import gc_paused
from graph.model import (
    ACCESS_EDGES,
    DORMANT_WORKFLOW_STATUSES,
    GONE_OWNER_STATUSES,
    INVALID_CREDENTIAL_STATUSES,
)

from .credential_use import credential_use
from .results import Result
from .traverse import CREDENTIAL_KINDS, now_iso, targets_of

REASONS = ("no_owner", "departed_owner", "retired_but_valid", "unused_but_valid",
           "cloned_inherited")
COLUMNS = ("node", "kind", "name", "reason", "owner", "detail", "reaches")
SUBJECT_KINDS = ("Workflow", "Secret", "Identity")


#: Principals that are not non-human identities anyone owns: AWS service principals, an
#: account root, "any principal", federation providers, and groups (used only through
#: their members).
NOT_SUBJECTS = frozenset({"aws_service", "account", "anyone", "oidc_provider",
                          "saml_provider", "group"})
#: A property a node does not hold (told apart from one it holds as null).
_MISSING = object()
#: The properties of every subject the reasons look at, with ``dict.get``'s defaults.
_VALUES: dict[str, Any] = {"kind": None, "status": None, "identity_type": None,
                           "expires_at": None, "name": _MISSING, "environment": "unknown"}


class _Subjects(Mapping):
    """The subjects' kind and identity type by id, over the columns (what the protocol's
    default ``accountable_owners`` reads of a node it holds), so it reads them again from
    no store; built on demand per lookup, nothing per subject up front."""

    def __init__(self, ids: list[str], kind: list[Any], itype: list[Any]):
        self._ids, self._kind, self._itype = ids, kind, itype

    def __getitem__(self, node: str) -> dict:
        at = bisect_left(self._ids, node)
        if at == len(self._ids) or self._ids[at] != node:
            raise KeyError(node)
        return {"id": node, "kind": self._kind[at], "identity_type": self._itype[at]}

    def __iter__(self) -> Iterator[str]:
        return iter(self._ids)

    def __len__(self) -> int:
        return len(self._ids)


def accountable_owners(store, ids: list[str], nodes: Mapping[str, dict] | None = None,
                       ) -> dict[str, list[str]]:
    """Owner ids accountable for each node: its own, else inherited (the rules of
    :mod:`graph.ownership`); the store's :meth:`~graph.store.Store.accountable_owners`."""
    return store.accountable_owners(ids, nodes)


def orphaned_paths(store, as_of: str | None = None, reasons=REASONS, use=None,
                   nodes: dict[str, dict] | None = None,
                   reaches: Callable[[list[list[str]]], dict | None] | None = None,
                   reached: Callable[[list[str]], set[str] | None] | None = None) -> Result:
    """Every orphaned access path in the graph, most far-reaching first. ``use``: the
    ``credential_use`` of every workflow when the caller has it already (the findings
    context), so it is not read again; one workflow's use does not depend on the others'.
    ``nodes``: every node of the ``SUBJECT_KINDS`` by id, when the caller has read them.
    ``reaches`` / ``reached``: what :func:`queries.traverse.targets_of` and the store's
    ``reached`` of this store and ``as_of`` give, when the caller answers them for less (the
    findings context, off the blast figures' closure); either may answer None, and the
    store is walked.

    Examples
    --------
    >>> from tests.graphs import orphan_store
    >>> sorted((o["node"], o["reason"]) for o in orphaned_paths(orphan_store()).rows)[:2]
    [('s-lost', 'no_owner'), ('s-old', 'unused_but_valid')]
    """
    with gc_paused():  # a few small objects per subject, all alive until the rows are made
        return _orphaned_paths(store, as_of, reasons, use, nodes, reaches, reached)


def _orphaned_paths(store, as_of: str | None, reasons, use, nodes: dict[str, dict] | None,
                    reaches, reached) -> Result:
    if nodes is not None:
        ids = sorted(nodes)
        of = [nodes[i] for i in ids]  # one lookup of each in the large map, not six
        col = {k: [n.get(k, d) for n in of] for k, d in _VALUES.items()}
    else:  # only the properties looked at, as columns (no dict per node on most stores)
        ids, col = store.node_values(SUBJECT_KINDS, _VALUES)
    kind, status, itype = col["kind"], col["status"], col["identity_type"]

    def ids_at(node: str) -> int:  # a subject's place in the columns (ids are sorted)
        return bisect_left(ids, node)

    now = as_of or now_iso()
    # is_valid_credential, retired and "not a subject", as one flag per subject
    dead = [k in CREDENTIAL_KINDS and (st in INVALID_CREDENTIAL_STATUSES
                                       or bool(ex and ex < now))
            for k, st, ex in zip(kind, status, col["expires_at"], strict=True)]
    retired = [k == "Workflow" and st in DORMANT_WORKFLOW_STATUSES
               for k, st in zip(kind, status, strict=True)]
    skip = [d or r or t in NOT_SUBJECTS for d, r, t in zip(dead, retired, itype, strict=True)]
    workflows = [i for i, k in zip(ids, kind, strict=True) if k == "Workflow"]
    retired_wfs = [i for i, k, r in zip(ids, kind, retired, strict=True) if k == "Workflow" and r]

    def dead_cred(n: dict) -> bool:
        expires = n.get("expires_at")
        return n.get("kind") in CREDENTIAL_KINDS and (
            n.get("status") in INVALID_CREDENTIAL_STATUSES or bool(expires and expires < now))

    wf_set = set(workflows)
    clone_of: dict[str, list[str]] = defaultdict(list)
    for e in store.edges("CLONED_FROM"):
        if e.src in wf_set:
            clone_of[e.src].append(e.dst)
    # Owners only of the nodes a row can be about: the live subjects, the retired
    # workflows and the clones (one node's owners do not depend on the others').
    # (in id order already: every clone is a workflow among the subjects)
    judged = [i for i, sk, r in zip(ids, skip, retired, strict=True)
              if not sk or r or i in clone_of]
    accountable = accountable_owners(store, judged,
                                     _Subjects(ids, kind, itype) if nodes is None else nodes)
    owner_nodes = store.get_nodes({o for os_ in accountable.values() for o in os_})

    left = {o for o, n in owner_nodes.items() if n.get("status") in GONE_OWNER_STATUSES}
    candidates: list[tuple[str, str, str, list[str]]] = []  # node, reason, detail, starts
    for i, sk in zip(ids, skip, strict=True):
        if sk:
            continue
        owners = accountable[i]
        if not owners:
            candidates.append((i, "no_owner", "no owner, none inherited", [i]))
        elif owners[0] in left and all(o in left for o in owners):
            names = ", ".join(owner_nodes[o].get("name", o) for o in owners)
            candidates.append((i, "departed_owner", f"owner {names} has left", [i]))

    # Credential use only of the workflows two reasons look at: the retired ones, and
    # clones with their originals (one workflow's use does not depend on the others').
    looked_at = set(retired_wfs)
    looked_at.update(w for w, origs in clone_of.items() for w in [w, *origs])
    uses, cred_nodes = use if use is not None else credential_use(store, sorted(looked_at))
    for w in retired_wfs:
        live = sorted(c for c in uses.get(w, ()) if not dead_cred(cred_nodes.get(c, {})))
        if live:
            candidates.append((w, "retired_but_valid",
                               f"workflow is {status[ids_at(w)]}; {len(live)} credential(s) "
                               "still valid", live))

    active = [w for w, k, r in zip(ids, kind, retired, strict=True) if k == "Workflow" and not r]
    in_use = None if reached is None else reached(active)
    if in_use is None:
        in_use = store.reached(active, "out", ACCESS_EDGES, as_of=as_of)
    for i, k, d, t in zip(ids, kind, dead, itype, strict=True):
        if k in ("Secret", "Identity") and i not in in_use and not d and t not in NOT_SUBJECTS:
            candidates.append((i, "unused_but_valid", "valid, but no active workflow uses it",
                               [i]))

    for w, originals in sorted(clone_of.items()):
        for orig in sorted(originals):
            common = sorted(c for c in uses.get(w, set()) & uses.get(orig, set())
                            if not dead_cred(cred_nodes.get(c, {})))
            if common:
                candidates.append((w, "cloned_inherited",
                                   f"cloned from {orig}; shares {len(common)} credential(s)",
                                   common))

    candidates = [c for c in candidates if c[1] in reasons]
    start_sets = [c[3] for c in candidates]
    reaches_of = None if reaches is None else reaches(start_sets)
    if reaches_of is None:
        reaches_of = targets_of(store, start_sets, as_of)
    rows = []
    for node, reason, detail, starts in candidates:
        reaches = reaches_of[tuple(sorted(set(starts)))]
        if not reaches:
            continue
        at = ids_at(node)
        name = col["name"][at]
        rows.append({
            "node": node,
            "kind": kind[at],
            "name": node if name is _MISSING else name,
            "reason": reason,
            "owner": accountable.get(node, []),
            "detail": detail,
            "environment": col["environment"][at],
            "reaches": reaches,
        })
    rows.sort(key=lambda o: (REASONS.index(o["reason"]), -len(o["reaches"]), o["node"]))
    by_reason = {r: sum(1 for o in rows if o["reason"] == r) for r in REASONS}
    return Result(rows=rows, rows_key="orphans",
                  summary={"orphans": len(rows), "by_reason": by_reason,
                           "nodes": len({o["node"] for o in rows})},
                  columns=COLUMNS)
