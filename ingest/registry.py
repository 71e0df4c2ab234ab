"""The ingester registry: what each source format declares so that every front end (the
``nhigraph ingest NAME`` commands, the explorer's upload, the canary and fuzz suites) picks
it up with no other edit.

An ingester is one module or subpackage of :mod:`ingest` that ends with a module-level
``INGESTER = Ingester(...)``: its command-line name, help, ``parse(paths, **options) ->
Batch`` and its :class:`Option` s (plain data; the CLI turns them into click options).
:func:`ingesters` finds them by walking the ``ingest`` package's search path with
:mod:`pkgutil` and importing each module there; an import error in one of them is raised,
never skipped, so a broken ingester cannot silently disappear from the command line.
Adding a source format is therefore writing one module under ``ingest/`` and a fixture
under ``tests/data/<name>/`` (the fuzz seed; with ``CANARY_VALUE`` where the format keeps a
secret, also the canary suite's input). ``tests/test_registry.py`` proves it: it writes a throwaway
module into a temporary folder, appends that folder to ``ingest.__path__`` (exactly where
pkgutil looks, as if the file sat in ``ingest/``), clears the cache with :func:`reset` and
checks that the command, the upload, the fuzz seeds and the canary coverage appear.
"""

from __future__ import annotations

import importlib
import pkgutil
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from graph.errors import InputError

#: Option types: ``str``, ``int`` (with ``min``), ``path`` (an existing file or folder),
#: ``file`` (an existing file), ``flag``; ``pairs`` (repeatable ``KEY=VALUE``, kept as a
#: list of strings) and ``map`` (repeatable ``KEY=VALUE`` with both sides, given as a dict).
TYPES = ("str", "int", "path", "file", "flag", "pairs", "map")


@dataclass(frozen=True)
class Option:
    """One option of an ingester: ``--name`` on the command line, ``dest`` in ``parse``."""

    name: str
    help: str
    type: str = "str"
    dest: str | None = None
    default: Any = None
    metavar: str | None = None
    multiple: bool = False
    min: int | None = None
    show_default: bool = False

    def __post_init__(self):
        if self.type not in TYPES:
            raise ValueError(f"option {self.name}: type {self.type!r} is not one of {TYPES}")

    @property
    def key(self) -> str:
        """The keyword ``parse`` receives."""
        return self.dest or self.name.lstrip("-").replace("-", "_")

    @property
    def repeatable(self) -> bool:
        return self.multiple or self.type in ("pairs", "map")

    def convert(self, value: Any) -> Any:
        """Check a given value and turn it into what ``parse`` takes (``KEY=VALUE`` lists
        are checked here, so every front end refuses the same malformed item)."""
        if self.type not in ("pairs", "map"):
            return list(value) if self.multiple and value is not None else value
        items = list(value or ())
        out: dict[str, str] = {}
        for item in items:
            key, sep, val = item.partition("=")
            if not sep or (self.type == "map" and (not key or not val)):
                raise InputError(f"{self.name} wants {self.metavar or 'KEY=VALUE'}, "
                                 f"not {item!r}")
            out[key] = val
        return out if self.type == "map" else items


class _RunOptionsHere:
    """Marks where --replace, --source and --strict stand in an ingester's ``--help``."""

    def __repr__(self) -> str:
        return "RUN_OPTIONS"


#: Put in :attr:`Ingester.options` where the run options (--replace, --source, --strict:
#: how the batch is written, not how it is parsed) go; at the end when absent.
RUN_OPTIONS = _RunOptionsHere()
_REPLACE = Option("--replace", "Start a fresh graph with only this source.", type="flag")


def _source_option(source_from: str) -> Option:
    return Option("--source", "Name of this source for stale-data cleanup (default: kind and "
                  f"{'paths' if source_from == 'all' else 'path'}).")


def strict_option(what: str = "any file is") -> Option:
    """``--strict``: refuse the whole input if anything was skipped (store unchanged)."""
    return Option("--strict", f"Fail (store unchanged) if {what} skipped.", type="flag")


#: Options every workflow-platform ingester (n8n, GitHub Actions, Airflow) shares.
WORKFLOW_OPTIONS = (
    Option("--environment", "Environment of this instance/repository (prod, staging, dev...)."),
    Option("--saas-tenant", "Tenant of the SaaS systems it calls "
           "(system:saas:<service>:<tenant>)."),
    Option("--max-file-size", "Skip files bigger than this many bytes.", type="int",
           dest="max_bytes", default=20 * 1024 * 1024, min=1, show_default=True),
)


