"""A snapshot file's rows written once to a temporary folder of the embedded store's
columnar files and opened from there, so a diff against an exported file reads it with the
same columnar walks and CSR arrays (:mod:`graph.columnar`) as a linked snapshot folder,
instead of building a NetworkX graph of it (:class:`~graph.memory.MemoryStore`). At 100k
nodes the two cost the same CPU (writing the files costs what the faster reads save) and
the columnar copy holds less memory (docs/performance.md, issue #16).
"""

from __future__ import annotations

import json
import shutil
import tempfile
import weakref
from collections.abc import Iterable, Sequence
from pathlib import Path

from . import columnar
from .embedded import MANIFEST, SCHEMA_VERSION, EmbeddedStore
from .records import Edge
from .store import Store


def columnar_copy(nodes: Iterable[dict], edges: Iterable[Sequence], runs: list[dict]
                  ) -> Store | None:
    """``nodes`` (dicts with ``id`` and ``kind``) and ``edges`` (``[src, kind, dst,
    props]`` or :class:`~graph.records.Edge`) as a read-only embedded store over a
    temporary folder (removed when the store is garbage-collected or the process exits).

    None when the rows are not what a store writes (an id that is not a text, a node
    without a kind, an edge end that is no node, a ``seen_by`` property, or no node at
    all): the caller keeps its in-memory store then. A repeated edge key's properties are
    merged, as NetworkX merges them."""
    attrs: dict[str, dict] = {}
    for n in nodes:
        nid, kind = n["id"], n.get("kind")
        if not isinstance(nid, str) or not isinstance(kind, str) or "seen_by" in n:
            return None
        a = attrs[nid] = {k: v for k, v in n.items() if k != "id"}
        a["seen_by"] = ()
    keyed: dict[tuple[str, str, str], dict] = {}
    for e in edges:
        src, kind, dst, props = (e.src, e.kind, e.dst, e.props) if isinstance(e, Edge) else e
        if src not in attrs or dst not in attrs or not isinstance(kind, str) \
                or "seen_by" in props:
            return None
        key = (src, kind, dst)
        if key in keyed:
            keyed[key] = {**keyed[key], **props}
        else:
            keyed[key] = props
    if not attrs:
        return None  # nothing to map: the in-memory store is as good
    folder = Path(tempfile.mkdtemp(prefix="nhigraph-copy-"))
    try:
        manifest = {"schema_version": SCHEMA_VERSION, "generation": 1, "runs": runs,
                    **columnar.save_rows(folder, 1, attrs,
                                         ((s, d, k, p) for (s, k, d), p in keyed.items()))}
        (folder / MANIFEST).write_text(json.dumps(manifest, sort_keys=True))
        store = EmbeddedStore(folder, create=False)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    weakref.finalize(store, shutil.rmtree, folder, True)
    return store
