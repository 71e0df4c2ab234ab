"""The embedded store: a NetworkX graph in memory, persisted as a small folder.

On disk: ``manifest.json`` (schema version, generation, ingest runs) naming one
generation's ``nodes-<gen>.parquet`` and ``edges-<gen>.parquet``. A write builds the next
generation's files beside the current ones and only then replaces the manifest with
``os.replace`` (atomic on POSIX and Windows), so a failed, killed or interrupted ingest
leaves the last good graph. Leftover files of an interrupted write are removed by the next
successful one. Writers take an exclusive lock on ``.lock``.

In memory the graph is a :class:`networkx.MultiDiGraph` keyed by edge kind: node attributes
are the node's properties plus ``kind``; ``seen_by`` lists the sources that wrote a node
or edge, for stale-data cleanup.
"""

from __future__ import annotations

import json
import os
import re
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import networkx as nx

from . import traversal
from .errors import StoreError
from .gc_pause import gc_paused
from .merge import merge_batch
from .model import ACCESS_EDGES
from .records import Batch, Edge, WriteResult, validate
from .store import Store

SCHEMA_VERSION = 1
MANIFEST = "manifest.json"
_GEN_FILE = re.compile(r"^(nodes|edges)-(\d+)\.parquet(\.tmp)?$")
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


