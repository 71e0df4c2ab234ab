"""Fixture copies with their CANARY_VALUE markers replaced by known values, for tests that
assert the fingerprint of each value (the canary suite plants its own)."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

MARKER = "CANARY_VALUE"


def plant(src: Path, dst: Path, make: Callable[[int], str]) -> list[str]:
    """Copy the folder ``src`` to ``dst``, the i-th marker (files in sorted order) becoming
    ``make(i)``; returns the values planted, in order."""
    shutil.copytree(src, dst)
    values: list[str] = []
    for f in sorted(p for p in dst.rglob("*") if p.is_file()):
        text = f.read_text()
        while MARKER in text:
            values.append(make(len(values)))
            text = text.replace(MARKER, values[-1], 1)
        f.write_text(text)
    return values


def graph_of(batch) -> tuple[set, set]:
    """A batch's (kind, id) node pairs and (src, kind, dst) edge triples."""
    return ({(n.kind, n.id) for n in batch.nodes},
            {(e.src, e.kind, e.dst) for e in batch.edges})
