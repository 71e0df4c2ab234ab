"""Reading many real files safely: the part every workflow-platform ingester shares.

Collects the files under the paths a user names, shows a progress bar for big folders,
and turns each broken file (binary, too big, not UTF-8, malformed JSON/YAML, YAML whose
aliases expand too far) into one :class:`Skip` naming the file and why, so the caller can skip it and go
on. Only reading happens here; nothing is written anywhere.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from graph.errors import InputError
from graph.records import normalise_datetime
from graph.terminal import console, show_progress

from .yaml_loader import YamlError, load_text

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
    if len(files) < PROGRESS_FROM or not show_progress(sys.stderr):
        yield from files
        return
    from rich.progress import track

    yield from track(files, description=label, transient=True, console=console())


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
    return parse_json_text(read_text(path, max_bytes))


def parse_json_text(text: str) -> Any:
    """:func:`json_loads` of a file's text; malformed JSON is a :class:`Skip` naming the
    line and column."""
    try:
        return json_loads(text)
    except json.JSONDecodeError as exc:
        raise Skip(f"invalid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}") from None


def load_yaml(path: Path, max_bytes: int = DEFAULT_MAX_BYTES, notes: list[str] | None = None,
              on_merge=None, lines: dict | None = None) -> Any:
    """One YAML document through the project's loader (:mod:`ingest.yaml_loader`):
    duplicate keys are notes naming the file and line, an unreadable file a :class:`Skip`;
    ``lines={}`` gets the line of each key path."""
    return parse_yaml_text(read_text(path, max_bytes), str(path), notes, on_merge=on_merge,
                           lines=lines)


def parse_yaml_text(text: str, where: str = "", notes: list[str] | None = None,
                    on_merge=None, lines: dict | None = None) -> Any:
    try:
        return load_text(text, where, notes, on_merge=on_merge, lines=lines)
    except YamlError as exc:
        raise Skip(str(exc)) from None


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
