"""Terminal conventions every layer follows: ``--quiet`` (a context variable the command line
sets for one invocation: only results and errors, no notes or progress), progress bars only
when standard error is a terminal, and colour only on a terminal and never when ``NO_COLOR``
is set to anything non-empty (https://no-color.org). The rich Console used for progress bars
comes from :func:`console`, so it follows the same rules; tables and paths are plain text.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rich.console import Console

_QUIET: ContextVar[bool] = ContextVar("nhigraph_quiet", default=False)


def quiet() -> bool:
    """Whether ``--quiet`` is in force: results and errors only."""
    return _QUIET.get()


@contextmanager
def quieted(on: bool = True) -> Iterator[None]:
    """``--quiet`` (when ``on``) for the duration of the block, restored after it."""
    token = _QUIET.set(on)
    try:
        yield
    finally:
        _QUIET.reset(token)


def no_color() -> bool:
    """``NO_COLOR`` set to a non-empty value."""
    return os.environ.get("NO_COLOR", "") != ""


def show_progress(stream: Any = None) -> bool:
    """A progress bar may be drawn: not quiet, and ``stream`` (stderr) is a terminal."""
    stream = sys.stderr if stream is None else stream
    try:
        return not quiet() and bool(stream.isatty())
    except (AttributeError, ValueError):  # no isatty, or a closed stream
        return False


def console(stderr: bool = True, file: Any = None) -> Console:
    """A rich Console on stderr (or ``file``) that draws colour only on a terminal and never
    under ``NO_COLOR``; rich's own defaults also strip styles when not on a terminal."""
    from rich.console import Console

    return Console(stderr=stderr, file=file, no_color=no_color(), highlight=False)
