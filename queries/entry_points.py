"""Entry points: who can start each workflow from outside, and the blast radius behind it.

Every ``CAN_TRIGGER`` edge is an entry point: an Actor (anyone on the internet, any GitHub
user, a repository's writers, whoever can email an inbox or message a bot), or the Secret an
authenticated trigger checks, can start a Workflow. Behind it lies the workflow's blast
radius. Gates (an environment with required reviewers on a job's ``USES`` edge, the
read-only fork pull request, an inactive workflow) do not remove a path: the walk of
:func:`gated_reach` reaches everything an ungated walk does, marks what it reaches only
through a gate with that gate, and the ranking puts gated reach below ungated reach.
Ranked: ungated entry points first, then crown jewels reached, admin targets, systems.
"""

from __future__ import annotations

from graph.gc_pause import gc_paused
from graph.model import ACCESS_EDGES, EDGE_KINDS, GATE_PROP, TARGET_KINDS
from graph.traversal import CREDENTIAL_KINDS

from .blast_radius import blast_radius
from .resolve import resolve_node
from .results import Result
from .traverse import is_valid_credential, now_iso

#: Actors outside the organisation: whoever they are, no one vetted them.
OUTSIDE_ACTORS = frozenset({"anyone", "github-user", "email", "chat", "saas", "ip-allowlist"})
COLUMNS = ("rank", "actor_name", "workflow_name", "trigger", "authentication", "gate",
           "crown_jewels", "admin_targets", "systems", "secrets", "gated_targets", "path")


def gated_reach(store, starts: list[str], as_of: str | None = None,
                gate: str | None = None) -> dict[str, str | None]:
    """Node id -> the gate it sits behind (None: reached without passing one), over access
    edges from ``starts``; with ``gate``, everything is behind that gate.

    Examples
    --------
    >>> from tests.graphs import entry_store
    >>> r = gated_reach(entry_store(), ["wf-pr"])
    >>> r["s-deploy"], r["s-prod"]
    (None, 'environment production: required reviewers (alice)')
    """
    as_of = as_of or now_iso()
    out: dict[str, str | None] = {s: gate for s in starts}
    held: list[tuple[str, str]] = []  # (gated edge's target, its gate), for phase two
    frontier = list(starts) if gate is None else []
    later = [(s, gate) for s in starts] if gate is not None else []
    while frontier:  # phase one: ungated edges only
        nxt = []
        edges = store.expand(_expandable(store, frontier, as_of), "out", ACCESS_EDGES)
        for e in sorted(edges, key=lambda e: (e.src, e.kind, e.dst)):
            g = e.props.get("gate")
            if g:
                held.append((e.dst, str(g)))
            elif e.dst not in out or out[e.dst] is not None:
                out[e.dst] = None
                nxt.append(e.dst)
        frontier = nxt
    todo = [(d, g) for d, g in held if d not in out] + later
    while todo:  # phase two: behind a gate, the first gate met is the one reported
        ids = []
        for d, g in todo:
            if d not in out or d in starts:
                out[d] = g
                ids.append(d)
        todo = []
        gates = {d: out[d] for d in ids}
        for e in sorted(store.expand(_expandable(store, ids, as_of), "out", ACCESS_EDGES),
                        key=lambda e: (e.src, e.kind, e.dst)):
            if e.dst not in out:
                todo.append((e.dst, gates.get(e.src) or str(e.props.get("gate"))))
    return out


def _gated_edge_sources(store) -> set[str]:
    """Nodes with a gated access edge out (of the kinds the model lets carry a gate): a
    walk that meets none of them passes no gate, so its blast radius is all ungated."""
    kinds = sorted(k for k in ACCESS_EDGES if GATE_PROP in EDGE_KINDS[k].props)
    return {e.src for k in kinds for e in store.edges(k) if e.props.get("gate")}


def _expandable(store, ids: list[str], as_of: str) -> list[str]:
    """Nodes a walk goes on from: revoked, expired or disabled credentials open nothing."""
    nodes = store.get_nodes(ids)
    return sorted(i for i in set(ids) if nodes.get(i, {}).get("kind") not in CREDENTIAL_KINDS
                  or is_valid_credential(nodes[i], as_of))


