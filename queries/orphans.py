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

from collections import defaultdict

from graph.model import (
    ACCESS_EDGES,
    DORMANT_WORKFLOW_STATUSES,
    GONE_OWNER_STATUSES,
)

from .credential_use import credential_use
from .results import Result
from .traverse import is_valid_credential, targets_of

REASONS = ("no_owner", "departed_owner", "retired_but_valid", "unused_but_valid",
           "cloned_inherited")
COLUMNS = ("node", "kind", "name", "reason", "owner", "detail", "reaches")
SUBJECT_KINDS = ("Workflow", "Secret", "Identity")


#: Where a node without an owner of its own inherits one from: a workflow from its
#: workspace, a secret from the workspace or vault holding it or the workflow (or
#: connector) embedding it, a connector from its workflow, a workspace from its parent.
_INHERIT = {
    "Workflow": ("CONTAINS",),
    "Secret": ("CONTAINS", "STORES", "EMBEDS"),
    "Connector": ("USES",),
    "Workspace": ("CONTAINS",),
    # a workflow's built-in token (GITHUB_TOKEN) belongs to whoever owns the workflow
    "Identity:github_token": ("AUTHENTICATES_WITH",),
}
#: Principals that are not non-human identities anyone owns: AWS service principals, an
#: account root, "any principal", federation providers, and groups (used only through
#: their members).
NOT_SUBJECTS = frozenset({"aws_service", "account", "anyone", "oidc_provider",
                          "saml_provider", "group"})
_MAX_INHERIT_DEPTH = 4


def accountable_owners(store, ids: list[str], nodes: dict[str, dict]) -> dict[str, list[str]]:
    """Owner ids accountable for each node: its own, else inherited (see ``_INHERIT``).
    One store call per level, for all nodes at once."""
    result: dict[str, list[str]] = {}
    # Each pending entry: the node asking, and the ancestors to look at now.
    pending = {i: [i] for i in ids}
    known = dict(nodes)
    for _ in range(_MAX_INHERIT_DEPTH + 1):
        if not pending:
            break
        look = sorted({a for anc in pending.values() for a in anc})
        direct: dict[str, list[str]] = defaultdict(list)
        for src, _, dst in store.expand_ends(look, "in", ("OWNS",)):
            direct[dst].append(src)
        missing = [a for a in look if a not in known]
        known.update(store.get_nodes(missing))
        parents: dict[str, list[str]] = defaultdict(list)
        kinds = {"CONTAINS", "STORES", "EMBEDS", "USES", "AUTHENTICATES_WITH"}
        for src, kind, dst in store.expand_ends(look, "in", kinds):
            node = known.get(dst, {})
            rule = _INHERIT.get(node.get("kind", ""), ()) + _INHERIT.get(
                f"{node.get('kind')}:{node.get('identity_type')}", ())
            if kind in rule:
                parents[dst].append(src)
        nxt = {}
        for i, ancestors in pending.items():
            owners = sorted({o for a in ancestors for o in direct.get(a, [])})
            if owners:
                result[i] = owners
                continue
            up = sorted({p for a in ancestors for p in parents.get(a, [])})
            if up:
                nxt[i] = up
            else:
                result[i] = []
        pending = nxt
    for i in pending:
        result.setdefault(i, [])
    return result


