"""The names of one embedded-store generation's files and a cheap check that they are whole,
kept apart from :mod:`graph.columnar` so that opening a store (and ``nhigraph stats``, which
answers from the manifest) imports neither NumPy nor pyarrow. The check reads only each
file's ends: the Arrow IPC file magic (``ARROW1`` at both ends, a footer length that fits)
and the ``.npy`` magic. A file damaged in the middle is still caught when it is mapped
(:class:`graph.columnar.Generation`), with the same message.
"""

from __future__ import annotations

from pathlib import Path

from .errors import StoreError

ARRAYS = ("out_ptr", "in_ptr", "in_rows")
_ARROW_MAGIC = b"ARROW1"
_NPY_MAGIC = b"\x93NUMPY"


def generation_files(gen: int) -> list[str]:
    return [f"nodes-{gen}.arrow", f"edges-{gen}.arrow", *(f"{a}-{gen}.npy" for a in ARRAYS)]


def _whole(path: Path) -> str | None:
    """Why the file is not a whole Arrow IPC / .npy file, or None."""
    with open(path, "rb") as fh:
        head = fh.read(8)
        if path.suffix == ".npy":
            return None if head.startswith(_NPY_MAGIC) else "not a .npy file"
        size = fh.seek(0, 2)
        if size < 18 or head[:6] != _ARROW_MAGIC:
            return "not an Arrow IPC file"
        fh.seek(size - 10)
        tail = fh.read(10)
    footer = int.from_bytes(tail[:4], "little", signed=True)
    if tail[4:] != _ARROW_MAGIC or not 0 < footer <= size - 18:
        return "an Arrow IPC file cut short (no footer)"
    return None


def check_files(folder: Path, gen: int) -> None:
    """Raise :class:`StoreError` naming the generation if one of its files is missing or
    visibly damaged."""
    for name in generation_files(gen):
        try:
            why = _whole(folder / name)
        except OSError as exc:
            why = str(exc)
        if why:
            raise StoreError(f"{folder}: generation {gen} is unreadable ({name}: {why})")
