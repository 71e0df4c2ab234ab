"""Turn what an analyst typed (an id, a name, an ARN) into one node id."""

from __future__ import annotations

from graph.errors import AmbiguousNode, NodeNotFound


def resolve_node(store, text: str) -> str:
    """The id of the node ``text`` names: an exact id, an actor by its id without the
    ``actor:`` prefix (``anyone``, ``github:any-user``), an ``arn``, or an unambiguous name
    (exact first, then case-insensitive).

    Raises :class:`NodeNotFound` or :class:`AmbiguousNode` with a one-line message.
    """
    text = (text or "").strip()
    if not text:
        raise NodeNotFound("empty node name")
    if store.get_node(text) is not None:
        return text
    if store.get_node(f"actor:{text}") is not None:
        return f"actor:{text}"
    for key in ("arn", "name"):
        hits = store.find_nodes(key, text)
        if len(hits) == 1:
            return hits[0]["id"]
        if len(hits) > 1:
            ids = ", ".join(sorted(h["id"] for h in hits)[:8])
            raise AmbiguousNode(f"{text!r} names {len(hits)} nodes; use an id: {ids}")
    hits = store.find_nodes("name", text, case_insensitive=True)
    if len(hits) == 1:
        return hits[0]["id"]
    if len(hits) > 1:
        ids = ", ".join(sorted(h["id"] for h in hits)[:8])
        raise AmbiguousNode(f"{text!r} names {len(hits)} nodes; use an id: {ids}")
    raise NodeNotFound(f"no node with id or name {text!r}{_did_you_mean(store, text)}")


def _did_you_mean(store, text: str) -> str:
    from queries.search import closest

    near = closest(store, text)
    if not near:
        return ""
    return "; closest: " + ", ".join(f"{h['name'] or h['id']} ({h['id']})" for h in near)
