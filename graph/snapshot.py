"""Snapshots: the graph as it was, in a portable file any nhigraph can open and diff.

A snapshot file (``*.nhisnap.json.gz``) is gzip'd JSON written from the
:class:`~graph.store.Store` protocol alone (``nodes()``, ``edges()``, ``runs()``), never
from a store's internal files, so it reads the same whichever store or on-disk layout
wrote it: ``{"format": "nhigraph-snapshot", "version": 1, "name", "created_at", "kind"
("auto" after an ingest, "saved" by name), "last_run", "counts", "nodes": [{id, kind,
...}], "edges": [[src, kind, dst, props], ...]}``. Stores hold fingerprints, never secret
values, and a snapshot holds what the store holds (property names that would carry a value
are dropped all the same). :func:`open_snapshot` opens one as a read-only embedded store
over a temporary folder of columnar files written from it (or, for a file a store could
not have written, as a :class:`~graph.memory.MemoryStore`).

A :class:`Shelf` is the folder of one store's snapshots: ``<store>/snapshots/`` for the
embedded store, ``$NHIGRAPH_SNAPSHOTS`` (default ``./.nhigraph-snapshots``) for Neo4j. Each
file is written beside its final name and renamed (atomic), with a small ``.meta.json``
so listing reads no graph. A shelf snapshot of the embedded store is instead a folder
``<name>.nhisnap/`` of hard links to the committed generation's files plus a copy of the
manifest (a copy where links are not possible): those files are immutable (a write makes
new ones and renames), so linking costs no serialisation and the folder opens as a
read-only embedded store. Automatic snapshots beyond ``NHIGRAPH_SNAPSHOT_KEEP`` (default
20, 0 turns them off) are removed oldest first, saved ones are kept.
"""

from __future__ import annotations

import gzip
import json
import os
import re
import shutil
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any

from .errors import InputError, StoreError
from .model import SECRET_FIELD_NAMES
from .store import Store

FORMAT = "nhigraph-snapshot"
VERSION = 1
SUFFIX = ".nhisnap.json.gz"
LINKED = ".nhisnap"
DEFAULT_KEEP = 20
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _clean(props: dict) -> dict:
    return {k: v for k, v in props.items() if k not in SECRET_FIELD_NAMES}


def snapshot_data(store: Store, name: str, kind: str = "saved") -> dict[str, Any]:
    """The snapshot document of what ``store`` holds now."""
    runs = store.runs()
    return {
        "format": FORMAT, "version": VERSION, "name": name, "kind": kind,
        "created_at": _now(), "backend": store.backend,
        "last_run": runs[-1]["run_id"] if runs else None,
        "runs": runs[-50:], "counts": store.counts(),
        "nodes": [_clean(n) for n in store.nodes()],
        "edges": [[e.src, e.kind, e.dst, _clean(e.props)] for e in store.edges()],
    }


def write_snapshot(store: Store, path: str | os.PathLike, name: str | None = None,
                   kind: str = "saved") -> dict[str, Any]:
    """Write ``store``'s graph to ``path`` atomically; returns the metadata written."""
    path = Path(path)
    data = snapshot_data(store, name or path.name.removesuffix(SUFFIX), kind)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    try:
        # one dumps and one compressed write: json.dump into a gzip stream writes in
        # thousands of small pieces and costs several times more at 100k nodes
        text = json.dumps(data, separators=(",", ":"), default=str).encode()
        with open(tmp, "wb") as fh:
            fh.write(gzip.compress(text, compresslevel=3))
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()
    return _meta(data, path)


def _meta(data: dict, path: Path) -> dict[str, Any]:
    return {"name": data["name"], "kind": data["kind"], "created_at": data["created_at"],
            "last_run": data["last_run"], "nodes": len(data["nodes"]),
            "edges": len(data["edges"]), "file": str(path)}


def read_snapshot(path: str | os.PathLike) -> dict[str, Any]:
    """The snapshot document in ``path``; one clear error when it is not one."""
    try:
        # one decompress and one parse: json.load over a gzip text stream decodes in
        # small pieces and costs about a third more at 100k nodes
        with open(path, "rb") as fh:
            data = json.loads(gzip.decompress(fh.read()))
    except (OSError, EOFError, ValueError, UnicodeDecodeError, gzip.BadGzipFile) as exc:
        raise InputError(f"not a readable nhigraph snapshot ({type(exc).__name__})",
                         str(path)) from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise InputError("not an nhigraph snapshot (key 'format')", str(path))
    if data.get("version") != VERSION:
        raise InputError(f"snapshot version {data.get('version')!r} is not {VERSION}",
                         str(path))
    for key in ("nodes", "edges"):
        if not isinstance(data.get(key), list):
            raise InputError(f"key {key!r} must be a list", str(path))
    return data


