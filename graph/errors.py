"""Errors a user can cause.

Every exception here is caught once at the edge (the CLI, the explorer) and shown as one
line; anything else that escapes is a bug and may crash loudly. Messages name the file and
the row or key where they can, and never contain a secret value.
"""

from __future__ import annotations


class NhiGraphError(Exception):
    """Base class for errors caused by input, configuration or the environment."""

    exit_code = 2


class InputError(NhiGraphError):
    """A bad input file, row, key or value. `where` is 'file:row/key' when known."""

    #: Longer messages are cut, so one huge value in an input still gives one short line.
    MAX_MESSAGE = 300

    def __init__(self, message: str, where: str | None = None):
        if where is not None and len(where) > self.MAX_MESSAGE:
            where = where[: self.MAX_MESSAGE // 2] + "..." + where[-self.MAX_MESSAGE // 4:]
        self.where = where
        if len(message) > self.MAX_MESSAGE:
            message = message[: self.MAX_MESSAGE] + "... (shortened)"
        super().__init__(f"{where}: {message}" if where else message)


class NodeNotFound(NhiGraphError):
    """A node named on the command line or in an API call is not in the graph."""


class AmbiguousNode(NhiGraphError):
    """A name matches more than one node."""


class StoreError(NhiGraphError):
    """The store cannot be opened, read or written (missing, corrupt, unreachable)."""
