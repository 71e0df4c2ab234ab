"""The one YAML loader of the project: GitHub Actions, Airflow, Kubernetes and inventory
files are all read here.

Safe loading (no Python objects), anchors and aliases parsed, merge keys (``<<``) merged,
and two checks on the composed node graph before anything is built from it: the size the
document would have with every alias expanded, counted in nodes (memoised, so counting
cannot blow up itself), must stay under :data:`MAX_EXPANDED_NODES` (a "billion laughs"
file, or anchors nested in flow mappings, gives one clear error instead of exhausting
memory in whatever walks the result), and a key repeated in one mapping is a note naming
file and line (the later value is used, as PyYAML does; GitHub itself rejects such a
workflow, "'env' is already defined"). The C parser is used when PyYAML has it.
Callers that want to point at a line (SARIF locations) pass ``lines={}`` to
:func:`load_text`: it is filled with the line of each key path, from the composed nodes
(no cost for the callers that do not ask).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import yaml

#: Nodes a document may have with every alias expanded (a workflow file has hundreds).
MAX_EXPANDED_NODES = 1_000_000

_BASE: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _TextDates(_BASE):  # type: ignore[misc, valid-type]
    """Dates stay text (the inventory validates them itself)."""


_TextDates.yaml_implicit_resolvers = {
    k: [(tag, rx) for tag, rx in v if tag != "tag:yaml.org,2002:timestamp"]
    for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


class YamlError(Exception):
    """The text cannot be read as YAML; the message says where and why (``problem``,
    ``line`` and ``column`` for callers with their own message format)."""

    def __init__(self, message: str, problem: str | None = None, line: int | None = None,
                 column: int | None = None):
        super().__init__(message)
        self.problem, self.line, self.column = problem or message, line, column


def _check(node: yaml.Node, where: str, notes: list[str] | None,
           on_merge: Callable[[int], None] | None) -> None:
    """Expanded size under the cap, no recursive alias; duplicate keys and merge keys
    reported."""
    sizes: dict[int, int] = {}
    active: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(node, False)]
    while stack:
        n, done = stack.pop()
        key = id(n)
        if done:
            active.discard(key)
            children = _children(n)
            sizes[key] = 1 + sum(sizes[id(c)] for c in children)
            if sizes[key] > MAX_EXPANDED_NODES:
                line = n.start_mark.line + 1
                raise YamlError(f"aliases expand to more than {MAX_EXPANDED_NODES:,} nodes "
                                f"(at line {line}); refusing a document this large")
            continue
        if key in sizes:
            continue
        if key in active:
            raise YamlError(f"recursive alias at line {n.start_mark.line + 1}")
        active.add(key)
        stack.append((n, True))
        if isinstance(n, yaml.MappingNode):
            _mapping_notes(n, where, notes, on_merge)
        stack.extend((c, False) for c in _children(n) if id(c) not in sizes)


def _children(n: yaml.Node) -> list[yaml.Node]:
    if isinstance(n, yaml.MappingNode):
        return [x for pair in n.value for x in pair]
    if isinstance(n, yaml.SequenceNode):
        return list(n.value)
    return []


def _mapping_notes(n: yaml.MappingNode, where: str, notes: list[str] | None,
                   on_merge: Callable[[int], None] | None) -> None:
    seen: dict[Any, int] = {}
    for k, _ in n.value:
        if not isinstance(k, yaml.ScalarNode):
            continue
        line = k.start_mark.line + 1
        if k.tag == "tag:yaml.org,2002:merge":
            if on_merge:
                on_merge(line)
            continue
        if k.value in seen and notes is not None:
            notes.append(f"{where}: line {line}: duplicate key {k.value!r} (first at line "
                         f"{seen[k.value]}); the later value is used")
        seen.setdefault(k.value, line)


def key_lines(node: yaml.Node, max_depth: int = 4) -> dict[tuple, int]:
    """1-based line of each key path down to ``max_depth`` levels: a mapping value by its
    key's line (``("jobs", "build")``), a sequence item by its first line
    (``("jobs", "build", "steps", 0)``). Merge keys and non-scalar keys are skipped."""
    out: dict[tuple, int] = {}
    stack: list[tuple[yaml.Node, tuple]] = [(node, ())]
    while stack:
        n, path = stack.pop()
        if len(path) >= max_depth:
            continue
        if isinstance(n, yaml.MappingNode):
            for k, v in n.value:
                if isinstance(k, yaml.ScalarNode) and k.tag != "tag:yaml.org,2002:merge":
                    sub = (*path, k.value)
                    out.setdefault(sub, k.start_mark.line + 1)
                    stack.append((v, sub))
        elif isinstance(n, yaml.SequenceNode):
            for i, v in enumerate(n.value):
                sub = (*path, i)
                out.setdefault(sub, v.start_mark.line + 1)
                stack.append((v, sub))
    return out


def _load(text: str, where: str, notes: list[str] | None, dates: bool, many: bool,
          on_merge: Callable[[int], None] | None,
          lines: dict[tuple, int] | None = None) -> list[Any]:
    loader = (_BASE if dates else _TextDates)(text)
    try:
        docs = []
        while loader.check_node():
            node = loader.get_node()
            if node is None:
                continue
            _check(node, where, notes, on_merge)
            if lines is not None and not docs:
                lines.update(key_lines(node))
            docs.append(loader.construct_document(node))
            if not many and loader.check_node():
                raise YamlError("expected a single document, found more")
        return docs
    except yaml.YAMLError as exc:
        exc = _exact_error(text) or exc
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or "malformed YAML"
        at = f" at line {mark.line + 1} column {mark.column + 1}" if mark else ""
        if mark and _char_at(text, mark.line, mark.column) == "\t":
            problem = "a tab character where YAML needs spaces"
        raise YamlError(f"invalid YAML{at}: {problem}", problem,
                        mark.line + 1 if mark else None,
                        mark.column + 1 if mark else None) from None
    except RecursionError:
        raise YamlError("invalid YAML: nested too deeply") from None
    finally:
        loader.dispose()


def _exact_error(text: str) -> yaml.YAMLError | None:
    """The pure-Python parser's error for a text the C parser refused: it points at the
    line of the problem (an unclosed ``[`` on line 1), the C parser at the end of input."""
    try:
        for _ in yaml.compose_all(text, Loader=yaml.SafeLoader):
            pass
    except yaml.YAMLError as exc:
        return exc
    except RecursionError:
        return None
    return None


def load_text(text: str, where: str = "", notes: list[str] | None = None, *,
              dates: bool = True, on_merge: Callable[[int], None] | None = None,
              lines: dict[tuple, int] | None = None) -> Any:
    """One YAML document (None for an empty one). Duplicate keys go to ``notes``;
    ``on_merge(line)`` is called for each merge key; :class:`YamlError` when it is not
    YAML or too large expanded. ``dates=False`` keeps timestamps as text. A ``lines``
    dict is filled with :func:`key_lines` of the document."""
    docs = _load(text, where, notes, dates, False, on_merge, lines)
    return docs[0] if docs else None


def load_all_text(text: str, where: str = "", notes: list[str] | None = None, *,
                  dates: bool = True) -> list[Any]:
    """Every document of a multi-document stream (``---``), empty ones left out."""
    return [d for d in _load(text, where, notes, dates, True, None) if d is not None]


def _char_at(text: str, line: int, column: int) -> str:
    lines = text.splitlines()
    return lines[line][column:column + 1] if line < len(lines) else ""