def link_snapshot(store: Store, folder: Path) -> bool:
    """Hard-link (or copy) the embedded ``store``'s committed generation into ``folder`` with
    a copy of its manifest; False when ``store`` has no generation files to share."""
    from .genfiles import generation_files

    manifest = getattr(store, "manifest", None)
    src = getattr(store, "dir", None)
    if store.backend != "embedded" or not isinstance(manifest, dict) \
            or not manifest.get("generation") or src is None:
        return False
    tmp = folder.with_name(f".{folder.name}.{uuid.uuid4().hex}.tmp")
    tmp.mkdir(parents=True)
    try:
        for name in generation_files(manifest["generation"]):
            try:
                os.link(src / name, tmp / name)
            except FileNotFoundError:
                return False  # a writer replaced the generation meanwhile
            except OSError:  # another file system, or links not allowed: copy
                shutil.copyfile(src / name, tmp / name)
        (tmp / "manifest.json").write_text(json.dumps(manifest, indent=1, sort_keys=True))
        old = folder.with_name(f".{folder.name}.{uuid.uuid4().hex}.old")
        if folder.exists():  # saved again under its name: the new one replaces it
            os.replace(folder, old)
        os.replace(tmp, folder)
        shutil.rmtree(old, ignore_errors=True)
        return True
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)


def open_snapshot(path: str | os.PathLike) -> Store:
    """A linked snapshot folder as a read-only embedded store; a snapshot file as a
    read-only embedded store too, over a temporary folder of columnar files written from
    it (:func:`graph.columnar_copy.columnar_copy`; removed when the store is dropped or the process ends), or,
    for a file that function cannot take, as an in-memory store."""
    if Path(path).is_dir():
        from .embedded import EmbeddedStore

        try:
            return EmbeddedStore(path, create=False)
        except StoreError as exc:
            raise InputError(f"not a readable nhigraph snapshot ({exc})", str(path)) from None
    data, nodes, edges = _rows(path)
    from .columnar_copy import columnar_copy

    store = columnar_copy(nodes, edges, data.get("runs") or [])
    if store is not None:
        return store
    from .memory import MemoryStore  # NetworkX: only for a file columnar_copy cannot take

    return MemoryStore.from_rows(nodes, edges, f"snapshot {data.get('name')}",
                                 data.get("runs") or [])


def _rows(path: str | os.PathLike) -> tuple[dict[str, Any], list[dict], list]:
    """The document of the snapshot file ``path``, its nodes and its edges, checked."""
    data = read_snapshot(path)
    nodes = [n for n in data["nodes"] if isinstance(n, dict) and "id" in n]
    edges = data["edges"]
    if not all(isinstance(e, list) and len(e) == 4 and isinstance(e[3], dict) for e in edges):
        raise InputError("key 'edges': each edge must be [src, kind, dst, props]", str(path))
    return data, nodes, edges


class SnapshotFile:
    """A snapshot file not read yet: calling it is :func:`open_snapshot`; :meth:`copy_into`
    writes its columnar copy into a folder instead (what a child process does for
    :mod:`queries.posture_pair` while this one reads the other side of a diff)."""

    def __init__(self, path: str | os.PathLike):
        self.path = str(path)

    def __call__(self) -> Store:
        return open_snapshot(self.path)

    def copy_into(self, folder: Path) -> bool:
        """The file's columnar copy in ``folder`` (:func:`graph.columnar_copy.write_copy`);
        False when the file is one only an in-memory store takes."""
        from .columnar_copy import write_copy

        data, nodes, edges = _rows(self.path)
        return write_copy(folder, nodes, edges, data.get("runs") or [])


def check_name(name: str) -> str:
    if not _NAME.match(name or ""):
        raise InputError(f"snapshot name {name!r}: use letters, digits, '.', '_' or '-' "
                         "(at most 100, starting with a letter or digit)")
    return name


