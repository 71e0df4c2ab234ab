"""Reading many real files safely: the part every workflow-platform ingester shares.

Collects the files under the paths a user names, shows a progress bar for big folders,
and turns each broken file (binary, too big, not UTF-8, malformed JSON/YAML, YAML with
anchors) into one :class:`Skip` naming the file and why, so the caller can skip it and go
on. Only reading happens here; nothing is written anywhere.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import yaml

from graph.errors import InputError
from graph.records import normalise_datetime

#: Files bigger than this are skipped: a workflow definition is kilobytes, a 50 MB "export"
#: is a database dump or a binary someone dropped in the folder.
DEFAULT_MAX_BYTES = 20 * 1024 * 1024
#: Folders with at least this many files get a progress bar (on a terminal).
PROGRESS_FROM = 50


class Skip(Exception):
    """One input (a file, or an item in it) is skipped; the message says why."""


def collect(paths: str | Path | Iterable[str | Path], suffixes: tuple[str, ...]) -> list[Path]:
    """Files with one of ``suffixes`` under the given files or folders, sorted per folder.

    A file named explicitly is taken whatever its suffix; hidden folders (``.git``) are
    not searched, except ``.github`` where CI workflows live.
    """
    if isinstance(paths, (str, Path)):
        paths = [paths]
    out: list[Path] = []
    for raw in paths:
        p = Path(raw)
        if p.is_file():
            out.append(p)
        elif p.is_dir():
            for f in sorted(p.rglob("*")):
                rel = f.relative_to(p).parts[:-1]
                if any(part.startswith(".") and part != ".github" for part in rel):
                    continue
                if f.is_file() and f.suffix.lower() in suffixes:
                    out.append(f)
        else:
            raise InputError("no such file or folder", str(p))
    return out


def collect_some(paths, suffixes: tuple[str, ...]) -> list[Path]:
    """:func:`collect`, but a folder holding none of ``suffixes`` is an error naming it."""
    items = [paths] if isinstance(paths, (str, Path)) else list(paths)
    out: list[Path] = []
    for item in items:
        found = collect(item, suffixes)
        if not found:
            raise InputError(f"no {', '.join(suffixes)} files in the folder", str(item))
        out.extend(found)
    return out


def progress(files: list[Path], label: str) -> Iterator[Path]:
    """Iterate over ``files`` with a progress bar on stderr when there are many."""
    if len(files) < PROGRESS_FROM or not sys.stderr.isatty():
        yield from files
        return
    from rich.console import Console
    from rich.progress import track

    yield from track(files, description=label, transient=True, console=Console(stderr=True))


def read_text(path: Path, max_bytes: int = DEFAULT_MAX_BYTES) -> str:
    """The file's text, or :class:`Skip` if it is too big, binary or not UTF-8."""
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise Skip(f"file too large ({size:,} bytes; limit {max_bytes:,})")
        data = path.read_bytes()
    except OSError as exc:
        raise Skip(f"cannot read ({exc.strerror})") from None
    if b"\x00" in data[:8192]:
        raise Skip("binary file")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise Skip("not UTF-8 text") from None


#: Python refuses to turn longer digit strings into an int (a slow-parse guard).
MAX_INT_DIGITS = 4300


def _parse_int(digits: str) -> int:
    if len(digits) > MAX_INT_DIGITS:
        raise json.JSONDecodeError(f"integer of {len(digits):,} digits", digits, 0)
    return int(digits)


def json_loads(text: str) -> Any:
    """``json.loads``; an integer of thousands of digits is a :class:`json.JSONDecodeError`
    like any other malformed JSON (Python's int() raises a plain ValueError there)."""
    return json.loads(text, parse_int=_parse_int)


def load_json(path: Path, max_bytes: int = DEFAULT_MAX_BYTES) -> Any:
    text = read_text(path, max_bytes)
    try:
        return json_loads(text)
    except json.JSONDecodeError as exc:
        raise Skip(f"invalid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}") from None


class _NoAliasLoader(yaml.SafeLoader):
    """Safe loading that refuses anchors and aliases: an alias bomb expands exponentially
    in whatever walks the result, and a definition that needs them is rare enough to skip
    and report."""

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise yaml.composer.ComposerError(
                None, None, "YAML anchors/aliases are not supported", event.start_mark)
        event = self.peek_event()
        if getattr(event, "anchor", None):
            raise yaml.composer.ComposerError(
                None, None, "YAML anchors/aliases are not supported", event.start_mark)
        return super().compose_node(parent, index)


def load_yaml(path: Path, max_bytes: int = DEFAULT_MAX_BYTES) -> Any:
    text = read_text(path, max_bytes)
    return parse_yaml_text(text)


#: Could this text hold an anchor or alias (``&name`` / ``*name`` after whitespace or a flow
#: indicator)? False positives (``a && b``, ``'*.md'``) only cost the slower exact check.
_MAYBE_ANCHOR = re.compile(r"(?:^|[\s\[{,])[&*][^\s\[\]{},&*]", re.M)
_FAST_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def parse_yaml_text(text: str) -> Any:
    """Safe YAML; anchors and aliases refused. The C loader (about 10x faster) is used
    when the text cannot contain an anchor; otherwise the exact pure-Python check runs."""
    loader = _NoAliasLoader if _MAYBE_ANCHOR.search(text) else _FAST_LOADER
    try:
        return yaml.load(text, Loader=loader)  # noqa: S506 - safe loaders only
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or "malformed YAML"
        at = f" at line {mark.line + 1} column {mark.column + 1}" if mark else ""
        if mark and _char_at(text, mark.line, mark.column) == "\t":
            problem = "a tab character where YAML needs spaces"  # both loaders, one message
        raise Skip(f"invalid YAML{at}: {problem}") from None


def _char_at(text: str, line: int, column: int) -> str:
    lines = text.splitlines()
    return lines[line][column:column + 1] if line < len(lines) else ""


def iso_date(value: Any, notes: list[str], where: str) -> str | None:
    """ISO 8601 UTC text of a date from a source file, or None (with a note) when it is not
    a date: one odd timestamp must not fail the whole ingest."""
    if value in (None, ""):
        return None
    try:
        return normalise_datetime(value, where)
    except InputError:
        notes.append(f"{where}: not a date/time ({str(value)[:40]!r}); ignored")
        return None


def relative(path: Path, roots: Iterable[str | Path]) -> str:
    """``path`` relative to whichever given root holds it (for ids derived from paths)."""
    for r in roots:
        root = Path(r)
        if root.is_dir():
            try:
                return path.resolve().relative_to(root.resolve()).as_posix()
            except ValueError:
                continue
    return path.name
