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

    With ``indent=2`` (every command's ``--format json``) the text comes from orjson when
    it is installed and the value holds only what it writes exactly as ``json.dumps``
    does (:func:`_orjson_indent2`); the bytes are the same either way.

    >>> strict_json({"a": float("inf"), "b": [float("nan"), 1.5]})
    '{"a": null, "b": [null, 1.5]}'
    """
    kwargs.setdefault("default", str)
    if kwargs.get("indent") == 2 and kwargs["default"] is str and \
            set(kwargs) <= {"indent", "default", "sort_keys"}:
        fast = _orjson_indent2(value, bool(kwargs.get("sort_keys")))
        if fast is not None:
            return fast
    try:
        return json.dumps(value, allow_nan=False, **kwargs)
    except ValueError:
        return json.dumps(finite(value), allow_nan=False, **kwargs)


class _NotPlain(TypeError):
    """A value orjson would write otherwise than ``json.dumps(default=str)``."""


def _not_plain(value: Any) -> Any:
    raise _NotPlain(type(value).__name__)


#: What ``json.dumps(ensure_ascii=True)`` escapes that orjson writes as it is.
_NON_ASCII = re.compile("[^\x00-\x7e]")


def _ascii_escape(match: re.Match[str]) -> str:
    code = ord(match.group(0))
    if code < 0x10000:
        return f"\\u{code:04x}"
    code -= 0x10000
    return f"\\u{0xd800 | (code >> 10):04x}\\u{0xdc00 | (code & 0x3ff):04x}"


def _orjson_indent2(value: Any, sort_keys: bool) -> str | None:
    """``json.dumps(value, indent=2, default=str, allow_nan=False)`` with non-finite
    numbers as null, written by orjson (a C extension, about ten times faster on a large
    result), or None when orjson is missing or the value holds anything it would write
    differently: a type outside dict/list/tuple/str/int/float/bool/None (subclasses and
    dataclasses included; the caller then uses ``json``), a non-text key, an integer past
    64 bits, a lone surrogate. (An ``enum.Enum`` member, which orjson writes as its value
    and ``json`` as its ``str``, is in no result.) So is a float that orjson may write in
    another form (:func:`_odd_number`); non-ASCII text is escaped as ``json.dumps`` does."""
    try:
        import orjson
    except ImportError:
        return None
    option = (orjson.OPT_INDENT_2 | orjson.OPT_PASSTHROUGH_SUBCLASS
              | orjson.OPT_PASSTHROUGH_DATACLASS | orjson.OPT_PASSTHROUGH_DATETIME
              | (orjson.OPT_SORT_KEYS if sort_keys else 0))
    try:
        raw = orjson.dumps(value, default=_not_plain, option=option)
    except TypeError:  # orjson.JSONEncodeError is a TypeError
        return None
    if _odd_number(raw):
        return None
    text = raw.decode()
    if not raw.isascii() or "\x7f" in text:
        text = _NON_ASCII.sub(_ascii_escape, text)
    return text


def _odd_number(raw: bytes) -> bool:
    """Whether orjson's text may hold a float that ``float.__repr__`` writes otherwise:
    one in exponent form (a digit, ``e``, a sign, a digit) or with four zeros after the
    point (orjson ``0.00001``, Python ``1e-05``). Only a few ``e-`` in words are looked at
    more closely; a false alarm costs the ``json`` path, never a wrong byte."""
    if b"0.0000" in raw:
        return True
    for mark in (b"e-", b"e+"):
        i = raw.find(mark, 1)
        while i != -1:
            if raw[i - 1:i].isdigit() and raw[i + 2:i + 3].isdigit():
                return True
            i = raw.find(mark, i + 2)
    return False


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