def entry_points(store, actor: str | None = None, unknown_as: str = "write",
                 as_of: str | None = None, blasts: dict[str, Result] | None = None) -> Result:
    """Every entry point (``CAN_TRIGGER`` edge), who can use it and what lies behind it.

    Parameters
    ----------
    store : a store from :func:`graph.open_store`
    actor : only entry points of this actor or secret (id, ``actor:`` suffix or name)
    unknown_as : how to rank ``unknown`` access: read, write or admin
    as_of : ISO 8601 time against which expiry is judged (default: now)
    blasts : node id -> its blast radius with the same ``unknown_as`` and ``as_of``, used
        and filled in (the findings share their context's, so no workflow is walked twice)

    Returns
    -------
    Result with rows_key ``entry_points``; each row has ``actor``, ``workflow``,
    ``trigger``, ``authentication``, ``gate``, ``outside`` (an actor no one vetted),
    ``crown_jewels``/``admin_targets``/``systems``/``secrets`` reached without a gate,
    ``gated_targets`` (reached only through one, with the gate), ``agents`` and ``path``.

    Examples
    --------
    >>> from tests.graphs import entry_store
    >>> r = entry_points(entry_store(), as_of="2026-01-01T00:00:00Z")
    >>> [(row["actor"], row["workflow"], row["crown_jewels"]) for row in r.rows][:2]
    [('actor:anyone', 'wf-hook', ['crm']), ('actor:github:any-user', 'wf-pr', [])]
    """
    as_of = as_of or now_iso()
    only = resolve_node(store, actor) if actor else None
    edges = sorted((e for e in store.edges("CAN_TRIGGER") if only in (None, e.src)),
                   key=lambda e: (e.src, e.dst))
    nodes = store.get_nodes({e.src for e in edges} | {e.dst for e in edges})
    blasts = {} if blasts is None else blasts
    gated_from = _gated_edge_sources(store)
    used: dict[str, Result] = {}
    rows = []
    with gc_paused():  # a blast radius per workflow: many small objects, no cycles
        for e in edges:
            src, wf = nodes.get(e.src, {"id": e.src}), nodes.get(e.dst, {"id": e.dst})
            if e.dst not in blasts:
                blasts[e.dst] = blast_radius(store, e.dst, unknown_as=unknown_as, as_of=as_of)
            br = used[e.dst] = blasts[e.dst]
            reached = [e.dst, *(r["id"] for r in br.rows)]
            if e.props.get("gate"):  # behind the trigger's gate: all the blast radius
                gates = dict.fromkeys(reached, e.props["gate"])  # (what gated_reach gives)
            elif gated_from.intersection(reached):
                gates = gated_reach(store, [e.dst], as_of)
            else:  # no gate on the way: everything the blast radius reaches is ungated
                gates = dict.fromkeys(reached)
            rows.append(_row(e, src, wf, br, gates, unknown_as))
    rows.sort(key=_rank)
    for i, row in enumerate(rows, 1):
        row["rank"] = i
    names = {n: d.get("name", n) for n, d in nodes.items()}
    for br in used.values():
        names.update(br.names)
    return Result(
        rows=rows, rows_key="entry_points", columns=COLUMNS, names=names,
        header={"as_of": as_of, "actor": only},
        summary={"entry_points": len(rows),
                 "outside": sum(1 for r in rows if r["outside"]),
                 "unauthenticated": sum(1 for r in rows if r["authentication"] == "none"),
                 "gated": sum(1 for r in rows if r["gate"]),
                 "reaching_crown_jewels": sum(1 for r in rows if r["crown_jewels"]),
                 "actors": sorted({r["actor"] for r in rows})})


def _row(e, src: dict, wf: dict, br: Result, gates: dict, unknown_as: str) -> dict:
    ungated = [r for r in br.rows if r["valid"] and gates.get(r["id"], None) is None
               and r["id"] in gates]
    gated = [r for r in br.rows if r["valid"] and gates.get(r["id"]) is not None]
    targets = [r for r in ungated if r["kind"] in TARGET_KINDS]
    top = sorted(targets, key=lambda r: (not r["crown_jewel"], r["access"] != "admin",
                                         r["distance"], r["id"]))
    best = top[0] if top else next(iter(ungated), None)
    path = [e.src, *(best.get("access_path") or best["path"] if best else [e.dst])]
    return {
        "actor": e.src, "actor_name": src.get("name", e.src),
        "actor_kind": src.get("kind"), "actor_type": src.get("actor_type", "credential-holder"
                                                              if src.get("kind") == "Secret"
                                                              else "unknown"),
        "outside": src.get("kind") == "Actor" and src.get("actor_type") in OUTSIDE_ACTORS,
        "workflow": e.dst, "workflow_name": wf.get("name", e.dst),
        "environment": wf.get("environment", "unknown"),
        "trigger": e.props.get("trigger"), "authentication": e.props.get("authentication",
                                                                         "unknown"),
        "gate": e.props.get("gate"), "reason": e.props.get("reason"),
        "crown_jewels": sorted(r["id"] for r in targets if r["crown_jewel"]),
        "admin_targets": sorted(r["id"] for r in targets if _level(r, unknown_as) == "admin"),
        "systems": len(targets),
        "secrets": sorted(r["id"] for r in ungated if r["kind"] == "Secret"),
        "agents": sorted(r["id"] for r in ungated + gated if r["kind"] == "Agent"),
        "gated_targets": sorted(f"{r['id']} [{gates[r['id']]}]" for r in gated
                                if r["kind"] in TARGET_KINDS or r["kind"] == "Secret"),
        "path": path,
    }


def _level(r: dict, unknown_as: str) -> str:
    return unknown_as if r["access"] == "unknown" else r["access"]


def _rank(row: dict):
    return (bool(row["gate"]), not row["outside"], -len(row["crown_jewels"]),
            -len(row["admin_targets"]), -row["systems"], -len(row["secrets"]),
            -len(row["gated_targets"]), row["actor"], row["workflow"])
