"""Terminal conventions: ``--quiet`` (before or after the command) leaves only results and
errors; progress bars only when stderr is a terminal and not quiet; ``NO_COLOR`` takes the
colour out of a console that is on a terminal (forced here: CliRunner is not a tty)."""

from __future__ import annotations

import io
import re
from pathlib import Path

from click.testing import CliRunner

from cli import cli
from cli.plumbing import take_quiet
from graph.terminal import console, quiet, quieted, show_progress
from ingest.collect import Progress
from ingest.files import PROGRESS_FROM, progress
from tests import graphs

DATA = Path(__file__).parent / "data"
BROKEN = DATA / "n8n" / "broken"
SUMMARY = "3 file(s) read, 4 skipped; 9 nodes (9 new), 12 edges (12 new)"
COLOUR = re.compile(r"\x1b\[[0-9;]*m")  # an SGR sequence: colour or style


class Tty(io.StringIO):
    """A stream that says it is a terminal."""

    def isatty(self) -> bool:
        return True


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


def test_ingest_notes_go_with_quiet_before_or_after(tmp_path):
    loud = run("ingest", "n8n", BROKEN, "--instance", "t", "--store", tmp_path / "a")
    assert sum(line.startswith("skipped: ") for line in loud.stderr.splitlines()) == 4
    for i, words in enumerate((["--quiet", "ingest", "n8n"], ["ingest", "n8n", "-q"])):
        r = run(*words, BROKEN, "--instance", "t", "--store", tmp_path / f"q{i}")
        assert r.exit_code == 0, r.output
        assert r.stderr == ""
        assert SUMMARY in r.stdout  # the result stays


def test_quiet_drops_wrote_lines_not_results_or_errors(tmp_path):
    store = tmp_path / "s"
    graphs.fresh(graphs.CHAIN, store)
    out = tmp_path / "x.json"
    loud = run("export", "--format", "json", "-o", out, "--store", store)
    assert loud.stderr == f"wrote {out}\n"
    r = run("export", "--format", "json", "-o", out, "--store", store, "--quiet")
    assert (r.exit_code, r.stderr) == (0, "") and out.stat().st_size > 0
    r = run("-q", "blast-radius", "wf", "--store", store)
    assert r.exit_code == 0 and "pii" in r.stdout
    r = run("-q", "blast-radius", "nosuch", "--store", store)
    assert r.exit_code == 2 and r.stderr.startswith("error: ")


def test_quiet_words_before_a_double_dash_only():
    assert take_quiet(["-q", "search", "x", "--quiet"]) == (True, ["search", "x"])
    assert take_quiet(["search", "--", "-q"]) == (False, ["search", "--", "-q"])


def test_quiet_is_reset_after_the_invocation(tmp_path):
    store = tmp_path / "s"
    graphs.fresh(graphs.CHAIN, store)
    run("-q", "stats", "--store", store)
    assert not quiet()
    r = run("export", "--format", "json", "-o", tmp_path / "y.json", "--store", store)
    assert r.stderr.startswith("wrote ")


def test_progress_only_on_a_terminal_and_not_quiet():
    assert show_progress(Tty()) is True
    assert show_progress(io.StringIO()) is False
    with quieted():
        assert show_progress(Tty()) is False
    assert show_progress(Tty()) is True


def test_file_progress_draws_a_bar_on_a_terminal_only(monkeypatch, tmp_path):
    files = [tmp_path / f"{i}.json" for i in range(PROGRESS_FROM)]
    tty = Tty()
    monkeypatch.setattr("sys.stderr", tty)
    assert list(progress(files, "n8n files")) == files
    assert "n8n files" in tty.getvalue()
    pipe = io.StringIO()
    monkeypatch.setattr("sys.stderr", pipe)
    assert list(progress(files, "n8n files")) == files
    assert pipe.getvalue() == ""
    monkeypatch.setattr("sys.stderr", tty := Tty())
    with quieted():
        assert list(progress(files, "n8n files")) == files
    assert tty.getvalue() == ""


def _bar(monkeypatch) -> str:
    tty = Tty()
    monkeypatch.setattr("sys.stderr", tty)
    with Progress("n8n") as p:
        p.step("GET /workflows")
        p._progress.refresh()
    return tty.getvalue()


def test_no_color_takes_colour_out_of_a_terminal_console(monkeypatch):
    monkeypatch.setenv("TERM", "xterm-256color")
    for name in ("NO_COLOR", "FORCE_COLOR", "TTY_COMPATIBLE", "TTY_INTERACTIVE"):
        monkeypatch.delenv(name, raising=False)
    coloured = _bar(monkeypatch)
    assert "GET /workflows" in coloured and COLOUR.search(coloured)  # colour without NO_COLOR
    monkeypatch.setenv("NO_COLOR", "1")
    plain = _bar(monkeypatch)
    assert "GET /workflows" in plain
    assert not [c for c in COLOUR.findall(plain) if c not in ("\x1b[0m", "\x1b[m")]
    c = console(file=Tty())
    assert c.no_color and c.is_terminal
    monkeypatch.setenv("NO_COLOR", "")  # empty means unset (no-color.org)
    assert not console(file=Tty()).no_color


def test_table_output_has_no_colour_or_box_drawing(tmp_path):
    store = tmp_path / "s"
    graphs.fresh(graphs.CHAIN, store)
    for words in (["blast-radius", "wf"], ["path", "wf", "bucket"], ["explain", "wf"],
                  ["findings"], ["stats"]):
        r = run(*words, "--store", store)
        assert r.exit_code == 0, r.output
        assert "\x1b" not in r.output
        assert not re.search("[\u2500-\u257f]", r.output), words  # box-drawing block