@dataclass(frozen=True)
class Ingester:
    """A source format: ``nhigraph ingest <name> PATH...`` runs ``parse(paths, **options)``.

    ``paths`` is ``"one"`` (one PATH, given to ``parse`` as it is) or ``"many"`` (PATHS...,
    given as a list, parsed as one batch so several files join up); ``paths_exist`` makes
    the CLI refuse a missing path before parsing. ``source_from`` names the default source
    (used for stale-data cleanup): the kind and the ``"first"`` path, or ``"all"`` paths.
    ``strict`` is the ``--strict`` option, if the ingester skips bad parts of its input.
    ``options`` are the keywords of ``parse``, in ``--help`` order, with
    :data:`RUN_OPTIONS` where --replace, --source and --strict go.
    """

    name: str
    help: str
    parse: Callable[..., Any]
    options: Sequence[Option | _RunOptionsHere] = ()
    paths: str = "many"
    paths_exist: bool = False
    source_from: str = "first"
    strict: Option | None = None
    module: str = field(default="", compare=False)

    def __post_init__(self):
        object.__setattr__(self, "options", tuple(self.options))  # hashable: one command each

    def parse_options(self) -> list[Option]:
        """The options ``parse`` takes (every option but the run options)."""
        return [o for o in self.options if isinstance(o, Option)]

    def all_options(self) -> list[Option]:
        """Every option in ``--help`` order, the run options where :data:`RUN_OPTIONS` is."""
        run = [_REPLACE, _source_option(self.source_from), *([self.strict] if self.strict
                                                              else [])]
        spots = list(self.options) if RUN_OPTIONS in self.options else [*self.options,
                                                                         RUN_OPTIONS]
        return [o for spot in spots for o in (run if spot is RUN_OPTIONS else [spot])]

    def source_name(self, paths: str | Path | Sequence[str | Path]) -> str:
        """The default source name: the kind and the resolved first (or every) path."""
        paths = [paths] if isinstance(paths, (str, Path)) else list(paths)
        if self.source_from == "all":
            return f"{self.name}:" + ";".join(str(Path(p).resolve()) for p in paths)
        return f"{self.name}:{Path(paths[0]).resolve()}"

    def run_parse(self, paths, options: dict | None = None):
        """Call ``parse`` with checked options; unset ones (None, empty) take its default."""
        if self.paths == "one" and not isinstance(paths, (str, Path)):
            paths = list(paths)[0]
        elif self.paths == "many" and isinstance(paths, (str, Path)):
            paths = [paths]
        else:
            paths = paths if isinstance(paths, (str, Path)) else list(paths)
        own = {o.key: o for o in self.parse_options()}
        given = {}
        for key, value in (options or {}).items():
            value = own[key].convert(value) if key in own else value
            if value not in (None, (), []):
                given[key] = value
        return self.parse(paths, **given)


def workflow_platform(name: str, help: str, parse: Callable[..., Any], *options: Option,
                      ) -> Ingester:
    """A workflow platform's ingester (n8n, GitHub Actions, Airflow...): PATHS that must
    exist, ``--strict``, its own ``options``, then the run options and
    :data:`WORKFLOW_OPTIONS`."""
    return Ingester(name=name, help=help, parse=parse, paths_exist=True,
                    strict=strict_option(), options=(*options, RUN_OPTIONS, *WORKFLOW_OPTIONS))


_cache: dict[str, Ingester] | None = None


def ingesters() -> dict[str, Ingester]:
    """Every registered ingester by name, found on ``ingest``'s search path (cached)."""
    global _cache
    if _cache is None:
        package = sys.modules[__package__]  # ``ingest``: always loaded before its modules
        found: dict[str, Ingester] = {}
        for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda i: i.name):
            if info.name.startswith("__"):
                continue
            module = importlib.import_module(f"{__package__}.{info.name}")  # errors surface
            declared = getattr(module, "INGESTER", None)
            if declared is None:
                continue
            if not isinstance(declared, Ingester):
                raise TypeError(f"ingest.{info.name}.INGESTER is not an Ingester")
            if declared.name in found:
                raise ValueError(f"two ingesters are named {declared.name!r}: "
                                 f"{found[declared.name].module} and ingest.{info.name}")
            object.__setattr__(declared, "module", f"ingest.{info.name}")
            found[declared.name] = declared
        _cache = dict(sorted(found.items()))
    return _cache


def get(name: str) -> Ingester:
    """The ingester called ``name``; an unknown name is the user's error."""
    try:
        return ingesters()[name]
    except KeyError:
        raise InputError(f"unknown ingester {name!r}") from None


def reset() -> None:
    """Forget what was found (after a module was added to or removed from the path)."""
    global _cache
    _cache = None
