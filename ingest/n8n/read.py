"""Reading n8n exports from disk: the only I/O of the n8n ingester.

Collects the ``.json`` files under the paths given (and the credentials export named with
``credentials=``), loads each within the size limit, and sorts what it finds into workflow
documents (:class:`~ingest.n8n.transform.Found`, with the file and array index they came
from) and credential exports. A file that is not an n8n export, or a workflow that cannot
be read at all, is a skip with its reason; nothing is emitted for it. A node that is not an
n8n node is left out with a note; the rest of its workflow is kept. The line of each node
(its ``"id"`` key, found by one scan of the text) goes with the workflow, for SARIF.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from graph.records import Batch

from ..files import Skip, collect, parse_json_text, progress, read_text, relative
from .credentials import is_credential_export
from .transform import Found, is_node


def read_exports(roots: list, credentials: str | None, max_bytes: int,
                 batch: Batch) -> tuple[list[Found], list[tuple[Path, Any]]]:
    """The workflows and the credential exports under ``roots``; skips and the count of
    files read go to ``batch``."""
    found: list[Found] = []
    cred_docs: list[tuple[Path, Any]] = []
    extra = collect([credentials], (".json",)) if credentials else []
    files = [f for f in collect(roots, (".json",)) if f not in extra]
    for f in progress(files + extra, "n8n files"):
        try:
            text = read_text(f, max_bytes)
            doc = parse_json_text(text)
        except Skip as exc:
            batch.skipped.append(f"{f}: {exc}")
            continue
        rel = relative(f, roots)
        if f in extra or is_credential_export(doc):
            cred_docs.append((f, doc))
            batch.files_read += 1
            continue
        try:
            items = _workflows_in(doc)
        except Skip as exc:
            batch.skipped.append(f"{f}: {exc}")
            continue
        before = len(found)
        id_lines = _id_lines(text) if items else {}
        for i, wf in items:
            where = f"{f}{'' if i is None else f'[{i}]'}"
            problem = workflow_problem(wf)
            if problem:
                batch.skipped.append(f"{where}: {problem}")
                continue
            _note_bad_nodes(wf["nodes"], where, batch.notes)
            found.append(Found(wf, f, rel, i, _node_lines(wf["nodes"], id_lines)))
        if len(found) > before:
            batch.files_read += 1
    return found, cred_docs


_ID_KEY = re.compile(r'"id"\s*:\s*"([^"\\]*)"')


def _id_lines(text: str) -> dict[str, list[int]]:
    """Each string value of an ``"id"`` key in the text, with the 1-based lines it is on
    (in order)."""
    out: dict[str, list[int]] = {}
    line, pos = 1, 0
    for m in _ID_KEY.finditer(text):
        line += text.count("\n", pos, m.start())
        pos = m.start()
        out.setdefault(m.group(1), []).append(line)
    return out


def _node_lines(nodes: list, id_lines: dict[str, list[int]]) -> dict[str, int]:
    """Node id -> line of the node's ``"id"`` key. Occurrences are used up in file order
    (workflows of an array, then nodes), so a node id repeated in a second workflow of
    the same file gets its own line."""
    out: dict[str, int] = {}
    for n in nodes:
        nid = n.get("id") if isinstance(n, dict) else None
        if isinstance(nid, str) and id_lines.get(nid) and nid not in out:
            out[nid] = id_lines[nid].pop(0)
    return out


def default_instance(p: Path) -> str:
    p = p.resolve()
    return (p if p.is_dir() else p.parent).name or "n8n"


def _workflows_in(doc: Any) -> list[tuple[int | None, dict]]:
    if isinstance(doc, dict):
        if "nodes" not in doc:
            raise Skip("not an n8n workflow export (no 'nodes')")
        return [(None, doc)]
    if isinstance(doc, list):
        if not any(isinstance(d, dict) and "nodes" in d for d in doc):
            raise Skip("a JSON array, but not of n8n workflows")
        return list(enumerate(doc))
    raise Skip(f"not an n8n workflow export (top level is {type(doc).__name__})")


def workflow_problem(wf: Any) -> str | None:
    """Why a workflow cannot be read at all, or None. Checked before anything is emitted
    (here, and by the live collector :mod:`ingest.collect.n8n_api` on what the API
    answered). A bad node or credential reference is not a reason: only that node is left
    out, with a note."""
    if not isinstance(wf, dict) or "nodes" not in wf:
        return "not an n8n workflow (no 'nodes')"
    nodes = wf["nodes"]
    if not isinstance(nodes, list):
        return f"'nodes' is a {type(nodes).__name__}, not a list"
    if not nodes:
        return "workflow without nodes"
    return None


def _note_bad_nodes(nodes: list, where: str, notes: list[str]) -> None:
    """One note per item of ``nodes`` that is not an n8n node (the transform leaves it out,
    keeping the others and their indices)."""
    for j, n in enumerate(nodes):
        if not is_node(n):
            notes.append(f"{where}: nodes[{j}] is not an n8n node (no 'type'); left out")
