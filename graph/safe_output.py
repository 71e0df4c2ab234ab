"""Output that stays safe whatever the data held: one CSV writer for every CSV (cells that a
spreadsheet would run as a formula are neutralised), strict JSON (non-finite numbers become
null, so every JSON output parses), XML-safe text for GraphML (control characters that XML
1.0 forbids become U+FFFD), and terminal-safe text (control characters, escape sequences
among them, shown as ``\\xNN`` escapes). Every command, report and export uses these; the
module imports nothing of the project, so each layer may.
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
from collections.abc import Iterable, Sequence
from itertools import chain
from typing import Any

#: A cell starting with one of these is a formula to a spreadsheet (OWASP CSV injection).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")


def neutralise_cell(value: Any) -> Any:
    """A cell a spreadsheet shows as text: formula-looking text gets a leading ``'``.

    >>> neutralise_cell("=HYPERLINK(1)"), neutralise_cell("-1"), neutralise_cell(-1)
    ("'=HYPERLINK(1)", "'-1", -1)
    """
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def csv_text(columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """CSV of ``rows`` under ``columns``, every cell neutralised (None and NaN empty)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([neutralise_cell(str(c)) for c in columns])
    for row in rows:
        writer.writerow([_cell(v) for v in row])
    return out.getvalue()


def _cell(value: Any) -> Any:
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return ""
    if isinstance(value, (list, tuple, dict)):
        value = strict_json(value)
    return neutralise_cell(value if isinstance(value, (int, float)) else str(value))


def frame_csv(frame: Any) -> str:
    """CSV of a pandas DataFrame through :func:`csv_text`."""
    return csv_text([str(c) for c in frame.columns], frame.itertuples(index=False))


def finite(value: Any) -> Any:
    """``value`` with every non-finite float (anywhere inside) replaced by None."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: finite(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [finite(v) for v in value]
    return value


def strict_json(value: Any, **kwargs: Any) -> str:
    """``json.dumps`` that never writes NaN or Infinity (they become null).

    >>> strict_json({"a": float("inf"), "b": [float("nan"), 1.5]})
    '{"a": null, "b": [null, 1.5]}'
    """
    kwargs.setdefault("default", str)
    try:
        return _dumps(value, kwargs)
    except ValueError:
        return _dumps(finite(value), kwargs)


def _dumps(value: Any, kwargs: dict[str, Any]) -> str:
    """``json.dumps(value, allow_nan=False, **kwargs)``; with an integer ``indent`` (and no
    other option but ``default`` and a false ``sort_keys``) through :func:`_indented`."""
    indent, default = kwargs.get("indent"), kwargs["default"]
    if type(indent) is int and indent >= 0 and set(kwargs) <= {"indent", "default", "sort_keys"} \
            and not kwargs.get("sort_keys"):
        try:
            return _indented(value, indent, default)
        except _NotPlain:
            pass
    return json.dumps(value, allow_nan=False, **kwargs)


class _NotPlain(Exception):
    """A dict key that is not a text (``json`` converts those; left to ``json.dumps``)."""


def _indented(value: Any, indent: int, default: Any) -> str:
    """The exact text of ``json.dumps(value, indent=indent, allow_nan=False,
    default=default)``, fast. With ``indent`` the standard library encodes in Python, one
    generator step per value (most of a large result's output time); here each list or
    dict holding only scalars, and each list of such dicts (a result's rows), is one call
    of the C encoder, its separators carrying the newline and indentation the indented
    encoder writes. In a list of dicts the C encoder separates the dicts as it separates
    their items; a text is encoded without a raw newline, so ``}``, a newline and ``{`` is
    only ever the boundary of two dicts and is re-indented as such."""
    pad = ["\n"]
    parts: list[str] = []
    emit = parts.append
    one = json.JSONEncoder(allow_nan=False, default=default).encode
    encoders: dict[int, Any] = {}

    def flat(level: int) -> Any:
        enc = encoders.get(level)
        if enc is None:
            while len(pad) <= level + 2:
                pad.append("\n" + " " * (indent * len(pad)))
            enc = encoders[level] = json.JSONEncoder(
                allow_nan=False, default=default,
                separators=("," + pad[level + 1], ": ")).encode
        return enc

    def walk(v: Any, level: int) -> None:
        t = type(v)
        if t in _SCALARS:
            emit(one(v))
        elif t is dict:
            if not v:
                emit("{}")
                return
            if not set(map(type, v)) <= _TEXT:
                raise _NotPlain
            text = flat(level)
            if set(map(type, v.values())) <= _SCALARS:
                emit("{" + pad[level + 1] + text(v)[1:-1] + pad[level] + "}")
                return
            sep = "{"
            for k, x in v.items():
                emit(sep + pad[level + 1] + one(k) + ": ")
                walk(x, level + 1)
                sep = ","
            emit(pad[level] + "}")
        elif t is list or t is tuple:
            if not v:
                emit("[]")
                return
            text = flat(level)
            kinds = set(map(type, v))
            if kinds <= _SCALARS:
                emit("[" + pad[level + 1] + text(list(v))[1:-1] + pad[level] + "]")
                return
            if kinds == _DICT and all(v) \
                    and set(map(type, chain.from_iterable(v))) <= _TEXT \
                    and set(map(type, chain.from_iterable(map(dict.values, v)))) <= _SCALARS:
                inner, p1, p2 = flat(level + 1), pad[level + 1], pad[level + 2]
                body = inner(list(v))[2:-2].replace("}," + p2 + "{", p1 + "}," + p1 + "{" + p2)
                emit("[" + p1 + "{" + p2 + body + p1 + "}" + pad[level] + "]")
                return
            sep = "["
            for x in v:
                emit(sep + pad[level + 1])
                walk(x, level + 1)
                sep = ","
            emit(pad[level] + "]")
        elif isinstance(v, (str, int, float)):  # subclasses: as json encodes them
            emit(one(v))
        elif isinstance(v, dict):
            walk(dict(v), level)
        elif isinstance(v, (list, tuple)):
            walk(list(v), level)
        else:
            walk(default(v), level)

    flat(0)
    walk(value, 0)
    return "".join(parts)


_SCALARS = frozenset({str, int, float, bool, type(None)})
_TEXT = frozenset({str})
_DICT = frozenset({dict})


_XML_BAD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_safe(text: str) -> str:
    """``text`` with the characters XML 1.0 cannot hold replaced by U+FFFD."""
    return _XML_BAD.sub("\ufffd", text)


_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def terminal_safe(text: Any) -> str:
    """``text`` for a terminal: control characters (ESC sequences, bidi overrides) shown
    as escapes, so a name cannot move the cursor, recolour or hide what follows.

    >>> terminal_safe("evil\\x1b[2Jname")
    'evil\\\\x1b[2Jname'
    """
    text = str(text)
    return _CONTROL.sub(lambda m: m.group(0).encode("unicode_escape").decode("ascii"), text)
