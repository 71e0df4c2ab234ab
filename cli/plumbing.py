"""What every ``nhigraph`` command shares: the group class that turns the project's errors
into one line and exit 2 (anything unexpected exits 1), the store and output options, opening
the configured store, and printing a result as a table, JSON or CSV. Imports no command
module: the command modules import this one and ``cli/__init__.py`` assembles them.
"""

from __future__ import annotations

import dataclasses
import functools
import os
import sys
from pathlib import Path

import click

from graph import NhiGraphError, open_store
from graph.errors import InputError
from graph.gc_pause import gc_paused
from graph.redact import scrub
from graph.safe_output import frame_csv, terminal_safe
from graph.store import DEFAULT_STORE_DIR
from graph.terminal import quiet, quieted

FORMATS = click.Choice(["table", "json", "csv"])


#: Options every store-opening or printing command takes, accepted before the subcommand too.
GLOBAL_OPTIONS = ("--store", "--neo4j", "--neo4j-user", "--neo4j-database", "--format",
                  "-o", "--output")


def hoist_global_options(args: list[str]) -> list[str]:
    """``nhigraph --store DIR path a b`` as ``nhigraph path a b --store DIR`` (git/kubectl
    style): global options given before the subcommand move after it, before any ``--``."""
    front: list[str] = []
    rest = list(args)
    while rest:
        word = rest[0]
        name = word.split("=", 1)[0]
        if name not in GLOBAL_OPTIONS:
            break
        take = 1 if "=" in word or len(rest) < 2 else 2
        front += rest[:take]
        del rest[:take]
    if not front:
        return rest
    cut = rest.index("--") if "--" in rest else len(rest)
    return [*rest[:cut], *front, *rest[cut:]]


QUIET_WORDS = ("-q", "--quiet")


def take_quiet(args: list[str]) -> tuple[bool, list[str]]:
    """``-q``/``--quiet`` anywhere before a ``--`` taken out of ``args`` (no command has a
    ``-q`` of its own): ``(given, the other words)``."""
    cut = args.index("--") if "--" in args else len(args)
    rest = [w for w in args[:cut] if w not in QUIET_WORDS]
    return len(rest) < cut, [*rest, *args[cut:]]


class ErrorGroup(click.Group):
    """Turns the project's own errors into one line and exit 2; bugs into exit 1."""

    def parse_args(self, ctx, args):
        if ctx.parent is None:
            given, args = take_quiet(list(args))
            ctx.meta["nhigraph.quiet"] = given or ctx.meta.get("nhigraph.quiet", False)
            args = hoist_global_options(args)
        return super().parse_args(ctx, args)

    def invoke(self, ctx):
        if ctx.parent is None:  # --quiet holds for this invocation only
            with quieted(bool(ctx.meta.get("nhigraph.quiet"))):
                return self._invoke(ctx)
        return self._invoke(ctx)

    def _invoke(self, ctx):
        # Remember the words given, to name the input if a parser gives up on it.
        words = [*getattr(ctx, "_protected_args", []), *ctx.args]
        try:
            return super().invoke(ctx)
        except NhiGraphError as exc:
            click.echo(f"error: {one_line(exc, 1000)}", err=True)
            sys.exit(exc.exit_code)
        except RecursionError:
            if self.name != "ingest":
                raise
            # Only input nested deeper than Python's parsers can recurse gets here.
            paths = [w for w in words[1:] if not w.startswith("-") and os.path.exists(w)]
            click.echo(f"error: {terminal_safe(paths[0]) + ': ' if paths else ''}input nested "
                       "too deeply to read", err=True)
            sys.exit(2)
        except (click.ClickException, click.exceptions.Exit, click.Abort, SystemExit):
            raise
        except BrokenPipeError:  # output piped into head and the like: stop quietly
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            sys.exit(0)
        except KeyboardInterrupt:
            click.echo("interrupted; the store is unchanged", err=True)
            sys.exit(130)
        except Exception as exc:  # a bug: say so, and show the traceback when asked
            if os.environ.get("NHIGRAPH_DEBUG"):
                raise
            click.echo(f"unexpected error ({type(exc).__name__}): {one_line(exc, 500)}; "
                       "set NHIGRAPH_DEBUG=1 for a traceback", err=True)
            sys.exit(1)