class Shelf:
    """The folder holding one store's snapshots."""

    def __init__(self, store: Store, folder: str | os.PathLike | None = None):
        env = os.environ.get("NHIGRAPH_SNAPSHOTS")
        if folder is None:
            folder = env or (Path(store.location) / "snapshots" if store.backend == "embedded"
                             else ".nhigraph-snapshots")
        self.dir = Path(folder)
        self.store = store

    @staticmethod
    def keep() -> int:
        raw = os.environ.get("NHIGRAPH_SNAPSHOT_KEEP", str(DEFAULT_KEEP))
        try:
            return max(0, int(raw))
        except ValueError:
            raise InputError(f"NHIGRAPH_SNAPSHOT_KEEP must be a whole number, not {raw!r}") \
                from None

    def path(self, name: str) -> Path:
        """The snapshot's folder of linked files, or else its file."""
        linked = self.dir / f"{name}{LINKED}"
        return linked if linked.is_dir() else self.dir / f"{name}{SUFFIX}"

    def save(self, name: str, kind: str = "saved", of: Store | None = None) -> dict[str, Any]:
        """Save the store's graph (or ``of``'s, e.g. an in-memory copy) as ``name``: links
        to the embedded store's files where it can, a snapshot file otherwise."""
        check_name(name)
        folder = self.dir / f"{name}{LINKED}"
        if of is None and link_snapshot(self.store, folder):
            runs, counts = self.store.runs(), self.store.counts()
            meta = {"name": name, "kind": kind, "created_at": _now(),
                    "last_run": runs[-1]["run_id"] if runs else None,
                    "nodes": sum(counts["nodes"].values()),
                    "edges": sum(counts["edges"].values()), "file": str(folder)}
        else:
            meta = write_snapshot(of or self.store, self.dir / f"{name}{SUFFIX}", name, kind)
            shutil.rmtree(folder, ignore_errors=True)  # an earlier linked one of this name
        if meta["file"] == str(folder):
            (self.dir / f"{name}{SUFFIX}").unlink(missing_ok=True)
        mpath = self.dir / f"{name}.meta.json"
        tmp = mpath.with_name(f".{mpath.name}.{uuid.uuid4().hex}.tmp")
        tmp.write_text(json.dumps(meta, sort_keys=True))
        os.replace(tmp, mpath)
        return meta

    def auto(self, source: str) -> dict[str, Any] | None:
        """The snapshot an ingest run leaves (None when retention is 0)."""
        keep = self.keep()
        if keep == 0:
            return None
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
        slug = re.sub(r"[^A-Za-z0-9._-]+", "-", source)[:60].strip("-.") or "ingest"
        meta = self.save(f"{stamp}-{slug}", kind="auto")
        autos = [m for m in self.list() if m["kind"] == "auto"]
        for old in autos[:-keep]:
            self.delete(old["name"])
        return meta

    def delete(self, name: str) -> None:
        shutil.rmtree(self.dir / f"{name}{LINKED}", ignore_errors=True)
        for p in (self.dir / f"{name}{SUFFIX}", self.dir / f"{name}.meta.json"):
            try:
                p.unlink()
            except FileNotFoundError:
                pass

    def list(self) -> list[dict[str, Any]]:
        """Every snapshot here, oldest first."""
        if not self.dir.is_dir():
            return []
        out = []
        for mpath in self.dir.glob("*.meta.json"):
            try:
                meta = json.loads(mpath.read_text())
            except (OSError, ValueError):
                continue
            if self.path(meta.get("name", "")).exists():
                out.append(meta)
        return sorted(out, key=lambda m: (m["created_at"], m["name"]))

    def find(self, name: str) -> dict[str, Any] | None:
        return next((m for m in self.list() if m["name"] == name), None)

    def previous(self) -> dict[str, Any] | None:
        """The latest snapshot from before the store's last ingest run (the latest one when
        every snapshot is of the current run)."""
        snaps = self.list()
        runs = self.store.runs()
        last = runs[-1]["run_id"] if runs else None
        older = [m for m in snaps if m.get("last_run") != last]
        return (older or snaps)[-1] if snaps else None

    def resolve(self, spec: str | None, default: str = "current") -> tuple[str, Store]:
        """A ``--from``/``--to`` value as (label, store): ``current``, ``previous``, a file,
        a snapshot name or a date (the last snapshot taken by then)."""
        label, opener = self.locate(spec, default)
        return label, opener()

    def locate(self, spec: str | None, default: str = "current",
               ) -> tuple[str, Callable[[], Store]]:
        """:meth:`resolve` in two steps: ``(label, opener)``, every error about ``spec``
        itself (no such snapshot or date) raised here, the file read (and any error
        reading it) when ``opener()`` is called, so a caller can start on one side
        while it reads the other."""
        spec = spec or default
        if spec in ("current", "now"):
            store = self.store
            return "current", lambda: store
        if spec == "previous":
            meta = self.previous()
            if meta is None:
                raise InputError(f"no snapshots yet in {self.dir} (every ingest leaves one; "
                                 "or `nhigraph snapshot save NAME`)")
            return meta["name"], _opener(self.path(meta["name"]))
        if os.path.isfile(spec) or (spec.endswith(LINKED) and os.path.isdir(spec)):
            return spec, _opener(spec)
        if self.find(spec) is not None:
            return spec, _opener(self.path(spec))
        if re.match(r"^\d{4}-\d{2}-\d{2}", spec):
            from .records import normalise_datetime

            when = normalise_datetime(spec, "--from/--to")
            if len(spec) == 10:
                when = when[:10] + "T23:59:59.999999Z"
            taken = [m for m in self.list() if m["created_at"] <= when]
            if not taken:
                raise InputError(f"no snapshot taken on or before {spec} in {self.dir}")
            return taken[-1]["name"], _opener(self.path(taken[-1]["name"]))
        raise InputError(f"{spec!r} is not a snapshot name, file or date (see "
                         "`nhigraph snapshots`)")


def _opener(path: str | os.PathLike) -> Callable[[], Store]:
    """What opens ``path``: a :class:`SnapshotFile` for a file, else the folder's store."""
    return SnapshotFile(path) if os.path.isfile(path) else partial(open_snapshot, path)
