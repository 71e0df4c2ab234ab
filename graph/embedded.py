"""The embedded store: a columnar folder, opened (memory-mapped) rather than loaded.

On disk: ``manifest.json`` (schema version, generation, counts by kind, edge kinds,
sources, ingest runs) naming one generation's files (:mod:`graph.columnar`: Arrow IPC node
and edge tables and CSR adjacency arrays). Opening reads only the manifest; the tables are
mapped on the first read that needs them, so ``stats`` costs the manifest and a blast radius
costs the nodes it reaches. Walks run on the CSR arrays (``walk_csr`` and friends in
:mod:`graph.traversal`).

A write into an empty store (the first ingest, or ``replace``) writes the validated batch's
rows straight to the columnar files (:func:`graph.merge.fresh_rows`). A write onto a graph
builds the whole graph as a :class:`networkx.MultiDiGraph` keyed by edge kind
(``store.graph``, built on demand from the tables; ``seen_by`` lists the sources that wrote
a node or edge, for stale-data cleanup) and merges the batch. Either way it writes the next
generation's files beside the current ones and only then replaces the manifest with ``os.replace``
(atomic on POSIX and Windows), so a failed, killed or interrupted ingest leaves the last
good graph. Leftovers of an interrupted write are removed by the next successful one.
Writers take an exclusive lock on ``.lock``. A store written by an older nhigraph (schema
1, Parquet) gives one line asking to re-ingest.
"""

from __future__ import annotations

import json
import os
import re
import uuid
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import genfiles, traversal
from .errors import StoreError
from .gc_pause import gc_paused
from .merge import fresh_rows, merge_batch
from .model import ACCESS_EDGES
from .records import Batch, Edge, WriteResult, validate
from .store import Store

if TYPE_CHECKING:
    import networkx as nx

    from . import columnar

SCHEMA_VERSION = 2
MANIFEST = "manifest.json"
#: From this many nodes on, ``expand`` finds their edge rows with array operations.
VECTOR_EXPAND_FROM = 64  # expand is vectorised for any count; the test asks at least this many
_PLAIN_KEY = re.compile(r"[A-Za-z0-9_]+")
_GEN_FILE = re.compile(r"^(nodes|edges|out_ptr|in_ptr|in_rows)-(\d+)\.(arrow|npy|parquet)"
                       r"(\.tmp)?$")
MAX_RUNS_KEPT = 500
#: Reads retried when a writer replaced the generation being read.
LOAD_RETRIES = 20


class _GenerationGone(Exception):
    def __init__(self, gen: Any, message: str):
        super().__init__(message)
        self.gen, self.message = gen, message


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _locked(path: Path) -> Any:
    from .store_lock import locked

    return locked(path)


