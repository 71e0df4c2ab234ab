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
        return json.dumps(value, allow_nan=False, **kwargs)
    except ValueError:
        return json.dumps(finite(value), allow_nan=False, **kwargs)


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