def store_options(fn):
    """--store and --neo4j options on every command that opens a store."""
    @click.option("--store", "store_dir", type=click.Path(file_okay=False), default=None,
                  help="Embedded store folder (default $NHIGRAPH_STORE or ./.nhigraph).")
    @click.option("--neo4j", "neo4j_uri", default=None, metavar="URI",
                  help="Use a Neo4j store at this Bolt URI (default $NEO4J_URI).")
    @click.option("--neo4j-user", default=None, help="Default $NEO4J_USER or neo4j.")
    @click.option("--neo4j-database", default=None, help="Default $NEO4J_DATABASE.")
    @functools.wraps(fn)
    def wrapper(*args, store_dir, neo4j_uri, neo4j_user, neo4j_database, **kwargs):
        kwargs["store_config"] = dict(path=store_dir, neo4j_uri=neo4j_uri,
                                      neo4j_user=neo4j_user, neo4j_database=neo4j_database)
        return fn(*args, **kwargs)
    return wrapper


def output_options(fn):
    """--format table|json|csv and -o FILE on every command that prints a result."""
    fn = click.option("-o", "--output", type=click.Path(dir_okay=False), default=None,
                      help="Write to this file instead of standard output.")(fn)
    return click.option("--format", "fmt", type=FORMATS, default="table",
                        show_default=True)(fn)


def complete_node(ctx, param, incomplete: str):
    """Shell completion of a node argument: ids (or one-word names) in the store the command
    line names that start with what was typed; nothing when the store cannot be opened."""
    from click.shell_completion import CompletionItem

    p = ctx.params
    try:
        store = open_store(path=p.get("store_dir"), neo4j_uri=p.get("neo4j_uri"),
                           neo4j_user=p.get("neo4j_user"),
                           neo4j_database=p.get("neo4j_database"))
        typed, out = incomplete.casefold(), []
        for node in store.nodes():
            name = node.get("name") or ""
            # An id that starts with the typed text, else a one-word name that does.
            value = node["id"] if node["id"].casefold().startswith(typed) else \
                name if name.casefold().startswith(typed) and " " not in name else None
            if value:
                out.append(CompletionItem(value, help=f"{node.get('kind', '')} {name}"))
                if len(out) >= 200:
                    break
        return sorted(out, key=lambda c: c.value)
    except Exception:  # completion must never print a traceback into the shell
        return []


def unknown_as(fn):
    """--unknown-as: how grants of unknown access rank."""
    return click.option("--unknown-as", type=click.Choice(["read", "write", "admin"]),
                        default="write", show_default=True,
                        help="How to rank grants of unknown access.")(fn)


def depth_option(fn):
    """--depth N: at most N hops."""
    return click.option("--depth", type=click.IntRange(min=0), default=None,
                        help="At most N hops.")(fn)


def walk_options(fn):
    """--depth and --unknown-as, the options of a walk from or to one node."""
    return depth_option(unknown_as(fn))


def open_configured(config: dict, create: bool = False):
    """Open the store the --store/--neo4j options (``store_config``) name."""
    return open_store(create=create, **dict(config))


def warm_explorer(config: dict) -> None:
    """After a command committed a new generation of an embedded store: start the
    explorer's post-ingest warm-up of its Overview (:mod:`explorer.warm`; detached, returns
    at once; ``NHIGRAPH_WARM=0`` turns it off)."""
    if config.get("neo4j_uri") or (not config.get("path") and os.environ.get("NEO4J_URI")):
        return
    from explorer import warm

    warm.start(config.get("path") or os.environ.get("NHIGRAPH_STORE") or DEFAULT_STORE_DIR)


def as_of(value: str | None) -> str | None:
    """An --as-of value as a normalised ISO 8601 time (None when not given)."""
    from graph.records import normalise_datetime

    return normalise_datetime(value, "--as-of") if value else None


def emit(result, fmt: str, output: str | None, title: str = "") -> None:
    """Print (or write to ``output``) a query result as a table, JSON or CSV."""
    if fmt == "json":
        text = result.to_json() + "\n"
    elif fmt == "csv":
        text = frame_csv(result.to_frame())
    else:
        text = table(result, title)
    if output:
        write_output(output, text)
        note(f"wrote {output}")
    else:
        click.echo(text, nl=False)


def write_output(output: str | Path, text: str) -> None:
    """Write a command's output file; a missing folder or unwritable path is the user's
    error (one line, exit 2), not a crash."""
    path = Path(output)
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        why = "folder does not exist" if isinstance(exc, FileNotFoundError) else \
            (exc.strerror or type(exc).__name__)
        raise InputError(f"cannot write the output ({why})", str(path)) from None


def one_line(message, limit: int = 500) -> str:
    """A message as one printable line: secrets scrubbed, control characters escaped."""
    try:
        text = str(message)
    except Exception:  # str() of a huge integer raises
        text = type(message).__name__
    line = terminal_safe(" ".join(scrub(text).split()))
    return line[:limit] + "..." if len(line) > limit else line