def _decode(column: list[str]) -> list:
    """Decode a column of JSON texts in one parser call (one call per row costs several
    times more at a million rows); each row still gets its own objects."""
    return json.loads("[" + ",".join(column) + "]") if column else []


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
        self._index: dict[tuple, dict[Any, list[str]]] = {}
        self.graph: nx.MultiDiGraph
        self.manifest: dict[str, Any]
        self._load()

    # --- persistence -----------------------------------------------------------------

    def _load(self, only_if_changed: bool = False) -> None:
        with gc_paused():
            for attempt in range(LOAD_RETRIES):
                try:
                    self._load_unpaused(only_if_changed)
                    return
                except _GenerationGone as gone:
                    # A writer committed a newer generation and removed this one while we
                    # read: read the newer one (transparently), unless nothing changed.
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

    def _load_unpaused(self, only_if_changed: bool) -> None:
        mpath = self.dir / MANIFEST
        if not mpath.exists():
            self.graph = nx.MultiDiGraph()
            self.manifest = {"schema_version": SCHEMA_VERSION, "generation": 0, "runs": []}
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
                f"{SCHEMA_VERSION}; re-ingest into a fresh store"
            )
        import pyarrow.parquet as pq

        gen = manifest["generation"]
        g = nx.MultiDiGraph()
        try:
            nodes = pq.read_table(self.dir / f"nodes-{gen}.parquet").to_pydict()
            edges = pq.read_table(self.dir / f"edges-{gen}.parquet").to_pydict()
        except (OSError, ValueError) as exc:
            raise _GenerationGone(gen, f"{self.dir}: generation {gen} is unreadable ({exc})") \
                from None
        try:
            self._fill(g, nodes, edges)
        except (ValueError, TypeError, KeyError) as exc:
            raise StoreError(f"{self.dir}: generation {gen} is damaged ({exc})") from None
        self.graph = g
        self.manifest = manifest
        self._index = {}

    @staticmethod
    def _fill(g: nx.MultiDiGraph, nodes: dict, edges: dict) -> None:
        g.add_nodes_from(
            (nid, {**p, "kind": k, "seen_by": s})
            for nid, k, p, s in zip(nodes["id"], nodes["kind"], _decode(nodes["props"]),
                                    _decode(nodes["seen_by"]), strict=True)
        )
        g.add_edges_from(
            (a, b, k, {**p, "seen_by": s})
            for a, k, b, p, s in zip(edges["src"], edges["kind"], edges["dst"],
                                     _decode(edges["props"]), _decode(edges["seen_by"]),
                                     strict=True)
        )

    def _save(self, manifest: dict[str, Any]) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        self.dir.mkdir(parents=True, exist_ok=True)
        gen = manifest["generation"]
        # One encoder for every row: json.dumps(..., sort_keys=True) builds a new encoder
        # per call. The usual seen_by lists repeat, so their text is cached.
        dumps = json.JSONEncoder(sort_keys=True).encode
        seen_text: dict[tuple, str] = {}

        def seen_json(values: Iterable[str]) -> str:
            key = tuple(sorted(values))
            text = seen_text.get(key)
            if text is None:
                text = seen_text[key] = json.dumps(list(key))
            return text

        ids, kinds, props, seen = [], [], [], []
        for nid, attrs in self.graph.nodes(data=True):
            ids.append(nid)
            kinds.append(attrs["kind"])
            props.append(dumps({k: v for k, v in attrs.items() if k not in ("kind", "seen_by")}))
            seen.append(seen_json(attrs.get("seen_by", ())))
        node_table = pa.table({"id": ids, "kind": kinds, "props": props, "seen_by": seen},
                              schema=pa.schema([(c, pa.string()) for c in
                                                ("id", "kind", "props", "seen_by")]))
        srcs, ekinds, dsts, eprops, eseen = [], [], [], [], []
        for a, b, k, attrs in self.graph.edges(keys=True, data=True):
            srcs.append(a)
            ekinds.append(k)
            dsts.append(b)
            eprops.append(dumps({x: v for x, v in attrs.items() if x != "seen_by"})
                          if len(attrs) > 1 or "seen_by" not in attrs else "{}")
            eseen.append(seen_json(attrs.get("seen_by", ())))
        edge_table = pa.table(
            {"src": srcs, "kind": ekinds, "dst": dsts, "props": eprops, "seen_by": eseen},
            schema=pa.schema([(c, pa.string()) for c in
                              ("src", "kind", "dst", "props", "seen_by")]),
        )
        for name, table in (("nodes", node_table), ("edges", edge_table)):
            final = self.dir / f"{name}-{gen}.parquet"
            tmp = final.with_name(final.name + ".tmp")
            pq.write_table(table, tmp)
            with open(tmp, "rb") as fh:
                os.fsync(fh.fileno())
            os.replace(tmp, final)
        mtmp = self.dir / f"{MANIFEST}.{uuid.uuid4().hex}.tmp"
        with open(mtmp, "w") as mf:
            json.dump(manifest, mf, indent=1, sort_keys=True)
            mf.flush()
            os.fsync(mf.fileno())
        os.replace(mtmp, self.dir / MANIFEST)  # the commit point
        _fsync_dir(self.dir)
        self.manifest = manifest
        for f in self.dir.iterdir():  # earlier generations and leftovers of killed writes
            m = _GEN_FILE.match(f.name)
            if (m and int(m.group(2)) != gen) or (f.name.startswith(MANIFEST + ".")
                                                 and f.suffix == ".tmp"):
                try:
                    f.unlink()
                except OSError:
                    pass

    # --- reads -----------------------------------------------------------------------

    # Reads use NetworkX's dicts (g._node, g._succ, g._pred) directly: the public views
    # cost more per call than the lookup itself, and analyses make millions of them.

    @staticmethod
    def _public(nid: str, attrs: dict) -> dict:
        out = {"id": nid}
        out.update(attrs)
        out.pop("seen_by", None)
        return out

    def get_node(self, node_id: str) -> dict | None:
        attrs = self.graph.nodes.get(node_id)
        return None if attrs is None else self._public(node_id, attrs)

    def get_nodes(self, ids: Iterable[str]) -> dict[str, dict]:
        nodes = self.graph._node
        public = self._public
        return {i: public(i, nodes[i]) for i in ids if i in nodes}

    def nodes(self, kind: str | None = None) -> Iterator[dict]:
        for nid, attrs in self.graph.nodes(data=True):
            if kind is None or attrs["kind"] == kind:
                yield self._public(nid, attrs)

    def find_nodes(self, key: str, value: Any, case_insensitive: bool = False) -> list[dict]:
        ikey = (key, case_insensitive)
        index = self._index.get(ikey)
        if index is None:
            index = {}
            for nid, attrs in self.graph.nodes(data=True):
                v = attrs.get(key)
                if isinstance(v, (str, int, float, bool)):
                    if case_insensitive and isinstance(v, str):
                        v = v.lower()
                    index.setdefault(v, []).append(nid)
            self._index[ikey] = index
        if case_insensitive and isinstance(value, str):
            value = value.lower()
        return [self._public(n, self.graph.nodes[n]) for n in index.get(value, [])]

    def expand(self, ids: Iterable[str], direction: str, kinds: Iterable[str]) -> list[Edge]:
        kinds = set(kinds)
        g = self.graph
        out: list[Edge] = []
        adj = g._succ if direction == "out" else g._pred
        for nid in ids:
            nbrs = adj.get(nid)
            if not nbrs:
                continue
            for other, keyed in nbrs.items():
                for k, attrs in keyed.items():
                    if k in kinds:
                        props = dict(attrs)
                        props.pop("seen_by", None)
                        if direction == "out":
                            out.append(Edge(nid, k, other, props))
                        else:
                            out.append(Edge(other, k, nid, props))
        return out

    # The walks: the in-memory engines of graph.traversal.

    def reach(self, sources: Iterable[str], direction: str = "out",
              kinds: Iterable[str] = ACCESS_EDGES, max_depth: int | None = None,
              as_of: str | None = None, check_validity: bool = True,
              keep_edges: bool = True) -> traversal.Reach:
        return traversal.walk_in_memory(self.graph, self._public, sources, direction, kinds,
                                        max_depth, traversal.expandable(as_of, check_validity),
                                        keep_edges)

    def reach_many(self, start_sets: Iterable[Iterable[str]], direction: str = "out",
                   kinds: Iterable[str] = ACCESS_EDGES, as_of: str | None = None,
                   ) -> tuple[dict[traversal.StartKey, set[str]], dict[str, dict]]:
        return traversal.reach_many_in_memory(self.graph, self._public, start_sets, direction,
                                              kinds, traversal.expandable(as_of))

    def reachable_sets(self, kinds: Iterable[str], stop: set[str]) -> traversal.ReachableSets:
        return traversal.reachable_sets_in_memory(self.graph, kinds, stop)

    def edges(self, kind: str | None = None) -> Iterator[Edge]:
        for a, b, k, attrs in self.graph.edges(keys=True, data=True):
            if kind is None or k == kind:
                yield Edge(a, k, b, {x: v for x, v in attrs.items() if x != "seen_by"})

    def counts(self) -> dict[str, dict[str, int]]:
        nodes: dict[str, int] = {}
        for _, kind in self.graph.nodes(data="kind"):
            nodes[kind] = nodes.get(kind, 0) + 1
        edges: dict[str, int] = {}
        for _, _, k in self.graph.edges(keys=True):
            edges[k] = edges.get(k, 0) + 1
        return {"nodes": dict(sorted(nodes.items())), "edges": dict(sorted(edges.items()))}

    def runs(self) -> list[dict]:
        return list(self.manifest.get("runs", []))

    def is_empty(self) -> bool:
        return self.graph.number_of_nodes() == 0

    def sources(self) -> set[str]:
        """Every source that wrote something still in the graph."""
        out: set[str] = set()
        for _, seen in self.graph.nodes(data="seen_by"):
            out.update(seen or ())
        return out

    def foreign_data(self) -> str | None:
        """None: nothing but nhigraph writes the store's folder."""
        return None

    # --- writes ----------------------------------------------------------------------

    def write(self, batch: Batch, source: str, replace: bool = False) -> WriteResult:
        run_id = uuid.uuid4().hex[:12]
        started = _now()
        with _locked(self.dir / ".lock"), gc_paused():
            self._load(only_if_changed=True)  # another process may have written since
            g = self.graph
            existing = (lambda _id: None) if replace else (
                lambda nid: g.nodes[nid]["kind"] if nid in g.nodes else None)
            validate(batch, existing)  # raises before anything changes
            result = WriteResult(run_id=run_id, source=source, skipped=list(batch.skipped),
                                 files_read=batch.files_read)
            if replace:
                g = nx.MultiDiGraph()
            try:
                self._merge(g, batch, source, result)
            except BaseException:
                self._reload_after_failure()
                raise
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
            self.graph = g
            try:
                self._save(manifest)
            except BaseException:
                self._reload_after_failure()  # merged in place: back to what is on disk
                raise
            finally:
                self._index = {}
        return result

    def _reload_after_failure(self) -> None:
        """Back to the last committed graph after a write failed half-way in memory."""
        self.manifest = {}  # never equal to the one on disk, so the next write reloads
        self._index = {}
        try:
            self._load()
        except Exception:  # the write's own error is the one to report
            pass

    @staticmethod
    def _merge(g: nx.MultiDiGraph, batch: Batch, source: str, result: WriteResult) -> None:
        merge_batch(g, batch, source, result)

    def close(self) -> None:
        pass
