"""Turn what an analyst typed (an id, a name, an ARN) into one node id."""

from __future__ import annotations

from collections.abc import Callable

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
    lookups = _lookups_by_index(store, text) or _lookups_by_scan(store, text)
    for lookup in lookups:
        hits = lookup()
        if len(hits) == 1:
            return hits[0]["id"]
        if len(hits) > 1:
            ids = ", ".join(sorted(h["id"] for h in hits)[:8])
            raise AmbiguousNode(f"{text!r} names {len(hits)} nodes; use an id: {ids}")
    raise NodeNotFound(f"no node with id or name {text!r}{_did_you_mean(store, text)}")


Lookup = Callable[[], list[dict]]


def _lookups_by_scan(store, text: str) -> list[Lookup]:
    """The exact ``arn``, the exact ``name``, then the name ignoring case (Arrow's
    ``utf8_lower`` of each name against ``text.lower()``): each a scan of the store."""
    return [lambda: store.find_nodes("arn", text), lambda: store.find_nodes("name", text),
            lambda: store.find_nodes("name", text, case_insensitive=True)]


#: More candidate nodes than this and the lookups scan the store instead.
CANDIDATES = 512


def _lookups_by_index(store, text: str) -> list[Lookup] | None:
    """The same three lookups answered from the store's name index (``text_index``, only
    when it is already built: an unknown node builds it for its suggestions), reading
    only the candidate nodes: those with a value folded like ``text``, which holds every
    exact match, and, for the case-insensitive one, every node with a value past ASCII
    (an ASCII name equals ``text`` ignoring case only if its fold equals ``text``'s, when
    ``text`` lower-cases as it case-folds; the others are judged by Arrow's own
    ``utf8_lower``). None (scan instead) for another store, no index yet, or too many
    candidates."""
    import numpy as np

    if not hasattr(store, "generation") or text.lower() != text.casefold():
        return None
    index, _ = store.text_index(build=False)
    if index is None:
        return None
    from graph.textindex import fold_all

    equal = index.owner[index.equal(fold_all([text])[0])]
    other = index.owner[index.not_ascii]
    nodes = np.union1d(equal, other)
    if len(nodes) > CANDIDATES:
        return None
    found = store.get_nodes(index.ids_of(nodes.tolist()))
    cands = [found[i] for i in sorted(found)]

    def exact(key: str) -> Lookup:
        return lambda: [n for n in cands if isinstance(n.get(key), str) and n[key] == text]

    def ignoring_case() -> list[dict]:
        want = text.lower()
        named = [n for n in cands if isinstance(n.get("name"), str)]
        plain = [n for n in named if n["name"].isascii()]
        rest = [n for n in named if not n["name"].isascii()]
        hits = [n for n in plain if n["name"].lower() == want]
        if rest:
            import pyarrow.compute as pc

            from graph.columnar import _strings

            low = pc.utf8_lower(_strings([n["name"] for n in rest])).to_pylist()
            hits += [n for n, v in zip(rest, low, strict=True) if v == want]
        return hits

    return [exact("arn"), exact("name"), ignoring_case]


def _did_you_mean(store, text: str) -> str:
    from queries.search import closest

    near = closest(store, text)
    if not near:
        return ""
    return "; closest: " + ", ".join(f"{h['name'] or h['id']} ({h['id']})" for h in near)