def table(result, title: str, width: int | None = None) -> str:
    """A result as a plain-text table with its summary line below: one line per row, no box
    drawing or colour, columns fitted to the terminal width ($COLUMNS); a cell too long for
    its column is shortened in the middle with an ellipsis (ids keep their start and end).
    Linear in the number of cells (rich's Table took ~100 s on 20,000 long rows). A list
    cell (not a path) of more than ``LIST_ITEMS`` items shows its first ones and how many
    more there are (``a, b, c, d, e (+995 more)``); JSON and CSV keep every item."""
    with gc_paused():  # a few cells per row, all alive until the text is joined
        columns, records = short_lists(result).records(readable=True)  # no pandas
        header = [str(c) for c in columns]
        cells = [[_cell(v) for v in rec.values()] for rec in records]
    widths = fit_widths([len(h) for h in header],
                        [max((len(r[i]) for r in cells), default=0) for i in range(len(header))],
                        width or _term_width())
    lines = [title] if title else []
    if header:
        lines.append(_line(header, widths))
        lines.append(_line(["-" * w for w in widths], widths))
        lines.extend(_line(r, widths) for r in cells)
    if result.summary:
        lines.append(_summary_line(result.summary))
    return terminal_safe("\n".join(lines) + "\n")


#: Items of a list cell a table shows before ``(+N more)``.
LIST_ITEMS = 5


def short_lists(result):
    """``result`` with every list cell of more than ``LIST_ITEMS`` items (paths excepted)
    as the text ``first, items (+N more)``: for a table only."""
    cols = set(result.columns or (result.rows[0] if result.rows else ())) - {
        "path", "access_path"}
    rows = []
    for row in result.rows:
        long = [c for c in cols if isinstance(row.get(c), list) and len(row[c]) > LIST_ITEMS]
        if long:
            row = dict(row)
            for c in long:
                shown = ", ".join(str(x) for x in row[c][:LIST_ITEMS])
                row[c] = f"{shown} (+{len(row[c]) - LIST_ITEMS} more)"
        rows.append(row)
    return dataclasses.replace(result, rows=rows)


def _cell(value) -> str:
    if value is None or value != value:  # None or NaN
        return ""
    text = value if type(value) is str else str(value)
    return " ".join(text.split()) if "\n" in text else text


def fit_widths(header: list[int], natural: list[int], width: int, gap: int = 2) -> list[int]:
    """Column widths that fit ``width``: every column its natural width when they fit,
    otherwise the narrow columns keep theirs and the wide ones share what is left."""
    natural = [max(h, n) for h, n in zip(header, natural, strict=True)]
    left = width - gap * max(len(natural) - 1, 0)
    if sum(natural) <= left:
        return natural
    out = list(natural)
    order = sorted(range(len(natural)), key=lambda i: natural[i])
    for done, i in enumerate(order):
        share = left // (len(order) - done)
        out[i] = max(min(natural[i], share), min(natural[i], 8))
        left -= out[i]
    return out


def shorten(text: str, width: int) -> str:
    """``text`` in at most ``width`` characters, cut in the middle with an ellipsis."""
    if len(text) <= width:
        return text
    if width <= 1:
        return text[:width]
    head = width // 2
    return text[:head] + "\u2026" + text[len(text) - (width - 1 - head):]


def _line(cells: list[str], widths: list[int]) -> str:
    return "  ".join(shorten(c, w).ljust(w) for c, w in zip(cells, widths, strict=True)).rstrip()


def _summary_line(summary: dict) -> str:
    parts = []
    for k, v in summary.items():
        if isinstance(v, dict):
            v = ", ".join(f"{a}={b}" for a, b in v.items()) or "-"
        elif isinstance(v, list):
            v = len(v)
        parts.append(f"{k}: {v}")
    return "summary: " + "; ".join(parts)


def _term_width() -> int:
    if os.environ.get("COLUMNS", "").isdigit() and int(os.environ["COLUMNS"]) > 0:
        return int(os.environ["COLUMNS"])
    try:
        return os.get_terminal_size().columns
    except OSError:
        return 160


def say(prefix: str, line) -> None:
    """One short note on standard error, whatever the input held (none under --quiet)."""
    if not quiet():
        click.echo(f"{prefix}: {one_line(line, 500)}", err=True)


def note(line: str) -> None:
    """A line for the person at the terminal, not a result (``wrote FILE`` and the like):
    on standard error, control characters escaped, none under --quiet."""
    if not quiet():
        click.echo(terminal_safe(line), err=True)


def report_write(source: str, result) -> None:
    """One line saying what writing a source did to the store."""
    click.echo(terminal_safe(
        f"{source}: {result.files_read} file(s) read, {len(result.skipped)} skipped; "
        f"{result.nodes_written} nodes ({result.nodes_created} new), "
        f"{result.edges_written} edges ({result.edges_created} new); "
        f"removed {result.nodes_removed} stale nodes, {result.edges_removed} stale edges"
    ))
