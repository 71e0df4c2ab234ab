"""What access a walk gives over resources, systems and vaults.

Access to a resource-like node (Resource, System, Vault) comes from the grant on the last
hop (a ``CAN_ACCESS`` edge with its ``access`` level) and is inherited down ``CONTAINS``
(admin over an AWS account is admin over its buckets). Over all paths the strongest level
wins; ``unknown`` ranks as the analyst chooses (default: like write). Nodes an attacker
holds or acts as (workflows, connectors, secrets, identities) are under ``control``.
"""

from __future__ import annotations

from graph.model import CONTROL, HELD_KINDS, TARGET_KINDS, access_rank
from graph.records import Edge

from .traverse import Reach, reach


def _better(new: str, old: str | None, unknown_as: str) -> bool:
    return old is None or access_rank(new, unknown_as) > access_rank(old, unknown_as)


def forward_levels(r: Reach, unknown_as: str = "write") -> tuple[dict[str, str], dict[str, Edge]]:
    """Strongest access level per reached resource-like node, and the edge that gives it.

    The walk visits edges nearest-first in sorted order, so among equally strong grants
    the one closest to the source is kept, the same on every store.
    """
    kind = {n: d.get("kind") for n, d in r.nodes.items()}
    levels: dict[str, str] = {}
    best: dict[str, Edge] = {}
    for s in r.sources:
        if kind.get(s) in TARGET_KINDS:
            levels[s] = "admin"  # compromising the system itself
    contains = []
    for e in r.edges:
        if e.kind == "CAN_ACCESS":
            lvl = e.props.get("access", "unknown")
            if _better(lvl, levels.get(e.dst), unknown_as):
                levels[e.dst] = lvl
                best[e.dst] = e
        elif e.kind == "CONTAINS" and kind.get(e.src) in TARGET_KINDS:
            contains.append(e)
    changed = True
    while changed:  # inherit down CONTAINS until nothing improves (monotone, terminates)
        changed = False
        for e in contains:
            lvl = levels.get(e.src)
            if lvl is not None and _better(lvl, levels.get(e.dst), unknown_as):
                levels[e.dst] = lvl
                best[e.dst] = e
                changed = True
    return levels, best


def access_path(r: Reach, best: dict[str, Edge], node: str) -> list[str]:
    """The path that ends with the grant giving ``node`` its strongest access."""
    tail = [node]
    seen = {node}
    cur = node
    while cur in best:
        holder = best[cur].src
        if holder in seen:
            break
        seen.add(holder)
        tail.append(holder)
        if r.nodes.get(holder, {}).get("kind") not in TARGET_KINDS:
            return r.path(holder)[:-1] + tail[::-1]
        cur = holder
    return r.path(cur)[:-1] + tail[::-1] if cur != node else r.path(node)


def granting_edge(r: Reach, best: dict[str, Edge], node: str) -> tuple[Edge | None, str | None]:
    """The ``CAN_ACCESS`` edge behind ``node``'s access, and the container it was inherited
    from (None when granted on the node itself)."""
    cur, via, seen = node, None, {node}
    while cur in best:
        e = best[cur]
        if e.kind == "CAN_ACCESS":
            return e, via
        cur = via = e.src
        if cur in seen:
            break
        seen.add(cur)
    return None, None


def level_for(node: dict, levels: dict[str, str]) -> str:
    if node.get("kind") in HELD_KINDS:
        return CONTROL
    return levels.get(node["id"], "unknown")


def grant_entries(store, target: str) -> list[Edge]:
    """The ``CAN_ACCESS`` edges whose holder gains access to ``target``: grants on it and
    on everything that contains it."""
    entries: list[Edge] = []
    seen = {target}
    frontier = [target]
    while frontier:
        nxt = []
        for e in sorted(store.expand(frontier, "in", ("CAN_ACCESS", "CONTAINS")),
                        key=lambda e: (e.dst, e.kind, e.src)):
            if e.kind == "CAN_ACCESS":
                entries.append(e)
            elif e.src not in seen:
                seen.add(e.src)
                nxt.append(e.src)
        frontier = nxt
    return entries


def inbound_levels(store, target: str, sources: set[str], unknown_as: str = "write",
                   as_of: str | None = None) -> dict[str, str]:
    """Strongest access each of ``sources`` gets on ``target`` (a resource-like node):
    one backward walk per access level, strongest first."""
    by_level: dict[str, list[str]] = {}
    for e in grant_entries(store, target):
        by_level.setdefault(e.props.get("access", "unknown"), []).append(e.src)
    out: dict[str, str] = {}
    for lvl in sorted(by_level, key=lambda x: access_rank(x, unknown_as), reverse=True):
        back = reach(store, by_level[lvl], "in", as_of=as_of, keep_edges=False)
        for n in back.dist:
            if n in sources and n not in out and n not in back.dead:
                out[n] = lvl
    return out