def orphaned_paths(store, as_of: str | None = None, reasons=REASONS, use=None) -> Result:
    """Every orphaned access path in the graph, most far-reaching first. ``use``: the
    ``credential_use`` of every workflow when the caller has it already (the findings
    context), so it is not read again; one workflow's use does not depend on the others'.

    Examples
    --------
    >>> from tests.graphs import orphan_store
    >>> sorted((o["node"], o["reason"]) for o in orphaned_paths(orphan_store()).rows)[:2]
    [('s-lost', 'no_owner'), ('s-old', 'unused_but_valid')]
    """
    subjects: dict[str, dict] = {}
    for kind in SUBJECT_KINDS:
        for n in store.nodes(kind):
            subjects[n["id"]] = n
    ids = sorted(subjects)
    workflows = [i for i in ids if subjects[i]["kind"] == "Workflow"]

    def dead(n: dict) -> bool:
        return not is_valid_credential(n, as_of)

    def retired(n: dict) -> bool:
        return n["kind"] == "Workflow" and n.get("status") in DORMANT_WORKFLOW_STATUSES

    wf_set = set(workflows)
    clone_of: dict[str, list[str]] = defaultdict(list)
    for e in store.edges("CLONED_FROM"):
        if e.src in wf_set:
            clone_of[e.src].append(e.dst)
    # Owners only of the nodes a row can be about: the live subjects, the retired
    # workflows and the clones (one node's owners do not depend on the others').
    judged = {i for i in ids if not (dead(subjects[i]) or retired(subjects[i])
                                     or subjects[i].get("identity_type") in NOT_SUBJECTS)}
    judged.update(w for w in workflows if retired(subjects[w]))
    judged.update(clone_of)
    accountable = accountable_owners(store, sorted(judged), subjects)
    owner_nodes = store.get_nodes({o for os_ in accountable.values() for o in os_})

    candidates: list[tuple[str, str, str, list[str]]] = []  # node, reason, detail, starts
    for i in ids:
        n = subjects[i]
        if dead(n) or retired(n) or n.get("identity_type") in NOT_SUBJECTS:
            continue
        owners = accountable[i]
        if not owners:
            candidates.append((i, "no_owner", "no owner, none inherited", [i]))
        else:
            gone = [o for o in owners
                    if owner_nodes.get(o, {}).get("status") in GONE_OWNER_STATUSES]
            if gone and len(gone) == len(owners):
                names = ", ".join(owner_nodes[o].get("name", o) for o in gone)
                candidates.append((i, "departed_owner", f"owner {names} has left", [i]))

    # Credential use only of the workflows two reasons look at: the retired ones, and
    # clones with their originals (one workflow's use does not depend on the others').
    looked_at = {w for w in workflows if retired(subjects[w])}
    looked_at.update(w for w, origs in clone_of.items() for w in [w, *origs])
    uses, cred_nodes = use if use is not None else credential_use(store, sorted(looked_at))
    for w in workflows:
        n = subjects[w]
        if retired(n):
            live = sorted(c for c in uses.get(w, ()) if not dead(cred_nodes.get(c, {})))
            if live:
                candidates.append((w, "retired_but_valid",
                                   f"workflow is {n.get('status')}; {len(live)} credential(s) "
                                   "still valid", live))

    active = [w for w in workflows if not retired(subjects[w])]
    in_use = store.reached(active, "out", ACCESS_EDGES, as_of=as_of)
    for i in ids:
        n = subjects[i]
        if n["kind"] in ("Secret", "Identity") and i not in in_use and not dead(n) \
                and n.get("identity_type") not in NOT_SUBJECTS:
            candidates.append((i, "unused_but_valid", "valid, but no active workflow uses it",
                               [i]))

    for w, originals in sorted(clone_of.items()):
        for orig in sorted(originals):
            common = sorted(c for c in uses.get(w, set()) & uses.get(orig, set())
                            if not dead(cred_nodes.get(c, {})))
            if common:
                candidates.append((w, "cloned_inherited",
                                   f"cloned from {orig}; shares {len(common)} credential(s)",
                                   common))

    candidates = [c for c in candidates if c[1] in reasons]
    reaches_of = targets_of(store, [c[3] for c in candidates], as_of)
    rows = []
    for node, reason, detail, starts in candidates:
        reaches = reaches_of[tuple(sorted(set(starts)))]
        if not reaches:
            continue
        n = subjects[node]
        rows.append({
            "node": node,
            "kind": n["kind"],
            "name": n.get("name", node),
            "reason": reason,
            "owner": accountable.get(node, []),
            "detail": detail,
            "environment": n.get("environment", "unknown"),
            "reaches": reaches,
        })
    rows.sort(key=lambda o: (REASONS.index(o["reason"]), -len(o["reaches"]), o["node"]))
    by_reason = {r: sum(1 for o in rows if o["reason"] == r) for r in REASONS}
    return Result(rows=rows, rows_key="orphans",
                  summary={"orphans": len(rows), "by_reason": by_reason,
                           "nodes": len({o["node"] for o in rows})},
                  columns=COLUMNS)
