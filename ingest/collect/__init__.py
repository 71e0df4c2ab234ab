"""Live collectors: read a running system's API and turn its answers into the same records
its file ingester makes (one transform, two readers).

Each collector has ``fetch(...)`` (the only I/O, read-only calls) and ``transform(...)``
(pure: the fetched answers in, a :class:`graph.records.Batch` out, by way of the file
ingester's own functions). The CLI (``nhigraph collect``) fetches everything, transforms,
then writes one batch, so an interrupted or failed collect leaves the store as it was.

- :mod:`.n8n_api`: n8n's public API v1 (workflows, credentials, users, projects, executions).
- :mod:`.aws_api`: AWS IAM with boto3 (authorization details, credential report, access keys,
  OIDC and SAML providers).
"""

from __future__ import annotations

import sys
from collections.abc import Callable

from graph.terminal import console, quiet, show_progress


class Progress:
    """Counts collector steps: a bar on a terminal (stderr), else one summary line at the end.

    ``step(what)`` advances; ``done(summary)`` stops the bar and prints one summary line.
    Used as a context manager, so an error or Ctrl+C also takes the bar off the screen."""

    def __init__(self, label: str, echo: Callable[[str], None] | None = None,
                 tty: bool | None = None):
        self.label = label
        self.count = 0
        self.echo = echo or (lambda line: None if quiet() else print(line, file=sys.stderr))
        self.tty = show_progress(sys.stderr) if tty is None else tty
        self._progress = None
        if self.tty:
            from rich.progress import Progress as Bar
            from rich.progress import SpinnerColumn, TextColumn, TimeElapsedColumn

            self._progress = Bar(SpinnerColumn(), TextColumn("{task.description}"),
                                 TextColumn("{task.completed} calls"), TimeElapsedColumn(),
                                 transient=True, console=console())
            self._progress.start()
            self._task = self._progress.add_task(label, total=None)

    def step(self, what: str) -> None:
        self.count += 1
        if self._progress is not None:
            self._progress.update(self._task, advance=1, description=f"{self.label}: {what}")

    def close(self) -> None:
        if self._progress is not None:
            self._progress.stop()
            self._progress = None

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def done(self, summary: str) -> None:
        self.close()
        self.echo(f"{self.label}: {self.count} API calls; {summary}")
