"""Secret names read in a GitHub Actions workflow's ``${{ ... }}`` expressions.

``secrets.X``, ``secrets['X']`` and ``github.token`` (the built-in GITHUB_TOKEN) anywhere
in a parsed YAML value: pure functions over the parsed workflow, used by
:mod:`ingest.github.transform`.
"""

from __future__ import annotations

import re
from typing import Any

_EXPR = re.compile(r"\$\{\{(.*?)\}\}", re.S)
_SECRET = re.compile(r"secrets\s*(?:\.\s*([A-Za-z_][A-Za-z0-9_]*)|\[\s*['\"]([^'\"]+)['\"]\s*\])")
_GITHUB_TOKEN = re.compile(r"\bgithub\.token\b")
TOKEN = "GITHUB_TOKEN"


def strings(obj: Any) -> list[str]:
    """Every text value inside a parsed YAML value (keys excluded)."""
    out: list[str] = []
    stack = [obj]
    while stack:
        x = stack.pop()
        if isinstance(x, str):
            out.append(x)
        elif isinstance(x, dict):
            stack.extend(x.values())
        elif isinstance(x, list):
            stack.extend(x)
    return out


def secret_refs(texts: list[str]) -> set[str]:
    """Secret names read in ``${{ ... }}`` expressions (``github.token`` is GITHUB_TOKEN).

    >>> sorted(secret_refs(["${{ secrets.NPM_TOKEN }}", "x ${{ github.token }}"]))
    ['GITHUB_TOKEN', 'NPM_TOKEN']
    """
    names: set[str] = set()
    for text in texts:
        if "${{" not in text:
            continue
        for expr in _EXPR.findall(text):
            for a, b in _SECRET.findall(expr):
                names.add(a or b)
            if _GITHUB_TOKEN.search(expr):
                names.add(TOKEN)
    return names