class EmbeddedStore(Store):
    backend = "embedded"

    def __init__(self, path: str | os.PathLike, create: bool = True):
        self.dir = Path(path)
        self.location = str(self.dir)
        if self.dir.exists() and not self.dir.is_dir():
            raise StoreError(f"{self.dir}: the store path is a file, not a folder")
        if not create and not (self.dir / MANIFEST).exists():
            raise StoreError(f"{self.dir}: no nhigraph store here (run `nhigraph demo` or `nhigraph ingest ...` first, or pass --store)")
        self._gen: columnar.Generation | None = None
        self._graph: nx.MultiDiGraph | None = None
        self.manifest: dict[str, Any]
        self._load()

    # --- persistence -----------------------------------------------------------------

    def _load(self, only_if_changed: bool = False) -> None:
        """Read the manifest; the generation it names is mapped when first read. A writer
        may commit a newer generation and remove this one while we read: then read the
        newer one (transparently), unless nothing changed."""
        for attempt in range(LOAD_RETRIES):
            try:
                self._load_once(only_if_changed)
                return
            except _GenerationGone as gone:
                if attempt == LOAD_RETRIES - 1 or self._generation_on_disk() == gone.gen:
                    raise StoreError(gone.message) from None

    def _generation_on_disk(self) -> Any:
        try:
            return json.loads((self.dir / MANIFEST).read_text()).get("generation")
        except (OSError, ValueError, AttributeError):
            return None

    @contextmanager
    def write_lock(self) -> Iterator[None]:
        """Hold the writer lock and re-read the committed graph under it, so a caller can
        stitch against exactly the graph its write commits onto (see ``ingest.pipeline``)."""
        with _locked(self.dir / ".lock"):
            self._load(only_if_changed=True)
            yield

    def _load_once(self, only_if_changed: bool) -> None:
        mpath = self.dir / MANIFEST
        if not mpath.exists():
            self.manifest = {"schema_version": SCHEMA_VERSION, "generation": 0, "runs": []}
            self._gen, self._graph = None, None
            return
        try:
            manifest = json.loads(mpath.read_text())
        except (OSError, ValueError) as exc:
            raise StoreError(f"{mpath}: unreadable manifest ({exc})") from None
        if not isinstance(manifest, dict) or not isinstance(manifest.get("generation"), int) \
                or not isinstance(manifest.get("runs", []), list):
            raise StoreError(f"{mpath}: damaged manifest (no generation number or runs list); "
                             "re-ingest into a fresh store")
        if only_if_changed and manifest == self.manifest:
            return  # nobody wrote since we loaded (run ids make manifests unique)
        if manifest.get("schema_version") != SCHEMA_VERSION:
            raise StoreError(
                f"{mpath}: schema version {manifest.get('schema_version')} is not "
                f"{SCHEMA_VERSION} (an older nhigraph's format); re-ingest into a fresh store"
            )
        self.manifest = manifest
        self._gen, self._graph = None, None
        if manifest.get("generation"):
            try:  # a missing or broken generation is an error at open (cheap: each file's
                genfiles.check_files(self.dir, manifest["generation"])  # ends are read,
            except StoreError as exc:  # no numpy/pyarrow) unless a writer just replaced it
                raise _GenerationGone(manifest["generation"], str(exc)) from None

    def generation(self) -> columnar.Generation:
        """The committed generation, memory-mapped on first use. A writer may have committed
        a newer one and removed this one since the manifest was read: then the newer one."""
        for attempt in range(LOAD_RETRIES):
            if self._gen is not None:
                break
            gen = self.manifest.get("generation", 0)
            if not gen:
                self._save_empty()
            from . import columnar  # NumPy and pyarrow: only once a read needs the tables

            try:
                self._gen = columnar.Generation(self.dir, self.manifest["generation"],
                                                self.manifest.get("edge_kinds", []))
            except StoreError:
                if attempt == LOAD_RETRIES - 1 or self._generation_on_disk() == gen:
                    raise
                self._load()
        assert self._gen is not None
        return self._gen

    def _save_empty(self) -> None:
        import networkx as nx

        from . import columnar

        self.manifest = {**self.manifest, **columnar.save(self.dir, 0, nx.MultiDiGraph())}

    @property
    def graph(self) -> nx.MultiDiGraph:
        """The whole store as the write path's NetworkX graph, built on first use (nodes
        carry ``kind`` and ``seen_by``); see :meth:`to_networkx` for notebooks."""
        if self._graph is None:
            with gc_paused():
                if self.manifest.get("generation", 0):
                    self._graph = self.generation().to_networkx()
                else:
                    import networkx as nx

                    self._graph = nx.MultiDiGraph()
        return self._graph

    def _save(self, manifest: dict[str, Any], rows: Any = None) -> None:
        """Write the next generation (of ``rows``, see :func:`graph.merge.fresh_rows`, or by
        ``rows(gen)``, else of :attr:`graph`), then commit it by replacing the manifest."""
        self.dir.mkdir(parents=True, exist_ok=True)
        gen = manifest["generation"]
        from . import columnar

        manifest.update(columnar.save(self.dir, gen, self.graph) if rows is None
                        else rows(gen) if callable(rows)
                        else columnar.save_rows(self.dir, gen, *rows))
        mtmp = self.dir / f"{MANIFEST}.{uuid.uuid4().hex}.tmp"
        with open(mtmp, "w") as mf:
            json.dump(manifest, mf, indent=1, sort_keys=True)
            mf.flush()
            os.fsync(mf.fileno())
        os.replace(mtmp, self.dir / MANIFEST)  # the commit point
        _fsync_dir(self.dir)
        self.manifest = manifest
        self._gen = None
        for f in self.dir.iterdir():  # earlier generations and leftovers of killed writes
            m = _GEN_FILE.match(f.name)
            if (m and int(m.group(2)) != gen) or (f.name.startswith(MANIFEST + ".")
                                                 and f.suffix == ".tmp"):
                try:
                    f.unlink()
                except OSError:
                    pass

    # --- reads: on the mapped generation ----------------------------------------------

    def get_node(self, node_id: str) -> dict | None:
        if self.is_empty():
            return None
        gen = self.generation()
        i = gen.index(node_id)
        return None if i is None else gen.public([i])[0]

    def get_nodes(self, ids: Iterable[str]) -> dict[str, dict]:
        if self.is_empty():
            return {}
        gen = self.generation()
        return {n["id"]: n for n in gen.public(sorted(gen.indices(ids).values()))}

    def nodes(self, kind: str | None = None) -> Iterator[dict]:
        if self.is_empty():
            return
        gen = self.generation()
        rows = range(gen.n) if kind is None else gen.rows_where("kind", kind)
        for start in range(0, len(rows), 50_000):
            yield from gen.public(rows[start:start + 50_000])

    def node_texts(self, kind: str | None = None,
                   ) -> tuple[list[str], dict[str, list[str | None]]]:
        """The id, name and arn columns as stored (the name and arn columns hold a node's
        text ``name``/``arn`` or null): no node's properties decoded."""
        if self.is_empty():
            return [], {"name": [], "arn": []}
        gen = self.generation()
        table = gen.nodes.select(["id", "name", "arn"])
        from .columnar import FEW_ROWS

        if kind is not None and gen.n <= FEW_ROWS:  # rows picked in Python: a
            rows = gen.rows_where("kind", kind)  # take of a list imports pandas (0.5 s)
            cols = {k: table.column(k).to_pylist() for k in ("id", "name", "arn")}
            return [cols["id"][r] for r in rows], {k: [cols[k][r] for r in rows]
                                                   for k in ("name", "arn")}
        if kind is not None:
            table = table.take(gen.rows_where("kind", kind))
        return table.column("id").to_pylist(), {k: table.column(k).to_pylist()
                                                for k in ("name", "arn")}

    def node_columns(self, keys: Sequence[str], kinds: Collection[str] | None = None,
                     ) -> tuple[list[str], list[str], dict[str, list[Any]]]:
        """The id and kind columns as stored; only the properties that mention a key are
        decoded (:mod:`graph.columns`)."""
        if self.is_empty():
            return [], [], {key: [] for key in keys}
        from . import columns  # NumPy: not for commands that never read columns

        return columns.node_columns(self.generation(), keys, kinds)

    def edge_columns(self, kind: str, key: str | None) -> tuple[Any, Any, list[Any]]:
        """The ends straight from the edge arrays; only the properties that mention
        ``key`` are decoded (:mod:`graph.columns`)."""
        if self.is_empty():
            import numpy as np

            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64), []
        from . import columns

        return columns.edge_columns(self.generation(), kind, key)

    def text_index(self, kind: str | None = None, build: bool = True) -> tuple[Any, Any]:
        """``(index, nodes)``: the committed generation's folded names, ids and ARNs
        (:mod:`graph.textindex`, kept in the cache folder once built, never in the store) and a mask of the
        nodes of ``kind`` (None: all). What the name search reads instead of ``node_texts``.
        With ``build=False``, ``(None, None)`` unless the index is already built."""
        from . import textindex

        if self.is_empty():
            return textindex.TextIndex.build([], {"name": [], "arn": []}), None
        gen = self.generation()
        kept = getattr(self, "_text_index", None)
        if kept is None or kept[0] is not gen:  # once per generation and process
            import hashlib

            from .cachedir import cache_folder

            number = self.manifest["generation"]
            key = hashlib.sha256(f"{self.dir.resolve()}\0{number}".encode()).hexdigest()[:32]
            got = textindex.load_or_build(
                cache_folder("search"), key, self.dir / f"nodes-{number}.arrow", gen.n,
                self._texts_of(gen), gen.ids_of, build=build)
            if got is None:
                return None, None
            kept = self._text_index = (gen, got)
        return kept[1], None if kind is None else gen.kind_mask([kind])

    @staticmethod
    def _texts_of(gen: Any) -> Any:
        def texts() -> tuple[list[str], dict[str, list[str | None]]]:
            table = gen.nodes.select(["id", "name", "arn"])
            return table.column("id").to_pylist(), {k: table.column(k).to_pylist()
                                                    for k in ("name", "arn")}
        return texts

    def find_nodes(self, key: str, value: Any, case_insensitive: bool = False) -> list[dict]:
        """Nodes whose ``key`` equals ``value``: from the columns for id, kind, name and
        arn; else only among the nodes whose properties mention the key."""
        if self.is_empty():
            return []
        gen = self.generation()
        if key in ("name", "arn", "kind", "id") and isinstance(value, str):
            return gen.public(gen.rows_where(key, value, case_insensitive and key != "kind"))
        if case_insensitive and isinstance(value, str):
            value = value.lower()
        out = []
        if gen.n > 10_000 and _PLAIN_KEY.fullmatch(key):
            # Only a node whose properties' JSON text names the key can have it (the
            # crown jewels of 100k nodes: 3 s decoding them all, 0.1 s this way; a small
            # store decodes them all rather than import pyarrow.compute).
            rows = gen.rows_naming(key)
            candidates: Iterable[dict] = (n for start in range(0, len(rows), 50_000)
                                          for n in gen.public(rows[start:start + 50_000]))
        else:
            candidates = self.nodes()
        for n in candidates:
            v = n.get(key)
            if case_insensitive and isinstance(v, str):
                v = v.lower()
            if isinstance(v, (str, int, float, bool)) and v == value:
                out.append(n)
        return out

    def _expand_rows(self, ids: Iterable[str], direction: str, kinds: Iterable[str],
                     ) -> tuple[Any, list[tuple[str, str, str]], list[int]]:
        """The edges of ``kinds`` out of (into) ``ids``: per id in order, its rows in CSR
        order, gathered in one vectorised pass over the CSR arrays."""
        import numpy as np

        from .condensation import edge_rows

        gen = self.generation()
        out = direction == "out"
        found = gen.indices(ids)
        nids = list(found)
        nums = np.fromiter(found.values(), dtype=np.int64, count=len(found))
        ptr = gen.out_ptr if out else gen.in_ptr
        pos = edge_rows(ptr, nums)
        owner = np.repeat(np.arange(len(nums)), np.asarray(ptr[nums + 1] - ptr[nums],
                                                             dtype=np.int64))
        rows = pos if out else np.asarray(gen.in_rows[pos], dtype=np.int64)
        sel = np.isin(gen.kind[rows], np.fromiter(gen.kind_codes(kinds), dtype=np.int16))
        rows, owner = rows[sel], owner[sel].tolist()
        names = gen.edge_kinds
        kind_l = [names[k] for k in gen.kind[rows].tolist()]
        others = gen.ids_of((gen.dst if out else gen.src)[rows].tolist())
        if out:
            ends = [(nids[o], k, x) for o, k, x in zip(owner, kind_l, others, strict=True)]
        else:
            ends = [(x, k, nids[o]) for o, k, x in zip(owner, kind_l, others, strict=True)]
        return gen, ends, rows.tolist()

    def expand(self, ids: Iterable[str], direction: str, kinds: Iterable[str]) -> list[Edge]:
        if self.is_empty():
            return []
        gen, ends, rows = self._expand_rows(ids, direction, kinds)
        props = gen.edges_props(rows)  # one parser call for all the rows
        return [Edge(a, k, b, p) for (a, k, b), p in zip(ends, props, strict=True)]

    def expand_ends(self, ids: Iterable[str], direction: str, kinds: Iterable[str],
                    ) -> list[tuple[str, str, str]]:
        if self.is_empty():
            return []
        return self._expand_rows(ids, direction, kinds)[1]

    # Credential use and what many sources reach: vectorised over the CSR arrays.

    def credential_use(self, workflows: Iterable[str],
                       ) -> tuple[dict[str, set[str]], dict[str, dict]]:
        """:func:`graph.credential_use.credential_use` (which calls this) on the CSR arrays
        (:mod:`graph.credential_csr`): the same map and credential nodes."""
        if self.is_empty():
            return {}, {}
        import numpy as np

        from .credential_csr import use_pairs

        gen = self.generation()
        w, c, cred_rows = use_pairs(gen, list(gen.indices(workflows).values()))
        first = np.flatnonzero(np.r_[True, w[1:] != w[:-1]]) if len(w) else w
        bounds = np.r_[first, len(w)].tolist()
        names = gen.ids_of(c.tolist())
        uses = {wid: set(names[a:b]) for wid, a, b in
                zip(gen.ids_of(w[first].tolist()), bounds, bounds[1:], strict=False)}
        cred_nodes = {n["id"]: n for n in gen.public(cred_rows.tolist())}
        return uses, cred_nodes

    def credential_users(self, min_workflows: int = 1) -> dict[str, set[str]]:
        if self.is_empty():
            return {}
        import numpy as np

        from .credential_csr import use_pairs

        gen = self.generation()
        w, c, _ = use_pairs(gen, gen.rows_where("kind", "Workflow"))
        count = np.bincount(c, minlength=gen.n)
        keep = count[c] >= min_workflows
        w, c = w[keep], c[keep]
        order = np.lexsort((w, c))
        w, c = w[order], c[order]
        first = np.flatnonzero(np.r_[True, c[1:] != c[:-1]]) if len(c) else c
        bounds = np.r_[first, len(c)].tolist()
        names = gen.ids_of(w.tolist())
        return {cid: set(names[a:b]) for cid, a, b in
                zip(gen.ids_of(c[first].tolist()), bounds, bounds[1:], strict=False)}

    def accountable_owners(self, ids: Iterable[str], nodes: Mapping[str, dict] | None = None,
                           ) -> dict[str, list[str]]:
        """:func:`graph.ownership.accountable_owners` by level-wide gathers of the CSR
        arrays (:func:`graph.ownership.accountable_owners_csr`): the same map."""
        ids = list(dict.fromkeys(ids))
        if self.is_empty():
            return dict.fromkeys(ids, [])
        from .ownership import owners_by_id

        return owners_by_id(self.generation(), ids)

    def node_values(self, kinds: Iterable[str], defaults: dict[str, Any],
                    ) -> tuple[list[str], dict[str, list[Any]]]:
        """The properties asked parsed from the ``props`` column by Arrow's JSON reader
        (:mod:`graph.prop_columns`): no dict per node."""
        if self.is_empty():
            return [], {k: [] for k in defaults}
        from .prop_columns import node_values

        return node_values(self.generation(), kinds, defaults)

    # The walks: the CSR engines of graph.traversal.

    def reach(self, sources: Iterable[str], direction: str = "out",
              kinds: Iterable[str] = ACCESS_EDGES, max_depth: int | None = None,
              as_of: str | None = None, check_validity: bool = True,
              keep_edges: bool = True) -> traversal.Reach:
        if self.is_empty():
            return traversal.Reach(direction, sorted(set(sources)),
                                   dist=dict.fromkeys(set(sources), 0))
        return traversal.walk_csr(self.generation(), sources, direction, kinds, max_depth,
                                  traversal.expandable(as_of, check_validity), keep_edges)

    def reach_many(self, start_sets: Iterable[Iterable[str]], direction: str = "out",
                   kinds: Iterable[str] = ACCESS_EDGES, as_of: str | None = None,
                   ) -> tuple[dict[traversal.StartKey, set[str]], dict[str, dict]]:
        if self.is_empty():
            return {k: set(k) for k in traversal.start_keys(start_sets)}, {}
        return traversal.reach_many_csr(self.generation(), start_sets, direction, kinds,
                                        traversal.expandable(as_of))

    def reach_many_kinds(self, start_sets: Iterable[Iterable[str]], node_kinds: Iterable[str],
                         as_of: str | None = None) -> dict[traversal.StartKey, list[str]]:
        if self.is_empty():
            return super().reach_many_kinds(start_sets, node_kinds, as_of)
        return traversal.reach_many_kinds_csr(self.generation(), start_sets, ACCESS_EDGES,
                                              node_kinds, traversal.expandable(as_of))

    def reached(self, sources: Iterable[str], direction: str = "out",
                kinds: Iterable[str] = ACCESS_EDGES, as_of: str | None = None,
                check_validity: bool = True) -> set[str]:
        if self.is_empty():
            return set(sources)
        return traversal.reached_csr(self.generation(), sources, direction, kinds,
                                     traversal.expandable(as_of, check_validity))

    def reachable_sets(self, kinds: Iterable[str], stop: set[str]) -> traversal.ReachableSets:
        if self.is_empty():
            return [], [], []
        return traversal.reachable_sets_csr(self.generation(), kinds, stop)

    def edges(self, kind: str | None = None) -> Iterator[Edge]:
        if self.is_empty():
            return
        gen = self.generation()
        names = gen.edge_kinds
        code = names.index(kind) if kind in names else None
        if kind is not None and code is None:
            return
        import numpy as np

        rows = (range(len(gen.kind)) if code is None
                else np.flatnonzero(gen.kind == code).tolist())
        yield from self._edges_at(rows)

    def edges_containing(self, kind: str, texts: Iterable[str]) -> Iterator[Edge]:
        """Only the edges whose stored JSON text contains one of ``texts``, found by a
        substring match over the properties column (pyarrow), so only those are decoded.
        A printable ASCII text without quote or backslash is written as it is inside a
        JSON string, so no edge with such a value is missed; other texts read every edge."""
        texts = list(texts)
        if any(not (t.isascii() and t.isprintable()) or '"' in t or "\\" in t for t in texts):
            yield from self.edges(kind)
            return
        if self.is_empty() or not texts:
            return
        gen = self.generation()
        if kind not in gen.edge_kinds:
            return
        import numpy as np

        from .columnar import FEW_ROWS, _indices, _numbers

        rows = np.flatnonzero(gen.kind == gen.edge_kinds.index(kind))
        if len(rows) <= FEW_ROWS:  # the same substring test in Python: no pyarrow.compute
            one = gen._edge_text.text
            yield from self._edges_at([r for r in rows.tolist()
                                       if any(t in one(r) for t in texts)])
            return
        import pyarrow.compute as pc

        # Arrow arrays in and out through their buffers: a numpy ``take`` argument and a
        # boolean ``to_numpy`` both import pandas (3 s here).
        column = gen._edge_texts.take(_indices(rows))
        hit = None
        for t in texts:
            match = pc.match_substring(column, t)
            hit = match if hit is None else pc.or_(hit, match)
        yield from self._edges_at(rows[_numbers(pc.indices_nonzero(hit), np.uint64)].tolist())

    def _edges_at(self, rows: Any) -> Iterator[Edge]:
        """The edges at these rows, their properties decoded 50,000 at a time."""
        gen = self.generation()
        names = gen.edge_kinds
        for start in range(0, len(rows), 50_000):
            chunk = rows[start:start + 50_000]
            for row, props in zip(chunk, gen.edges_props(chunk), strict=True):
                yield Edge(gen.id_of(int(gen.src[row])), names[int(gen.kind[row])],
                           gen.id_of(int(gen.dst[row])), props)

    def counts(self) -> dict[str, dict[str, int]]:
        counts = self.manifest.get("counts") or {"nodes": {}, "edges": {}}
        return {"nodes": dict(counts["nodes"]), "edges": dict(counts["edges"])}

    def runs(self) -> list[dict]:
        return list(self.manifest.get("runs", []))

    def is_empty(self) -> bool:
        return not sum((self.manifest.get("counts") or {}).get("nodes", {}).values())

    def sources(self) -> set[str]:
        """Every source that wrote something still in the graph."""
        return set(self.manifest.get("sources", []))

    def foreign_data(self) -> str | None:
        """None: nothing but nhigraph writes the store's folder."""
        return None

    def to_networkx(self, kinds: Iterable[str] | None = None, ids: Iterable[str] | None = None,
                    around: str | None = None, depth: int = 1) -> nx.MultiDiGraph:
        """A :class:`networkx.MultiDiGraph` of the store for notebooks and algorithms, built
        on demand: the whole graph, or the nodes of ``kinds``, the ``ids`` given, or what
        lies within ``depth`` hops of ``around`` (any edge, either way). Node attributes
        are the node's properties plus ``kind``; edges are keyed by kind."""
        import networkx as nx

        g = nx.MultiDiGraph()
        if self.is_empty():
            return g
        gen = self.generation()
        if around is not None:
            near = {around}
            frontier = {around}
            every = gen.edge_kinds
            for _ in range(depth):
                hop = {e.dst for e in self.expand(frontier, "out", every)}
                hop |= {e.src for e in self.expand(frontier, "in", every)}
                frontier = hop - near
                near |= hop
            ids = near if ids is None else set(ids) & near
        if ids is not None:
            rows = sorted(gen.indices(ids).values())
        else:
            rows = list(range(gen.n))
        chosen = [n for n in gen.public(rows) if kinds is None or n["kind"] in set(kinds)]
        g.add_nodes_from((n["id"], {k: v for k, v in n.items() if k != "id"}) for n in chosen)
        keep = {n["id"] for n in chosen}
        edges = (self.expand(keep, "out", gen.edge_kinds) if len(keep) < gen.n
                 else self.edges())
        g.add_edges_from((e.src, e.dst, e.kind, e.props) for e in edges if e.dst in keep)
        return g

    # --- writes ----------------------------------------------------------------------

    def write(self, batch: Batch, source: str, replace: bool = False) -> WriteResult:
        run_id = uuid.uuid4().hex[:12]
        started = _now()
        with _locked(self.dir / ".lock"), gc_paused():
            self._load(only_if_changed=True)  # another process may have written since
            # Into an empty graph the batch is the graph: its rows are written straight to
            # the columnar files, without the NetworkX graph a merge needs.
            fresh = replace or self.is_empty()
            g = None if fresh else self.graph
            existing = (lambda _id: None) if g is None else (
                lambda nid: g.nodes[nid]["kind"] if nid in g.nodes else None)
            validate(batch, existing)  # raises before anything changes
            result = WriteResult(run_id=run_id, source=source, skipped=list(batch.skipped),
                                 files_read=batch.files_read)
            try:
                rows = fresh_rows(batch, source, result) if g is None else None
                if g is not None:
                    self._merge(g, batch, source, result)
            except BaseException:
                self._reload_after_failure()
                raise
            manifest = self._manifest(run_id, started, source, replace, result)
            self._graph = g
            try:
                if rows is None:
                    self._save(manifest)
                else:
                    self._save(manifest, rows)
                del rows
            except BaseException:
                self._reload_after_failure()  # merged in place: back to what is on disk
                raise
        return result

    def _manifest(self, run_id: str, started: str, source: str, replace: bool,
                  result: WriteResult) -> dict[str, Any]:
        manifest = {
            "schema_version": SCHEMA_VERSION,
            "generation": self.manifest.get("generation", 0) + 1,
            "runs": ([] if replace else self.manifest.get("runs", []))[-MAX_RUNS_KEPT:],
        }
        manifest["runs"].append({
            "run_id": run_id, "source": source, "started_at": started,
            "finished_at": _now(), "replace": replace,
            "nodes_written": result.nodes_written, "edges_written": result.edges_written,
            "nodes_removed": result.nodes_removed, "edges_removed": result.edges_removed,
            "files_read": result.files_read, "skipped": len(result.skipped),
        })
        return manifest

    def write_table(self, tables: Any, source: str, replace: bool = False,
                    ) -> WriteResult | None:
        """Write a graph given in columns (``ingest.inventory_columns.Tables``, already
        checked as :func:`validate` checks a batch) as the whole graph: into an empty store
        or with ``replace``. None, and nothing written, when the store holds a graph (a
        merge takes the row path)."""
        run_id = uuid.uuid4().hex[:12]
        started = _now()
        with _locked(self.dir / ".lock"), gc_paused():
            self._load(only_if_changed=True)
            if not (replace or self.is_empty()):
                return None
            result = WriteResult(run_id=run_id, source=source, files_read=tables.files_read)
            result.nodes_created = result.nodes_written = tables.nodes.num_rows
            result.edges_created = result.edges_written = tables.edge_count
            manifest = self._manifest(run_id, started, source, replace, result)
            self._graph = None
            from . import columnar

            try:
                self._save(manifest, lambda gen: columnar.save_table(
                    self.dir, gen, tables.nodes, tables.node_counts, tables.edges,
                    tables.edge_kinds, [source] if tables.nodes.num_rows else []))
            except BaseException:
                self._reload_after_failure()
                raise
        return result

    def _reload_after_failure(self) -> None:
        """Back to the last committed graph after a write failed half-way in memory."""
        self.manifest = {}  # never equal to the one on disk, so the next write reloads
        self._gen, self._graph = None, None
        try:
            self._load()
        except Exception:  # the write's own error is the one to report
            pass

    @staticmethod
    def _merge(g: nx.MultiDiGraph, batch: Batch, source: str, result: WriteResult) -> None:
        merge_batch(g, batch, source, result)

    def close(self) -> None:
        pass
